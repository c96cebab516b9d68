// One SCGI connection: feeds the parser, dispatches the request, enforces timeouts, ends cleanly.
import type { Server } from 'node:http';
import { isScgiError, ScgiError, ScgiProtocolError } from '../protocol/errors.js';
import { type RequestHeadersEvent, RequestParser } from '../protocol/request-parser.js';
import { replyError } from './error-reply.js';
import { createExchange, type Exchange, kNeedDrain } from './exchange.js';
import { reportError } from './server-events.js';
import type { ScgiSocket } from './socket-facade.js';
import type { ResolvedServerOptions } from './target.js';

interface ResponseInternals {
  _closed?: boolean;
  finished: boolean;
  [key: symbol]: unknown;
}

interface RequestInternals {
  _consuming?: boolean;
  _dump(): void;
}

export class ScgiConnection {
  private readonly parser: RequestParser;
  private exchange: Exchange | undefined;
  private headersTimer: NodeJS.Timeout | undefined;
  /** The response is complete (or an error reply was sent): remaining input is only drained. */
  private responded = false;
  /** Input is ignored from here on: it is garbage, or beyond what the request declared. */
  private discarding = false;
  private firstChunk: Buffer | undefined;

  constructor(
    private readonly server: Server,
    private readonly socket: ScgiSocket,
    private readonly options: ResolvedServerOptions,
    private readonly connections: Set<ScgiConnection>,
  ) {
    this.parser = new RequestParser({
      maxHeaderBytes: options.maxHeaderBytes,
      maxBodyBytes: options.maxBodyBytes,
    });
    connections.add(this);
    socket.setNoDelay?.(true);
    socket.on('data', this.onData);
    socket.on('end', this.onPeerEnd);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
    // Errors (EPIPE, ECONNRESET) are followed by 'close', which is where an abort is handled.
    socket.on('error', ignoreSocketError);
    socket.on('timeout', this.onIdle);
    if (options.idleTimeoutMs > 0) socket.setTimeout(options.idleTimeoutMs);
    if (options.headersTimeoutMs > 0) {
      this.headersTimer = setTimeout(this.onHeadersTimeout, options.headersTimeoutMs);
    }
  }

