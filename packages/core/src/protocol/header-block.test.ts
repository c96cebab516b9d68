// decodeHeaderBlock across requests: names remembered from the previous block are only reused when the
// bytes say the same name, whatever the next block holds; repeats are found whether or not names are reused.
import { describe, expect, it } from 'vitest';
import { ScgiProtocolError } from './errors.js';
import { decodeHeaderBlock } from './header-block.js';

/** A header block (no netstring framing) from name/value pairs. */
function block(pairs: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.from(pairs.map(([name, value]) => `${name}\0${value}\0`).join(''), 'latin1');
}

const BASE = [
  ['CONTENT_LENGTH', '0'],
  ['SCGI', '1'],
  ['REQUEST_METHOD', 'GET'],
  ['HTTP_X', 'a'],
] as const;

describe('decodeHeaderBlock, one block after another', () => {
  it('decodes the same names again', () => {
    for (let i = 0; i < 3; i++) {
      expect(decodeHeaderBlock(block(BASE)).pairs).toEqual(BASE.flat());
    }
  });

  it('reads a longer name that starts with the remembered one as itself', () => {
    decodeHeaderBlock(block(BASE));
    const next = [...BASE.slice(0, 3), ['HTTP_XY', 'b']] as const;
    const head = decodeHeaderBlock(block(next));
    expect(head.env).toMatchObject({ HTTP_XY: 'b' });
    expect(head.env).not.toHaveProperty('HTTP_X');
  });

  it('reads a shorter name, and a different one at the same place', () => {
    decodeHeaderBlock(block(BASE));
    const shorter = decodeHeaderBlock(block([...BASE.slice(0, 2), ['REQUEST', 'x']]));
    expect(shorter.pairs).toEqual(['CONTENT_LENGTH', '0', 'SCGI', '1', 'REQUEST', 'x']);
    const other = decodeHeaderBlock(block([...BASE.slice(0, 2), ['SERVER_NAME', 'y']]));
    expect(other.env).toMatchObject({ SERVER_NAME: 'y' });
    expect(other.env).not.toHaveProperty('REQUEST');
  });

  it('reads a name of the same length that differs from the remembered one in its first or last byte', () => {
    decodeHeaderBlock(block(BASE));
    const first = decodeHeaderBlock(block([...BASE.slice(0, 3), ['XTTP_X', 'b']]));
    expect(first.pairs.slice(6)).toEqual(['XTTP_X', 'b']);
    const last = decodeHeaderBlock(block([...BASE.slice(0, 3), ['XTTP_Y', 'c']]));
    expect(last.pairs.slice(6)).toEqual(['XTTP_Y', 'c']);
    // A known variable's slot follows its name, not its place: REQUEST_METHOD -> REQUEST_SCHEME.
    const known = decodeHeaderBlock(block([...BASE.slice(0, 2), ['REQUEST_SCHEME', 'https']]));
    expect(known.known.REQUEST_METHOD).toBeUndefined();
    expect(known.known.REQUEST_SCHEME).toBe('https');
  });

  it('reads values of every length around the short-value scan, and long ones', () => {
    for (const length of [0, 1, 31, 32, 33, 64, 5000]) {
      const value = 'v'.repeat(length);
      const head = decodeHeaderBlock(block([...BASE, ['HTTP_COOKIE', value], ['SERVER_NAME', 'x']]));
      expect(head.pairs.slice(8), `length ${length}`).toEqual(['HTTP_COOKIE', value, 'SERVER_NAME', 'x']);
    }
  });

  it('decodes a block at an offset in a larger buffer by its own bytes, not those before it', () => {
    const first = block(BASE);
    decodeHeaderBlock(first);
    const next = block([...BASE.slice(0, 3), ['XTTP_X', 'bbbb']]);
    const head = decodeHeaderBlock(Buffer.concat([first, next, first]), null, first.length, next.length);
    expect(head.pairs).toEqual([...BASE.slice(0, 3).flat(), 'XTTP_X', 'bbbb']);
    const again = decodeHeaderBlock(Buffer.concat([next, first]), null, next.length, first.length);
    expect(again.pairs).toEqual(BASE.flat());
  });

  it('reads each value by its own bytes when the last block had another one in its place', () => {
    const values = [
      '8080',
      '80',
      '8081',
      '',
      '9090',
      '9090x',
      'x9090',
      '9090',
      'a'.repeat(64),
      'a'.repeat(65),
    ];
    for (let round = 0; round < 2; round++) {
      for (const value of values) {
        const head = decodeHeaderBlock(block([...BASE, ['SERVER_PORT', value], ['SERVER_NAME', 'x']]));
        expect(head.pairs.slice(8), `${JSON.stringify(value)} in round ${round}`).toEqual([
          'SERVER_PORT',
          value,
          'SERVER_NAME',
          'x',
        ]);
        expect(head.known.SERVER_PORT).toBe(value);
      }
    }
  });

  it('does not take a remembered value that runs past the end of a block', () => {
    decodeHeaderBlock(block([...BASE, ['SERVER_NAME', 'localhost']]));
    // The value is cut short by the end of the block: the block's own last NUL ends it.
    const cut = Buffer.concat([block(BASE), Buffer.from('SERVER_NAME\0local\0', 'latin1')]);
    expect(decodeHeaderBlock(cut).pairs.slice(8)).toEqual(['SERVER_NAME', 'local']);
    const shorter = Buffer.concat([block(BASE), Buffer.from('SERVER_NAME\0localhos\0', 'latin1')]);
    expect(decodeHeaderBlock(shorter).pairs.slice(8)).toEqual(['SERVER_NAME', 'localhos']);
  });

  it('keeps a repeated value equal to the bytes of every block, one byte changed at each place', () => {
    const root = '/usr/share/nginx/html';
    decodeHeaderBlock(block([...BASE, ['DOCUMENT_ROOT', root]]));
    for (let i = 0; i < root.length; i++) {
      const changed = `${root.slice(0, i)}${String.fromCharCode(root.charCodeAt(i) ^ 0x01)}${root.slice(i + 1)}`;
      decodeHeaderBlock(block([...BASE, ['DOCUMENT_ROOT', root]]));
      const head = decodeHeaderBlock(block([...BASE, ['DOCUMENT_ROOT', changed]]));
      expect(head.pairs[9], `byte ${i}`).toBe(changed);
    }
  });

  it("reads a remembered value at an offset in a larger buffer by the block's own bytes", () => {
    const first = block([...BASE, ['SERVER_NAME', 'abcdefgh']]);
    decodeHeaderBlock(first);
    const next = block([...BASE, ['SERVER_NAME', 'abcdefgX']]);
    const head = decodeHeaderBlock(Buffer.concat([first, next, first]), null, first.length, next.length);
    expect(head.pairs[9]).toBe('abcdefgX');
  });

  it('still finds a remembered name repeated where it may not be', () => {
    decodeHeaderBlock(block(BASE));
    const twice = block([...BASE, ['REQUEST_METHOD', 'POST']]);
    expect(() => decodeHeaderBlock(twice)).toThrow(ScgiProtocolError);
  });

  it('does not take a remembered name that runs past the end of a block', () => {
    decodeHeaderBlock(block(BASE));
    // The third name is cut short by the end of the block: the odd-strings error, not a match.
    const cut = Buffer.concat([block(BASE.slice(0, 2)), Buffer.from('REQUEST_\0', 'latin1')]);
    expect(() => decodeHeaderBlock(cut)).toThrow(/without its value/);
  });

  it('finds a repeated variable after the names stop matching the last block', () => {
    decodeHeaderBlock(block([...BASE, ['DOCUMENT_ROOT', '/a'], ['SERVER_NAME', 'x']]));
    const twice = block([...BASE, ['DOCUMENT_ROOT', '/a'], ['DOCUMENT_URI', '/'], ['DOCUMENT_ROOT', '/b']]);
    expect(() => decodeHeaderBlock(twice)).toThrow(/"DOCUMENT_ROOT" appears more than once/);
    const early = block([...BASE.slice(0, 2), ['DOCUMENT_ROOT', '/a'], ['DOCUMENT_ROOT', '/b']]);
    expect(() => decodeHeaderBlock(early)).toThrow(/"DOCUMENT_ROOT" appears more than once/);
  });

  it('takes nothing from a block that failed: the next one reads its own known variables', () => {
    decodeHeaderBlock(block(BASE));
    const failed = block([...BASE.slice(0, 2), ['REQUEST_URI', '/a'], ['REQUEST_URI', '/b']]);
    expect(() => decodeHeaderBlock(failed)).toThrow(ScgiProtocolError);
    const head = decodeHeaderBlock(block(BASE));
    expect(head.known.REQUEST_METHOD).toBe('GET');
    expect(head.known.REQUEST_URI).toBeUndefined();
    expect(head.env).toEqual({ CONTENT_LENGTH: '0', SCGI: '1', REQUEST_METHOD: 'GET', HTTP_X: 'a' });
  });

  it('gives the known variables and the keyed record the same values, the record built once', () => {
    for (let i = 0; i < 2; i++) {
      const head = decodeHeaderBlock(
        block([
          ...BASE,
          ['HTTP_X', 'b'],
          ['REQUEST_URI', '/p?q'],
          ['HTTP_COOKIE', 'a=1'],
          ['HTTP_COOKIE', 'b=2'],
        ]),
      );
      expect(head.known).toMatchObject({ CONTENT_LENGTH: '0', SCGI: '1', REQUEST_URI: '/p?q' });
      expect(head.env).toEqual({
        CONTENT_LENGTH: '0',
        SCGI: '1',
        REQUEST_METHOD: 'GET',
        HTTP_X: 'a, b',
        REQUEST_URI: '/p?q',
        HTTP_COOKIE: 'a=1; b=2',
      });
      expect(head.env).toBe(head.env);
    }
  });

  it("puts a variable named like one of the prototype's accessors on the record itself", () => {
    const prototype = Object.defineProperty({}, 'incoming', { get: () => 'accessor' });
    const head = decodeHeaderBlock(block([...BASE, ['incoming', 'variable']]), prototype);
    expect(head.env.incoming).toBe('variable');
    expect(Object.getPrototypeOf(head.env)).toBe(prototype);
    expect(decodeHeaderBlock(block(BASE), prototype).env.incoming).toBe('accessor');
  });
});
