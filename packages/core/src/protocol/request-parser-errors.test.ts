// One test per error code the RequestParser raises, each on literal wire bytes.

import { describe, expect, it } from 'vitest';
import type { ScgiErrorCode } from './errors.js';
import { ERROR_STATUS, ScgiProtocolError } from './errors.js';
import type { RequestEvent } from './request-parser.js';
import { RequestParser } from './request-parser.js';
import { PARSER_ERROR_CODES } from './test-support/parser-codes.js';
import { byteByByte, bytes, drain, scgiRequest, wrapBlock } from './test-support/wire.js';

interface Outcome {
  events: RequestEvent[];
  error: ScgiProtocolError;
  /** Where it was thrown: the index of the chunk being drained, or 'finish'. */
  at: number | 'finish';
}

/** Feeds `chunks`, draining after each, then finish() unless told not to; returns the first error. */
function failWith(chunks: readonly Uint8Array[] | Uint8Array, options: { finish?: boolean } = {}): Outcome {
  const parser = new RequestParser();
  const events: RequestEvent[] = [];
  const list = chunks instanceof Uint8Array ? [chunks] : chunks;
  let at: number | 'finish' = 0;
  try {
    for (; at < list.length; at++) {
      parser.receive(list[at]!);
      drain(parser, events);
    }
    if (options.finish !== false) {
      at = 'finish';
      parser.finish();
      drain(parser, events);
    }
  } catch (error) {
    if (!(error instanceof ScgiProtocolError)) throw error;
    return { events, error, at };
  }
  throw new Error(`no error; events: ${events.map((event) => event.type).join(', ')}`);
}

/** Asserts `wire` fails with `code`, carrying the code's status and an operator-readable message. */
function expectCode(
  code: ScgiErrorCode,
  wire: readonly Uint8Array[] | Uint8Array,
  finish?: boolean,
): Outcome {
  const outcome = failWith(wire, { finish });
  expect(outcome.error.code, `input ${JSON.stringify(Buffer.concat([wire].flat()).toString('latin1'))}`).toBe(
    code,
  );
  expect(outcome.error.status).toBe(ERROR_STATUS[code]);
  expect(outcome.error.message).toMatch(/^SCGI .{10,}/);
  return outcome;
}

/** A netstring of raw block text (NULs written as \x00), framed as-is. */
const block = (text: string) => wrapBlock(bytes(text));
const HEAD = 'CONTENT_LENGTH\x000\x00SCGI\x001\x00';

