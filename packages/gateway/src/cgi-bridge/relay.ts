// One exchange with the worker: the SCGI request out (stdin streamed), the CGI response back to stdout.
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { ResponseHeadParser, ScgiError } from '@scgi-node/core/protocol';
import type { ResponseBuffer } from '../response-buffer.js';
import { type HttpHead, httpHeadFromCgi } from '../response-head.js';
import { CgiBridgeError } from './errors.js';
import { cgiHead } from './reply.js';

/** The request to send: the encoded netstring head, then exactly `contentLength` body bytes. */
export interface RelayRequest {
  head: Buffer;
  /** A stream (stdin) read for exactly `contentLength` bytes, or a body read whole already. */
  body: Readable | Buffer | undefined;
  contentLength: number;
  method: string;
}

export interface RelayOptions {
  /** From the end of the request body to the response head; 0 disables. */
  responseTimeoutMs: number;
  /** Buffer every response (unless it says `X-Accel-Buffering: no`). */
  bufferResponse: boolean;
  /** Makes a ResponseBuffer (loaded only when a response is buffered: it costs start-up time). */
  createBuffer: () => Promise<ResponseBuffer>;
}

/** How the exchange ended; a failure says whether the head was out already (then only a cut is left). */
export type RelayOutcome =
  | { ok: true; status: number }
  | { ok: false; error: Error; headWritten: boolean; clientGone: boolean };

/** Send the request on `socket` and write the worker's response to `stdout` (which is not ended). */
export function relay(socket: Socket, request: RelayRequest, stdout: Writable, options: RelayOptions) {
  return new Relay(socket, request, stdout, options).run();
}

class Relay {
  private readonly parser = new ResponseHeadParser();
  private head: HttpHead | undefined;
  /** Body bytes still owed by the worker's Content-Length (0 when no body may follow). */
  private remaining: number | undefined;
  private buffer: ResponseBuffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private headWritten = false;
  /** The worker side is over: later socket events are noise. */
  private settled = false;
  private stopBody: () => void = () => {};
  private finish!: (outcome: RelayOutcome) => void;

  constructor(
    private readonly socket: Socket,
    private readonly request: RelayRequest,
    private readonly stdout: Writable,
    private readonly options: RelayOptions,
  ) {}

  run(): Promise<RelayOutcome> {
    return new Promise((resolve) => {
      this.finish = resolve;
      const { socket, request } = this;
      socket.on('data', this.onData);
      socket.on('end', this.onEnd);
      socket.on('error', this.onSocketError);
      this.stdout.on('error', this.onStdoutError);
      socket.write(request.head);
      const { body, contentLength } = request;
      if (body === undefined || contentLength === 0 || Buffer.isBuffer(body)) {
        if (Buffer.isBuffer(body) && body.length > 0) socket.write(body);
        this.onRequestSent();
      } else {
        this.sendBody(body, contentLength);
      }
    });
  }

