// RequestParser behaviour on literal wire bytes: whole, byte by byte, random splits; views, limits, states.

import { describe, expect, it } from 'vitest';
import { ScgiProtocolError } from './errors.js';
import type { RequestEvent } from './request-parser.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES, RequestParser } from './request-parser.js';
import {
  byteByByte,
  bytes,
  drain,
  headOf,
  netstring,
  parseChunks,
  randomSplit,
  scgiRequest,
  seededRandom,
  summarize,
  wrapBlock,
} from './test-support/wire.js';

// The example of the SCGI protocol text, byte for byte.
const SPEC_EXAMPLE = bytes(
  '70:CONTENT_LENGTH\x0027\x00SCGI\x001\x00REQUEST_METHOD\x00POST\x00REQUEST_URI\x00/deepthought\x00,' +
    'What is the answer to life?',
);
const SPEC_HEAD_BYTES = SPEC_EXAMPLE.length - 27;
const SPEC_PARSED = {
  env: { CONTENT_LENGTH: '27', SCGI: '1', REQUEST_METHOD: 'POST', REQUEST_URI: '/deepthought' },
  pairs: ['CONTENT_LENGTH', '27', 'SCGI', '1', 'REQUEST_METHOD', 'POST', 'REQUEST_URI', '/deepthought'],
  contentLength: 27,
  body: bytes('What is the answer to life?'),
};
const MINIMAL: Array<[string, string]> = [
  ['CONTENT_LENGTH', '0'],
  ['SCGI', '1'],
];

describe('RequestParser on the spec example', () => {
  it('parses it fed whole into headers, one body view, end', () => {
    const events = parseChunks([SPEC_EXAMPLE]);
    expect(events.map((event) => event.type)).toEqual(['headers', 'body', 'end']);
    expect(summarize(events)).toEqual(SPEC_PARSED);
  });

  it('gives the same request fed byte by byte', () => {
    expect(summarize(parseChunks(byteByByte(SPEC_EXAMPLE)))).toEqual(SPEC_PARSED);
  });

  it('gives the same request in 300 seeded random splits', () => {
    const random = seededRandom(0x5c61);
    for (let run = 0; run < 300; run++) {
      const pieces = randomSplit(SPEC_EXAMPLE, random, 12);
      expect(summarize(parseChunks(pieces)), `run ${run}`).toEqual(SPEC_PARSED);
    }
  });

  it('makes each env with the envPrototype it is given, keys still its own (default: no prototype)', () => {
    const proto = Object.create(null, { shared: { get: () => 'from the prototype' } });
    const parser = new RequestParser({ envPrototype: proto });
    parser.receive(SPEC_EXAMPLE);
    const head = parser.nextEvent();
    if (head?.type !== 'headers') throw new Error('no headers');
    expect(Object.getPrototypeOf(head.env)).toBe(proto);
    expect(Object.keys(head.env)).toEqual(['CONTENT_LENGTH', 'SCGI', 'REQUEST_METHOD', 'REQUEST_URI']);
    expect((head.env as Record<string, unknown>).shared).toBe('from the prototype');
    const plain = new RequestParser();
    plain.receive(SPEC_EXAMPLE);
    const plainHead = plain.nextEvent();
    expect(plainHead?.type === 'headers' && Object.getPrototypeOf(plainHead.env)).toBeNull();
  });

  it('parses on from its own copy after ownQueuedBytes(), whatever becomes of the buffers it was given', () => {
    const random = seededRandom(0x0c0b);
    for (let run = 0; run < 100; run++) {
      const parser = new RequestParser();
      const events: RequestEvent[] = [];
      for (const piece of randomSplit(SPEC_EXAMPLE, random, 12)) {
        const reused = Buffer.from(piece); // a read buffer the caller reuses after each call
        parser.receive(reused);
        for (let event = parser.nextEvent(); event !== null; event = parser.nextEvent()) {
          events.push(event.type === 'body' ? { type: 'body', chunk: Buffer.from(event.chunk) } : event);
        }
        parser.ownQueuedBytes();
        reused.fill(0x21);
      }
      expect(summarize(events), `run ${run}`).toEqual(SPEC_PARSED);
    }
  });

  it('moves through length, headers, comma, body, done', () => {
    const parser = new RequestParser();
    const states: string[] = [parser.state];
    // '7' | '0:CONTEN' | the rest of the block | ',What' | the rest of the body
    for (const [start, end] of [
      [0, 1],
      [1, 9],
      [9, 73],
      [73, 78],
    ] as const) {
      parser.receive(SPEC_EXAMPLE.subarray(start, end));
      drain(parser);
      states.push(parser.state);
    }
    parser.receive(SPEC_EXAMPLE.subarray(78));
    drain(parser);
    states.push(parser.state);
    expect(states).toEqual(['length', 'length', 'headers', 'comma', 'body', 'done']);
  });
});

