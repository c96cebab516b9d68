// `createFetchHandler(fetch)`: the same fetch handler as a node:http listener, for core's createServer().
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { cgiVariables, ScgiError } from '@scgi-node/core';
import { reportError } from '@scgi-node/core/transport';
import { makeEnv, type ScgiEnv } from './env.js';
import { installGlobals } from './globals.js';
import { INTERNAL_ERROR_BODY, INTERNAL_ERROR_HEAD } from './internal-error.js';
import { isAlreadySent, type NodeBindingsSource } from './node-bindings.js';
import { abortRequest, createRequest, normalizeMethod } from './request.js';
import { RequestBody } from './request-body.js';
import { buildHref, hrefFromEnv } from './request-url.js';
import { type FetchHandler, runFetch } from './run-fetch.js';
import type { ResponseSink } from './write-response.js';

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions<Bindings extends object = {}> {
  /** Merged into every request's `env` (Hono's `c.env`) beside the CGI variables. */
  bindings?: Bindings;
  /** Install the lightweight Request/Response globally (default true); see `serve`. */
  overrideGlobalObjects?: boolean;
}

/** A response sink over a ServerResponse (core's makes it CGI: Status line, no chunking). */
class ServerResponseSink implements ResponseSink, NodeBindingsSource {
  headWritten = false;
  abortListeners: Array<(reason: unknown) => void> = [];
  private outgoingRead = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {}

  incoming(): IncomingMessage {
    return this.req;
  }

  outgoing(): ServerResponse {
    this.outgoingRead = true;
    return this.res;
  }

  answeredDirectly(response: Response): boolean {
    if (!this.outgoingRead) return false;
    return this.res.headersSent || this.res.writableEnded || isAlreadySent(response);
  }

  get closed(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  whole(status: number, reason: string, headers: string[], body: string | Uint8Array | null): void {
    this.res.writeHead(status, reason, headers);
    this.headWritten = true;
    if (body === null) this.res.end();
    else this.res.end(body);
  }

  head(status: number, reason: string, headers: string[]): void {
    this.res.writeHead(status, reason, headers);
    this.headWritten = true;
    this.res.flushHeaders();
  }

  write(chunk: string | Uint8Array): boolean {
    return this.res.write(chunk);
  }

  end(): void {
    this.res.end();
  }

  drained(): Promise<void> {
    const res = this.res;
    return new Promise((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }

  onAbort(listener: (reason: unknown) => void): void {
    this.abortListeners.push(listener);
  }
}

function requestBody(req: IncomingMessage): RequestBody {
  const body: RequestBody = new RequestBody({
    pause: () => req.pause(),
    resume: () => req.resume(),
    start: () => {
      req.on('data', (chunk: Buffer) => body.push(chunk));
      req.on('end', () => body.end());
      req.on('error', (error) => body.fail(error));
    },
  });
  return body;
}

/**
 * The fetch handler as a `(req, res)` listener: `createServer(createFetchHandler(app.fetch))` from
 * @scgi-node/core. It goes through IncomingMessage/ServerResponse, so `serve` is faster; use this to
 * mount a fetch app beside node:http code on one server. `env` holds the CGI variables (none on a plain
 * HTTP server) and `bindings`.
 */
export function createFetchHandler<Bindings extends object = {}>(
  fetch: FetchHandler<ScgiEnv<Bindings>>,
  options: FetchHandlerOptions<Bindings> = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  if (typeof fetch !== 'function') throw new TypeError('createFetchHandler: fetch must be a function');
  if (options.overrideGlobalObjects !== false) installGlobals();
  const { bindings } = options;
  return (req, res) => {
    const variables = cgiVariables(req);
    let url: string;
    try {
      url = variables
        ? hrefFromEnv(variables)
        : buildHref(
            (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
            req.headers.host ?? 'localhost',
            req.url ?? '/',
          );
    } catch (error) {
      res
        .writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end(`${(error as Error).message}\n`);
      return;
    }
    const method = normalizeMethod(req.method);
    const declared = req.headers['content-length'];
    const hasBody =
      method !== 'GET' &&
      method !== 'HEAD' &&
      (declared !== undefined ? declared !== '0' : req.headers['transfer-encoding'] !== undefined);
    const body = hasBody ? requestBody(req) : null;
    const request = createRequest(method, url, () => req.rawHeaders, body);
    const sink = new ServerResponseSink(req, res);
    res.on('close', () => {
      if (res.writableFinished) return;
      const reason = new DOMException('The connection closed before the response was complete', 'AbortError');
      abortRequest(request, reason);
      body?.fail(reason);
      for (const listener of sink.abortListeners) listener(reason);
    });
    // A plain HTTP server has no CGI variables: a fresh record (makeEnv gives it the bindings' prototype).
    const env = makeEnv(variables ?? Object.create(null), bindings, sink) as ScgiEnv<Bindings>;
    runFetch(fetch, request, env, sink, method === 'HEAD', (cause) => {
      const error = new ScgiError('ERR_SCGI_HANDLER_FAILED', `Fetch handler failed for ${method} ${url}`, {
        cause,
      });
      const server = (req.socket as { server?: Server }).server;
      if (server !== undefined) reportError(server, error, req.socket);
      else console.error(error);
      if (sink.closed) return;
      if (sink.headWritten) {
        res.destroy();
        return;
      }
      const headers = [...INTERNAL_ERROR_HEAD, 'Content-Length', String(INTERNAL_ERROR_BODY.length)];
      sink.whole(500, 'Internal Server Error', headers, INTERNAL_ERROR_BODY);
    });
  };
}
