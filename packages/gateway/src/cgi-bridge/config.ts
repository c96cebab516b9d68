// The bridge's configuration: an info file's fields or SCGI_NODE_* variables, checked, with defaults.
import { dirname, isAbsolute, resolve } from 'node:path';
import { CgiBridgeError } from './errors.js';
import { findInfoFile, type RawInfo, readInfoFile, splitWords } from './info-file.js';

/** Where the worker listens: a unix socket, or TCP. */
export type WorkerAddress = { path: string } | { host: string; port: number };

/** A checked configuration; every time in ms, every size in bytes. */
export interface CgiBridgeConfig {
  /** The info file, or `environment` (SCGI_NODE_* variables). */
  source: string;
  socket: WorkerAddress;
  /** The worker's pid; default `<socket>.pid` for a unix socket. Needed to start a worker. */
  pidFile: string | undefined;
  /** How to start the worker (argv, no shell); undefined: the bridge never starts one. */
  command: string[] | undefined;
  cwd: string;
  /** Added to the worker's environment. */
  env: Record<string, string>;
  /** The worker's stdout/stderr and the bridge's own log lines. */
  logFile: string | undefined;
  startTimeoutMs: number;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  bufferResponse: boolean;
  bufferMemoryLimitBytes: number;
  maxBufferedRequestBytes: number;
  /** Extra environment names (or `PREFIX*`) passed to the worker as SCGI variables. */
  passEnv: string[];
}

/** Time for the worker to start accepting connections after it is spawned. */
export const DEFAULT_START_TIMEOUT_MS = 10_000;
/** Time for one connection attempt (matters for TCP; a unix socket answers at once). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
/** Time from the end of the request body to the worker's response head (nginx's 60 s). */
export const DEFAULT_RESPONSE_TIMEOUT_MS = 60_000;
/** A buffered response's bytes held in memory before the rest goes to a temp file (the gateway's 1 MiB). */
export const DEFAULT_BUFFER_MEMORY_LIMIT_BYTES = 1024 * 1024;
/** A body sent without CONTENT_LENGTH is read whole up to this size (the gateway's 8 MiB). */
export const DEFAULT_MAX_BUFFERED_REQUEST_BYTES = 8 * 1024 * 1024;

type Kind = 'path' | 'words' | 'ms' | 'bytes' | 'boolean' | 'env' | 'socket';

/** Every field, its kind, and its SCGI_NODE_* variable (`env` has none: the worker inherits instead). */
const FIELDS: Record<string, { kind: Kind; variable?: string }> = {
  socket: { kind: 'socket', variable: 'SCGI_NODE_SOCKET' },
  pidFile: { kind: 'path', variable: 'SCGI_NODE_PID_FILE' },
  command: { kind: 'words', variable: 'SCGI_NODE_COMMAND' },
  cwd: { kind: 'path', variable: 'SCGI_NODE_CWD' },
  env: { kind: 'env' },
  logFile: { kind: 'path', variable: 'SCGI_NODE_LOG_FILE' },
  startTimeoutMs: { kind: 'ms', variable: 'SCGI_NODE_START_TIMEOUT_MS' },
  connectTimeoutMs: { kind: 'ms', variable: 'SCGI_NODE_CONNECT_TIMEOUT_MS' },
  responseTimeoutMs: { kind: 'ms', variable: 'SCGI_NODE_RESPONSE_TIMEOUT_MS' },
  bufferResponse: { kind: 'boolean', variable: 'SCGI_NODE_BUFFER_RESPONSE' },
  bufferMemoryLimitBytes: { kind: 'bytes', variable: 'SCGI_NODE_BUFFER_MEMORY_LIMIT_BYTES' },
  maxBufferedRequestBytes: { kind: 'bytes', variable: 'SCGI_NODE_MAX_BUFFERED_REQUEST_BYTES' },
  passEnv: { kind: 'words', variable: 'SCGI_NODE_PASS_ENV' },
};

