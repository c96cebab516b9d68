// runCgiBridge: one CGI request -> one SCGI request to the worker (started on demand) -> the CGI response.
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { encodeRequestHead, isScgiError } from '@scgi-node/core/protocol';
import type { ResponseBuffer } from '../response-buffer.js';
import { requestFromCgiEnv } from './cgi-env.js';
import { type CgiBridgeConfig, describeAddress, loadConfig } from './config.js';
import { CgiBridgeError, isCgiBridgeError } from './errors.js';
import { BridgeLog, describeError } from './log.js';
import { relay } from './relay.js';
import { errorPage } from './reply.js';
import { connectWorker, isNotListening } from './worker-socket.js';

/** What one run of the bridge reads and writes: the CGI program's environment and standard streams. */
export interface CgiBridgeIo {
  /** The CGI environment (RFC 3875 meta-variables), usually `process.env`. */
  env: Readonly<Record<string, string | undefined>>;
  /** The request body; a function is called only when there is a body (saves creating process.stdin). */
  stdin: Readable | (() => Readable);
  /** Receives the CGI response. Written, never ended. */
  stdout: Writable;
  /** One line per failure (the web server logs a CGI program's stderr); omitted: not reported there. */
  stderr?: Writable;
  /** Command-line arguments; the first may be the info file (the bridge run as its interpreter). */
  args?: readonly string[];
  /**
   * The same environment as exact bytes (latin1 strings, from `readRawEnvironment()`): request variables
   * are taken from it, so a non-UTF-8 header byte reaches the worker unchanged. Optional.
   */
  rawEnv?: Readonly<Record<string, string | undefined>>;
}

/** Exit codes: a response was written (the worker's, or the bridge's own error page). */
export const EXIT_ANSWERED = 0;
/** The response was cut after its head (worker or web server failed mid-body), or the client left. */
export const EXIT_CUT = 1;
/** Not run as a CGI program (no REQUEST_METHOD). */
export const EXIT_NOT_CGI = 2;

const USAGE = `scgi-cgi: REQUEST_METHOD is not set. This is a CGI program: a web server runs it for each request
and it forwards the request to a long-running SCGI worker (started on demand). Configure it with an info
file beside the CGI script (<script>.scgi.json), SCGI_NODE_INFO=<file>, or SCGI_NODE_SOCKET and friends.
`;

/**
 * Serve one CGI request through a long-running SCGI worker: read the target from the info file (or
 * SCGI_NODE_* variables), connect — starting the worker if nothing listens and no live process owns its
 * pid file — send the request's CGI variables and its body (stdin, CONTENT_LENGTH bytes) as one SCGI
 * request, and write the worker's CGI response to stdout, `Status:` first. Failures are answered with a
 * short `500`/`502`/`503` page and logged once (stderr and the log file). Resolves with an exit code.
 */
export async function runCgiBridge(io: CgiBridgeIo): Promise<number> {
  const { env } = io;
  const method = env.REQUEST_METHOD;
  const log = new BridgeLog(io.stderr, `${method ?? '-'} ${env.REQUEST_URI || env.SCRIPT_NAME || '/'}`);
  if (!method) {
    io.stderr?.write(USAGE);
    return EXIT_NOT_CGI;
  }
  try {
    const config = loadConfig(env, io.args ?? []);
    log.logFile = config.logFile;
    const request = requestFromCgiEnv(env, config.passEnv, io.rawEnv);
    const stdin = () => (typeof io.stdin === 'function' ? io.stdin() : io.stdin);
    let body: Buffer | Readable | undefined;
    let contentLength = request.contentLength ?? 0;
    if (request.contentLength === undefined) {
      body = await readWhole(stdin(), config.maxBufferedRequestBytes);
      contentLength = body.length;
    } else if (contentLength > 0) {
      body = stdin();
    }
    const head = encodeRequestHead(request.variables, contentLength);
    const bufferModule = config.bufferResponse ? loadResponseBuffer() : undefined;
    const socket = await reachWorker(config, env, log);
    const outcome = await relay(socket, { head, body, contentLength, method }, io.stdout, {
      responseTimeoutMs: config.responseTimeoutMs,
      bufferResponse: config.bufferResponse,
      createBuffer: async () => (await (bufferModule ?? loadResponseBuffer()))(config),
    });
    if (outcome.ok) return EXIT_ANSWERED;
    return report(io, log, method, outcome.error, outcome.headWritten, outcome.clientGone);
  } catch (error) {
    if (isCgiBridgeError(error) && log.logFile === undefined) log.logFile = error.logFile;
    return report(io, log, method, error, false, false);
  }
}

