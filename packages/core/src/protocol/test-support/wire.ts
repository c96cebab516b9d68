// Test helpers for the protocol core: hand-built wire bytes, seeded splits, draining a RequestParser.

import type { RequestEvent, RequestHeadersEvent, RequestParserOptions } from '../request-parser.js';
import { RequestParser } from '../request-parser.js';

/** Latin1 bytes of `text` (the tests spell wire bytes as strings with \x00). */
export function bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/**
 * The header netstring built by hand from ordered pairs, exactly as a front server writes it: no encoder
 * involved, repeats kept, nothing added or reordered.
 */
export function netstring(pairs: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of pairs) parts.push(bytes(name), Buffer.of(0), bytes(value), Buffer.of(0));
  const block = Buffer.concat(parts);
  return Buffer.concat([bytes(`${block.length}:`), block, bytes(',')]);
}

/** A raw header block (any bytes) framed as a netstring: `<len>:<block>,`. */
export function wrapBlock(block: Uint8Array): Buffer {
  return Buffer.concat([bytes(`${block.length}:`), block, bytes(',')]);
}

/** A whole SCGI request: the netstring of `pairs`, then `body`. */
export function scgiRequest(
  pairs: ReadonlyArray<readonly [string, string]>,
  body: Uint8Array = Buffer.alloc(0),
) {
  return Buffer.concat([netstring(pairs), body]);
}

/** Seeded PRNG (mulberry32), so every random split in a test is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `buf` cut at up to `maxCuts` random places (views, no copies); pieces are never empty. */
export function randomSplit(buf: Buffer, random: () => number, maxCuts = 40): Buffer[] {
  const cuts = new Set<number>();
  const count = Math.floor(random() * (maxCuts + 1));
  for (let i = 0; i < count && buf.length > 1; i++) cuts.add(1 + Math.floor(random() * (buf.length - 1)));
  return cutAt(buf, [...cuts]);
}

/** `buf` cut at the given offsets (any order, duplicates and out-of-range offsets ignored). */
export function cutAt(buf: Buffer, offsets: readonly number[]): Buffer[] {
  const sorted = [...new Set(offsets.filter((at) => at > 0 && at < buf.length))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const at of sorted) {
    pieces.push(buf.subarray(start, at));
    start = at;
  }
  if (start < buf.length || buf.length === 0) pieces.push(buf.subarray(start));
  return pieces;
}

/** One-byte pieces. */
export function byteByByte(buf: Buffer): Buffer[] {
  return Array.from({ length: buf.length }, (_, i) => buf.subarray(i, i + 1));
}

// More events than this from one drain means the parser loops without consuming anything.
const MAX_EVENTS_PER_DRAIN = 100_000;

/** Calls nextEvent() until it returns null; fails the test if it never does. */
export function drain(parser: RequestParser, into: RequestEvent[] = []): RequestEvent[] {
  for (let i = 0; i < MAX_EVENTS_PER_DRAIN; i++) {
    const event = parser.nextEvent();
    if (event === null) return into;
    into.push(event);
  }
  throw new Error('RequestParser.nextEvent() never returned null');
}

/** Feeds `chunks` one by one (draining after each), then EOF, and returns every event in order. */
export function parseChunks(chunks: readonly Uint8Array[], options?: RequestParserOptions): RequestEvent[] {
  const parser = new RequestParser(options);
  const events: RequestEvent[] = [];
  for (const chunk of chunks) {
    parser.receive(chunk);
    drain(parser, events);
  }
  parser.finish();
  return drain(parser, events);
}

/** A parsed request in comparable form: the head as plain data, the body joined. */
export interface ParsedRequest {
  env: Record<string, string>;
  pairs: string[];
  contentLength: number;
  body: Buffer;
}

/**
 * Checks the event sequence is `headers`, `body`*, `end` (bodies non-empty, adding up to contentLength)
 * and returns it in comparable form.
 */
export function summarize(events: readonly RequestEvent[]): ParsedRequest {
  const [first, ...rest] = events;
  if (first?.type !== 'headers') throw new Error(`first event is ${first?.type ?? 'missing'}, not headers`);
  const last = rest.pop();
  if (last?.type !== 'end') throw new Error(`last event is ${last?.type ?? 'missing'}, not end`);
  const bodies: Buffer[] = [];
  for (const event of rest) {
    if (event.type !== 'body' || event.chunk.length === 0) throw new Error(`unexpected ${event.type} event`);
    bodies.push(event.chunk);
  }
  const body = Buffer.concat(bodies);
  if (body.length !== first.contentLength) throw new Error(`body has ${body.length} bytes`);
  return { env: { ...first.env }, pairs: first.pairs, contentLength: first.contentLength, body };
}

/** Joins repeated HTTP_* values the way the parser documents it (for expected values). */
export function expectedEnv(pairs: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const env = Object.create(null) as Record<string, string>;
  for (const [name, value] of pairs) {
    const previous = env[name];
    env[name] = previous === undefined ? value : previous + (name === 'HTTP_COOKIE' ? '; ' : ', ') + value;
  }
  return { ...env };
}

/** The headers event of a finished parse (for tests that only look at the head). */
export function headOf(events: readonly RequestEvent[]): RequestHeadersEvent {
  const head = events.find((event) => event.type === 'headers');
  if (head?.type !== 'headers') throw new Error('no headers event');
  return head;
}
