// One SCGI connection on the fetch path: parser, timeouts and limits as in core, then Request in, Response out.
import type { Server, Socket } from 'node:net';
import { isScgiError, ScgiError, ScgiProtocolError, type ScgiServerOptions } from '@scgi-node/core';
import { type RequestHeadersEvent, RequestParser, requestFromEnv } from '@scgi-node/core/protocol';
import { makeEnv } from './env.js';
import { INTERNAL_ERROR_BODY, INTERNAL_ERROR_HEAD, replyError, reportError } from './error-reply.js';
import { abortRequest, createRequest, normalizeMethod } from './request.js';
import { RequestBody } from './request-body.js';
import { hrefFromEnv } from './request-url.js';
import { type FetchHandler, runFetch } from './run-fetch.js';
import { SocketSink } from './socket-sink.js';

/** What every connection of one server shares. */
export interface FetchServerState {
  readonly server: Server;
  readonly options: Required<ScgiServerOptions>;
  readonly fetch: FetchHandler<unknown>;
  readonly bindings: object | undefined;
  readonly connections: Set<FetchConnection>;
}

/** One request per connection (SCGI): the connection is also the response's sink. */
export class FetchConnection extends SocketSink {
  private readonly parser: RequestParser;
  /** Date.now() at accept: the header-read timeout's clock (see serve.ts's sweep). */
  private readonly acceptedAt = Date.now();
  private requestHead: RequestHeadersEvent | undefined;
  private body: RequestBody | undefined;
  private bodyComplete = false;
  private request: Request | undefined;
  /** Input is ignored from here on: it is garbage, or beyond what the request declared. */
  private discarding = false;
  private firstChunk: Buffer | undefined;

  constructor(
    private readonly state: FetchServerState,
    socket: Socket,
  ) {
    super(socket);
    const { options } = state;
    this.parser = new RequestParser({
      maxHeaderBytes: options.maxHeaderBytes,
      maxBodyBytes: options.maxBodyBytes,
    });
    state.connections.add(this);
    socket.setNoDelay?.(true);
    socket.on('data', this.onData);
    socket.on('end', this.onPeerEnd);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
    // Errors (EPIPE, ECONNRESET) are followed by 'close', which is where an abort is handled.
    socket.on('error', ignore);
  }

  /** Called by the server's sweep: the header-read and idle timeouts, as core's timers enforce them. */
  checkTimeouts(now: number): void {
    const { headersTimeoutMs, idleTimeoutMs } = this.state.options;
    if (headersTimeoutMs > 0 && this.requestHead === undefined && !this.responded) {
      if (now - this.acceptedAt >= headersTimeoutMs) this.onHeadersTimeout();
    } else if (idleTimeoutMs > 0 && now - this.lastActivity >= idleTimeoutMs) {
      this.onIdle();
    }
  }

  /** No request has started on this connection yet (closeIdleConnections()). */
  get idle(): boolean {
    return this.requestHead === undefined && this.parser.bytesReceived === 0;
  }

  destroy(): void {
    this.socket.destroy();
  }

  protected get requestComplete(): boolean {
    return this.bodyComplete;
  }

  protected dropRequestBody(): void {
    this.body?.discard();
  }

  // Input

  private readonly onData = (chunk: Buffer): void => {
    this.lastActivity = Date.now();
    if (this.discarding) return;
    if (this.requestHead === undefined) this.firstChunk ??= chunk;
    this.parser.receive(chunk);
    this.readEvents();
  };

  private readEvents(): void {
    let dispatch = false;
    try {
      for (let event = this.parser.nextEvent(); event !== null; event = this.parser.nextEvent()) {
        if (event.type === 'body') {
          this.body?.push(event.chunk);
        } else if (event.type === 'headers') {
          this.onHead(event);
          dispatch = true;
        } else {
          this.bodyComplete = true;
          this.body?.end();
          if (this.responded && this.request !== undefined) this.closeWhenFlushed();
        }
      }
    } catch (error) {
      this.onProtocolError(error);
    }
    // After the loop, so body bytes that came with the head are already queued for the handler.
    if (dispatch) this.dispatch();
  }

