// Typed errors of the CGI bridge: a string-literal code per failure and the status the client gets.

/** Every failure of the CGI bridge with the HTTP status the web server's client is answered with. */
export const CGI_BRIDGE_ERROR_STATUS = {
  // The bridge's configuration (the info file or the SCGI_NODE_* variables): the operator's fault.
  ERR_CGI_NO_TARGET: 500,
  ERR_CGI_INFO_UNREADABLE: 500,
  ERR_CGI_INFO_SYNTAX: 500,
  ERR_CGI_INFO_UNKNOWN_FIELD: 500,
  ERR_CGI_INFO_MISSING_FIELD: 500,
  ERR_CGI_INFO_BAD_VALUE: 500,
  // The CGI request itself (the web server's variables or the client's body).
  ERR_CGI_BAD_REQUEST: 400,
  ERR_CGI_BODY_TOO_LARGE: 413,
  ERR_CGI_BODY_TRUNCATED: 400,
  // Reaching or starting the worker.
  ERR_CGI_WORKER_DOWN: 503,
  ERR_CGI_WORKER_UNRESPONSIVE: 503,
  ERR_CGI_START_FAILED: 503,
  ERR_CGI_START_TIMEOUT: 503,
  ERR_CGI_LOCK_FAILED: 503,
  // The bridge's own resources (a temp file for a buffered response).
  ERR_CGI_BRIDGE_FAILED: 500,
} as const;

export type CgiBridgeErrorCode = keyof typeof CGI_BRIDGE_ERROR_STATUS;

/** Where a configuration error was found, so the log line can name the file and the field. */
export interface CgiBridgeErrorDetails {
  /** The info file (or `environment` for SCGI_NODE_* variables). */
  source?: string;
  /** The field (or variable) at fault. */
  field?: string;
  /** The info file's `logFile`, when it could be read although another field is bad. */
  logFile?: string;
  cause?: unknown;
}

/**
 * A failure of the CGI bridge. `code` says what failed; `status` is what the client gets (500 for a bad
 * configuration, 503 when the worker cannot be reached or started). Faults of the worker's response are
 * core's `ScgiError` (`ERR_SCGI_BAD_RESPONSE_HEAD`, …, 502) instead.
 */
export class CgiBridgeError extends Error {
  readonly code: CgiBridgeErrorCode;
  readonly status: number;
  readonly source: string | undefined;
  readonly field: string | undefined;
  /** Set by the configuration check when the info file names a log although it is bad elsewhere. */
  logFile: string | undefined;

  constructor(code: CgiBridgeErrorCode, message: string, details: CgiBridgeErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CgiBridgeError';
    this.code = code;
    this.status = CGI_BRIDGE_ERROR_STATUS[code];
    this.source = details.source;
    this.field = details.field;
    this.logFile = details.logFile;
  }
}

/** True for a CgiBridgeError, also one from another copy of this package. */
export function isCgiBridgeError(value: unknown): value is CgiBridgeError {
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (value as Error & { code: string }).code in CGI_BRIDGE_ERROR_STATUS
  );
}
