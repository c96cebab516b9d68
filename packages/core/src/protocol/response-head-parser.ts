// Incremental parser of a CGI response head (RFC 3875 §6) as an SCGI backend sends it back.

import type { ScgiErrorCode } from './errors.js';
import { ScgiError } from './errors.js';
import { latin1, quote } from './wire-text.js';

/** Default limit on a response head, blank line included, in bytes. */
export const DEFAULT_MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

/** A parsed CGI response head. */
export interface ResponseHead {
  status: number;
  /** Reason phrase as sent; '' when none was sent. */
  statusText: string;
  /**
   * Header fields in order, names as sent, values with surrounding whitespace trimmed; the Status line is
   * not included. Repeated names (Set-Cookie) stay separate entries.
   */
  headers: Array<[string, string]>;
  /**
   * 'status': a Status: line; 'http': an HTTP/1.x first line; 'location': no status but a Location (302
   * implied); 'default': neither (200 implied).
   */
  statusSource: 'status' | 'http' | 'location' | 'default';
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HTAB = 0x09;
const STATUS_FOUND = 302;
const STATUS_OK = 200;
// RFC 9110 §5.1: field-name = token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5 field-value chars, the same set node:http's setHeader accepts, so a gateway can pass it on.
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
const STATUS_VALUE = /^([0-9]{3})(?:[ \t]+(.*))?$/;
const HTTP_STATUS_LINE = /^HTTP\/1\.[01] ([0-9]{3})(?: (.*))?$/;

function headError(code: ScgiErrorCode, message: string): ScgiError {
  return new ScgiError(code, message);
}

/** Strips SP and HTAB only: String#trim would also eat U+00A0, a valid obs-text byte. */
function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === SP || text.charCodeAt(start) === HTAB)) start++;
  while (end > start && (text.charCodeAt(end - 1) === SP || text.charCodeAt(end - 1) === HTAB)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function parseStatusCode(digits: string, line: string): number {
  const status = Number(digits);
  if (status < 100) throw headError('ERR_SCGI_BAD_STATUS', `CGI response status ${quote(line)} is below 100`);
  return status;
}

/**
 * Incremental parser of the head of a CGI-style response (RFC 3875 §6): header lines ended by CRLF or a bare
 * LF, up to a blank line. Accepts `Status: 404 Not Found`, `Status: 404`, and an `HTTP/1.x 200 OK` first
 * line. Throws {@link ScgiError} (the backend's fault, seen from a client); errors are sticky.
 */
export class ResponseHeadParser {
  private readonly maxHeadBytes: number;
  // Pieces of the line not yet ended by LF (views of the received chunks).
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private headBytes = 0;
  private lineCount = 0;
  private status: number | undefined;
  private statusText = '';
  private statusSource: ResponseHead['statusSource'] = 'default';
  private hasLocation = false;
  private headers: Array<[string, string]> = [];
  private complete = false;
  private error: ScgiError | undefined;

  constructor(options: { maxHeadBytes?: number } = {}) {
    const max = options.maxHeadBytes ?? DEFAULT_MAX_RESPONSE_HEAD_BYTES;
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new RangeError(
        `ResponseHeadParser: maxHeadBytes must be a non-negative safe integer, got ${max}`,
      );
    }
    this.maxHeadBytes = max;
  }

  /**
   * Feed bytes; null until the blank line ending the head has arrived, then the head and `rest` (the body
   * bytes that came in this chunk, possibly empty; a view, not a copy). Not to be called again after it
   * returned a head. Throws {@link ScgiError} for a malformed or oversized head.
   */
  receive(chunk: Uint8Array): { head: ResponseHead; rest: Buffer } | null {
    if (this.error !== undefined) throw this.error;
    if (this.complete) throw new Error('ResponseHeadParser.receive() called after the head was returned');
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    try {
      return this.scan(buf);
    } catch (error) {
      if (error instanceof ScgiError) this.error = error;
      throw error;
    }
  }

  /** EOF before the head completed → throws ERR_SCGI_RESPONSE_TRUNCATED. */
  finish(): void {
    if (this.error !== undefined) throw this.error;
    if (this.complete) return;
    this.error = headError(
      'ERR_SCGI_RESPONSE_TRUNCATED',
      `SCGI backend closed the connection after ${this.headBytes + this.partialBytes} bytes, ` +
        'before the end of the response head',
    );
    throw this.error;
  }

  private scan(buf: Buffer): { head: ResponseHead; rest: Buffer } | null {
    let start = 0;
    for (;;) {
      const lf = buf.indexOf(LF, start);
      const lineBytes = this.partialBytes + (lf === -1 ? buf.length : lf + 1) - start;
      // Checked before buffering so a backend that never ends its head cannot grow our memory.
      if (this.headBytes + lineBytes > this.maxHeadBytes) {
        throw headError(
          'ERR_SCGI_RESPONSE_HEAD_TOO_LARGE',
          `CGI response head is over the limit of ${this.maxHeadBytes} bytes (maxHeadBytes)`,
        );
      }
      if (lf === -1) {
        if (start < buf.length) {
          this.partial.push(start === 0 ? buf : buf.subarray(start));
          this.partialBytes += buf.length - start;
        }
        return null;
      }
      let end = lf;
      let line: Buffer = buf;
      let lineStart = start;
      if (this.partial.length > 0) {
        this.partial.push(buf.subarray(start, lf));
        line = Buffer.concat(this.partial);
        lineStart = 0;
        end = line.length;
        this.partial = [];
        this.partialBytes = 0;
      }
      if (end > lineStart && line[end - 1] === CR) end--;
      this.headBytes += lineBytes;
      start = lf + 1;
      if (end === lineStart) {
        this.complete = true;
        return { head: this.build(), rest: buf.subarray(start) };
      }
      this.parseLine(latin1(line, lineStart, end));
    }
  }

  private parseLine(line: string): void {
    if (this.lineCount++ === 0 && line.startsWith('HTTP/')) {
      const match = HTTP_STATUS_LINE.exec(line);
      if (match === null || INVALID_VALUE_CHAR.test(line)) {
        throw headError(
          'ERR_SCGI_BAD_STATUS',
          `CGI response status line ${quote(line)} is not "HTTP/1.x NNN reason"`,
        );
      }
      this.setStatus(parseStatusCode(match[1]!, line), match[2] ?? '', 'http', line);
      return;
    }
    const first = line.charCodeAt(0);
    if (first === SP || first === HTAB) {
      // RFC 9112 §5.2: obs-fold is obsolete; a recipient may reject it, and a gateway could not pass it on.
      throw headError('ERR_SCGI_BAD_RESPONSE_HEAD', `CGI response head has a folded line ${quote(line)}`);
    }
    const colon = line.indexOf(':');
    if (colon === -1)
      throw headError('ERR_SCGI_BAD_RESPONSE_HEAD', `CGI response head line ${quote(line)} has no ":"`);
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) {
      throw headError(
        'ERR_SCGI_BAD_RESPONSE_HEAD',
        `CGI response header name ${quote(name)} is empty or invalid`,
      );
    }
    const value = trimOws(line.slice(colon + 1));
    if (INVALID_VALUE_CHAR.test(value)) {
      throw headError(
        'ERR_SCGI_BAD_RESPONSE_HEAD',
        `CGI response header ${quote(name)} has a control character`,
      );
    }
    const lower = name.toLowerCase();
    if (lower === 'status') {
      const match = STATUS_VALUE.exec(value);
      if (match === null) {
        throw headError('ERR_SCGI_BAD_STATUS', `CGI response Status ${quote(value)} is not "NNN reason"`);
      }
      this.setStatus(parseStatusCode(match[1]!, value), match[2] ?? '', 'status', value);
      return;
    }
    if (lower === 'location') this.hasLocation = true;
    this.headers.push([name, value]);
  }

  private setStatus(status: number, text: string, source: 'status' | 'http', line: string): void {
    if (this.status !== undefined) {
      throw headError('ERR_SCGI_BAD_STATUS', `CGI response head has a second status ${quote(line)}`);
    }
    this.status = status;
    this.statusText = text;
    this.statusSource = source;
  }

  private build(): ResponseHead {
    if (this.status !== undefined) {
      return {
        status: this.status,
        statusText: this.statusText,
        headers: this.headers,
        statusSource: this.statusSource,
      };
    }
    // RFC 3875 §6.2.3/§6.3.3: a Location without Status is a redirect; nginx and lighttpd answer 302.
    if (this.hasLocation)
      return { status: STATUS_FOUND, statusText: '', headers: this.headers, statusSource: 'location' };
    return { status: STATUS_OK, statusText: '', headers: this.headers, statusSource: 'default' };
  }
}
