// One SCGI connection: parser, limits, timeouts, error replies, peer end and close; each request goes to a driver.
import type { Server, Socket } from 'node:net';
import { isScgiError, ScgiProtocolError } from '../protocol/errors.js';
import { type RequestHeadersEvent, RequestParser } from '../protocol/request-parser.js';
import { replyError, SNIFFED_BYTES } from './error-reply.js';
import { reportError } from './server-events.js';
import { sharedBufferReader } from './shared-read-buffer.js';
import { writeCorkedAsOne } from './single-write.js';
import { releaseRecord } from './socket-facade.js';
import type { ResolvedServerOptions } from './target.js';

/** The request side of one exchange, as the connection feeds it. Returned by {@link ScgiDriver.open}. */
export interface ScgiRequestSink {
  /** A body chunk (a view of the received bytes). Return false to pause the socket; resuming is yours. */
  body(chunk: Buffer): boolean;
  /** All CONTENT_LENGTH bytes have arrived. */
  bodyEnd(): void;
  /** Called once the data that carried the head is parsed, so its body bytes were already given to body(). */
  start?(): void;
  /** The socket's write buffer drained. */
  drain?(): void;
  /** The socket closed; `aborted` when the response had not ended (the peer left). */
  close(aborted: boolean): void;
}

/**
 * What serves requests on a server's SCGI connections: node:http's IncomingMessage/ServerResponse
 * pair, or an adapter's own objects. It writes the response on `connection.socket` and calls
 * `connection.responseEnded()` once it is complete.
 */
export interface ScgiDriver {
  /** Open an exchange for a request head. A thrown ScgiError is answered like a protocol error. */
  open(connection: ScgiConnection, head: RequestHeadersEvent): ScgiRequestSink;
  /** The prototype of each request's `env` record (default none): see RequestParserOptions. */
  readonly envPrototype?: object | null;
}

/** What every connection of one server shares. */
export interface ScgiConnectionHost {
  readonly server: Server;
  readonly options: ResolvedServerOptions;
  readonly driver: ScgiDriver;
  readonly connections: Set<ScgiConnection>;
}

/** Where a socket keeps its connection: the socket listeners are shared functions, not closures. */
const CONNECTION = Symbol('scgi-node.connection');
type ConnectionSocket = Socket & { [CONNECTION]: ScgiConnection };

/** One request per connection (SCGI); the connection ends with its response. */
export class ScgiConnection {
  readonly server: Server;
  readonly options: ResolvedServerOptions;
  private readonly parser: RequestParser;
  private readonly driver: ScgiDriver;
  private readonly connections: Set<ScgiConnection>;
  /** Date.now() at accept: the header-read timeout's clock (see the sweep in connection-set.ts). */
  private readonly acceptedAt = Date.now();
  /** Date.now() at the last traffic seen: the idle timeout's clock. */
  private lastActivity = this.acceptedAt;
  /** Bytes written as of the last sweep: writes count as traffic there, not on each write. */
  private seenWritten = 0;
  private exchange: ScgiRequestSink | undefined;
  private headReceived = false;
  private complete = false;
  private ended = false;
  /** Input is ignored from here on: it is garbage, or beyond what the request declared. */
  private discarding = false;
  private firstChunk: Buffer | undefined;
  /** While the bytes being parsed are a view of the shared read buffer (see receive()). */
  private borrowed = false;

  constructor(
    host: ScgiConnectionHost,
    readonly socket: Socket,
  ) {
    this.server = host.server;
    this.options = host.options;
    this.driver = host.driver;
    this.connections = host.connections;
    this.parser = new RequestParser({
      maxHeaderBytes: host.options.maxHeaderBytes,
      maxBodyBytes: host.options.maxBodyBytes,
      envPrototype: host.driver.envPrototype,
    });
    host.connections.add(this);
    socket.setNoDelay?.(true);
    writeCorkedAsOne(socket);
    // One function per event for every connection (a listener's `this` is its socket): four closures
    // per connection were ~1% of a small request.
    (socket as ConnectionSocket)[CONNECTION] = this;
    if (!readIntoSharedBuffer(socket as ConnectionSocket)) socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('close', onSocketClose);
    socket.on('drain', onSocketDrain);
    // Errors (EPIPE, ECONNRESET) are followed by 'close', which is where an abort is handled.
    socket.on('error', ignoreSocketError);
  }

  /** The response is complete (or an error reply was sent): remaining input is only drained. */
  get responded(): boolean {
    return this.ended;
  }

  /** All of the request (head and CONTENT_LENGTH bytes of body) has arrived. */
  get requestComplete(): boolean {
    return this.complete;
  }