/** The source label of a configuration read from SCGI_NODE_* variables. */
export const ENVIRONMENT_SOURCE = 'environment';

/**
 * The configuration for this request: the info file when one is found (see `findInfoFile`), else the
 * SCGI_NODE_* variables. Throws CgiBridgeError (500) naming the source and the field.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, args: readonly string[]) {
  const path = findInfoFile(env, args);
  if (path !== undefined) return checkConfig(readInfoFile(path));
  const fields: Record<string, unknown> = {};
  for (const [name, { variable }] of Object.entries(FIELDS)) {
    const value = variable === undefined ? undefined : env[variable];
    if (value !== undefined && value !== '') fields[name] = value;
  }
  if (fields.socket === undefined) {
    throw new CgiBridgeError(
      'ERR_CGI_NO_TARGET',
      'no info file (SCGI_NODE_INFO, an argument, or <script>.scgi.json beside SCRIPT_FILENAME) ' +
        'and no SCGI_NODE_SOCKET variable',
      { source: ENVIRONMENT_SOURCE, field: 'SCGI_NODE_SOCKET' },
    );
  }
  return checkConfig({ source: ENVIRONMENT_SOURCE, textual: true, fields });
}

/** Check raw fields and fill in defaults. Relative paths are taken from the info file's folder. */
export function checkConfig(raw: RawInfo): CgiBridgeConfig {
  const base = raw.source === ENVIRONMENT_SOURCE ? process.cwd() : dirname(resolve(raw.source));
  try {
    return checkFields(raw, base);
  } catch (error) {
    // The failure is logged to the info file's log too, when that one field is usable.
    const logFile = raw.fields.logFile;
    if (error instanceof CgiBridgeError && typeof logFile === 'string' && logFile !== '') {
      error.logFile = resolve(base, logFile);
    }
    throw error;
  }
}

function checkFields(raw: RawInfo, base: string): CgiBridgeConfig {
  const fail = (code: 'ERR_CGI_INFO_BAD_VALUE' | 'ERR_CGI_INFO_MISSING_FIELD', field: string, text: string) =>
    new CgiBridgeError(code, text, { source: raw.source, field: nameOf(raw, field) });
  const values: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(raw.fields)) {
    if (field.startsWith('$')) continue; // "$comment", "$schema": notes for people, ignored.
    const spec = FIELDS[field];
    if (spec === undefined) {
      throw new CgiBridgeError(
        'ERR_CGI_INFO_UNKNOWN_FIELD',
        `unknown field (known: ${Object.keys(FIELDS).join(', ')})`,
        { source: raw.source, field },
      );
    }
    const problem = (text: string) => fail('ERR_CGI_INFO_BAD_VALUE', field, `${text}, got ${show(value)}`);
    values[field] = convert(spec.kind, value, raw.textual, base, problem);
  }
  if (values.socket === undefined) {
    throw fail(
      'ERR_CGI_INFO_MISSING_FIELD',
      'socket',
      'is required: the worker\'s "unix:/path" or "host:port"',
    );
  }
  const socket = values.socket as WorkerAddress;
  const command = values.command as string[] | undefined;
  const pidFile =
    (values.pidFile as string | undefined) ?? ('path' in socket ? `${socket.path}.pid` : undefined);
  if (command !== undefined && pidFile === undefined) {
    throw fail('ERR_CGI_INFO_MISSING_FIELD', 'pidFile', 'is required to start a worker on a TCP socket');
  }
  return {
    source: raw.source,
    socket,
    pidFile,
    command,
    cwd: (values.cwd as string | undefined) ?? base,
    env: (values.env as Record<string, string> | undefined) ?? {},
    logFile: values.logFile as string | undefined,
    startTimeoutMs: (values.startTimeoutMs as number | undefined) ?? DEFAULT_START_TIMEOUT_MS,
    connectTimeoutMs: (values.connectTimeoutMs as number | undefined) ?? DEFAULT_CONNECT_TIMEOUT_MS,
    responseTimeoutMs: (values.responseTimeoutMs as number | undefined) ?? DEFAULT_RESPONSE_TIMEOUT_MS,
    bufferResponse: (values.bufferResponse as boolean | undefined) ?? false,
    bufferMemoryLimitBytes:
      (values.bufferMemoryLimitBytes as number | undefined) ?? DEFAULT_BUFFER_MEMORY_LIMIT_BYTES,
    maxBufferedRequestBytes:
      (values.maxBufferedRequestBytes as number | undefined) ?? DEFAULT_MAX_BUFFERED_REQUEST_BYTES,
    passEnv: (values.passEnv as string[] | undefined) ?? [],
  };
}