describe('RequestParser body', () => {
  it('returns headers then end for CONTENT_LENGTH 0', () => {
    const events = parseChunks([scgiRequest(MINIMAL)]);
    expect(events.map((event) => event.type)).toEqual(['headers', 'end']);
    expect(headOf(events).contentLength).toBe(0);
  });

  it('yields body chunks that are views of the received buffers, not copies', () => {
    const parser = new RequestParser();
    parser.receive(SPEC_EXAMPLE);
    const events = drain(parser);
    const body = events[1];
    expect(body?.type).toBe('body');
    if (body?.type !== 'body') return;
    expect(body.chunk.buffer).toBe(SPEC_EXAMPLE.buffer);
    expect(body.chunk.byteOffset).toBe(SPEC_EXAMPLE.byteOffset + SPEC_HEAD_BYTES);
    // A plain Uint8Array (not a Buffer) is wrapped, still without a copy.
    const plain = new Uint8Array(SPEC_EXAMPLE);
    const other = new RequestParser();
    other.receive(plain);
    const chunk = drain(other).find((event) => event.type === 'body');
    expect(chunk?.type === 'body' && chunk.chunk.buffer).toBe(plain.buffer);
  });

  it('streams the body as it arrives instead of holding it until the end', () => {
    const body = Buffer.alloc(300_000, 0x61);
    const parser = new RequestParser();
    parser.receive(netstring([['CONTENT_LENGTH', String(body.length)], ...MINIMAL.slice(1)]));
    expect(drain(parser).map((event) => event.type)).toEqual(['headers']);
    for (let offset = 0; offset < body.length; offset += 65_536) {
      const piece = body.subarray(offset, offset + 65_536);
      parser.receive(piece);
      const events = drain(parser);
      const last = offset + piece.length === body.length;
      expect(events.map((event) => event.type)).toEqual(last ? ['body', 'end'] : ['body']);
      // The very buffer that came in: nothing was copied or held back.
      expect((events[0] as { chunk: Buffer }).chunk).toBe(piece);
    }
  });

  it('stops the body at CONTENT_LENGTH when more bytes come in the same chunk', () => {
    const parser = new RequestParser();
    parser.receive(Buffer.concat([SPEC_EXAMPLE, bytes('XYZ')]));
    const events = [parser.nextEvent(), parser.nextEvent(), parser.nextEvent()];
    expect(summarize(events as RequestEvent[])).toEqual(SPEC_PARSED);
  });
});

describe('RequestParser head', () => {
  it('decodes names and values as latin1, one char per byte, like node:http', () => {
    const block = Buffer.concat([
      bytes('CONTENT_LENGTH\x000\x00SCGI\x001\x00HTTP_X_LATIN1\x00'),
      Buffer.of(0xe9, 0x80, 0xff, 0),
      bytes('HTTP_X_UTF8\x00'),
      Buffer.from('é€', 'utf8'),
      Buffer.of(0),
    ]);
    const { env } = headOf(parseChunks([wrapBlock(block)]));
    expect(env.HTTP_X_LATIN1).toBe('\xe9\x80\xff');
    // The UTF-8 bytes of 'é€', one char each. (The WHATWG TextDecoder('latin1') is windows-1252 and
    // would give '€' for 0x80; Node 20's fast path happens not to, which is why the parser avoids it.)
    expect(env.HTTP_X_UTF8).toBe('\xc3\xa9\xe2\x82\xac');
  });

  it('accepts repeated HTTP_* keys: pairs keep them, env joins Cookie with "; " and others with ", "', () => {
    const pairs: Array<[string, string]> = [
      ['CONTENT_LENGTH', '0'],
      ['HTTP_COOKIE', 'a=1'],
      ['HTTP_X_DUP', 'one'],
      ['HTTP_COOKIE', 'b=2'],
      ['HTTP_X_DUP', 'two'],
      ['HTTP_X_DUP', 'three'],
      ['SCGI', '1'],
    ];
    const head = headOf(parseChunks([scgiRequest(pairs)]));
    expect(head.pairs).toEqual(pairs.flat());
    expect(head.env.HTTP_COOKIE).toBe('a=1; b=2');
    expect(head.env.HTTP_X_DUP).toBe('one, two, three');
  });

  it('returns a null-prototype env, so a variable named __proto__ is just a key', () => {
    const head = headOf(parseChunks([scgiRequest([...MINIMAL, ['__proto__', 'x'], ['toString', 'y']])]));
    expect(Object.getPrototypeOf(head.env)).toBeNull();
    expect(Object.keys(head.env)).toEqual(['CONTENT_LENGTH', 'SCGI', '__proto__', 'toString']);
    expect(head.env.toString).toBe('y');
  });

  it('accepts SCGI anywhere and CONTENT_LENGTH with leading zeros, and empty values', () => {
    const head = headOf(
      parseChunks([
        scgiRequest(
          [
            ['CONTENT_LENGTH', '0003'],
            ['EMPTY', ''],
            ['SCGI', '1'],
          ],
          bytes('abc'),
        ),
      ]),
    );
    expect(head.contentLength).toBe(3);
    expect(head.env.EMPTY).toBe('');
  });
});

