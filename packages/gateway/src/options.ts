// Options of createGateway: every limit named with its unit, its default, and validation.
import type { ServerOptions as TlsServerOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { ScgiError } from '@scgi-node/core';
import { type BackendTarget, checkTarget } from './backend-target.js';
import { defaultLog, type GatewayLog, type GatewayLogEntry } from './log.js';

/** Time allowed to reach the backend and, once the request is sent, for its response head (nginx: 60 s). */
export const DEFAULT_BACKEND_TIMEOUT_MS = 60_000;
/** Largest chunked request body buffered to learn its CONTENT_LENGTH; larger gets 413. */
export const DEFAULT_MAX_BUFFERED_REQUEST_BYTES = 8 * 1024 * 1024;
/** Response bytes kept in memory when buffering, before the rest goes to a temp file. */
export const DEFAULT_RESPONSE_MEMORY_LIMIT_BYTES = 1024 * 1024;

/** Slow-client protection: read the whole response off the backend first, then feed the client. */
export interface ResponseBufferingOptions {
  /** Default false: responses stream through (server-sent events need that). */
  enabled?: boolean;
  /** Bytes held in memory per response before spilling to a temp file (default 1 MiB). */
  memoryLimitBytes?: number;
  /** Where spilled responses go (default `os.tmpdir()`); the file is unlinked as soon as it is open. */
  tempDir?: string;
}

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /**
   * The SCGI backend: a port, `'host:port'`, a socket path, `'unix:/path.sock'`, `{ port, host }`,
   * `{ path }`, or an `http.Server` made SCGI by @scgi-node/core (its address is read per request).
   */
  target: BackendTarget;
  /** Limit on connecting, and on waiting for the response head once the request is sent (ms). */
  backendTimeoutMs?: number;
  /** A chunked request body is buffered up to this many bytes to learn CONTENT_LENGTH; beyond: 413. */
  maxBufferedRequestBytes?: number;
  /** Buffer whole responses so the worker is freed at once, whatever the client's speed. */
  responseBuffering?: ResponseBufferingOptions;
  /** Where failures go: a function called once per failed request, or `'silent'`. Default: stderr. */
  log?: GatewayLog | 'silent';
  /** SERVER_NAME; default: the Host header without its port (nginx: the `server_name`). */
  serverName?: string;
  /** DOCUMENT_ROOT; omitted by default (nginx: its `root`). */
  documentRoot?: string;
  /** Serve HTTPS with these `https.createServer` options; the backend then sees HTTPS=on. */
  tls?: TlsServerOptions;
}

export interface ResolvedGatewayOptions {
  target: BackendTarget;
  backendTimeoutMs: number;
  maxBufferedRequestBytes: number;
  responseBuffering: Required<ResponseBufferingOptions>;
  log: (entry: GatewayLogEntry) => void;
  serverName: string | undefined;
  documentRoot: string | undefined;
  tls: TlsServerOptions | undefined;
}

function silent(): void {}

function checkLimit(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ScgiError('ERR_SCGI_BAD_TARGET', `${name} must be an integer >= 0, got ${String(value)}`);
  }
  return value;
}

/** Fill in defaults and check every option; throws ScgiError `ERR_SCGI_BAD_TARGET` for a bad one. */
export function resolveGatewayOptions(options: GatewayOptions): ResolvedGatewayOptions {
  const buffering = options.responseBuffering ?? {};
  const log = options.log ?? defaultLog;
  return {
    target: checkTarget(options.target),
    backendTimeoutMs: checkLimit('backendTimeoutMs', options.backendTimeoutMs ?? DEFAULT_BACKEND_TIMEOUT_MS),
    maxBufferedRequestBytes: checkLimit(
      'maxBufferedRequestBytes',
      options.maxBufferedRequestBytes ?? DEFAULT_MAX_BUFFERED_REQUEST_BYTES,
    ),
    responseBuffering: {
      enabled: buffering.enabled ?? false,
      memoryLimitBytes: checkLimit(
        'responseBuffering.memoryLimitBytes',
        buffering.memoryLimitBytes ?? DEFAULT_RESPONSE_MEMORY_LIMIT_BYTES,
      ),
      tempDir: buffering.tempDir ?? tmpdir(),
    },
    log: log === 'silent' ? silent : log,
    serverName: options.serverName,
    documentRoot: options.documentRoot,
    tls: options.tls,
  };
}