/** Connect to the worker; when nothing listens, start it (activation.js is loaded only then). */
async function reachWorker(
  config: CgiBridgeConfig,
  env: CgiBridgeIo['env'],
  log: BridgeLog,
): Promise<Socket> {
  try {
    return await connectWorker(config.socket, config.connectTimeoutMs);
  } catch (error) {
    const where = describeAddress(config.socket);
    if (!isNotListening(error)) {
      const timedOut = (error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
      const code = timedOut ? 'ERR_CGI_WORKER_UNRESPONSIVE' : 'ERR_CGI_WORKER_DOWN';
      throw new CgiBridgeError(code, `cannot connect to ${where}`, { cause: error });
    }
    if (config.command === undefined) {
      throw new CgiBridgeError(
        'ERR_CGI_WORKER_DOWN',
        `no worker listens on ${where} and no command starts one`,
        {
          cause: error,
        },
      );
    }
    const { activateWorker } = await import('./activation.js');
    return activateWorker(config, env, log);
  }
}

type BufferFactory = (config: CgiBridgeConfig) => ResponseBuffer;

async function loadResponseBuffer(): Promise<BufferFactory> {
  const [{ ResponseBuffer }, { tmpdir }] = await Promise.all([
    import('../response-buffer.js'),
    import('node:os'),
  ]);
  return (config) =>
    new ResponseBuffer({ memoryLimitBytes: config.bufferMemoryLimitBytes, tempDir: tmpdir() });
}

/** A body of unknown length (no CONTENT_LENGTH): read to EOF, up to `limitBytes` (413 beyond). */
async function readWhole(stream: Readable, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      throw new CgiBridgeError(
        'ERR_CGI_BODY_TOO_LARGE',
        `a body without CONTENT_LENGTH is over maxBufferedRequestBytes (${limitBytes} bytes)`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Answer (when no head is out yet) and log a failure once; returns the exit code. */
function report(
  io: CgiBridgeIo,
  log: BridgeLog,
  method: string,
  error: unknown,
  headWritten: boolean,
  clientGone: boolean,
): number {
  const typed = isCgiBridgeError(error) || isScgiError(error);
  const code = typed ? error.code : 'ERR_CGI_BRIDGE_FAILED';
  if (clientGone) {
    // The web server closed our stdout (its client left): common, and not the worker's fault.
    log.note(`${log.request}: the web server closed the response early (${describeError(error)})`);
    return EXIT_CUT;
  }
  const message = describeFailure(error);
  if (headWritten) {
    log.failure(undefined, code, message);
    return EXIT_CUT;
  }
  const status = typed ? error.status : 500;
  // Logged first: the web server may finish the response as soon as it has Content-Length bytes.
  log.failure(status, code, message);
  io.stdout.write(errorPage(status, code, method));
  return EXIT_ANSWERED;
}

/** `/srv/app.scgi.json: field "startTimeoutMs": must be …` for configuration errors; the cause chain else. */
function describeFailure(error: unknown): string {
  if (!isCgiBridgeError(error) || error.source === undefined) return describeError(error);
  const field = error.field === undefined ? '' : ` field "${error.field}":`;
  return `${error.source}:${field} ${describeError(error)}`;
}