  /** Exactly `length` bytes of stdin to the worker, pausing stdin while the socket's buffer is full. */
  private sendBody(body: Readable, length: number): void {
    let left = length;
    const stop = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      this.socket.off('drain', onDrain);
      body.pause();
    };
    const onDrain = () => body.resume();
    const onData = (chunk: Buffer) => {
      const piece = chunk.length > left ? chunk.subarray(0, left) : chunk;
      left -= piece.length;
      const more = this.socket.write(piece);
      if (left === 0) {
        stop();
        this.onRequestSent();
      } else if (!more) {
        body.pause();
      }
    };
    const onEnd = () => {
      stop();
      const message = `stdin ended ${left} bytes short of CONTENT_LENGTH ${length} (the client left mid-upload?)`;
      this.fail(new CgiBridgeError('ERR_CGI_BODY_TRUNCATED', message));
    };
    const onError = (error: Error) => {
      stop();
      this.fail(
        new CgiBridgeError('ERR_CGI_BODY_TRUNCATED', 'reading the request body from stdin failed', {
          cause: error,
        }),
      );
    };
    this.stopBody = stop;
    this.socket.on('drain', onDrain);
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
  }

  private onRequestSent(): void {
    const timeoutMs = this.options.responseTimeoutMs;
    if (this.head !== undefined || this.settled || timeoutMs === 0) return;
    this.timer = setTimeout(() => {
      const message = `the worker sent no response head within ${timeoutMs} ms (responseTimeoutMs)`;
      this.fail(new CgiBridgeError('ERR_CGI_WORKER_UNRESPONSIVE', message));
    }, timeoutMs);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.settled) return;
    if (this.head !== undefined) {
      this.onBody(chunk);
      return;
    }
    let parsed: ReturnType<ResponseHeadParser['receive']>;
    try {
      parsed = this.parser.receive(chunk);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    if (parsed !== null) this.onHead(parsed.head, parsed.rest);
  };

  private onHead(cgi: Parameters<typeof httpHeadFromCgi>[0], rest: Buffer): void {
    clearTimeout(this.timer);
    let head: HttpHead;
    try {
      head = httpHeadFromCgi(cgi);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    this.head = head;
    const bodyAllowed = this.request.method !== 'HEAD' && head.status !== 204 && head.status !== 304;
    this.remaining = bodyAllowed ? head.contentLength : 0;
    const next = () => {
      if (this.remaining === 0) this.complete();
      else if (rest.length > 0) this.onBody(rest);
    };
    if (!(bodyAllowed && (head.buffering ?? this.options.bufferResponse))) {
      this.write(cgiHead(head));
      this.headWritten = true;
      next();
      return;
    }
    // Buffered: the head waits for the whole body (a short body can still become a 502).
    this.socket.pause();
    this.options.createBuffer().then(
      (buffer) => {
        this.buffer = buffer;
        this.socket.resume();
        next();
      },
      (error: unknown) => this.fail(bridgeFailure(error)),
    );
  }

  private onBody(chunk: Buffer): void {
    let piece = chunk;
    if (this.remaining !== undefined) {
      // Bytes past Content-Length are dropped, as nginx and the gateway do.
      if (piece.length > this.remaining) piece = piece.subarray(0, this.remaining);
      this.remaining -= piece.length;
    }
    if (this.buffer !== undefined) {
      const pending = this.buffer.write(piece);
      if (pending !== undefined) {
        this.socket.pause();
        pending.then(
          () => this.socket.resume(),
          (error: unknown) => this.fail(bridgeFailure(error)),
        );
      }
    } else if (!this.write(piece)) {
      this.socket.pause();
      this.stdout.once('drain', () => this.socket.resume());
    }
    if (this.remaining === 0) this.complete();
  }

  private readonly onEnd = (): void => {
    if (this.settled) return;
    if (this.head === undefined) {
      try {
        this.parser.finish();
      } catch (error) {
        this.fail(error as Error);
      }
      return;
    }
    if (this.remaining !== undefined && this.remaining > 0) {
      const message = `the worker closed the connection ${this.remaining} bytes short of its Content-Length`;
      this.fail(new ScgiError('ERR_SCGI_RESPONSE_TRUNCATED', message));
      return;
    }
    this.complete();
  };

  private readonly onSocketError = (error: Error): void => {
    if (this.settled) return;
    const when = this.head === undefined ? 'before the end of its response head' : 'mid-response';
    this.fail(
      new ScgiError('ERR_SCGI_RESPONSE_TRUNCATED', `the worker connection failed ${when}`, { cause: error }),
    );
  };

  private readonly onStdoutError = (error: Error): void => {
    this.release();
    this.buffer?.destroy();
    this.finish({ ok: false, error, headWritten: this.headWritten, clientGone: true });
  };

  /** The whole body has arrived: free the worker at once, then finish (or replay the buffer to) stdout. */
  private complete(): void {
    this.release();
    const { buffer, head } = this;
    if (buffer === undefined) {
      this.flushed();
      return;
    }
    buffer.settled().then(
      () => {
        this.write(cgiHead(head!, head!.contentLength === undefined ? buffer.size : undefined));
        this.headWritten = true;
        const reader = buffer.reader();
        reader.on('data', (chunk: Buffer) => {
          if (!this.write(chunk)) {
            reader.pause();
            this.stdout.once('drain', () => reader.resume());
          }
        });
        reader.once('end', () => this.flushed());
        reader.once('error', (error) => this.failAfterRelease(bridgeFailure(error)));
      },
      (error: unknown) => this.failAfterRelease(bridgeFailure(error)),
    );
  }

  /** Resolve once stdout has taken every byte (a zero-length write's callback runs after the others). */
  private flushed(): void {
    this.stdout.write(Buffer.alloc(0), (error) => {
      if (error) this.onStdoutError(error);
      else this.finish({ ok: true, status: this.head!.status });
    });
  }

  private write(chunk: Buffer): boolean {
    return this.stdout.writable ? this.stdout.write(chunk) : true;
  }

  private release(): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.stopBody();
    this.socket.destroy();
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.release();
    this.failAfterRelease(error);
  }

  private failAfterRelease(error: Error): void {
    this.buffer?.destroy();
    this.finish({ ok: false, error, headWritten: this.headWritten, clientGone: false });
  }
}

function bridgeFailure(error: unknown): Error {
  return new CgiBridgeError('ERR_CGI_BRIDGE_FAILED', 'buffering the response in a temp file failed', {
    cause: error,
  });
}