describe('RequestParser EOF and accounting', () => {
  it('lets finish() come before the events are drained', () => {
    const parser = new RequestParser();
    parser.receive(SPEC_EXAMPLE);
    expect(() => parser.finish()).not.toThrow();
    expect(summarize(drain(parser))).toEqual(SPEC_PARSED);
  });

  it('counts bytesReceived over every phase, bytes after the body included', () => {
    const parser = new RequestParser();
    expect(parser.bytesReceived).toBe(0);
    parser.receive(SPEC_EXAMPLE.subarray(0, 10));
    parser.receive(SPEC_EXAMPLE.subarray(10));
    drain(parser);
    parser.receive(bytes('!!'));
    expect(parser.bytesReceived).toBe(SPEC_EXAMPLE.length + 2);
  });

  it('refuses receive() after finish() as a caller bug', () => {
    const parser = new RequestParser();
    parser.receive(scgiRequest(MINIMAL));
    parser.finish();
    expect(() => parser.receive(bytes('x'))).toThrow(/after finish/);
  });

  it('keeps its error sticky: later calls throw the same instance and new bytes are ignored', () => {
    const parser = new RequestParser();
    parser.receive(bytes('x'));
    let first: unknown;
    try {
      parser.nextEvent();
    } catch (error) {
      first = error;
    }
    expect(first).toBeInstanceOf(ScgiProtocolError);
    expect(parser.state).toBe('error');
    parser.receive(scgiRequest(MINIMAL));
    expect(() => parser.nextEvent()).toThrow(first as Error);
    expect(getThrown(() => parser.nextEvent())).toBe(first);
    expect(getThrown(() => parser.finish())).toBe(first);
  });
});

describe('RequestParser limits', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_MAX_HEADER_BYTES).toBe(65_536);
    expect(DEFAULT_MAX_BODY_BYTES).toBe(1_073_741_824);
  });

  it('takes maxHeaderBytes: a block of exactly the limit passes, one byte less fails at the digits', () => {
    const wire = scgiRequest(MINIMAL);
    const blockBytes = wire.indexOf(0x2c) - wire.indexOf(0x3a) - 1;
    expect(headOf(parseChunks([wire], { maxHeaderBytes: blockBytes })).contentLength).toBe(0);
    const parser = new RequestParser({ maxHeaderBytes: blockBytes - 1 });
    parser.receive(wire.subarray(0, wire.indexOf(0x3a))); // only the digits, no ':'
    expect(getThrown(() => parser.nextEvent())).toMatchObject({ code: 'ERR_SCGI_HEADER_TOO_LARGE' });
  });

  it('takes maxBodyBytes: CONTENT_LENGTH at the limit passes, above it fails', () => {
    const request = (length: number) =>
      scgiRequest([
        ['CONTENT_LENGTH', String(length)],
        ['SCGI', '1'],
      ]);
    expect(summarize(parseChunks([request(5), bytes('12345')], { maxBodyBytes: 5 })).body).toEqual(
      bytes('12345'),
    );
    expect(getThrown(() => parseChunks([request(6)], { maxBodyBytes: 5 }))).toMatchObject({
      code: 'ERR_SCGI_BODY_TOO_LARGE',
      status: 413,
    });
  });

  it('rejects limits that are not non-negative safe integers', () => {
    expect(() => new RequestParser({ maxHeaderBytes: -1 })).toThrow(RangeError);
    expect(() => new RequestParser({ maxBodyBytes: 1.5 })).toThrow(RangeError);
    expect(() => new RequestParser({ maxBodyBytes: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });
});

function getThrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
