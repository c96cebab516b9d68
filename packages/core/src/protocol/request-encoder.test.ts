// encodeRequestHead: the spec example byte for byte, the order nginx uses, latin1, and each bad input.

import { describe, expect, it } from 'vitest';
import { ScgiError, ScgiProtocolError } from './errors.js';
import { encodeRequestHead } from './request-encoder.js';
import { capture } from './test-support/captures.js';
import { bytes, netstring, parseChunks, summarize } from './test-support/wire.js';

const SPEC_EXAMPLE = bytes(
  '70:CONTENT_LENGTH\x0027\x00SCGI\x001\x00REQUEST_METHOD\x00POST\x00REQUEST_URI\x00/deepthought\x00,' +
    'What is the answer to life?',
);

describe('encodeRequestHead', () => {
  it('writes the example of the SCGI protocol text byte for byte', () => {
    const head = encodeRequestHead(
      [
        ['REQUEST_METHOD', 'POST'],
        ['REQUEST_URI', '/deepthought'],
      ],
      27,
    );
    expect(Buffer.concat([head, bytes('What is the answer to life?')])).toEqual(SPEC_EXAMPLE);
  });

  it('puts CONTENT_LENGTH first and SCGI=1 second, skipping any given, keeping the rest in order', () => {
    const head = encodeRequestHead(
      [
        ['B', '2'],
        ['SCGI', '7'],
        ['A', '1'],
        ['CONTENT_LENGTH', '999'],
        ['HTTP_X', 'p'],
        ['HTTP_X', 'q'],
        ['EMPTY', ''],
      ],
      5,
    );
    expect(head.toString('latin1')).toBe(
      '57:CONTENT_LENGTH\x005\x00SCGI\x001\x00B\x002\x00A\x001\x00HTTP_X\x00p\x00HTTP_X\x00q\x00EMPTY\x00\x00,',
    );
  });

  it('writes the variables nginx sent for a GET with a query in the same order, SCGI moved to second', () => {
    const captured = capture('nginx', 'get').headers;
    const given = captured.filter(([name]) => name !== 'CONTENT_LENGTH' && name !== 'SCGI');
    const head = encodeRequestHead(given, 0);
    expect(head).toEqual(netstring([['CONTENT_LENGTH', '0'], ['SCGI', '1'], ...given]));
    const { pairs } = summarize(parseChunks([head]));
    const names = pairs.filter((_, i) => i % 2 === 0);
    expect(names.filter((name) => name !== 'SCGI')).toEqual(
      captured.map(([name]) => name).filter((n) => n !== 'SCGI'),
    );
  });

  it('encodes latin1: one byte per char up to U+00FF, so the length prefix counts bytes', () => {
    const head = encodeRequestHead([['HTTP_X', 'caf\xe9\xff\x80']], 0);
    expect(head.subarray(head.length - 8)).toEqual(
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0xff, 0x80, 0x00, 0x2c]),
    );
    expect(summarize(parseChunks([head])).env.HTTP_X).toBe('caf\xe9\xff\x80');
  });

  it('takes any iterable of pairs (a Map, a generator)', () => {
    const fromMap = encodeRequestHead(new Map([['A', '1']]), 0);
    function* pairs(): Generator<readonly [string, string]> {
      yield ['A', '1'];
    }
    expect(encodeRequestHead(pairs(), 0)).toEqual(fromMap);
  });

  it('takes the largest safe integer as CONTENT_LENGTH', () => {
    expect(encodeRequestHead([], Number.MAX_SAFE_INTEGER).toString('latin1')).toContain(
      '\x009007199254740991\x00',
    );
  });

  const badCases: Array<[string, Array<[string, string]>, number, RegExp]> = [
    ['an empty name', [['', 'x']], 0, /name is empty/],
    ['a NUL in a name', [['A\x00B', 'x']], 0, /variable name "A\\u0000B" contains a NUL/],
    ['a NUL in a value', [['A', 'x\x00y']], 0, /value of "A" contains a NUL/],
    ['a name above U+00FF', [['X\u0100', 'x']], 0, /variable name "XĀ" contains U\+0100/],
    [
      'a value above U+00FF',
      [
        ['A', 'x'],
        ['B', 'price: €5'],
      ],
      0,
      /value of "B" contains U\+20AC/,
    ],
    ['a value outside the BMP', [['A', '😀']], 0, /value of "A" contains U\+1F600/],
    ['a negative contentLength', [], -1, /non-negative safe integer, got -1/],
    ['a fractional contentLength', [], 1.5, /got 1.5/],
    ['a NaN contentLength', [], Number.NaN, /got NaN/],
    ['an infinite contentLength', [], Number.POSITIVE_INFINITY, /got Infinity/],
    ['a contentLength above 2^53 - 1', [], 2 ** 53, /got 9007199254740992/],
  ];
  it.each(badCases)('throws ERR_SCGI_BAD_VARIABLE for %s', (_case, variables, contentLength, message) => {
    let thrown: unknown;
    try {
      encodeRequestHead(variables, contentLength);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ScgiError);
    // Our caller's mistake, not a peer's: never a protocol error.
    expect(thrown).not.toBeInstanceOf(ScgiProtocolError);
    expect(thrown).toMatchObject({ code: 'ERR_SCGI_BAD_VARIABLE', status: 500 });
    expect((thrown as Error).message).toMatch(message);
  });
});
