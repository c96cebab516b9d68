// The bridge's log: failures as one line on stderr (the web server's error log) and in the info file's log.
import { appendFileSync, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Writable } from 'node:stream';

/** Bytes read from the end of a log to show its last lines. */
const TAIL_BYTES = 4096;

/** Where the bridge reports: one line per failed request, plus activation notes in the log file. */
export class BridgeLog {
  /** The worker's log file (from the configuration), once known. */
  logFile: string | undefined;

  constructor(
    private readonly stderr: Writable | undefined,
    /** `GET /path?q`: says which request a line is about. */
    readonly request: string,
  ) {}

  /** A failed request: `scgi-cgi: GET /x -> 503: <message> [CODE]` on stderr and in the log file. */
  failure(status: number | undefined, code: string, message: string): void {
    const outcome = status === undefined ? 'response cut' : String(status);
    const line = `${this.request} -> ${outcome}: ${message} [${code}]`;
    this.stderr?.write(`scgi-cgi: ${line}\n`);
    this.toFile(line);
  }

  /** A note for the log file only (a worker started, a stale lock removed): the web server's log stays quiet. */
  note(message: string): void {
    this.toFile(message);
  }

  private toFile(message: string): void {
    if (this.logFile === undefined) return;
    try {
      appendFileSync(this.logFile, `${new Date().toISOString()} scgi-cgi[${process.pid}]: ${message}\n`);
    } catch (error) {
      this.stderr?.write(`scgi-cgi: cannot append to ${this.logFile}: ${(error as Error).message}\n`);
    }
  }
}

/** The cause chain as one line: `message (cause: message (cause: …))`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  return cause === undefined ? error.message : `${error.message} (cause: ${describeError(cause)})`;
}

/** The last `count` lines of a file ('' when it cannot be read), for a start failure's log line. */
export function lastLines(path: string | undefined, count: number): string {
  if (path === undefined) return '';
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    // The bridge's own notes share the file; the worker's output is what explains a failed start.
    const lines = buffer
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.includes(' scgi-cgi['));
    return lines.slice(-count).join(' | ');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