  /** No request has started on this connection yet (server.closeIdleConnections()). */
  get idle(): boolean {
    return this.exchange === undefined && this.parser.bytesReceived === 0;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.discarding) return;
    this.firstChunk ??= chunk;
    this.parser.receive(chunk);
    this.readEvents();
  };

  private readEvents(): void {
    try {
      for (let event = this.parser.nextEvent(); event !== null; event = this.parser.nextEvent()) {
        if (event.type === 'body') {
          if (!this.exchange!.req.push(event.chunk)) this.socket.pause();
        } else if (event.type === 'headers') {
          this.dispatch(event);
        } else {
          const { req } = this.exchange!;
          req.complete = true;
          req.push(null);
          if (this.responded) this.socket.destroySoon(); // the unread body is drained
        }
      }
    } catch (error) {
      this.onProtocolError(error);
    }
  }

  private dispatch(head: RequestHeadersEvent): void {
    clearTimeout(this.headersTimer);
    this.firstChunk = undefined;
    const exchange = createExchange(this.socket, head);
    this.exchange = exchange;
    exchange.res.on('finish', this.onResponseFinish);
    try {
      this.server.emit('request', exchange.req, exchange.res);
    } catch (error) {
      this.onHandlerError(error);
    }
  }

  private onHandlerError(cause: unknown): void {
    const { req, res } = this.exchange!;
    const error = new ScgiError(
      'ERR_SCGI_HANDLER_FAILED',
      `Request handler threw for ${req.method} ${req.url}`,
      {
        cause,
      },
    );
    reportError(this.server, error, this.socket);
    if (res.headersSent || res.writableEnded) {
      this.socket.destroy();
      return;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Internal Server Error\n');
  }

  private onProtocolError(cause: unknown): void {
    const error = isScgiError(cause)
      ? cause
      : new ScgiProtocolError('ERR_SCGI_BAD_HEADER_BLOCK', 'Unreadable SCGI request', { cause });
    this.discarding = true;
    if (error.code === 'ERR_SCGI_HEADER_TRUNCATED' && this.parser.bytesReceived === 0) {
      this.socket.destroy(); // connected and left without a word: a health check, not an error
      return;
    }
    reportError(this.server, error, this.socket);
    if (this.exchange === undefined) {
      clearTimeout(this.headersTimer);
      this.responded = true;
      replyError(this.socket, error, this.firstChunk);
      this.firstChunk = undefined;
    } else if (error.code === 'ERR_SCGI_BODY_TRUNCATED') {
      this.socket.destroy(); // the peer went away mid-body: the request is aborted on 'close'
    }
    // ERR_SCGI_UNEXPECTED_DATA: bytes past CONTENT_LENGTH are dropped; the response goes on.
  }

  private readonly onHeadersTimeout = (): void => {
    this.headersTimer = undefined;
    if (this.exchange !== undefined || this.responded) return;
    this.onProtocolError(
      new ScgiProtocolError(
        'ERR_SCGI_HEADER_TIMEOUT',
        `No complete SCGI header block within ${this.options.headersTimeoutMs} ms`,
      ),
    );
  };

  private readonly onIdle = (): void => {
    const exchange = this.exchange;
    // Waiting on the app is not idleness: only a peer that owes us bytes, or does not read ours, is.
    const waitingOnPeer =
      exchange === undefined || !exchange.req.complete || this.responded || this.socket.writableLength > 0;
    if (!waitingOnPeer) return;
    reportError(
      this.server,
      new ScgiProtocolError('ERR_SCGI_IDLE_TIMEOUT', `Connection idle for ${this.options.idleTimeoutMs} ms`),
      this.socket,
    );
    this.socket.destroy();
  };

  private readonly onPeerEnd = (): void => {
    if (!this.discarding) {
      try {
        this.parser.finish();
        this.readEvents();
      } catch (error) {
        this.onProtocolError(error);
      }
    }
    if (!this.options.allowHalfClose && !this.responded) this.socket.destroy();
  };

  private readonly onResponseFinish = (): void => {
    const { req, res } = this.exchange!;
    this.responded = true;
    // Like node:http: pull an unread body off the wire, so the peer never sees a reset.
    if (!(req as unknown as RequestInternals)._consuming && !req.readableFlowing) {
      (req as unknown as RequestInternals)._dump();
    }
    res.detachSocket(this.socket);
    process.nextTick(emitResponseClose, res);
    if (this.parser.state === 'done') {
      // All of the request was read, so nothing but a FIN can follow: close now, as node:http does.
      this.socket.destroySoon();
    } else {
      // FIN ends the response; reading goes on until the body is drained (or the idle timeout).
      this.socket.resume();
      this.socket.end();
    }
  };

  /** Node's own connection listener forwards 'drain' to the response; this one must too. */
  private readonly onDrain = (): void => {
    const res = this.exchange?.res as (ResponseInternals & { emit(event: 'drain'): boolean }) | undefined;
    if (res === undefined || res.finished || kNeedDrain === undefined || !res[kNeedDrain]) return;
    res[kNeedDrain] = false;
    res.emit('drain');
  };

  private readonly onClose = (): void => {
    clearTimeout(this.headersTimer);
    this.connections.delete(this);
    const exchange = this.exchange;
    // The peer left before the response ended: abort the request as node:http does.
    if (exchange !== undefined && !this.responded && !exchange.req.destroyed) {
      exchange.req.destroy(connectionReset());
    }
  };
}

function emitResponseClose(
  res: ResponseInternals & { destroyed: boolean; emit(event: 'close'): boolean },
): void {
  if (res._closed) return;
  res.destroyed = true;
  res._closed = true;
  res.emit('close');
}

function connectionReset(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

function ignoreSocketError(): void {}