/** The field's name as the operator wrote it: the variable's name for SCGI_NODE_* configurations. */
function nameOf(raw: RawInfo, field: string): string {
  return raw.source === ENVIRONMENT_SOURCE ? (FIELDS[field]?.variable ?? field) : field;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const DECIMAL = /^[0-9]+$/;
const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function convert(kind: Kind, value: unknown, textual: boolean, base: string, problem: (t: string) => Error) {
  switch (kind) {
    case 'socket':
      if (typeof value !== 'string') throw problem('must be a string: "unix:/path.sock" or "host:port"');
      return parseSocket(value, base, problem);
    case 'path':
      if (typeof value !== 'string' || value === '') throw problem('must be a non-empty path string');
      return resolve(base, value);
    case 'ms':
    case 'bytes': {
      const number = textual && typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
        throw problem(`must be an integer >= 0 (${kind === 'ms' ? 'milliseconds' : 'bytes'})`);
      }
      return number;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const text = textual && typeof value === 'string' ? value.toLowerCase() : undefined;
      if (text !== undefined && TRUE.has(text)) return true;
      if (text !== undefined && FALSE.has(text)) return false;
      throw problem(textual ? 'must be true/false, yes/no, on/off or 1/0' : 'must be true or false');
    }
    case 'words': {
      const words = typeof value === 'string' ? splitWords(value) : value;
      if (!Array.isArray(words) || words.length === 0 || !words.every((w) => typeof w === 'string' && w)) {
        throw problem('must be a non-empty list of non-empty strings (an argv array, or words)');
      }
      return words as string[];
    }
    case 'env': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw problem('must be an object of NAME: "value" strings');
      }
      for (const [name, text] of Object.entries(value)) {
        if (!ENV_NAME.test(name) || typeof text !== 'string') {
          throw problem(`must map variable names to strings (see ${JSON.stringify(name)})`);
        }
      }
      return value as Record<string, string>;
    }
  }
}

const BRACKETED = /^\[([^\]]+)\]:([0-9]+)$/;
const HOST_PORT = /^([^:/[\]]+):([0-9]+)$/;

/** `unix:/run/app.sock`, `/run/app.sock`, `./app.sock` (from the info file's folder), `host:port`, `[::1]:port`. */
function parseSocket(text: string, base: string, problem: (t: string) => Error): WorkerAddress {
  const hint = 'must be "unix:/path.sock", a socket path, "host:port" or "[v6]:port"';
  if (text.startsWith('unix:')) {
    if (text.length === 'unix:'.length) throw problem(hint);
    return { path: resolve(base, text.slice('unix:'.length)) };
  }
  const match = BRACKETED.exec(text) ?? HOST_PORT.exec(text);
  if (match !== null) {
    const port = Number(match[2]);
    if (!(port >= 1 && port <= 65535)) throw problem('port must be 1-65535');
    return { host: match[1]!, port };
  }
  if (isAbsolute(text) || text.startsWith('.') || text.endsWith('.sock'))
    return { path: resolve(base, text) };
  throw problem(hint);
}

/** `unix:/run/app.sock` or `127.0.0.1:4000`, for log lines. */
export function describeAddress(address: WorkerAddress): string {
  if ('path' in address) return `unix:${address.path}`;
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