describe('RequestParser errors, one test per code', () => {
  it('ERR_SCGI_BAD_NETSTRING_LENGTH', () => {
    for (const wire of ['x:', ':,', '01:', '00:', '1a:', '-1:', ' 70:', '7 0:', '+5:']) {
      expectCode('ERR_SCGI_BAD_NETSTRING_LENGTH', bytes(wire), false);
    }
    const http = expectCode('ERR_SCGI_BAD_NETSTRING_LENGTH', bytes('GET / HTTP/1.1\r\n'), false);
    expect(http.error.message).toMatch(/HTTP request/);
  });

  it('ERR_SCGI_HEADER_TOO_LARGE', () => {
    // Thrown at the digits, without waiting for the ':' (default limit 65536).
    expectCode('ERR_SCGI_HEADER_TOO_LARGE', bytes('65537'), false);
    expect(failWith(bytes('65536')).error.code).toBe('ERR_SCGI_HEADER_TRUNCATED'); // at the limit: fine
    const outcome = expectCode(
      'ERR_SCGI_HEADER_TOO_LARGE',
      byteByByte(bytes('99999999999999999999:')),
      false,
    );
    expect(outcome.at).toBe(4); // the fifth digit: 99999 > 65536
  });

  it('ERR_SCGI_BAD_HEADER_BLOCK', () => {
    expectCode('ERR_SCGI_BAD_HEADER_BLOCK', block('CONTENT_LENGTH\x000\x00SCGI\x001')); // no final NUL
    expectCode('ERR_SCGI_BAD_HEADER_BLOCK', block(`${HEAD}REQUEST_METHOD\x00`)); // a name without value
    expectCode('ERR_SCGI_BAD_HEADER_BLOCK', block('CONTENT_LENGTH'));
  });

  it('ERR_SCGI_EMPTY_VARIABLE_NAME', () => {
    expectCode('ERR_SCGI_EMPTY_VARIABLE_NAME', block(`${HEAD}\x00value\x00`));
    expectCode('ERR_SCGI_EMPTY_VARIABLE_NAME', block('\x00\x00'));
  });

  it('ERR_SCGI_FIRST_NOT_CONTENT_LENGTH', () => {
    expectCode('ERR_SCGI_FIRST_NOT_CONTENT_LENGTH', block('SCGI\x001\x00CONTENT_LENGTH\x000\x00'));
    expectCode('ERR_SCGI_FIRST_NOT_CONTENT_LENGTH', block('content_length\x000\x00SCGI\x001\x00'));
    expectCode('ERR_SCGI_FIRST_NOT_CONTENT_LENGTH', bytes('0:,')); // the empty netstring
  });

  it('ERR_SCGI_BAD_CONTENT_LENGTH', () => {
    const values = [
      '',
      '-1',
      '+1',
      '1.5',
      ' 1',
      '1 ',
      '1e3',
      '0x10',
      '1/',
      ':',
      '١',
      '9007199254740992',
      '1'.repeat(30),
    ];
    for (const value of values) {
      expectCode(
        'ERR_SCGI_BAD_CONTENT_LENGTH',
        scgiRequest([
          ['CONTENT_LENGTH', value],
          ['SCGI', '1'],
        ]),
      );
    }
    // The largest safe integer is still a valid number (then too large for the default body limit).
    const max = failWith(
      scgiRequest([
        ['CONTENT_LENGTH', String(Number.MAX_SAFE_INTEGER)],
        ['SCGI', '1'],
      ]),
    );
    expect(max.error.code).toBe('ERR_SCGI_BODY_TOO_LARGE');
  });

  it('ERR_SCGI_MISSING_SCGI', () => {
    expectCode(
      'ERR_SCGI_MISSING_SCGI',
      scgiRequest([
        ['CONTENT_LENGTH', '0'],
        ['REQUEST_METHOD', 'GET'],
      ]),
    );
    expectCode(
      'ERR_SCGI_MISSING_SCGI',
      scgiRequest([
        ['CONTENT_LENGTH', '0'],
        ['HTTP_SCGI', '1'],
      ]),
    );
  });

  it('ERR_SCGI_BAD_SCGI_VERSION', () => {
    for (const version of ['2', '', ' 1', '1.0', '01']) {
      expectCode(
        'ERR_SCGI_BAD_SCGI_VERSION',
        scgiRequest([
          ['CONTENT_LENGTH', '0'],
          ['SCGI', version],
        ]),
      );
    }
  });

  it('ERR_SCGI_DUPLICATE_VARIABLE', () => {
    for (const name of ['CONTENT_LENGTH', 'SCGI', 'REQUEST_METHOD', 'REQUEST_URI', 'CONTENT_TYPE']) {
      const pairs: Array<[string, string]> = [
        ['CONTENT_LENGTH', '0'],
        ['SCGI', '1'],
        [name, '1'],
        [name, '1'],
      ];
      const outcome = expectCode(
        'ERR_SCGI_DUPLICATE_VARIABLE',
        scgiRequest(name === 'SCGI' ? pairs.slice(0, 3) : pairs),
      );
      expect(outcome.error.message).toContain(name);
    }
  });

  it('ERR_SCGI_MISSING_COMMA', () => {
    const wire = scgiRequest(
      [
        ['CONTENT_LENGTH', '1'],
        ['SCGI', '1'],
      ],
      bytes('x'),
    );
    const noComma = Buffer.concat([wire.subarray(0, wire.indexOf(0x2c)), bytes('x')]);
    expectCode('ERR_SCGI_MISSING_COMMA', noComma);
    expectCode('ERR_SCGI_MISSING_COMMA', Buffer.concat([noComma.subarray(0, -1), bytes(';x')]));
    // Detected from the byte after the block, even when it arrives alone.
    expect(failWith([noComma.subarray(0, -1), bytes(';')], { finish: false }).at).toBe(1);
  });

  it('ERR_SCGI_BODY_TOO_LARGE', () => {
    const outcome = expectCode('ERR_SCGI_BODY_TOO_LARGE', [
      scgiRequest([
        ['CONTENT_LENGTH', String(1024 ** 3 + 1)],
        ['SCGI', '1'],
      ]),
    ]);
    // Thrown where the headers event would have been: no event came before it.
    expect(outcome.events).toEqual([]);
    expect(outcome.at).toBe(0);
    expect(outcome.error.status).toBe(413);
  });

  it('ERR_SCGI_HEADER_TRUNCATED', () => {
    const wire = scgiRequest([
      ['CONTENT_LENGTH', '0'],
      ['SCGI', '1'],
    ]);
    const comma = wire.indexOf(0x2c);
    // Nothing at all (the caller sees bytesReceived 0 and closes silently), inside the length, inside
    // the block, before the comma.
    for (const cut of [0, 1, 3, comma - 1, comma]) {
      const outcome = expectCode('ERR_SCGI_HEADER_TRUNCATED', wire.subarray(0, cut));
      expect(outcome.at).toBe('finish');
    }
    const silent = new RequestParser();
    expect(() => silent.finish()).toThrow(expect.objectContaining({ code: 'ERR_SCGI_HEADER_TRUNCATED' }));
    expect(silent.bytesReceived).toBe(0);
  });

  it('ERR_SCGI_BODY_TRUNCATED', () => {
    const wire = scgiRequest(
      [
        ['CONTENT_LENGTH', '10'],
        ['SCGI', '1'],
      ],
      bytes('0123456789'),
    );
    const outcome = expectCode('ERR_SCGI_BODY_TRUNCATED', byteByByte(wire.subarray(0, -4)));
    expect(outcome.at).toBe('finish');
    expect(outcome.events.map((event) => event.type)).toEqual(['headers', ...Array(6).fill('body')]);
    expect(outcome.error.message).toContain('4 body bytes missing');
    expectCode('ERR_SCGI_BODY_TRUNCATED', wire.subarray(0, wire.indexOf(0x2c) + 1)); // no body byte at all
  });

  it('ERR_SCGI_UNEXPECTED_DATA', () => {
    const wire = scgiRequest(
      [
        ['CONTENT_LENGTH', '2'],
        ['SCGI', '1'],
      ],
      bytes('ok'),
    );
    // In the same chunk as the body: `end` is still returned, the next call throws.
    const sameChunk = expectCode('ERR_SCGI_UNEXPECTED_DATA', Buffer.concat([wire, bytes('!')]), false);
    expect(sameChunk.events.map((event) => event.type)).toEqual(['headers', 'body', 'end']);
    // In a later chunk, after `end` was returned; also with a zero-length body (nginx's broken
    // unbuffered upload sends the rest of the body after a short CONTENT_LENGTH).
    expect(expectCode('ERR_SCGI_UNEXPECTED_DATA', [wire, bytes('!')]).at).toBe(1);
    const empty = scgiRequest([
      ['CONTENT_LENGTH', '0'],
      ['SCGI', '1'],
    ]);
    expect(expectCode('ERR_SCGI_UNEXPECTED_DATA', [empty, bytes('rest of the body')]).events).toHaveLength(2);
  });

  it('has exactly one test above per code the parser raises', ({ task }) => {
    const names = (task.suite?.tasks ?? [])
      .map((test) => test.name)
      .filter((name) => name.startsWith('ERR_'));
    expect(names.sort()).toEqual([...PARSER_ERROR_CODES].sort());
  });
});
