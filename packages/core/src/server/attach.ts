// Turns an http.Server into an SCGI server: SCGI connections replace node:http's own connection handling.
import type { Server } from 'node:http';
import { type ScgiConnectionSet, serveConnections } from './connection-set.js';
import { httpDriver } from './http-driver.js';
import type { ResolvedServerOptions } from './target.js';

const ATTACHED = Symbol.for('scgi-node.attached');

type AttachableServer = Server & { [ATTACHED]?: ScgiConnectionSet };

export function isAttached(server: Server): boolean {
  return (server as AttachableServer)[ATTACHED] !== undefined;
}

export function attachedOptions(server: Server): ResolvedServerOptions | undefined {
  return (server as AttachableServer)[ATTACHED]?.options;
}

/**
 * Make `server` speak SCGI. Idempotent: a second call only replaces the options for new connections.
 * node:http's connection listener is removed, so its timeouts and connection bookkeeping are provided
 * here: the SCGI timeouts, and closeAllConnections()/closeIdleConnections() that see SCGI connections.
 */
export function attachScgi(server: Server, options: ResolvedServerOptions): void {
  const attachable = server as AttachableServer;
  const existing = attachable[ATTACHED];
  if (existing !== undefined) {
    existing.options = options;
    return;
  }
  const httpListener = server
    .listeners('connection')
    .find((listener) => listener.name === 'connectionListener');
  if (httpListener === undefined) {
    throw new TypeError('scgi-node: this server has no node:http connection listener to replace');
  }
  server.removeListener('connection', httpListener as (...args: unknown[]) => void);

  const set = serveConnections(server, options, httpDriver(server));
  attachable[ATTACHED] = set;

  const closeAllHttp = server.closeAllConnections;
  const closeIdleHttp = server.closeIdleConnections;
  server.closeAllConnections = function closeAllConnections(): void {
    closeAllHttp.call(this);
    set.closeAll();
  };
  server.closeIdleConnections = function closeIdleConnections(): void {
    closeIdleHttp.call(this);
    set.closeIdle();
  };
}
