// ResponseHeadParser: each status form, LF-only, split feeding, rest bytes, each error code, fuzzing.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScgiErrorCode } from './errors.js';
import { ERROR_STATUS, ScgiError, ScgiProtocolError } from './errors.js';
import type { ResponseHead } from './response-head-parser.js';
import { DEFAULT_MAX_RESPONSE_HEAD_BYTES, ResponseHeadParser } from './response-head-parser.js';
import { byteByByte, bytes, cutAt, randomSplit, seededRandom } from './test-support/wire.js';

const RESPONSE_CODES: readonly ScgiErrorCode[] = [
  'ERR_SCGI_BAD_STATUS',
  'ERR_SCGI_BAD_RESPONSE_HEAD',
  'ERR_SCGI_RESPONSE_HEAD_TOO_LARGE',
  'ERR_SCGI_RESPONSE_TRUNCATED',
];

/** Feeds `chunks` until a head comes; returns it with all the body bytes seen (rest + later chunks). */
function parse(chunks: readonly Uint8Array[], maxHeadBytes?: number): { head: ResponseHead; body: Buffer } {
  const parser = new ResponseHeadParser({ maxHeadBytes });
  for (let i = 0; i < chunks.length; i++) {
    const result = parser.receive(chunks[i]!);
    if (result !== null)
      return { head: result.head, body: Buffer.concat([result.rest, ...chunks.slice(i + 1)]) };
  }
  parser.finish();
  throw new Error('finish() did not throw without a head');
}

const headOf = (text: string) => parse([bytes(text)]).head;

/** The ScgiError that feeding `text` (then EOF) raises, checked to be a backend error, not a peer one. */
function errorOf(text: string | Buffer, maxHeadBytes?: number): ScgiError {
  try {
    parse([typeof text === 'string' ? bytes(text) : text], maxHeadBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ScgiError);
    expect(error).not.toBeInstanceOf(ScgiProtocolError);
    const { code, status } = error as ScgiError;
    expect(status).toBe(ERROR_STATUS[code]);
    return error as ScgiError;
  }
  throw new Error(`no error for ${JSON.stringify(String(text))}`);
}

describe('ResponseHeadParser status forms', () => {
  it('reads "Status: 404 Not Found" and leaves Status out of the headers', () => {
    expect(headOf('Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\n')).toEqual({
      status: 404,
      statusText: 'Not Found',
      headers: [['Content-Type', 'text/plain']],
      statusSource: 'status',
    });
  });

  it('reads "Status: 404" with no reason as statusText ""', () => {
    expect(headOf('Status: 404\r\n\r\n')).toMatchObject({
      status: 404,
      statusText: '',
      statusSource: 'status',
    });
  });

  it('reads the Status name in any case, anywhere in the head', () => {
    expect(headOf('X-A: 1\r\nsTaTuS: 201 Created\r\n\r\n')).toEqual({
      status: 201,
      statusText: 'Created',
      headers: [['X-A', '1']],
      statusSource: 'status',
    });
  });

  it('reads an HTTP/1.1 or HTTP/1.0 first line', () => {
    expect(headOf('HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n')).toEqual({
      status: 200,
      statusText: 'OK',
      headers: [['X-A', '1']],
      statusSource: 'http',
    });
    expect(headOf('HTTP/1.0 503 Service Unavailable\n\n')).toMatchObject({
      status: 503,
      statusText: 'Service Unavailable',
    });
    expect(headOf('HTTP/1.1 204\r\n\r\n')).toMatchObject({ status: 204, statusText: '' });
  });

  it('implies 302 for a Location without Status, 200 for neither', () => {
    expect(headOf('Location: /x\r\n\r\n')).toEqual({
      status: 302,
      statusText: '',
      headers: [['Location', '/x']],
      statusSource: 'location',
    });
    expect(headOf('Content-Type: text/plain\r\n\r\n')).toMatchObject({
      status: 200,
      statusSource: 'default',
    });
    expect(headOf('\r\n')).toEqual({ status: 200, statusText: '', headers: [], statusSource: 'default' });
    // An explicit Status wins over the Location rule.
    expect(headOf('Location: /x\r\nStatus: 301 Moved\r\n\r\n')).toMatchObject({
      status: 301,
      statusSource: 'status',
    });
  });
});

