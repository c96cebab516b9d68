// A block template takes a block only when every byte outside its varying values is its model's, at any
// offset; decoding a run of blocks through templates gives what decoding each block alone gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockTemplate } from './block-template.js';
import { ScgiProtocolError } from './errors.js';
import { blockTemplatesMade, decodeHeaderBlock } from './header-block.js';
import { knownSlot } from './known-variables.js';
import { bufferView, RememberedName } from './remembered-name.js';
import { requestFromEnv } from './request-from-env.js';

type Pairs = ReadonlyArray<readonly [string, string]>;

/** A header block (no netstring framing) from name/value pairs. */
function block(pairs: Pairs): Buffer {
  return Buffer.from(pairs.map(([name, value]) => `${name}\0${value}\0`).join(''), 'latin1');
}

const NGINX: Pairs = [
  ['CONTENT_LENGTH', '0'],
  ['SCGI', '1'],
  ['REQUEST_METHOD', 'GET'],
  ['REQUEST_URI', '/'],
  ['DOCUMENT_ROOT', '/usr/share/nginx/html'],
  ['REMOTE_ADDR', '127.0.0.1'],
  ['REMOTE_PORT', '45076'],
  ['SERVER_NAME', 'localhost'],
  ['HTTP_HOST', 'localhost'],
];
const REMOTE_PORT = 6;

/** The template of `model`, with the values at `gaps` (pair positions) varying. */
function templateOf(model: Pairs, gaps: readonly number[]): BlockTemplate {
  const bytes = block(model);
  const names = model.map(
    ([name, value], i) => new RememberedName(name, knownSlot(name), gaps.includes(i) ? undefined : value),
  );
  return new BlockTemplate(bufferView(bytes), bytes.byteOffset, model.flat(), names);
}

/** `pairs` with the value at `index` replaced. */
function withValue(pairs: Pairs, index: number, value: string): Pairs {
  return pairs.map(([name, old], i) => [name, i === index ? value : old] as const);
}

/** Matches `pairs` encoded at `offset` of a larger buffer with other bytes around it. */
function matchAt(template: BlockTemplate, pairs: Pairs, offset = 0) {
  const bytes = block(pairs);
  const buffer = Buffer.concat([Buffer.alloc(offset, 0x41), bytes, Buffer.alloc(9, 0x41)]);
  return template.match(buffer, offset, bytes.length, bufferView(buffer), null);
}

describe('BlockTemplate', () => {
  it('takes a block with any value in a varying place, at any offset, with its known variables', () => {
    const template = templateOf(NGINX, [REMOTE_PORT]);
    const nginxShape = matchAt(template, NGINX)?.shape;
    expect(nginxShape).toBeDefined();
    for (const port of ['45077', '1', '', '6553512345678901234567890123456789012345']) {
      for (let offset = 0; offset < 9; offset++) {
        const pairs = withValue(NGINX, REMOTE_PORT, port);
        const head = matchAt(template, pairs, offset);
        expect(head?.pairs, `${port} at ${offset}`).toEqual(pairs.flat());
        expect(head?.known).toMatchObject({ REMOTE_PORT: port, REQUEST_URI: '/', SCGI: '1' });
        expect(head?.contentLength).toBe(0);
        expect(head?.shape).toBe(nginxShape);
      }
    }
  });

  it('takes nothing when any one byte outside the varying values differs, in runs of any length', () => {
    // Runs between the varying values of 2, 7, 8, 9, 16 and 17 bytes, and the long ones of NGINX.
    const runs: Pairs = [
      ['CONTENT_LENGTH', '0'],
      ['SCGI', '1'],
      ['A', '1'],
      ['B', '2'],
      ['CCCCC', '3'],
      ['DDDDDD', '4'],
      ['EEEEEEE', '5'],
      ['FFFFFFFFFFFFFF', '6'],
      ['GGGGGGGGGGGGGGG', '7'],
      ['H', 'x'],
    ];
    for (const [model, gaps] of [
      [NGINX, [REMOTE_PORT]],
      [runs, [2, 3, 4, 5, 6, 7, 8]],
    ] as const) {
      const template = templateOf(model, gaps);
      const bytes = block(model);
      // Where the varying values are: after the NUL that ends each of their names.
      const varying = new Set<number>();
      let pos = 0;
      for (const [index, [name, value]] of model.entries()) {
        pos += name.length + 1;
        if ((gaps as readonly number[]).includes(index))
          for (let i = 0; i < value.length; i++) varying.add(pos + i);
        pos += value.length + 1;
      }
      expect(template.match(bytes, 0, bytes.length, bufferView(bytes), null)).toBeDefined();
      for (let i = 0; i < bytes.length; i++) {
        if (varying.has(i)) continue;
        const changed = Buffer.from(bytes);
        changed[i] = changed[i]! ^ 0x01;
        const head = template.match(changed, 0, changed.length, bufferView(changed), null);
        expect(head, `byte ${i} of ${bytes.length}`).toBeUndefined();
      }
    }
  });

  it('takes nothing with a variable more or less, or a repeated value in another length', () => {
    const template = templateOf(NGINX, [REMOTE_PORT]);
    expect(matchAt(template, [...NGINX, ['HTTP_X', 'y']])).toBeUndefined();
    expect(matchAt(template, NGINX.slice(0, -1))).toBeUndefined();
    expect(matchAt(template, withValue(NGINX, 3, '/a'))).toBeUndefined();
    expect(matchAt(template, withValue(NGINX, 3, ''))).toBeUndefined();
    // A varying value may not take in the name after it: the NUL in it ends the value early.
    expect(matchAt(template, withValue(NGINX, REMOTE_PORT, '1\0SERVER_NAME'))).toBeUndefined();
  });

  it('takes a block whose fixed bytes read as NaN or whose last value varies', () => {
    const nan = '\xff'.repeat(16);
    const model: Pairs = [...NGINX, ['HTTP_X', nan], ['HTTP_Y', 'last']];
    const template = templateOf(model, [REMOTE_PORT, model.length - 1]);
    for (let offset = 0; offset < 9; offset++) {
      const pairs = withValue(withValue(model, REMOTE_PORT, '2'), model.length - 1, 'other');
      expect(matchAt(template, pairs, offset)?.pairs, `at ${offset}`).toEqual(pairs.flat());
    }
    const changed = withValue(model, model.length - 2, `${nan.slice(1)}\xfe`);
    expect(matchAt(template, changed)).toBeUndefined();
  });

  it('checks CONTENT_LENGTH when it varies', () => {
    const template = templateOf(NGINX, [0]);
    expect(matchAt(template, withValue(NGINX, 0, '12'))?.contentLength).toBe(12);
    expect(() => matchAt(template, withValue(NGINX, 0, '1x'))).toThrow(ScgiProtocolError);
  });
});