  /** No request has started on this connection yet (server.closeIdleConnections()). */
  get idle(): boolean {
    return this.exchange === undefined && this.parser.bytesReceived === 0;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /**
   * The driver's response is complete. With all of the request read, nothing but a FIN can follow, so
   * the socket closes once flushed (as node:http does; awaiting the FIN costs a fifth of a small request).
   * Otherwise our FIN ends the response and reading goes on until the body is drained (closing with
   * unread bytes would reset the connection, and the front server could lose the response).
   */
  responseEnded(): void {
    this.ended = true;
    if (this.complete) {
      this.socket.destroySoon();
    } else {
      this.lastActivity = Date.now(); // the idle timeout now watches the drain of the body
      this.socket.resume();
      this.socket.end();
    }
  }

  /** Called by the server's sweep: the header-read and idle timeouts. */
  checkTimeouts(now: number): void {
    const { headersTimeoutMs, idleTimeoutMs } = this.options;
    if (headersTimeoutMs > 0 && !this.headReceived && !this.ended) {
      if (now - this.acceptedAt >= headersTimeoutMs) {
        this.onProtocolError(
          new ScgiProtocolError(
            'ERR_SCGI_HEADER_TIMEOUT',
            `No complete SCGI header block within ${headersTimeoutMs} ms`,
          ),
        );
        return;
      }
    }
    if (idleTimeoutMs <= 0) return;
    const written = this.socket.bytesWritten;
    if (written !== this.seenWritten) {
      this.seenWritten = written;
      this.lastActivity = now;
    }
    if (now - this.lastActivity >= idleTimeoutMs) this.onIdle();
  }

  /**
   * @internal The socket's bytes. A `borrowed` chunk is a view of the read buffer that all connections
   * share: what is kept past this call (body chunks, a partial head) is copied, and a head that came
   * whole is decoded in place, with no copy at all.
   */
  receive(chunk: Buffer, borrowed: boolean): void {
    this.lastActivity = Date.now();
    if (this.discarding) return;
    if (!this.headReceived) this.firstChunk ??= chunk;
    this.parser.receive(chunk);
    this.borrowed = borrowed;
    this.readEvents();
    this.borrowed = false;
    if (!borrowed) return;
    this.parser.ownQueuedBytes();
    if (this.firstChunk === chunk) this.firstChunk = Buffer.from(chunk.subarray(0, SNIFFED_BYTES));
  }

  private readEvents(): void {
    let started: ScgiRequestSink | undefined;
    try {
      for (let event = this.parser.nextEvent(); event !== null; event = this.parser.nextEvent()) {
        if (event.type === 'body') {
          const chunk = this.borrowed ? Buffer.from(event.chunk) : event.chunk;
          if (!this.exchange!.body(chunk)) this.socket.pause();
        } else if (event.type === 'headers') {
          this.headReceived = true;
          this.firstChunk = undefined;
          // Before the driver runs the app, so a process manager knows the URL even if the handler blocks.
          this.server.emit('scgiRequest', event, this.socket);
          this.exchange = this.driver.open(this, event);
          started = this.exchange;
        } else {
          this.complete = true;
          this.exchange!.bodyEnd();
          if (this.ended) this.socket.destroySoon(); // the unread body is drained
        }
      }
    } catch (error) {
      this.onProtocolError(error);
    }
    // After the loop, so body bytes that came with the head are already queued for the handler.
    started?.start?.();
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
      this.ended = true;
      replyError(this.socket, error, this.firstChunk);
      this.firstChunk = undefined;
    } else if (error.code === 'ERR_SCGI_BODY_TRUNCATED') {
      this.socket.destroy(); // the peer went away mid-body: the request is aborted on 'close'
    }
    // ERR_SCGI_UNEXPECTED_DATA: bytes past CONTENT_LENGTH are dropped; the response goes on.
  }

  private onIdle(): void {
    // Waiting on the app is not idleness: only a peer that owes us bytes, or does not read ours, is.
    const waitingOnPeer =
      this.exchange === undefined || !this.complete || this.ended || this.socket.writableLength > 0;
    if (!waitingOnPeer) return;
    reportError(
      this.server,
      new ScgiProtocolError('ERR_SCGI_IDLE_TIMEOUT', `Connection idle for ${this.options.idleTimeoutMs} ms`),
      this.socket,
    );
    this.socket.destroy();
  }

  /** @internal The socket's 'end' (the peer's FIN). */
  peerEnded(): void {
    if (!this.discarding) {
      try {
        this.parser.finish();
        this.readEvents();
      } catch (error) {
        this.onProtocolError(error);
      }
    }
    if (!this.options.allowHalfClose && !this.ended) this.socket.destroy();
  }

  /** @internal The socket's 'drain'. */
  drained(): void {
    this.lastActivity = Date.now();
    this.exchange?.drain?.();
  }

  /** @internal The socket's 'close'. */
  closed(): void {
    this.connections.delete(this);
    this.exchange?.close(!this.ended);
    // Node keeps a closed socket reachable until a full GC, and with it this connection (its listeners):
    // letting go of the request here keeps scavenges from promoting ~1.7 KB per request (measured under
    // nginx), which made GC pauses 3x node:http's.
    this.exchange = undefined;
    this.firstChunk = undefined;
    this.parser.release();
    releaseRecord(this.socket);
  }
}

function onSocketData(this: ConnectionSocket, chunk: Buffer): void {
  this[CONNECTION].receive(chunk, false);
}

const readIntoSharedBuffer = sharedBufferReader(function onSharedRead(this: ConnectionSocket, chunk: Buffer) {
  this[CONNECTION].receive(chunk, true);
});

function onSocketEnd(this: ConnectionSocket): void {
  this[CONNECTION].peerEnded();
}

function onSocketClose(this: ConnectionSocket): void {
  this[CONNECTION].closed();
}

function onSocketDrain(this: ConnectionSocket): void {
  this[CONNECTION].drained();
}

function ignoreSocketError(): void {}
