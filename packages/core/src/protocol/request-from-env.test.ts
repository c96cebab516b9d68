// The HTTPS test of the request mapping: either variable, in any case, and nothing else.
import { describe, expect, it } from 'vitest';
import { isHttps } from './request-from-env.js';

describe('isHttps', () => {
  it('is true for HTTPS=on or 1 and REQUEST_SCHEME=https, in any case', () => {
    for (const HTTPS of ['on', 'ON', 'On', '1']) expect(isHttps({ HTTPS }), HTTPS).toBe(true);
    for (const REQUEST_SCHEME of ['https', 'HTTPS', 'Https']) {
      expect(isHttps({ REQUEST_SCHEME }), REQUEST_SCHEME).toBe(true);
    }
  });

  it('is false for anything else', () => {
    for (const HTTPS of ['off', '', '0', 'o', 'onn', 'yes']) expect(isHttps({ HTTPS }), HTTPS).toBe(false);
    for (const REQUEST_SCHEME of ['http', 'httpz', 'https ', '']) {
      expect(isHttps({ REQUEST_SCHEME }), REQUEST_SCHEME).toBe(false);
    }
    expect(isHttps({})).toBe(false);
  });
});
