// Structured logs: one line per event, as JSON (for journald, Loki, jq) or `time LEVEL msg key=value` (for a terminal).

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Extra fields of an event: `{ worker: 2, pid: 4711, url: '/slow' }`. Errors are serialized with their code. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  readonly level: LogLevel;
  readonly format: LogFormat;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** True when events of `level` are written (to skip building costly fields). */
  enabled(level: LogLevel): boolean;
  /** A logger that adds `fields` to every event (e.g. `{ worker: 3 }`). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Default `json`. */
  format?: LogFormat;
  /** Events below this level are dropped. Default `info`. */
  level?: LogLevel;
  /** Where lines go; default process.stderr (stdout is kept for the readiness line). */
  stream?: { write(line: string): unknown };
  /** Fields on every event. */
  fields?: LogFields;
  /** The clock, for the `time` field. */
  now?: () => Date;
}

/** Create a logger; each call writes one whole line with one `write`, so lines of processes do not interleave. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? 'json';
  const level = options.level ?? 'info';
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => new Date());
  const threshold = LOG_LEVELS.indexOf(level);
  const make = (base: LogFields): Logger => {
    const log = (at: LogLevel) => (msg: string, fields?: LogFields) => {
      if (LOG_LEVELS.indexOf(at) < threshold) return;
      stream.write(formatLine({ time: now(), level: at, msg, fields: { ...base, ...fields } }, format));
    };
    return {
      level,
      format,
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      enabled: (at) => LOG_LEVELS.indexOf(at) >= threshold,
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.fields ?? {});
}

export interface LogRecord {
  time: Date;
  level: LogLevel;
  msg: string;
  fields: LogFields;
}

/** One event as one line (ending in `\n`). */
export function formatLine(record: LogRecord, format: LogFormat): string {
  if (format === 'json') {
    const { time, level, msg, fields } = record;
    return `${safeJson({ time: time.toISOString(), level, msg, ...fields })}\n`;
  }
  const parts = [record.time.toISOString(), record.level.toUpperCase().padEnd(5), oneLine(record.msg)];
  for (const [key, value] of Object.entries(record.fields)) {
    if (value !== undefined) parts.push(`${key}=${prettyValue(value)}`);
  }
  return `${parts.join(' ')}\n`;
}

/** An Error as plain fields: its name, message, code (ours and Node's) and stack; a cause is kept. */
export function serializeError(error: Error): LogFields {
  const { code, exitCode, status } = error as Error & {
    code?: unknown;
    exitCode?: unknown;
    status?: unknown;
  };
  return {
    name: error.name,
    message: error.message,
    ...(code === undefined ? {} : { code }),
    ...(exitCode === undefined ? {} : { exitCode }),
    ...(status === undefined ? {} : { status }),
    ...(error.cause instanceof Error ? { cause: serializeError(error.cause) } : {}),
    stack: error.stack,
  };
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return serializeError(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, replacer);
  } catch {
    // A circular field must not lose the event.
    const { time, level, msg } = value as Record<string, unknown>;
    return JSON.stringify({ time, level, msg, logError: 'fields could not be serialized' });
  }
}

function prettyValue(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as Error & { code?: unknown }).code;
    return JSON.stringify(`${value.name}: ${value.message}${code === undefined ? '' : ` (${String(code)})`}`);
  }
  if (typeof value === 'string') return /^[^\s"=\\]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return safeJson(value);
  return String(value);
}

function oneLine(text: string): string {
  return text.replace(/\r?\n/g, '\\n');
}
