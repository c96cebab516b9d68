// scgi() target parsing: every accepted form, and a typed error for everything else.
import { describe, expect, it } from 'vitest';
import { isScgiTarget, parseListenTarget, parseMode, resolveServerOptions, scgi } from './target.js';

describe('parseListenTarget', () => {
  it.each([
    [4000, { port: 4000, host: '127.0.0.1' }],
    ['4000', { port: 4000, host: '127.0.0.1' }],
    ['127.0.0.1:4000', { port: 4000, host: '127.0.0.1' }],
    ['localhost:4000', { port: 4000, host: 'localhost' }],
    ['[::1]:4000', { port: 4000, host: '::1' }],
    [':4000', { port: 4000, host: '0.0.0.0' }],
    ['/run/app.sock', { path: '/run/app.sock' }],
    ['./app.sock', { path: './app.sock' }],
    ['unix:/run/app.sock', { path: '/run/app.sock' }],
    ['fd:3', { fd: 3 }],
    [{ port: 5000 }, { port: 5000, host: '127.0.0.1' }],
    [
      { port: 5000, host: '0.0.0.0' },
      { port: 5000, host: '0.0.0.0' },
    ],
    [
      { path: '/tmp/x.sock', mode: '660' },
      { path: '/tmp/x.sock', mode: 0o660 },
    ],
  ] as const)('%j', (input, expected) => {
    expect(parseListenTarget(input)).toEqual(expected);
  });

  it.each([
    [''],
    ['nonsense'],
    [70000],
    [-1],
    ['host:99999'],
    ['fd:x'],
    [{}],
    [{ port: 1, path: '/x' }],
  ] as const)('rejects %j with ERR_SCGI_BAD_TARGET', (input) => {
    expect(() => parseListenTarget(input as never)).toThrowError(
      expect.objectContaining({ code: 'ERR_SCGI_BAD_TARGET' }),
    );
  });
});

describe('scgi()', () => {
  it('brands the target and resolves every limit', () => {
    const target = scgi(4000, { maxBodyBytes: 10 });
    expect(isScgiTarget(target)).toBe(true);
    expect(isScgiTarget({ port: 4000 })).toBe(false);
    expect(target.options).toEqual({
      maxHeaderBytes: 65536,
      maxBodyBytes: 10,
      headersTimeoutMs: 15000,
      idleTimeoutMs: 60000,
      allowHalfClose: false,
    });
  });

  it('rejects a negative limit', () => {
    expect(() => resolveServerOptions({ idleTimeoutMs: -1 })).toThrowError(/idleTimeoutMs/);
  });

  it('parses octal modes', () => {
    expect(parseMode('0660')).toBe(0o660);
    expect(parseMode(0o600)).toBe(0o600);
    expect(() => parseMode('999')).toThrowError(expect.objectContaining({ code: 'ERR_SCGI_BAD_TARGET' }));
  });
});
