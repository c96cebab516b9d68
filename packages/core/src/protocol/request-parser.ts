// Incremental sans-IO SCGI request parser: bytes in through receive(), events out of nextEvent().

import type { ScgiErrorCode } from './errors.js';
import { ScgiProtocolError } from './errors.js';
import { decodeHeaderBlock } from './header-block.js';
import type { RequestHead } from './request-head.js';

/** Default limit on the header block (the netstring's content), in bytes. */
export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
/** Default limit on `CONTENT_LENGTH`, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 1024 ** 3;

/** Limits of one {@link RequestParser}. */
export interface RequestParserOptions {
  /** Largest accepted header block, in bytes (default {@link DEFAULT_MAX_HEADER_BYTES}). */
  maxHeaderBytes?: number;
  /** Largest accepted `CONTENT_LENGTH`, in bytes (default {@link DEFAULT_MAX_BODY_BYTES}). */
  maxBodyBytes?: number;
  /**
   * The prototype of each `env` record (default null): an adapter's accessors that every env shares
   * cost nothing per request this way (@scgi-node/hono's `c.env.incoming`). Its names never shadow a
   * variable: the record's own keys come first. An accessor is assigned the variable of its name, so it
   * must read undefined and define an own property on write (as @scgi-node/hono's do).
   */
  envPrototype?: object | null;
}

/** The header block has been read and checked: a {@link RequestHead}. */
export type RequestHeadersEvent = RequestHead;

/** What {@link RequestParser.nextEvent} yields: the headers once, body chunks, then `end` once. */
export type RequestEvent = RequestHeadersEvent | { type: 'body'; chunk: Buffer } | { type: 'end' };

/** Where the parser is in the byte stream; `done` once `end` was returned, `error` once it threw. */
export type RequestParserState = 'length' | 'headers' | 'comma' | 'body' | 'done' | 'error';

const COLON = 0x3a;
const COMMA = 0x2c;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const UPPER_A = 0x41;
const UPPER_Z = 0x5a;
const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

function protocolError(code: ScgiErrorCode, message: string): ScgiProtocolError {
  return new ScgiProtocolError(code, message);
}

function limitOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`RequestParser: ${name} must be a non-negative safe integer, got ${value}`);
  }
  return value;
}

/**
 * Incremental parser of one SCGI request (h11/sioscgi style): feed bytes with {@link receive}, signal EOF
 * with {@link finish}, pull events with {@link nextEvent}. It does no I/O and keeps views of the received
 * buffers (never copies of the body), so the caller must not reuse a buffer it passed in, unless it
 * calls {@link ownQueuedBytes} first.
 */
export class RequestParser {
  private readonly maxHeaderBytes: number;
  private readonly maxBodyBytes: number;
  private readonly envPrototype: object | null;
  private phase: RequestParserState = 'length';
  private error: ScgiProtocolError | undefined;
  // Received bytes not yet parsed: `chunks[0]` from `chunkOffset` on, then the other chunks whole.
  private chunks: Buffer[] = [];
  private chunkOffset = 0;
  private queuedBytes = 0;
  private receivedBytes = 0;
  private extraBytes = 0;
  private eof = false;
  private lengthValue = 0;
  private lengthDigits = 0;
  private head: RequestHeadersEvent | undefined;
  private pendingHead: RequestHeadersEvent | undefined;
  private bodyRemaining = 0;

