// The request body between the connection and the handler: buffered, streamed or collected, with backpressure.

/** How the body's producer is throttled: the SCGI socket, or an IncomingMessage. */
export interface BodyFlow {
  pause(): void;
  resume(): void;
  /** Called once, when the first consumer appears (a producer that starts only on demand). */
  start?(): void;
}

/** Below this much buffered and unread, the producer keeps flowing (like a socket's highWaterMark). */
export const BODY_HIGH_WATER_MARK_BYTES = 64 * 1024;

type Mode = 'idle' | 'stream' | 'collect' | 'discard' | 'moved';

/**
 * One request body. Chunks are pushed by the connection (views of the received bytes, never copied)
 * and taken once: as a ReadableStream, or collected whole for `text()`/`json()`/`arrayBuffer()`. Until
 * a consumer comes, up to {@link BODY_HIGH_WATER_MARK_BYTES} are held and the producer is paused.
 */
export class RequestBody {
  private mode: Mode = 'idle';
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private collector: { resolve(body: Buffer): void; reject(error: Error): void } | undefined;

  constructor(private readonly flow: BodyFlow) {}

  /** A consumer has taken the body (or it was discarded): it cannot be read again. */
  get disturbed(): boolean {
    return this.mode !== 'idle';
  }

  push(chunk: Buffer): void {
    if (this.mode === 'discard' || this.mode === 'moved' || this.ended || this.failure !== undefined) return;
    if (this.mode === 'stream') {
      this.controller!.enqueue(chunk);
      if (this.controller!.desiredSize! <= 0) this.flow.pause();
      return;
    }
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    if (this.mode === 'idle' && this.bufferedBytes >= BODY_HIGH_WATER_MARK_BYTES) this.flow.pause();
  }

  /** All `CONTENT_LENGTH` bytes have arrived. */
  end(): void {
    if (this.ended || this.failure !== undefined) return;
    this.ended = true;
    if (this.mode === 'stream') this.controller!.close();
    else if (this.mode === 'collect') this.settleCollect();
  }

  /** The body will not complete (the peer went away): pending and later reads fail with `error`. */
  fail(error: Error): void {
    if (this.ended || this.failure !== undefined) return;
    this.failure = error;
    this.chunks = [];
    if (this.mode === 'stream') this.controller!.error(error);
    else if (this.mode === 'collect') this.collector!.reject(error);
  }

  /** Nobody will read the rest: drop it as it arrives and keep the producer flowing (no reset). */
  discard(): void {
    if (this.mode === 'discard') return;
    const started = this.mode !== 'idle';
    this.mode = 'discard';
    this.chunks = [];
    this.bufferedBytes = 0;
    if (!started) this.flow.start?.();
    this.flow.resume();
  }

  /**
   * Hand the body to another reader (`c.env.incoming`): what is buffered now, then the end or failure
   * if they came already. Later chunks go to that reader directly, not through here.
   */
  moveTo(target: { push(chunk: Buffer): unknown; end(): void; fail(error: Error): void }): void {
    this.take('moved');
    for (const chunk of this.chunks) target.push(chunk);
    this.chunks = [];
    this.bufferedBytes = 0;
    if (this.failure !== undefined) target.fail(this.failure);
    else if (this.ended) target.end();
  }

  /** The body as a byte stream; pulls resume the producer, a full queue pauses it. */
  stream(): ReadableStream<Uint8Array> {
    this.take('stream');
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
          for (const chunk of this.chunks) controller.enqueue(chunk);
          this.chunks = [];
          this.bufferedBytes = 0;
          if (this.failure !== undefined) controller.error(this.failure);
          else if (this.ended) controller.close();
        },
        pull: () => {
          this.flow.resume();
        },
        cancel: () => this.discard(),
      },
      { highWaterMark: BODY_HIGH_WATER_MARK_BYTES, size: (chunk) => chunk.byteLength },
    );
  }

  /** The whole body in one buffer (the fast path of `text()`, `json()`, `arrayBuffer()`). */
  bytes(): Promise<Buffer> {
    this.take('collect');
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(this.concat());
    return new Promise<Buffer>((resolve, reject) => {
      this.collector = { resolve, reject };
      this.flow.resume();
    });
  }

  private take(mode: 'stream' | 'collect' | 'moved'): void {
    if (this.mode !== 'idle') throw new TypeError('Body is unusable: it has already been read');
    this.mode = mode;
    this.flow.start?.();
  }

  private settleCollect(): void {
    const collector = this.collector;
    this.collector = undefined;
    collector?.resolve(this.concat());
  }

  private concat(): Buffer {
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.bufferedBytes = 0;
    return body;
  }
}
