// Every SCGI request nginx, Apache and lighttpd really sent (fixtures/), rebuilt byte for byte and parsed.

import { describe, expect, it } from 'vitest';
import { ScgiProtocolError } from './errors.js';
import { RequestParser } from './request-parser.js';
import type { CapturedRequest } from './test-support/captures.js';
import { capture, capturedRequests } from './test-support/captures.js';
import {
  byteByByte,
  drain,
  expectedEnv,
  netstring,
  parseChunks,
  randomSplit,
  seededRandom,
  summarize,
} from './test-support/wire.js';

const requests = capturedRequests;
const SPLIT_SEEDS = [1, 2, 3];

/** The bytes the server sent: its netstring rebuilt by hand from the captured pairs, then a body. */
function wireOf(request: CapturedRequest): { wire: Buffer; body: Buffer } {
  const body = Buffer.alloc(request.body_len);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31 + 7) & 0xff;
  const head = netstring(request.headers);
  return { wire: Buffer.concat([head, body]), body };
}

function expectParsed(events: ReturnType<typeof parseChunks>, request: CapturedRequest, body: Buffer): void {
  const parsed = summarize(events);
  // Compared apart: vitest's deep equality walks a 1 MB buffer byte by byte.
  expect(parsed.body.equals(body)).toBe(true);
  expect({ ...parsed, body: undefined }).toEqual({
    env: expectedEnv(request.headers),
    pairs: request.headers.flat(),
    contentLength: Number(request.content_length),
    body: undefined,
  });
}

describe('captured front-server requests', () => {
  it('are all there: 3 servers, 2 buffering modes, 71 requests', () => {
    expect(requests).toHaveLength(71);
    expect(new Set(requests.map((r) => r.server))).toEqual(new Set(['nginx', 'apache2', 'lighttpd']));
  });

  it.each(requests.map((r) => [`${r.server} ${r.mode} ${r.case}`, r] as const))('%s', (_name, request) => {
    const { wire, body } = wireOf(request);
    // The rebuilt netstring has the length the server announced: the pairs are complete and in order.
    expect(wire.subarray(0, wire.indexOf(0x3a)).toString('latin1')).toBe(String(request.netstring_len));
    expect(request.body_len).toBe(Number(request.content_length));

    expectParsed(parseChunks([wire]), request, body);
    for (const seed of SPLIT_SEEDS) {
      expectParsed(parseChunks(randomSplit(wire, seededRandom(seed))), request, body);
    }
    const headBytes = wire.length - body.length;
    const headThenBody = [...byteByByte(wire.subarray(0, headBytes)), wire.subarray(headBytes)];
    expectParsed(parseChunks(headThenBody), request, body);

    // The repeated keys are exactly the ones the capture lists, and they are all HTTP_*.
    const seen = new Set<string>();
    const repeated = new Set<string>();
    for (const [name] of request.headers) (seen.has(name) ? repeated : seen).add(name);
    expect([...repeated].sort()).toEqual([...request.dup_keys].sort());
  });

  it('joins the repeated headers nginx sends: Cookie with "; ", X-Dup with ", "', () => {
    const request = capture('nginx', 'dups');
    const head = summarize(parseChunks([wireOf(request).wire]));
    expect(head.env.HTTP_COOKIE).toBe('a=1; b=2');
    expect(head.env.HTTP_X_DUP).toBe('one, two');
    expect(head.pairs.filter((_, i) => i % 2 === 0 && head.pairs[i] === 'HTTP_COOKIE')).toHaveLength(2);
  });

  it("joins lighttpd's two HTTP_X_FOO (from X_Foo and X-Foo)", () => {
    const head = summarize(parseChunks([wireOf(capture('lighttpd', 'underscore_collide')).wire]));
    expect(head.env.HTTP_X_FOO).toBe('1, 2');
  });

  it('finds SCGI where each server puts it: nginx 8th, Apache 2nd, lighttpd last', () => {
    const positionOf = (server: CapturedRequest['server']) => {
      const { pairs } = summarize(parseChunks([wireOf(capture(server, 'get')).wire]));
      return [pairs.indexOf('SCGI') / 2, pairs.length / 2];
    };
    expect(positionOf('nginx')[0]).toBe(7);
    expect(positionOf('apache2')[0]).toBe(1);
    const [last, count] = positionOf('lighttpd');
    expect(last).toBe(count! - 1);
  });

  it('rejects as unexpected what nginx 1.22 sends after a short CONTENT_LENGTH (unbuffered upload)', () => {
    const request = requests.find((r) => r.extra_after_body > 0)!;
    expect(`${request.server} ${request.mode} ${request.case}`).toBe('nginx nobuf post_1m');
    const { wire, body } = wireOf(request);
    const parser = new RequestParser();
    parser.receive(wire);
    const events = drain(parser);
    expectParsed(events, request, body);
    parser.receive(Buffer.alloc(request.extra_after_body, 0x78));
    expect(() => parser.nextEvent()).toThrow(ScgiProtocolError);
    expect(() => parser.nextEvent()).toThrow(/after the request body/);
  });
});
