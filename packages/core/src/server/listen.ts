// Binds an SCGI server to its target: TCP (loopback by default), a unix socket, or an inherited fd.
import type { Server } from 'node:http';
import { type ListenOptions, Server as NetServer } from 'node:net';
import { attachScgi } from './attach.js';
import {
  parseListenTarget,
  type ScgiListenOptions,
  type ScgiListenTarget,
  type ScgiTarget,
} from './target.js';
import { applySocketMode, prepareSocketPath } from './unix-socket.js';

export type NetListen = (this: NetServer, options: ListenOptions) => NetServer;

/** `server.listen(scgi(...), callback)`: attach, prepare the address, listen; errors arrive as 'error'. */
export function listenScgi(
  server: Server,
  target: ScgiTarget,
  callback: (() => void) | undefined,
  netListen: NetListen,
): Server {
  attachScgi(server, target.options);
  if (callback !== undefined) server.once('listening', callback);
  bindTarget(server, target.listen, netListen);
  return server;
}

/**
 * Listen on an SCGI target with any net.Server, as `listen(scgi(...))` does: loopback for a bare port,
 * a stale unix socket file replaced (a live one refused with ERR_SCGI_SOCKET_IN_USE), the socket's
 * `mode` applied before any 'listening' handler runs. Errors arrive as 'error'.
 */
export function listenScgiNet<S extends NetServer>(server: S, target: ScgiListenTarget): S {
  bindTarget(server, parseListenTarget(target), NetServer.prototype.listen as NetListen);
  return server;
}

function bindTarget(server: NetServer, listen: Readonly<ScgiListenOptions>, netListen: NetListen): void {
  const { port, host, path, fd, mode, backlog } = listen;
  if (path === undefined) {
    netListen.call(server, fd === undefined ? { port, host, backlog } : { fd, backlog });
    return;
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
}
