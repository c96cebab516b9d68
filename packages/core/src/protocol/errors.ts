// Typed errors for every way an SCGI exchange can fail: one base class, a string-literal code per failure.

/** Every error code scgi-node raises, with the HTTP status to answer when a reply can still be sent. */
export const ERROR_STATUS = {
  // The request netstring (peer's fault).
  ERR_SCGI_BAD_NETSTRING_LENGTH: 400,
  ERR_SCGI_MISSING_COMMA: 400,
  ERR_SCGI_HEADER_TOO_LARGE: 431,
  ERR_SCGI_BAD_HEADER_BLOCK: 400,
  ERR_SCGI_EMPTY_VARIABLE_NAME: 400,
  ERR_SCGI_FIRST_NOT_CONTENT_LENGTH: 400,
  ERR_SCGI_BAD_CONTENT_LENGTH: 400,
  ERR_SCGI_MISSING_SCGI: 400,
  ERR_SCGI_BAD_SCGI_VERSION: 400,
  ERR_SCGI_DUPLICATE_VARIABLE: 400,
  ERR_SCGI_BODY_TOO_LARGE: 413,
  ERR_SCGI_HEADER_TRUNCATED: 400,
  ERR_SCGI_BODY_TRUNCATED: 400,
  ERR_SCGI_UNEXPECTED_DATA: 400,
  // Connection timing (peer's fault).
  ERR_SCGI_HEADER_TIMEOUT: 408,
  ERR_SCGI_IDLE_TIMEOUT: 408,
  // The CGI response head (the backend's fault, seen from a client or gateway).
  ERR_SCGI_BAD_RESPONSE_HEAD: 502,
  ERR_SCGI_RESPONSE_HEAD_TOO_LARGE: 502,
  ERR_SCGI_BAD_STATUS: 502,
  ERR_SCGI_RESPONSE_TRUNCATED: 502,
  // Building a request (the caller's fault).
  ERR_SCGI_BAD_VARIABLE: 500,
  // Listening and connecting.
  ERR_SCGI_BAD_TARGET: 500,
  ERR_SCGI_SOCKET_IN_USE: 500,
  ERR_SCGI_CONNECT: 502,
  ERR_SCGI_TIMEOUT: 504,
  // The application.
  ERR_SCGI_HANDLER_FAILED: 500,
} as const;

export type ScgiErrorCode = keyof typeof ERROR_STATUS;

export interface ScgiErrorOptions {
  cause?: unknown;
  /** Overrides the status hint of the code. */
  status?: number;
}

/** Base of every scgi-node error. `code` says what failed; `status` is the HTTP status to answer with. */
export class ScgiError extends Error {
  readonly code: ScgiErrorCode;
  readonly status: number;

  constructor(code: ScgiErrorCode, message: string, options: ScgiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? ERROR_STATUS[code];
  }
}

/**
 * The peer broke the protocol (malformed or oversized input, or too slow). Callers answer it with
 * `status` when a reply can still be sent and keep serving; it is never our bug.
 */
export class ScgiProtocolError extends ScgiError {}

/** True for any scgi-node error, also one thrown by another copy of this package. */
export function isScgiError(value: unknown): value is ScgiError {
  return (
    value instanceof ScgiError ||
    (value instanceof Error &&
      typeof (value as Error & { code?: unknown }).code === 'string' &&
      (value as Error & { code: string }).code in ERROR_STATUS)
  );
}
