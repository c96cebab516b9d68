// Presents the real connection as the client's socket: addresses and TLS state come from the CGI variables.
import { Socket as NetSocket, type Socket } from 'node:net';
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

export type ScgiSocket = Socket & {
  [SCGI_REQUEST]?: ScgiRequestRecord;
  encrypted?: boolean;
  /** net.Socket's cache of getpeername(), which its remote* getters read first. */
  _peername?: { address?: string; port?: number; family?: string };
};

/** net.Socket's remote* getters answer from `_peername` when it is set (Node 20 to 24); checked once. */
const peerNameIsRead = (() => {
  const probe = new NetSocket() as ScgiSocket;
  probe._peername = { address: '192.0.2.1', port: 1, family: 'IPv4' };
  const read = probe.remoteAddress === '192.0.2.1' && probe.remotePort === 1 && probe.remoteFamily === 'IPv4';
  probe.destroy();
  return read;
})();

/** The local address a presented socket reports (SERVER_ADDR/SERVER_PORT), as getsockname() would. */
const LOCAL = Symbol('scgi-node.local');
interface SockName {
  address?: string;
  port?: number;
  family?: string;
}

/** Stands in for net.Socket's `_getsockname()`, which its local* getters and address() call. */
function presentedSockname(this: ScgiSocket & { [LOCAL]?: SockName }): SockName {
  return this[LOCAL] ?? {};
}

/** net.Socket's local* getters go through `this._getsockname()` (Node 20 to 24); checked once. */
const sockNameIsRead = (() => {
  const probe = new NetSocket() as ScgiSocket & { [LOCAL]?: SockName; _getsockname?: () => SockName };
  probe[LOCAL] = { address: '192.0.2.2', port: 2, family: 'IPv4' };
  probe._getsockname = presentedSockname;
  const read = probe.localAddress === '192.0.2.2' && probe.localPort === 2;
  probe.destroy();
  return read;
})();

function shadow(socket: Socket, name: string, value: string | number | undefined): void {
  Object.defineProperty(socket, name, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Presents the connection as the client's, so `req.ip`, `req.protocol`, `req.secure` and Hono's
 * `getConnInfo` report the client, not the front server. The client's address goes into net.Socket's
 * own peer-name cache (one store; defining three own properties cost 5% of a request), and its local
 * address reaches the local* getters through an own `_getsockname`. The socket itself stays real:
 * `writable`, 'drain', 'close' and 'error' follow the connection.
 */
export function presentSocket(socket: ScgiSocket, info: RequestFromEnv, record: ScgiRequestRecord): void {
  if (peerNameIsRead) {
    socket._peername = { address: info.remoteAddress, port: info.remotePort, family: info.remoteFamily };
  } else {
    shadow(socket, 'remoteAddress', info.remoteAddress);
    shadow(socket, 'remotePort', info.remotePort);
    shadow(socket, 'remoteFamily', info.remoteFamily);
  }
  if (sockNameIsRead) {
    // Two plain stores where defining two own properties cost 2% of a request (issue 19).
    const presented = socket as ScgiSocket & { [LOCAL]?: SockName; _getsockname?: () => SockName };
    const address = info.localAddress;
    const family = address === undefined ? undefined : address.includes(':') ? 'IPv6' : 'IPv4';
    presented[LOCAL] = { address, port: info.localPort, family };
    presented._getsockname = presentedSockname;
  } else {
    shadow(socket, 'localAddress', info.localAddress);
    shadow(socket, 'localPort', info.localPort);
  }
  if (info.encrypted) socket.encrypted = true;
  socket[SCGI_REQUEST] = record;
}

/** A closed connection's socket lets go of its request record (the request keeps its own). */
export function releaseRecord(socket: Socket): void {
  const carrier = socket as ScgiSocket;
  if (carrier[SCGI_REQUEST] !== undefined) carrier[SCGI_REQUEST] = undefined;
}