describe('ResponseHeadParser header lines', () => {
  it('keeps order, names as sent, repeats; trims only SP/HTAB around values', () => {
    const head = headOf(
      'Status: 200 OK\r\nset-cookie: a=1\r\nSet-Cookie:b=2\r\nX-Pad: \t padded \t\r\nX-Empty:\r\nX-Nbsp: \xa0x\xa0\r\n\r\n',
    );
    expect(head.headers).toEqual([
      ['set-cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
      ['X-Pad', 'padded'],
      ['X-Empty', ''],
      ['X-Nbsp', '\xa0x\xa0'],
    ]);
  });

  it('accepts bare LF line endings, and a mix of LF and CRLF', () => {
    const lf = headOf('Status: 404 Not Found\nContent-Type: text/plain\n\n');
    expect(lf).toEqual(headOf('Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\n'));
    expect(headOf('Status: 404 Not Found\r\nContent-Type: text/plain\n\r\n')).toEqual(lf);
  });

  it('decodes obs-text in values as latin1', () => {
    expect(parse([Buffer.from('X-A: caf\xe9\r\n\r\n', 'latin1')]).head.headers).toEqual([['X-A', 'caf\xe9']]);
  });
});

describe('ResponseHeadParser feeding', () => {
  const RESPONSE = bytes('Status: 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\n\r\nhello, body');
  const EXPECTED = {
    head: {
      status: 200,
      statusText: 'OK',
      headers: [
        ['Content-Type', 'text/plain'],
        ['Set-Cookie', 'a=1'],
      ],
      statusSource: 'status',
    },
    body: bytes('hello, body'),
  };

  it('gives the same head and body bytes fed whole, byte by byte, and in seeded random splits', () => {
    expect(parse([RESPONSE])).toEqual(EXPECTED);
    expect(parse(byteByByte(RESPONSE))).toEqual(EXPECTED);
    const random = seededRandom(0xc61);
    for (let run = 0; run < 200; run++)
      expect(parse(randomSplit(RESPONSE, random, 10)), `run ${run}`).toEqual(EXPECTED);
  });

  it('returns as rest a view of the body bytes of the chunk that ended the head, or an empty buffer', () => {
    const parser = new ResponseHeadParser();
    const result = parser.receive(RESPONSE);
    expect(result?.rest.buffer).toBe(RESPONSE.buffer);
    expect(result?.rest.byteOffset).toBe(RESPONSE.byteOffset + RESPONSE.length - 11);
    const headOnly = RESPONSE.subarray(0, RESPONSE.length - 11);
    expect(new ResponseHeadParser().receive(headOnly)?.rest.length).toBe(0);
    // A CR and its LF in different chunks.
    const crlf = headOnly.length - 1;
    expect(parse(cutAt(RESPONSE, [crlf, crlf - 2]))).toEqual(EXPECTED);
  });

  it('refuses receive() after the head was returned; finish() after it is fine', () => {
    const parser = new ResponseHeadParser();
    parser.receive(RESPONSE);
    expect(() => parser.receive(bytes('more'))).toThrow(/after the head/);
    expect(() => parser.finish()).not.toThrow();
  });
});

describe('ResponseHeadParser errors, one test per code', () => {
  it('ERR_SCGI_BAD_STATUS', () => {
    const bad = [
      ...['Status: 20', 'Status: abc', 'Status: 099 Low', 'Status: 1000', 'Status: 200OK', 'Status:'],
      ...['HTTP/1.1 2000 OK', 'HTTP/2 200', 'HTTP/1.1  200 OK', 'HTTP/1.1 099 x'],
      ...['Status: 200 OK\r\nStatus: 404 Not Found', 'HTTP/1.1 200 OK\r\nStatus: 200 OK'],
    ];
    for (const head of bad) expect(errorOf(`${head}\r\n\r\n`).code, head).toBe('ERR_SCGI_BAD_STATUS');
  });

  it('ERR_SCGI_BAD_RESPONSE_HEAD', () => {
    const bad = [
      ...['no colon here', ': empty name', 'Bad Name: x', 'Bad\tName: x', 'Naïve: x', 'Bad@: x'],
      ...['X-A: 1\r\n continued', 'X-A: 1\r\n\tcontinued', 'X-A: a\x00b', 'X-A: a\rb', 'X-A: a\x7fb'],
      ...['X-A: 1\r\nHTTP/1.1 200 OK', '\r'],
    ];
    for (const head of bad) expect(errorOf(`${head}\r\n\r\n`).code, head).toBe('ERR_SCGI_BAD_RESPONSE_HEAD');
    // The message names the actual fault for an operator: a fold, not a bad name.
    expect(errorOf('X-A: 1\r\n folded: x\r\n\r\n').message).toMatch(/folded line/);
  });

  it('ERR_SCGI_RESPONSE_HEAD_TOO_LARGE', () => {
    const head = 'Status: 200 OK\r\nX-A: 1\r\n\r\n';
    expect(parse([bytes(head)], head.length).head.status).toBe(200);
    expect(errorOf(head, head.length - 1).code).toBe('ERR_SCGI_RESPONSE_HEAD_TOO_LARGE');
    // Without any line end, as soon as the limit is passed (default 64 KiB), not at EOF.
    const parser = new ResponseHeadParser();
    expect(parser.receive(Buffer.alloc(DEFAULT_MAX_RESPONSE_HEAD_BYTES, 0x61))).toBeNull();
    expect(() => parser.receive(bytes('a'))).toThrow(
      expect.objectContaining({ code: 'ERR_SCGI_RESPONSE_HEAD_TOO_LARGE' }),
    );
  });

  it('ERR_SCGI_RESPONSE_TRUNCATED', () => {
    for (const partial of ['', 'Status: 200 OK', 'Status: 200 OK\r\n', 'Status: 200 OK\r\nX-A: 1\r']) {
      const error = errorOf(partial);
      expect(error.code, partial).toBe('ERR_SCGI_RESPONSE_TRUNCATED');
      expect(error.message).toContain(`after ${partial.length} bytes`);
    }
  });

  it('has exactly one test above per code, and keeps its error sticky', ({ task }) => {
    const names = (task.suite?.tasks ?? [])
      .map((test) => test.name)
      .filter((name) => name.startsWith('ERR_'));
    expect(names.sort()).toEqual([...RESPONSE_CODES].sort());
    const parser = new ResponseHeadParser();
    const first = (() => {
      try {
        parser.receive(bytes('oops\n'));
      } catch (error) {
        return error;
      }
    })();
    expect(() => parser.receive(bytes('\n'))).toThrow(first as Error);
    expect(() => parser.finish()).toThrow(first as Error);
  });
});

describe('ResponseHeadParser properties', () => {
  const line = fc.oneof(
    fc.constantFrom('Status: 200 OK', 'Status: 404', 'HTTP/1.1 302 Found', 'Location: /x', 'X-A:  b ', ''),
    fc.string({ unit: fc.constantFrom('S', 't', 'a', ':', ' ', '1', '0', '\r', '\t', 'H', '/', '\x00') }),
  );
  const cgiLike = fc
    .array(fc.tuple(line, fc.constantFrom('\r\n', '\n')), { maxLength: 6 })
    .map((lines) => bytes(lines.map(([text, end]) => text + end).join('')));
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 120 }).map((array) => Buffer.from(array)),
    cgiLike,
  );

  it('gives a head or an ScgiError for any bytes, the same however they are split', () => {
    fc.assert(
      fc.property(input, fc.array(fc.nat({ max: 200 }), { maxLength: 12 }), (wire, offsets) => {
        const outcome = (chunks: readonly Uint8Array[]) => {
          try {
            return parse(chunks, 96);
          } catch (error) {
            if (!(error instanceof ScgiError)) throw error;
            expect(RESPONSE_CODES).toContain(error.code);
            return { code: error.code };
          }
        };
        const whole = outcome([wire]);
        if ('head' in whole) {
          expect(whole.head.status).toBeGreaterThanOrEqual(100);
          expect(whole.head.status).toBeLessThanOrEqual(999);
        }
        expect(outcome(cutAt(wire, offsets))).toEqual(whole);
      }),
      { numRuns: 2000 },
    );
  });
});
