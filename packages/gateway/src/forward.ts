// One request through the gateway: HTTP request -> SCGI request on its own connection -> HTTP response.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type NetConnectOpts, type Socket } from 'node:net';
import { pipeline } from 'node:stream';
import { isScgiError, type ResponseHead, ResponseHeadParser, ScgiError } from '@scgi-node/core/protocol';
import { connectError, connectOptions, describeTarget, timeoutError } from './backend-target.js';
import { clientAbortedError, sendErrorReply } from './error-reply.js';
import { describeError, type GatewayFailureCode, type GatewayLogEntry } from './log.js';
import type { ResolvedGatewayOptions } from './options.js';
import { bufferBody, declaredLength, hasUnknownLength } from './request-body.js';
import { scgiRequestHead } from './request-head.js';
import { ResponseBuffer } from './response-buffer.js';
import { type HttpHead, httpHeadFromCgi } from './response-head.js';

/** Forward one request; every outcome is answered (or the client connection cut) and failures logged once. */
export function forward(req: IncomingMessage, res: ServerResponse, options: ResolvedGatewayOptions): void {
  new Forward(req, res, options).start();
}

class Forward {
  private backend: Socket | undefined;
  private backendName = 'the SCGI backend';
  private timer: NodeJS.Timeout | undefined;
  private readonly parser = new ResponseHeadParser();
  private head: HttpHead | undefined;
  /** Body bytes the backend still owes by its Content-Length (0 when no body may follow). */
  private remaining: number | undefined;
  private buffer: ResponseBuffer | undefined;
  private connected = false;
  private requestSent = false;
  /** The backend side is over (body complete, failure answered, or client gone); later events are noise. */
  private settled = false;
  /** One log entry per request, whichever failure comes first. */
  private logged = false;
  /** Aborted when the backend side is over: stops a wait for a server target to listen. */
  private readonly released = new AbortController();

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly options: ResolvedGatewayOptions,
  ) {}

  start(): void {
    this.res.on('close', this.onClientClose);
    if (!hasUnknownLength(this.req)) {
      this.send(this.req, declaredLength(this.req));
      return;
    }
    bufferBody(this.req, this.options.maxBufferedRequestBytes).then(
      (body) => this.send(body, body.length),
      (error: unknown) => this.fail(error),
    );
  }

  private send(body: IncomingMessage | Buffer, contentLength: number): void {
    if (this.settled) return;
    const head = this.attempt(() => scgiRequestHead(this.req, this.options, contentLength));
    if (head === undefined) return;
    this.startTimer();
    connectOptions(this.options.target, this.released.signal).then(
      (where) => this.open(where, head, body, contentLength),
      (error: unknown) => this.fail(connectError(this.backendName, error)),
    );
  }

  private open(where: NetConnectOpts, head: Buffer, body: IncomingMessage | Buffer, length: number) {
    if (this.settled) return;
    this.backendName = describeTarget(where);
    const backend = connect(where);
    this.backend = backend;
    backend.setNoDelay(true);
    backend.on('data', this.onData);
    backend.on('end', this.onEnd);
    backend.on('error', this.onError);
    backend.once('connect', () => {
      this.connected = true;
      // While the client's body is still on its way, the wait is on the client, not the backend.
      if (!this.requestSent) clearTimeout(this.timer);
    });
    backend.write(head);
    if (Buffer.isBuffer(body) || length === 0) {
      if (Buffer.isBuffer(body) && length > 0) backend.write(body);
      this.onRequestSent();
      return;
    }
    // Backpressure both ways: pipe pauses the client while the backend socket's buffer is full. No end:
    // a FIN would tell the SCGI server its client went away.
    body.pipe(backend, { end: false });
    body.once('end', this.onRequestSent);
  }

  private readonly onRequestSent = (): void => {
    this.requestSent = true;
    if (this.connected && this.head === undefined) this.startTimer();
  };

  private startTimer(): void {
    clearTimeout(this.timer);
    const timeoutMs = this.options.backendTimeoutMs;
    if (timeoutMs === 0) return;
    this.timer = setTimeout(
      () => this.fail(timeoutError(this.backendName, this.connected, timeoutMs)),
      timeoutMs,
    );
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.settled) return;
    if (this.head !== undefined) {
      this.onBody(chunk);
      return;
    }
    const parsed = this.attempt(() => this.parser.receive(chunk));
    if (parsed) this.onHead(parsed.head, parsed.rest);
  };

  private onHead(cgiHead: ResponseHead, rest: Buffer): void {
    clearTimeout(this.timer);
    const head = this.attempt(() => httpHeadFromCgi(cgiHead));
    if (head === undefined) return;
    this.head = head;
    const bodyAllowed = this.req.method !== 'HEAD' && head.status !== 204 && head.status !== 304;
    this.remaining = bodyAllowed ? head.contentLength : 0;
    if (bodyAllowed && (head.buffering ?? this.options.responseBuffering.enabled)) {
      this.buffer = new ResponseBuffer(this.options.responseBuffering);
    } else if (!this.sendHead(head.headers)) {
      return;
    } else {
      // The head goes out now, not with the first body bytes: a stream's client learns it started.
      this.res.flushHeaders();
    }
    if (this.remaining === 0) this.complete();
    else if (rest.length > 0) this.onBody(rest);
  }

  private onBody(chunk: Buffer): void {
    let piece = chunk;
    if (this.remaining !== undefined) {
      // Bytes past Content-Length are dropped, as nginx does; the response is complete there.
      if (piece.length > this.remaining) piece = piece.subarray(0, this.remaining);
      this.remaining -= piece.length;
    }
    const backend = this.backend!;
    if (this.buffer !== undefined) {
      const pending = this.buffer.write(piece);
      if (pending !== undefined) {
        backend.pause();
        pending.then(
          () => backend.resume(),
          (error: unknown) => this.fail(error),
        );
      }
    } else if (!this.res.write(piece)) {
      backend.pause();
      this.res.once('drain', () => backend.resume());
    }
    if (this.remaining === 0) this.complete();
  }

  private readonly onEnd = (): void => {
    if (this.settled) return;
    if (this.head === undefined) {
      this.attempt(() => this.parser.finish()); // throws ERR_SCGI_RESPONSE_TRUNCATED
      return;
    }
    if (this.remaining !== undefined && this.remaining > 0) {
      this.fail(
        new ScgiError(
          'ERR_SCGI_RESPONSE_TRUNCATED',
          `${this.backendName} closed the connection ${this.remaining} bytes short of its Content-Length`,
        ),
      );
      return;
    }
    this.complete();
  };

  private readonly onError = (error: NodeJS.ErrnoException): void => {
    if (this.settled) return;
    if (error.syscall === 'connect') {
      this.fail(connectError(this.backendName, error));
      return;
    }
    const when = this.head === undefined ? 'before the end of its response head' : 'mid-response';
    const message = `${this.backendName} connection failed ${when}: ${error.message}`;
    this.fail(new ScgiError('ERR_SCGI_RESPONSE_TRUNCATED', message, { cause: error }));
  };

  /** The whole response body has arrived: free the backend, then finish (or replay) the client's response. */
  private complete(): void {
    this.settled = true;
    this.releaseBackend();
    const { buffer, head, res } = this;
    if (buffer === undefined) {
      res.end();
      return;
    }
    buffer.settled().then(
      () => {
        if (res.destroyed) {
          buffer.destroy();
          return;
        }
        const headers = [...head!.headers];
        if (head!.contentLength === undefined) headers.push('Content-Length', String(buffer.size));
        if (!this.sendHead(headers)) {
          buffer.destroy();
          return;
        }
        const reader = buffer.reader();
        // Before pipeline's own listener, so a disk error is logged as such, not as the client leaving.
        reader.once('error', (error) => this.log('error', 'GATEWAY_FAILED', undefined, error));
        pipeline(reader, res, () => {});
      },
      (error: unknown) => this.reportFailure(error),
    );
  }

  /** Write the head; false (and the failure answered) if node:http refuses a field the parser let through. */
  private sendHead(headers: string[]): boolean {
    const head = this.head!;
    try {
      this.res.writeHead(head.status, head.statusText, headers);
      return true;
    } catch (cause) {
      const error = new ScgiError('ERR_SCGI_BAD_RESPONSE_HEAD', 'node:http refused the response head', {
        cause,
      });
      if (this.settled) this.reportFailure(error);
      else this.fail(error);
      return false;
    }
  }

  /** Close the backend connection and stop feeding it; an unsent rest of the client's body is drained. */
  private releaseBackend(): void {
    clearTimeout(this.timer);
    this.released.abort();
    const backend = this.backend;
    if (backend !== undefined) {
      this.req.unpipe(backend);
      backend.destroy();
    }
    if (!this.req.complete && !this.req.destroyed) this.req.resume();
  }

  /** `step()`, or undefined after answering the failure it threw (a parse or encoding error). */
  private attempt<T>(step: () => T): T | undefined {
    try {
      return step();
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  /** End the exchange on a failure: release the backend, then answer and log it. */
  private fail(cause: unknown): void {
    if (this.settled) return;
    // The client went first ('close' on its response is still to come): that, not this, is the story.
    if (this.req.socket.destroyed) {
      this.onClientClose();
      return;
    }
    this.settled = true;
    this.releaseBackend();
    this.reportFailure(cause);
  }

  /** Answer the failure (or cut a response already started) and log it once. */
  private reportFailure(cause: unknown): void {
    this.buffer?.destroy();
    const error = cause instanceof Error ? cause : new Error(String(cause));
    const code: GatewayFailureCode = isScgiError(error) ? error.code : 'GATEWAY_FAILED';
    const status = isScgiError(error) ? error.status : 500;
    const { res } = this;
    const answered = !res.headersSent && !res.destroyed;
    if (answered) sendErrorReply(res, status);
    else res.destroy();
    this.log(status < 500 ? 'warn' : 'error', code, answered ? status : undefined, error);
  }

  private readonly onClientClose = (): void => {
    if (this.res.writableFinished) return;
    if (!this.settled) {
      this.settled = true;
      this.releaseBackend();
      this.buffer?.destroy();
    }
    this.log('info', 'CLIENT_ABORTED', undefined, clientAbortedError());
  };

  private log(
    level: GatewayLogEntry['level'],
    code: GatewayFailureCode,
    status: number | undefined,
    error: Error,
  ) {
    if (this.logged) return;
    this.logged = true;
    this.options.log({
      level,
      code,
      message: describeError(error),
      method: this.req.method ?? 'GET',
      url: this.req.url ?? '/',
      status,
      error,
    });
  }
}
