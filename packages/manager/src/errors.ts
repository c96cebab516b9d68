// Typed errors of the process manager and the CLI: one class, a string-literal code per failure, an exit code.

/**
 * Every error code the manager raises, with the process exit code the CLI uses for it: 2 for a misuse
 * (fix the command line or config and retry), 1 for a failure at run time.
 *
 * Core's `ScgiError` takes only core's closed code union, so this is its own class with the same shape
 * (`code`, a hint, `cause`); the hint is an exit code here instead of an HTTP status.
 */
export const MANAGER_EXIT_CODES = {
  /** The app module's export is none of the accepted kinds (Express, Koa, Hono, fetch, listener). */
  ERR_SCGI_NODE_BAD_APP: 1,
  /** The app module could not be found, or threw while it was imported. */
  ERR_SCGI_NODE_APP_LOAD: 1,
  /** A command-line flag, config key or option value is invalid. */
  ERR_SCGI_NODE_BAD_OPTION: 2,
  /** The config file is missing, unreadable or not a JSON object. */
  ERR_SCGI_NODE_BAD_CONFIG: 2,
  /** Binding, or adopting an inherited socket, failed. */
  ERR_SCGI_NODE_LISTEN: 1,
  /** A non-loopback TCP bind without an explicit `--allow`. */
  ERR_SCGI_NODE_UNSAFE_LISTEN: 2,
  /** A `--user`, `--group` or `--socket-owner` name that /etc/passwd or /etc/group does not know. */
  ERR_SCGI_NODE_UNKNOWN_USER: 2,
  /** Switching user or owner needs privileges the manager does not have. */
  ERR_SCGI_NODE_PRIVILEGES: 1,
  /** The status socket could not be served or queried. */
  ERR_SCGI_NODE_STATUS: 1,
  /** Workers kept crashing: the crash budget is spent. */
  ERR_SCGI_NODE_CRASH_LOOP: 1,
  /** A worker did not become ready within `--ready-timeout`. */
  ERR_SCGI_NODE_READY_TIMEOUT: 1,
} as const;

export type ManagerErrorCode = keyof typeof MANAGER_EXIT_CODES;

export interface ManagerErrorOptions {
  cause?: unknown;
  /** Overrides the exit code of the code. */
  exitCode?: number;
}

/** Base of every manager error. `code` says what failed; `exitCode` is what the CLI exits with. */
export class ManagerError extends Error {
  readonly code: ManagerErrorCode;
  readonly exitCode: number;

  constructor(code: ManagerErrorCode, message: string, options: ManagerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? MANAGER_EXIT_CODES[code];
  }
}

/** True for any manager error, also one thrown by another copy of this package (or sent over IPC). */
export function isManagerError(value: unknown): value is ManagerError {
  return (
    value instanceof ManagerError ||
    (value instanceof Error &&
      typeof (value as Error & { code?: unknown }).code === 'string' &&
      (value as Error & { code: string }).code in MANAGER_EXIT_CODES)
  );
}
