// Presents the real connection as the client's socket: addresses and TLS state come from the CGI variables.
import type { Socket } from 'node:net';
import type { RequestFromEnv } from '../protocol/request-from-env.js';

/** Symbol under which the socket carries its SCGI request (a registry symbol, so copies of core agree). */
export const SCGI_REQUEST = Symbol.for('scgi-node.request');

/** The CGI side of one request, reachable from `req`, `res` and `socket` through `cgiVariables()`. */
export interface ScgiRequestRecord {
  /** Every CGI variable, keyed (repeated HTTP_* joined). */
  readonly env: Readonly<Record<string, string>>;
  /** Every variable in wire order, repeats kept: `[name, value, ...]`. */
  readonly pairs: readonly string[];
}

export type ScgiSocket = Socket & { [SCGI_REQUEST]?: ScgiRequestRecord; encrypted?: boolean };

/**
 * Own data properties shadow net.Socket's address getters on this one connection, so `req.ip`,
 * `req.protocol`, `req.secure` and Hono's `getConnInfo` report the client, not the front server.
 * The socket itself stays real: `writable`, 'drain', 'close' and 'error' follow the connection.
 */
export function presentSocket(socket: ScgiSocket, info: RequestFromEnv, record: ScgiRequestRecord): void {
  Object.defineProperties(socket, {
    remoteAddress: { value: info.remoteAddress, configurable: true },
    remotePort: { value: info.remotePort, configurable: true },
    remoteFamily: { value: info.remoteFamily, configurable: true },
    localAddress: { value: info.localAddress, configurable: true },
    localPort: { value: info.localPort, configurable: true },
  });
  if (info.encrypted) socket.encrypted = true;
  socket[SCGI_REQUEST] = record;
}
