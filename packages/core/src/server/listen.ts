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
import { applySocketMode, replaceStaleSocket, socketPathState } from './unix-socket.js';

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
  const bind = () => {
    netListen.call(server, { path, backlog });
    if (mode === undefined) return;
    const applyMode = () => {
      try {
        applySocketMode(path, mode as number);
      } catch (error) {
        process.nextTick(() => server.emit('error', error)); // not from inside listen(): as net does
      }
    };
    // net binds a path in the same tick, so the mode is right as soon as `listening` is true; a bind
    // that completes later (cluster workers) gets it before any user 'listening' handler runs.
    if (server.listening) applyMode();
    else server.prependOnceListener('listening', applyMode);
  };
  let state: 'free' | 'socket';
  try {
    state = socketPathState(path);
  } catch (error) {
    // As net reports a failed bind: on the next tick, as 'error'.
    process.nextTick(() => server.emit('error', error));
    return;
  }
  // Nothing there: bind in this tick, as net.Server#listen(path) does, so address() is right at once
  // (issue 14). A socket file there: probe it first; until then address() is null and listening false.
  if (state === 'free') bind();
  else replaceStaleSocket(path).then(bind, (error: unknown) => server.emit('error', error));
}
