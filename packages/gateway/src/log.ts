// What the gateway reports about a failed request: one entry per request, with its cause.
import type { ScgiErrorCode } from '@scgi-node/core';

/**
 * Why a request failed. Backend faults carry core's ScgiError codes (`ERR_SCGI_CONNECT` 502,
 * `ERR_SCGI_TIMEOUT` 504, `ERR_SCGI_BAD_RESPONSE_HEAD`/`ERR_SCGI_RESPONSE_TRUNCATED` 502, …); a chunked
 * body over the limit is `ERR_SCGI_BODY_TOO_LARGE` (413). `CLIENT_ABORTED`: the HTTP client went away
 * first. `GATEWAY_FAILED`: the gateway itself failed (e.g. its temp file could not be written).
 */
export type GatewayFailureCode = ScgiErrorCode | 'CLIENT_ABORTED' | 'GATEWAY_FAILED';

/** One failed request. */
export interface GatewayLogEntry {
  /** `error`: the backend or the gateway failed; `warn`: the request was refused; `info`: the client left. */
  level: 'error' | 'warn' | 'info';
  code: GatewayFailureCode;
  /** One line saying what happened, with the cause's message. */
  message: string;
  method: string;
  url: string;
  /** The status the client got; undefined when its response had started and the connection was cut. */
  status: number | undefined;
  /** The error, its `cause` set to the underlying socket or file error when there is one. */
  error: Error;
}

/** Receives one entry per failed request. */
export type GatewayLog = (entry: GatewayLogEntry) => void;

/** The cause chain as one line: `timeout (cause: connect ECONNREFUSED ...)`. */
export function describeError(error: Error): string {
  const cause = error.cause;
  return cause instanceof Error ? `${error.message} (cause: ${describeError(cause)})` : error.message;
}

/** Default log: one line on stderr per failed request. */
export function defaultLog(entry: GatewayLogEntry): void {
  const outcome = entry.status === undefined ? 'connection cut' : String(entry.status);
  console.error(`scgi-gateway: ${entry.method} ${entry.url} -> ${outcome}: ${entry.message} [${entry.code}]`);
}
