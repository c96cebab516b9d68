// Property tests (fast-check) of the request parser: any bytes in any split, and encode -> parse.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScgiProtocolError } from './errors.js';
import { encodeRequestHead } from './request-encoder.js';
import type { RequestParserOptions } from './request-parser.js';
import { PARSER_ERROR_CODES } from './test-support/parser-codes.js';
import type { ParsedRequest } from './test-support/wire.js';
import { cutAt, expectedEnv, netstring, parseChunks, summarize } from './test-support/wire.js';

const RUNS = 2000;

const latin1Char = fc.integer({ min: 1, max: 255 }).map((code) => String.fromCharCode(code));
const value = fc.string({ unit: latin1Char, maxLength: 24 });
const metaName = fc
  .string({ unit: latin1Char, minLength: 1, maxLength: 14 })
  .filter((name) => name !== 'CONTENT_LENGTH' && name !== 'SCGI' && !name.startsWith('HTTP_'));
const httpName = fc.oneof(
  fc.constantFrom('HTTP_COOKIE', 'HTTP_X_DUP', 'HTTP_ACCEPT', 'HTTP_'),
  fc.string({ unit: latin1Char, minLength: 1, maxLength: 8 }).map((suffix) => `HTTP_${suffix}`),
);
/** Valid variables: meta-variables unique, HTTP_* ones free to repeat, interleaved in any order. */
const variables = fc
  .tuple(
    fc.uniqueArray(fc.tuple(metaName, value), { selector: ([name]) => name, maxLength: 8 }),
    fc.array(fc.tuple(httpName, value), { maxLength: 8 }),
    fc.array(fc.boolean(), { maxLength: 16 }),
  )
  .map(([meta, http, order]) => {
    const merged: Array<[string, string]> = [];
    let m = 0;
    let h = 0;
    for (const takeMeta of order) {
      const next = takeMeta ? meta[m++] : http[h++];
      if (next !== undefined) merged.push(next);
    }
    return [...merged, ...meta.slice(m), ...http.slice(h)];
  });
const body = fc.uint8Array({ maxLength: 300 });
const cuts = fc.array(fc.nat({ max: 2000 }), { maxLength: 24 });

/** A valid request, then damaged: bytes overwritten, inserted, deleted, cut short or extended. */
const damaged = fc
  .record({
    variables,
    body,
    edits: fc.array(
      fc.record({
        at: fc.nat(),
        byte: fc.integer({ min: 0, max: 255 }),
        kind: fc.constantFrom('set', 'insert', 'delete'),
      }),
      { maxLength: 3 },
    ),
    keep: fc.option(fc.nat()),
    extra: fc.uint8Array({ maxLength: 3 }),
  })
  .map(({ variables: vars, body: payload, edits, keep, extra }) => {
    const bytes = [...encodeRequestHead(vars, payload.length), ...payload, ...extra];
    for (const { at, byte, kind } of edits) {
      const index = at % (bytes.length + 1);
      if (kind === 'set') bytes[index] = byte;
      else if (kind === 'insert') bytes.splice(index, 0, byte);
      else bytes.splice(index, 1);
    }
    return Uint8Array.from(keep === null ? bytes : bytes.slice(0, keep % (bytes.length + 1)));
  });
const digitsThenJunk = fc
  .tuple(fc.stringMatching(/^[0-9]{1,6}$/), fc.uint8Array({ maxLength: 80 }))
  .map(([digits, rest]) => Uint8Array.from([...Buffer.from(`${digits}:`), ...rest]));
const anyInput = fc.oneof(fc.uint8Array({ maxLength: 200 }), digitsThenJunk, damaged);
const limits = fc.constantFrom<RequestParserOptions | undefined>(undefined, {
  maxHeaderBytes: 40,
  maxBodyBytes: 8,
});

type Outcome = { code: string } | ParsedRequest;

/** The parse of `chunks` (then EOF): the request, or the code of the protocol error it raised. */
function outcomeOf(chunks: readonly Uint8Array[], options: RequestParserOptions | undefined): Outcome {
  try {
    return summarize(parseChunks(chunks, options));
  } catch (error) {
    // Anything but a ScgiProtocolError with a known code (a TypeError, a RangeError, the drain guard
    // tripping on a loop) fails the property.
    if (!(error instanceof ScgiProtocolError)) throw error;
    expect(PARSER_ERROR_CODES).toContain(error.code);
    return { code: error.code };
  }
}

describe('RequestParser properties', () => {
  it('turns any bytes into a request or a known ScgiProtocolError, the same however split', () => {
    fc.assert(
      fc.property(anyInput, cuts, limits, (input, offsets, options) => {
        const buf = Buffer.from(input);
        const whole = outcomeOf([buf], options);
        expect(outcomeOf(cutAt(buf, offsets), options)).toEqual(whole);
      }),
      { numRuns: RUNS },
    );
  });

  it('parses back what encodeRequestHead wrote, in any split', () => {
    fc.assert(
      fc.property(variables, body, cuts, (vars, payload, offsets) => {
        const head = encodeRequestHead(vars, payload.length);
        const pairs: Array<[string, string]> = [
          ['CONTENT_LENGTH', String(payload.length)],
          ['SCGI', '1'],
          ...vars,
        ];
        // The encoder writes exactly the netstring a front server would write for these pairs.
        expect(head.equals(netstring(pairs))).toBe(true);
        const wire = Buffer.concat([head, payload]);
        const parsed = summarize(parseChunks(cutAt(wire, offsets)));
        expect(parsed.pairs).toEqual(pairs.flat());
        expect(parsed.env).toEqual(expectedEnv(pairs));
        expect(parsed.contentLength).toBe(payload.length);
        expect(parsed.body.equals(payload)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
