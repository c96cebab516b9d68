// The request URL from CGI variables: the fast path agrees with `new URL()`, and bad ones are 400 errors.
import { isScgiError } from '@scgi-node/core';
import { describe, expect, it } from 'vitest';
import { buildHref, hrefFromEnv } from './request-url.js';

function env(variables: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, variables);
}

describe('buildHref', () => {
  it('agrees with the URL parser on plain and unusual targets', () => {
    const cases: Array<[string, string]> = [
      ['example.test', '/'],
      ['example.test:8080', '/a/b?x=1&y=%20z'],
      ['example.test', '/a/./b/../c?q=/../x'],
      ['EXAMPLE.test:80', '/'],
      ['[::1]:8443', '/v6'],
      ['xn--bcher-kva.example', '/ü?ä=ö'],
      ['example.test', "/it's?a=b c"],
    ];
    for (const [host, target] of cases) {
      expect(buildHref('http', host, target)).toBe(new URL(`http://${host}${target}`).href);
    }
    expect(buildHref('https', 'example.test:443', '/x')).toBe('https://example.test/x');
  });

  it('takes an absolute-form target as it is', () => {
    expect(buildHref('http', 'ignored.test', 'http://proxy.test/p?q')).toBe('http://proxy.test/p?q');
  });

  it('rejects a host that would move the path, a backslash path, and a target that is not a path', () => {
    for (const [host, target] of [
      ['evil.test/x?', '/'],
      ['user@evil.test', '/'],
      ['example.test', '/admin\\..\\secret'],
      ['example.test', '*'],
      ['example.test', 'relative'],
      ['example.test:99999', '/'],
    ] as const) {
      let error: unknown;
      try {
        buildHref('http', host, target);
      } catch (caught) {
        error = caught;
      }
      expect(isScgiError(error), `${host} ${target}`).toBe(true);
      expect((error as { status: number }).status).toBe(400);
    }
    expect(buildHref('http', 'example.test', '/ok?path=a\\b')).toBe('http://example.test/ok?path=a\\b');
  });
});

describe('hrefFromEnv', () => {
  it('uses HTTPS or REQUEST_SCHEME, HTTP_HOST, then SERVER_NAME with a non-default SERVER_PORT', () => {
    expect(hrefFromEnv(env({ HTTP_HOST: 'a.test', REQUEST_URI: '/x', HTTPS: 'on' }))).toBe(
      'https://a.test/x',
    );
    expect(hrefFromEnv(env({ HTTP_HOST: 'a.test', REQUEST_URI: '/x', HTTPS: '1' }))).toBe('https://a.test/x');
    expect(hrefFromEnv(env({ SERVER_NAME: 'b.test', SERVER_PORT: '8080', REQUEST_URI: '/' }))).toBe(
      'http://b.test:8080/',
    );
    expect(
      hrefFromEnv(
        env({ SERVER_NAME: 'b.test', SERVER_PORT: '443', REQUEST_SCHEME: 'https', REQUEST_URI: '/' }),
      ),
    ).toBe('https://b.test/');
    expect(hrefFromEnv(env({ SERVER_NAME: '::1', SERVER_PORT: '8080', REQUEST_URI: '/' }))).toBe(
      'http://[::1]:8080/',
    );
    expect(hrefFromEnv(env({ SCRIPT_NAME: '/app', PATH_INFO: '/p', QUERY_STRING: 'q=1' }))).toBe(
      'http://localhost/app/p?q=1',
    );
  });
});