  constructor(options: RequestParserOptions = {}) {
    this.maxHeaderBytes = limitOption(options.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES, 'maxHeaderBytes');
    this.maxBodyBytes = limitOption(options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes');
    this.envPrototype = options.envPrototype ?? null;
  }

  /** Where the parser is in the byte stream. */
  get state(): RequestParserState {
    return this.phase;
  }

  /** Bytes received so far (all phases). */
  get bytesReceived(): number {
    return this.receivedBytes;
  }

  /**
   * Copies the bytes still queued (not yet returned as events) into a buffer of the parser's own, so the
   * caller may reuse the buffers it passed to {@link receive}: a read buffer shared by connections.
   */
  ownQueuedBytes(): void {
    if (this.queuedBytes === 0) return;
    const owned = Buffer.allocUnsafe(this.queuedBytes);
    let filled = 0;
    for (const [index, chunk] of this.chunks.entries()) {
      filled += chunk.copy(owned, filled, index === 0 ? this.chunkOffset : 0);
    }
    this.chunks = [owned];
    this.chunkOffset = 0;
  }

  /** Drops the queued bytes and the head, for a connection that closed (nothing is parsed after). */
  release(): void {
    this.chunks = [];
    this.chunkOffset = 0;
    this.queuedBytes = 0;
    this.head = undefined;
    this.pendingHead = undefined;
  }

  /** Queues bytes from the peer (no parsing happens here). Keeps a view of `data`, not a copy. */
  receive(data: Uint8Array): void {
    if (this.eof) throw new Error('RequestParser.receive() called after finish()');
    const size = data.byteLength;
    if (size === 0) return;
    this.receivedBytes += size;
    if (this.phase === 'error') return;
    if (this.phase === 'done') {
      // Nothing may follow the body; count it for the error but do not hold on to it.
      this.extraBytes += size;
      return;
    }
    this.chunks.push(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, size));
    this.queuedBytes += size;
  }

  /**
   * The peer sent EOF. Throws ERR_SCGI_HEADER_TRUNCATED or ERR_SCGI_BODY_TRUNCATED when the bytes
   * received cannot complete the request (also when none came: check {@link bytesReceived} to treat
   * that as a silent close); rethrows the sticky error after a failure. Queued events stay available.
   */
  finish(): void {
    if (this.error !== undefined) throw this.error;
    if (this.eof) return;
    this.eof = true;
    try {
      if (this.phase === 'length' || this.phase === 'headers' || this.phase === 'comma') {
        const head = this.parseHead();
        if (head === null) {
          throw protocolError(
            'ERR_SCGI_HEADER_TRUNCATED',
            this.receivedBytes === 0
              ? 'SCGI connection closed before any byte was sent'
              : `SCGI connection closed after ${this.receivedBytes} bytes, inside the header netstring`,
          );
        }
        this.pendingHead = head;
      }
      if (this.phase === 'body' && this.bodyRemaining > this.queuedBytes) {
        throw protocolError(
          'ERR_SCGI_BODY_TRUNCATED',
          `SCGI connection closed with ${this.bodyRemaining - this.queuedBytes} body bytes missing`,
        );
      }
    } catch (error) {
      throw this.stick(error);
    }
  }

  /**
   * Next event, or null when more bytes are needed. Throws ScgiProtocolError; the error is sticky (every
   * later call throws the same instance).
   */
  nextEvent(): RequestEvent | null {
    if (this.error !== undefined) throw this.error;
    try {
      return this.step();
    } catch (error) {
      throw this.stick(error);
    }
  }

  private step(): RequestEvent | null {
    if (this.pendingHead !== undefined) {
      const head = this.pendingHead;
      this.pendingHead = undefined;
      return head;
    }
    if (this.phase === 'body') return this.nextBodyEvent();
    if (this.phase === 'done') {
      if (this.queuedBytes > 0 || this.extraBytes > 0) {
        throw protocolError(
          'ERR_SCGI_UNEXPECTED_DATA',
          `SCGI peer sent ${this.queuedBytes + this.extraBytes} bytes after the request body`,
        );
      }
      return null;
    }
    return this.parseHead();
  }

  /** Records a protocol error as the sticky one and drops what is queued. */
  private stick(error: unknown): unknown {
    if (error instanceof ScgiProtocolError) {
      this.error = error;
      this.phase = 'error';
      this.chunks = [];
      this.chunkOffset = 0;
      this.queuedBytes = 0;
      this.head = undefined;
      this.pendingHead = undefined;
    }
    return error;
  }

  /** Runs the length, header-block and comma phases as far as the queued bytes allow. */
  private parseHead(): RequestHeadersEvent | null {
    if (this.phase === 'length' && !this.parseLength()) return null;
    if (this.phase === 'headers' && !this.parseBlock()) return null;
    if (this.queuedBytes === 0) return null;
    const chunk = this.chunks[0]!;
    if (chunk[this.chunkOffset] !== COMMA) {
      throw protocolError('ERR_SCGI_MISSING_COMMA', 'SCGI header netstring is not followed by ","');
    }
    this.advance(1);
    const head = this.head!;
    this.head = undefined;
    if (head.contentLength > this.maxBodyBytes) {
      throw protocolError(
        'ERR_SCGI_BODY_TOO_LARGE',
        `SCGI CONTENT_LENGTH ${head.contentLength} is over the limit of ${this.maxBodyBytes} bytes ` +
          '(maxBodyBytes)',
      );
    }
    this.bodyRemaining = head.contentLength;
    this.phase = 'body';
    return head;
  }

