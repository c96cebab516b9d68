// Where the SCGI backend is: parsed with core's target syntax, or read from a server object per request.
import { once } from 'node:events';
import type { AddressInfo, NetConnectOpts, Server } from 'node:net';
import { isScgiError, ScgiError, type ScgiListenOptions, scgi } from '@scgi-node/core';

/** A port, `'host:port'`, a socket path, `'unix:/path'`, `{ port, host }`, `{ path }`, or a server. */
export type BackendTarget =
  | number
  | string
  | ScgiListenOptions
  | Pick<Server, 'address' | 'listening' | 'once'>;

function isServer(target: BackendTarget): target is Pick<Server, 'address' | 'listening' | 'once'> {
  return typeof target === 'object' && typeof (target as Partial<Server>).address === 'function';
}

/** Core's own parser for `scgi(...)` targets, so the gateway reads them exactly as a worker does. */
function parse(target: number | string | ScgiListenOptions): ScgiListenOptions {
  const listen = scgi(target).listen;
  if (listen.fd !== undefined) {
    throw new ScgiError('ERR_SCGI_BAD_TARGET', 'An fd target can be listened on, not connected to');
  }
  return listen;
}

/** Throws ScgiError `ERR_SCGI_BAD_TARGET` now for a target no request could ever reach. */
export function checkTarget(target: BackendTarget): BackendTarget {
  if (!isServer(target)) parse(target);
  return target;
}

function toConnect(listen: ScgiListenOptions): NetConnectOpts {
  if (listen.path !== undefined) return { path: listen.path };
  // A backend bound to every interface is reached on loopback.
  const host = listen.host === undefined || listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host;
  return { port: listen.port!, host: host === '::' ? '::1' : host };
}

function fromAddress(address: AddressInfo | string | null): ScgiListenOptions {
  if (address === null) throw new ScgiError('ERR_SCGI_CONNECT', 'The SCGI backend server is not listening');
  return typeof address === 'string' ? { path: address } : { port: address.port, host: address.address };
}

/**
 * Connect options for one request. A server target that is about to listen is waited for, until `signal`
 * aborts (the request ended meanwhile), so a server that never listens leaves no listener behind.
 */
export async function connectOptions(target: BackendTarget, signal: AbortSignal): Promise<NetConnectOpts> {
  if (!isServer(target)) return toConnect(parse(target));
  if (!target.listening) await once(target as Server, 'listening', { signal });
  return toConnect(fromAddress(target.address()));
}

/** `unix:/run/app.sock` or `127.0.0.1:4000`, for log lines. */
export function describeTarget(options: NetConnectOpts): string {
  if ('path' in options && options.path !== undefined) return `unix:${options.path}`;
  const { host, port } = options as { host: string; port: number };
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A failure to reach the backend, as ScgiError `ERR_SCGI_CONNECT` (502) with the socket error as cause. */
export function connectError(backendName: string, cause: unknown): ScgiError {
  if (isScgiError(cause)) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ScgiError('ERR_SCGI_CONNECT', `Cannot connect to ${backendName}: ${message}`, { cause });
}

/** The backend took longer than `backendTimeoutMs`: ScgiError `ERR_SCGI_TIMEOUT` (504). */
export function timeoutError(backendName: string, connected: boolean, timeoutMs: number): ScgiError {
  const what = connected ? 'sent no response head' : 'could not be reached';
  return new ScgiError(
    'ERR_SCGI_TIMEOUT',
    `${backendName} ${what} within ${timeoutMs} ms (backendTimeoutMs)`,
  );
}
