// `scgi(target, options)`: the branded listen target that turns an http.Server into an SCGI server.
import { ScgiError } from '../protocol/errors.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES } from '../protocol/request-parser.js';

/** Where to listen. A bare port or `host:port` is TCP, a path (or `unix:path`) a unix socket, `fd:N` an inherited descriptor. */
export type ScgiListenTarget = number | string | ScgiListenOptions;

export interface ScgiListenOptions {
  port?: number;
  /** TCP host; defaults to loopback (`127.0.0.1`): a worker is reached by its web server, not by the world. */
  host?: string;
  /** Unix socket path. */
  path?: string;
  /** An inherited listening descriptor (systemd socket activation, a process manager). */
  fd?: number;
  /** Unix socket file mode, e.g. `0o660` or `'660'`. The front server usually runs as another user. */
  mode?: number | string;
  backlog?: number;
}

export const DEFAULT_HOST = '127.0.0.1';
/** Time allowed from accept until the whole netstring head has arrived. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 15_000;
/** A connection with no traffic either way for this long, while we wait on the peer, is closed. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** Limits and behaviour of an SCGI server. Every limit is named here and documented in the README. */
export interface ScgiServerOptions {
  /** Largest netstring header block accepted (bytes); larger gets `Status: 431`. */
  maxHeaderBytes?: number;
  /** Largest CONTENT_LENGTH accepted (bytes); larger gets `Status: 413` before any body is read. */
  maxBodyBytes?: number;
  /** Header-read timeout (ms); 0 disables. */
  headersTimeoutMs?: number;
  /** Idle timeout (ms) while the peer owes us bytes or has not read ours; 0 disables. */
  idleTimeoutMs?: number;
  /**
   * Let the peer half-close (send FIN) once its request is sent and still get the response. Off by
   * default: like node:http, a FIN from nginx, Apache or lighttpd means the client went away, and the
   * request is aborted at once. Turn on for old lighttpd (< 1.4.46) and SCGI clients that half-close;
   * an abort is then seen only when a write fails.
   */
  allowHalfClose?: boolean;
}

export type ResolvedServerOptions = Required<ScgiServerOptions>;

export const SCGI_TARGET = Symbol.for('scgi-node.target');

/** A listen target branded for the SCGI listen hook. Pass it to `server.listen()` / `app.listen()`. */
export interface ScgiTarget {
  readonly [SCGI_TARGET]: true;
  readonly listen: Readonly<ScgiListenOptions>;
  readonly options: ResolvedServerOptions;
}

/**
 * Describe an SCGI listen target: `app.listen(scgi(4000))`, `scgi('127.0.0.1:4000')`,
 * `scgi('/run/app.sock')`, `scgi('fd:3')`, `scgi({ path, mode: 0o660 })`.
 */
export function scgi(target: ScgiListenTarget, options: ScgiServerOptions = {}): ScgiTarget {
  return { [SCGI_TARGET]: true, listen: parseListenTarget(target), options: resolveServerOptions(options) };
}

export function isScgiTarget(value: unknown): value is ScgiTarget {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SCGI_TARGET] === true
  );
}

export function resolveServerOptions(options: ScgiServerOptions = {}): ResolvedServerOptions {
  const resolved: ResolvedServerOptions = {
    maxHeaderBytes: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    allowHalfClose: options.allowHalfClose ?? false,
  };
  for (const name of ['maxHeaderBytes', 'maxBodyBytes', 'headersTimeoutMs', 'idleTimeoutMs'] as const) {
    const value = resolved[name];
    if (!(value >= 0))
      throw new ScgiError('ERR_SCGI_BAD_TARGET', `${name} must be a number >= 0, got ${value}`);
  }
  return resolved;
}

/** Parse any accepted target form into listen options. */
export function parseListenTarget(target: ScgiListenTarget): ScgiListenOptions {
  if (typeof target === 'number') return { port: checkPort(target, String(target)), host: DEFAULT_HOST };
  if (typeof target === 'string') return parseTargetString(target.trim());
  if (typeof target !== 'object' || target === null) throw badTarget(String(target));
  const chosen = [target.port !== undefined, target.path !== undefined, target.fd !== undefined];
  if (chosen.filter(Boolean).length !== 1) {
    throw badTarget(JSON.stringify(target), 'give exactly one of port, path or fd');
  }
  if (target.port !== undefined) {
    return {
      ...target,
      port: checkPort(target.port, String(target.port)),
      host: target.host ?? DEFAULT_HOST,
    };
  }
  if (target.fd !== undefined && !(Number.isInteger(target.fd) && target.fd >= 0)) {
    throw badTarget(String(target.fd), 'fd must be a non-negative integer');
  }
  if (target.mode !== undefined) return { ...target, mode: parseMode(target.mode) };
  return { ...target };
}

function parseTargetString(text: string): ScgiListenOptions {
  if (text === '') throw badTarget(text);
  if (text.startsWith('unix:')) return { path: text.slice('unix:'.length) };
  if (text.startsWith('fd:')) return parseListenTarget({ fd: Number(text.slice(3)) });
  if (/^\d+$/.test(text)) return { port: checkPort(Number(text), text), host: DEFAULT_HOST };
  // `[::1]:4000`, `127.0.0.1:4000`, `localhost:4000`, `:4000` (all interfaces).
  const hostPort = /^(?:\[([^\]]+)\]|([^:/[\]]*)):(\d+)$/.exec(text);
  if (hostPort) {
    const host = hostPort[1] ?? hostPort[2] ?? '';
    return { port: checkPort(Number(hostPort[3]), text), host: host === '' ? '0.0.0.0' : host };
  }
  if (text.includes('/') || text.endsWith('.sock')) return { path: text };
  throw badTarget(text);
}

function checkPort(port: number, text: string): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw badTarget(text, 'port must be 0-65535');
  return port;
}

/** `0o660`, `'660'`, `'0660'` -> 0o660. */
export function parseMode(mode: number | string): number {
  const value =
    typeof mode === 'number' ? mode : /^0?[0-7]{3}$/.test(mode) ? Number.parseInt(mode, 8) : Number.NaN;
  if (!Number.isInteger(value) || value < 0 || value > 0o777) {
    throw badTarget(String(mode), 'mode must be an octal file mode such as 0o660 or "660"');
  }
  return value;
}

function badTarget(
  text: string,
  hint = 'use a port, "host:port", a socket path, "unix:path" or "fd:N"',
): ScgiError {
  return new ScgiError('ERR_SCGI_BAD_TARGET', `Invalid SCGI target ${JSON.stringify(text)}: ${hint}`);
}