describe('decodeHeaderBlock through templates', () => {
  // A head has a shape when a template read it.
  const steady = block(NGINX);
  const other = block([...NGINX, ['HTTP_ACCEPT', '*/*']]);

  it('reads a steady stream through a template from its third block on', () => {
    for (let i = 0; i < 70; i++) decodeHeaderBlock(steady);
    expect(decodeHeaderBlock(steady).shape).toBeDefined();
    const shapes = [0, 1, 2, 3].map(() => decodeHeaderBlock(other).shape);
    expect(shapes.map((shape) => shape !== undefined)).toEqual([false, false, true, true]);
  });

  it('stops making templates for clients that take turns, and makes them again for a steady stream', () => {
    let shaped = 0;
    const made = blockTemplatesMade();
    for (let i = 0; i < 80; i++) if (decodeHeaderBlock(i % 4 < 2 ? steady : other).shape) shaped++;
    expect(shaped).toBe(0);
    // The first one or two go unused; then none is made.
    expect(blockTemplatesMade() - made).toBeLessThanOrEqual(2);
    const shapes = Array.from({ length: 70 }, () => decodeHeaderBlock(steady).shape !== undefined);
    expect(shapes.slice(0, 3)).toEqual([false, false, false]);
    expect(shapes.at(-1)).toBe(true);
  });

  const NAMES = [
    'REQUEST_URI',
    'DOCUMENT_ROOT',
    'REMOTE_PORT',
    'HTTP_HOST',
    'HTTP_COOKIE',
    'HTTP_X',
    'HTTP_CONTENT_LENGTH',
    'HTTP_TRANSFER_ENCODING',
    'HTTP_CONTENT_TYPE',
  ];
  /** A layout: which of NAMES a block has, in order; values from a small pool, so some repeat. */
  const layout = fc.subarray(NAMES, { minLength: 1 });
  const value = fc.constantFrom(
    '',
    'a',
    '/',
    'localhost',
    '45076',
    '45077',
    '\xff'.repeat(9),
    'x'.repeat(70),
  );
  const request = fc.tuple(fc.nat({ max: 2 }), fc.array(value, { minLength: NAMES.length }));

  it('decodes every block of a sequence as it decodes alone', () => {
    fc.assert(
      fc.property(
        fc.array(layout, { minLength: 1, maxLength: 3 }),
        fc.array(request, { maxLength: 12 }),
        (layouts, requests) => {
          for (const [which, values] of requests) {
            const names = layouts[which % layouts.length]!;
            const pairs: Pairs = [
              ['CONTENT_LENGTH', '0'],
              ['SCGI', '1'],
              ['REQUEST_METHOD', 'GET'],
              ...names.map((name, i) => [name, values[i]!] as const),
            ];
            const head = decodeHeaderBlock(block(pairs));
            expect(head.pairs).toEqual(pairs.flat());
            expect(head.known.REQUEST_URI).toBe(pairs.find(([name]) => name === 'REQUEST_URI')?.[1]);
            expect(head.known.REMOTE_PORT).toBe(pairs.find(([name]) => name === 'REMOTE_PORT')?.[1]);
            // The headers worked out once for a shape are those of each head's own names.
            expect(requestFromEnv(head.known, head.pairs, head.shape)).toEqual(
              requestFromEnv(head.known, head.pairs),
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
