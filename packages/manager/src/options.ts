// ManagerOptions (what startManager takes), the option table's row type, and resolving defaults and cross-checks.
import { isAbsolute, resolve } from 'node:path';
import { ManagerError } from './errors.js';
import type { LogFormat, LogLevel } from './log/logger.js';
import { OPTIONS } from './option-table.js';
import { formatDuration, parseText, type ValueSite, type WorkerRange } from './option-values.js';
import { resolveIdentity, resolveOwner } from './security/user.js';

export { OPTIONS } from './option-table.js';
export type { WorkerRange } from './option-values.js';

/** Everything `startManager` needs, every field filled (see {@link OPTIONS} for each one's meaning and default). */
export interface ManagerOptions {
  /** The app module: an absolute path (the CLI resolves it against the working directory). */
  app: string;
  exportName: string;
  /** `auto`, `systemd`, `systemd:NAME`, `unix:/path`, a path, `host:port`, a port or `fd:N` (see openListener). */
  listen: string;
  http: string | undefined;
  workers: WorkerRange;
  spare: number;
  concurrency: number;
  idleTimeoutMs: number;
  maxRequests: number;
  maxRequestsJitter: number;
  maxMemoryBytes: number;
  timeoutMs: number;
  readyTimeoutMs: number;
  graceMs: number;
  crashBudget: number;
  crashWindowMs: number;
  crashBackoffMs: number;
  crashBackoffMaxMs: number;
  user: string | undefined;
  group: string | undefined;
  socketMode: number;
  socketOwner: string | undefined;
  /** `undefined`: not given, so loopback clients only (LOOPBACK_CIDRS) and a public bind is refused. */
  allow: string[] | undefined;
  maxHeaderBytes: number;
  maxBodyBytes: number;
  headersTimeoutMs: number;
  connectionIdleTimeoutMs: number;
  allowHalfClose: boolean;
  logFormat: LogFormat;
  logLevel: LogLevel;
  statusSocket: string | undefined;
  pidFile: string | undefined;
}

export type OptionKey = Exclude<keyof ManagerOptions, 'app'>;

export const OPTION_GROUPS = [
  'App',
  'Listening',
  'Pool',
  'Crashes',
  'Isolation',
  'SCGI limits',
  'Logs and status',
] as const;
export type OptionGroup = (typeof OPTION_GROUPS)[number];

/** One row of the option table. */
export interface OptionSpec<T> {
  /** The command-line flag without `--`; config files take it, its camelCase, or the ManagerOptions key. */
  flag: string;
  group: OptionGroup;
  /** Placeholder in --help (`<duration>`); empty for a boolean flag. */
  value: string;
  /** The default; `derive` replaces it when the default depends on other options. */
  default: T;
  derive?: (options: ManagerOptions, context: ResolveContext) => T;
  /** The default in words, when `show(default)` is not the whole story. */
  defaultText?: string;
  doc: string;
  parse(value: unknown, site: ValueSite): T;
  show(value: T): string;
  /** Repeating the flag adds to the list instead of replacing it. */
  repeatable?: boolean;
}

export const OPTION_KEYS = Object.keys(OPTIONS) as OptionKey[];

/** What defaults may depend on besides other options. */
export interface ResolveContext {
  /** Whether stderr is a terminal (the log format's default). */
  isTTY?: boolean;
  /** Base of a relative app module, pid file or status socket path; default process.cwd(). */
  cwd?: string;
}

/** Options as given to {@link resolveManagerOptions}: the app module, and any option by its key. */
export type ManagerOptionsInput = { app: string } & Partial<Omit<ManagerOptions, 'app'>>;

/**
 * Check typed options (as a program gives them: milliseconds, bytes, `{ min, max }`), fill in the
 * defaults and check the options against each other. Throws ERR_SCGI_NODE_BAD_OPTION (or
 * ERR_SCGI_NODE_UNKNOWN_USER) with the key in the message.
 */
export function resolveManagerOptions(
  input: ManagerOptionsInput,
  context: ResolveContext = {},
): ManagerOptions {
  const given: Partial<Record<OptionKey, unknown>> = {};
  for (const key of OPTION_KEYS) {
    const value = input[key];
    if (value !== undefined)
      given[key] = OPTIONS[key].parse(value, { label: key, unitNamed: true, source: 'api' });
  }
  return completeOptions(input.app, given as Partial<Omit<ManagerOptions, 'app'>>, context);
}

/** Fill defaults into already parsed values and check them together (used by the CLI after parsing). */
export function completeOptions(
  app: string,
  given: Partial<Omit<ManagerOptions, 'app'>>,
  context: ResolveContext = {},
): ManagerOptions {
  const cwd = context.cwd ?? process.cwd();
  const options = {
    app: absolute(parseText(app, { label: 'app module', unitNamed: false, source: 'api' }), cwd),
  } as ManagerOptions;
  const assign = options as unknown as Record<OptionKey, unknown>;
  for (const key of OPTION_KEYS) assign[key] = given[key] ?? OPTIONS[key].default;
  for (const key of OPTION_KEYS) {
    const derive = OPTIONS[key].derive as OptionSpec<unknown>['derive'];
    if (given[key] === undefined && derive !== undefined) assign[key] = derive(options, context);
  }
  if (options.pidFile !== undefined) options.pidFile = absolute(options.pidFile, cwd);
  if (options.statusSocket !== undefined) options.statusSocket = absolute(options.statusSocket, cwd);
  checkTogether(options);
  return options;
}

function checkTogether(o: ManagerOptions): void {
  if (o.spare > o.workers.max) {
    throw bad(`--spare ${o.spare} is more than --workers allows (max ${o.workers.max})`);
  }
  if (o.maxRequests > 0 && o.maxRequestsJitter > o.maxRequests) {
    throw bad(`--max-requests-jitter ${o.maxRequestsJitter} is more than --max-requests ${o.maxRequests}`);
  }
  if (o.crashBackoffMs > o.crashBackoffMaxMs) {
    throw bad(
      `--crash-backoff ${formatDuration(o.crashBackoffMs)} is longer than --crash-backoff-max ${formatDuration(o.crashBackoffMaxMs)}`,
    );
  }
  // Unknown names fail here, at startup, rather than when the first worker is forked.
  resolveIdentity({ user: o.user, group: o.group });
  if (o.socketOwner !== undefined) resolveOwner(o.socketOwner);
}

function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function bad(message: string): ManagerError {
  return new ManagerError('ERR_SCGI_NODE_BAD_OPTION', message);
}
