// Binds an SCGI server to its target: TCP (loopback by default), a unix socket, or an inherited fd.
import type { Server } from 'node:http';
import type { ListenOptions } from 'node:net';
import { attachScgi } from './attach.js';
import type { ScgiTarget } from './target.js';
import { applySocketMode, prepareSocketPath } from './unix-socket.js';

export type NetListen = (this: Server, options: ListenOptions) => Server;

/** `server.listen(scgi(...), callback)`: attach, prepare the address, listen; errors arrive as 'error'. */
export function listenScgi(
  server: Server,
  target: ScgiTarget,
  callback: (() => void) | undefined,
  netListen: NetListen,
): Server {
  attachScgi(server, target.options);
  if (callback !== undefined) server.once('listening', callback);
  const { port, host, path, fd, mode, backlog } = target.listen;
  if (path === undefined) {
    netListen.call(server, fd === undefined ? { port, host, backlog } : { fd, backlog });
    return server;
  }
  prepareSocketPath(path).then(
    () => {
      if (mode !== undefined) {
        // Before any user 'listening' handler runs, so nobody connects through a wrong mode.
        server.prependOnceListener('listening', () => {
          try {
            applySocketMode(path, mode as number);
          } catch (error) {
            server.emit('error', error);
          }
        });
      }
      netListen.call(server, { path, backlog });
    },
    (error: unknown) => server.emit('error', error),
  );
  return server;
}
