import { describe, expect, it } from 'vitest';
import {
  cachedHeaderNameCount,
  headerNameFromVariable,
  MAX_CACHED_HEADER_NAMES,
  variableFromHeaderName,
} from './cgi-names.js';

describe('header names from CGI variables', () => {
  it('maps HTTP_* variables, the same on a second call, and nothing else', () => {
    for (let round = 0; round < 2; round++) {
      expect(headerNameFromVariable('HTTP_X_FORWARDED_FOR')).toBe('x-forwarded-for');
      expect(headerNameFromVariable('HTTP_HOST')).toBe('host');
    }
    expect(headerNameFromVariable('HTTP_')).toBeUndefined();
    expect(headerNameFromVariable('REQUEST_METHOD')).toBeUndefined();
    // Near misses of the prefix, on each side of the first-and-fifth-letter check.
    for (const name of ['HTTPS', 'HTTP', 'H', '', 'HTTPX_HOST', 'HTTQ_HOST', 'XTTP_HOST', 'http_host']) {
      expect(headerNameFromVariable(name)).toBeUndefined();
    }
    expect(headerNameFromVariable('HTTP_A')).toBe('a');
    expect(variableFromHeaderName('X-Forwarded-For')).toBe('HTTP_X_FORWARDED_FOR');
  });

  it('keeps at most MAX_CACHED_HEADER_NAMES mappings, and maps names past the bound all the same', () => {
    for (let i = 0; i < MAX_CACHED_HEADER_NAMES + 200; i++) {
      expect(headerNameFromVariable(`HTTP_X_PEER_${i}`)).toBe(`x-peer-${i}`);
    }
    expect(cachedHeaderNameCount()).toBe(MAX_CACHED_HEADER_NAMES);
  });
});