  private onHead(head: RequestHeadersEvent): void {
    this.requestHead = head;
    this.firstChunk = undefined;
    if (head.contentLength > 0) {
      const socket = this.socket;
      this.body = new RequestBody({ pause: () => socket.pause(), resume: () => socket.resume() });
    }
  }

  private dispatch(): void {
    const { env, pairs } = this.requestHead!;
    let url: string;
    try {
      url = hrefFromEnv(env);
    } catch (error) {
      this.onProtocolError(error);
      return;
    }
    const method = normalizeMethod(env.REQUEST_METHOD);
    const body = method === 'GET' || method === 'HEAD' ? null : (this.body ?? null);
    const request = createRequest(method, url, () => requestFromEnv(env, pairs).rawHeaders, body);
    this.request = request;
    const { fetch, bindings } = this.state;
    runFetch(fetch, request, makeEnv(env, bindings), this, method === 'HEAD', this.onHandlerError);
  }

  private readonly onHandlerError = (cause: unknown): void => {
    const request = this.request!;
    const error = new ScgiError(
      'ERR_SCGI_HANDLER_FAILED',
      `Fetch handler failed for ${request.method} ${request.url}`,
      { cause },
    );
    reportError(this.state.server, error, this.socket);
    if (this.closed) return;
    if (this.headWritten) {
      this.socket.destroy(); // the head is out: a cut connection is the only honest end
      return;
    }
    const headers = [...INTERNAL_ERROR_HEAD, 'Content-Length', String(INTERNAL_ERROR_BODY.length)];
    this.whole(500, 'Internal Server Error', headers, INTERNAL_ERROR_BODY);
  };

  private onProtocolError(cause: unknown): void {
    const error = isScgiError(cause)
      ? cause
      : new ScgiProtocolError('ERR_SCGI_BAD_HEADER_BLOCK', 'Unreadable SCGI request', { cause });
    this.discarding = true;
    if (error.code === 'ERR_SCGI_HEADER_TRUNCATED' && this.parser.bytesReceived === 0) {
      this.socket.destroy(); // connected and left without a word: a health check, not an error
      return;
    }
    reportError(this.state.server, error, this.socket);
    if (this.request === undefined) {
      this.responded = true;
      replyError(this.socket, error, this.firstChunk);
      this.firstChunk = undefined;
    } else if (error.code === 'ERR_SCGI_BODY_TRUNCATED') {
      this.socket.destroy(); // the peer went away mid-body: the request is aborted on 'close'
    }
    // ERR_SCGI_UNEXPECTED_DATA: bytes past CONTENT_LENGTH are dropped; the response goes on.
  }

  private onHeadersTimeout(): void {
    const { headersTimeoutMs } = this.state.options;
    this.onProtocolError(
      new ScgiProtocolError(
        'ERR_SCGI_HEADER_TIMEOUT',
        `No complete SCGI header block within ${headersTimeoutMs} ms`,
      ),
    );
  }

  private onIdle(): void {
    // Waiting on the app is not idleness: only a peer that owes us bytes, or does not read ours, is.
    const waitingOnPeer =
      this.request === undefined || !this.bodyComplete || this.responded || this.socket.writableLength > 0;
    if (!waitingOnPeer) return;
    const { idleTimeoutMs } = this.state.options;
    reportError(
      this.state.server,
      new ScgiProtocolError('ERR_SCGI_IDLE_TIMEOUT', `Connection idle for ${idleTimeoutMs} ms`),
      this.socket,
    );
    this.socket.destroy();
  }

  private readonly onPeerEnd = (): void => {
    if (!this.discarding) {
      try {
        this.parser.finish();
        this.readEvents();
      } catch (error) {
        this.onProtocolError(error);
      }
    }
    if (!this.state.options.allowHalfClose && !this.responded) this.socket.destroy();
  };

  private readonly onClose = (): void => {
    this.state.connections.delete(this);
    this.socketClosed = true;
    this.onDrain();
    if (this.request === undefined || this.responded) return;
    // The peer left before the response was complete: abort the request as node:http does.
    const reason = new DOMException(
      'The SCGI connection closed before the response was complete',
      'AbortError',
    );
    abortRequest(this.request, reason);
    this.body?.fail(reason);
    this.notifyAbort(reason);
  };
}

function ignore(): void {}