  /** Reads the netstring length digits up to ':'; true once the ':' was consumed. */
  private parseLength(): boolean {
    while (this.queuedBytes > 0) {
      const chunk = this.chunks[0]!;
      for (let i = this.chunkOffset; i < chunk.length; i++) {
        const byte = chunk[i]!;
        if (byte === COLON) {
          if (this.lengthDigits === 0) {
            throw protocolError(
              'ERR_SCGI_BAD_NETSTRING_LENGTH',
              'SCGI netstring length is empty (":" came first)',
            );
          }
          this.advance(i + 1 - this.chunkOffset);
          this.phase = 'headers';
          return true;
        }
        if (byte < DIGIT_0 || byte > DIGIT_9) {
          // An uppercase letter first is nearly always an HTTP request sent to the SCGI port.
          const hint =
            this.lengthDigits === 0 && byte >= UPPER_A && byte <= UPPER_Z
              ? ' (an HTTP request sent to the SCGI socket?)'
              : '';
          throw protocolError(
            'ERR_SCGI_BAD_NETSTRING_LENGTH',
            `SCGI netstring length has the non-digit byte 0x${byte.toString(16).padStart(2, '0')}${hint}`,
          );
        }
        if (this.lengthDigits === 1 && this.lengthValue === 0) {
          throw protocolError('ERR_SCGI_BAD_NETSTRING_LENGTH', 'SCGI netstring length has a leading zero');
        }
        this.lengthValue = this.lengthValue * 10 + (byte - DIGIT_0);
        this.lengthDigits++;
        // Checked per digit so a peer cannot make us wait for (or buffer) an oversized block.
        if (this.lengthValue > this.maxHeaderBytes) {
          throw protocolError(
            'ERR_SCGI_HEADER_TOO_LARGE',
            `SCGI header block is over the limit of ${this.maxHeaderBytes} bytes (maxHeaderBytes)`,
          );
        }
      }
      this.advance(chunk.length - this.chunkOffset);
    }
    return false;
  }

  /** Decodes the header block once all of it is queued; true when done. */
  private parseBlock(): boolean {
    const size = this.lengthValue;
    if (this.queuedBytes < size) return false;
    let block = EMPTY_BUFFER;
    let offset = 0;
    if (size > 0) {
      const chunk = this.chunks[0]!;
      const start = this.chunkOffset;
      if (chunk.length - start >= size) {
        // The common case: the whole block is in one received chunk, parse it in place.
        block = chunk;
        offset = start;
        this.advance(size);
      } else {
        block = this.take(size);
      }
    }
    this.head = decodeHeaderBlock(block, this.envPrototype, offset, size);
    this.phase = 'comma';
    return true;
  }

  private nextBodyEvent(): RequestEvent | null {
    if (this.bodyRemaining === 0) {
      this.phase = 'done';
      return { type: 'end' };
    }
    if (this.queuedBytes === 0) return null;
    const chunk = this.chunks[0]!;
    const start = this.chunkOffset;
    const size = Math.min(chunk.length - start, this.bodyRemaining);
    const view = start === 0 && size === chunk.length ? chunk : chunk.subarray(start, start + size);
    this.advance(size);
    this.bodyRemaining -= size;
    return { type: 'body', chunk: view };
  }

  /** Consumes `size` bytes of the first queued chunk (at most what is left of it). */
  private advance(size: number): void {
    this.chunkOffset += size;
    this.queuedBytes -= size;
    if (this.chunkOffset === this.chunks[0]!.length) {
      this.chunks.shift();
      this.chunkOffset = 0;
    }
  }

  /** Copies `size` queued bytes spread over several chunks into one buffer (a split header block). */
  private take(size: number): Buffer {
    const out = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const chunk = this.chunks[0]!;
      const count = Math.min(size - filled, chunk.length - this.chunkOffset);
      chunk.copy(out, filled, this.chunkOffset, this.chunkOffset + count);
      filled += count;
      this.advance(count);
    }
    return out;
  }
}
