// envFromRequest against what nginx (Debian scgi_params) really sent for the same HTTP requests.

import { describe, expect, it } from 'vitest';
import type { HttpRequestInfo } from './env-from-request.js';
import { envFromRequest } from './env-from-request.js';
import { encodeRequestHead } from './request-encoder.js';
import type { CapturedRequest } from './test-support/captures.js';
import { capture } from './test-support/captures.js';
import { expectedEnv, parseChunks, summarize } from './test-support/wire.js';

// What the probe client sent to nginx (port 18080) in every capture, before the per-case headers.
const NGINX_PORT = 18080;
const COMMON_HEADERS = ['Host', `127.0.0.1:${NGINX_PORT}`];

/** The HttpRequestInfo node:http would have given for the request behind an nginx capture. */
function infoFor(
  request: CapturedRequest,
  method: string,
  url: string,
  rawHeaders: string[],
): HttpRequestInfo {
  const env = Object.fromEntries(request.headers);
  return {
    method,
    url,
    httpVersion: env.SERVER_PROTOCOL!.slice('HTTP/'.length),
    rawHeaders: [...COMMON_HEADERS, ...rawHeaders],
    remoteAddress: env.REMOTE_ADDR,
    remotePort: Number(env.REMOTE_PORT),
    localPort: Number(env.SERVER_PORT),
    serverName: env.SERVER_NAME,
    documentRoot: env.DOCUMENT_ROOT,
  };
}

/**
 * nginx's pairs as we mean to reproduce them: without CONTENT_LENGTH and SCGI (the encoder adds those),
 * without the headers we deliberately do not forward, and with the raw Host (port kept).
 */
function nginxExpectation(request: CapturedRequest): Array<[string, string]> {
  const dropped = new Set([
    'CONTENT_LENGTH',
    'SCGI',
    'HTTP_CONNECTION',
    'HTTP_CONTENT_LENGTH',
    'HTTP_TRANSFER_ENCODING',
  ]);
  return request.headers
    .filter(([name]) => !dropped.has(name))
    .map(([name, value]) => [name, name === 'HTTP_HOST' ? `${value}:${NGINX_PORT}` : value]);
}

const GET_HEADERS = [
  ...['X-Test-Id', 'default:nginx:get', 'User-Agent', 'probe/1', 'Accept', '*/*', 'X-A', 'b'],
  ...['Accept-Language', 'en', 'X-Empty', '', 'X-Mixed-Case', 'VaLuE', 'Connection', 'close'],
];

describe('envFromRequest against nginx captures', () => {
  it('gives the variables of a GET with a query in nginx order, with the same values', () => {
    const request = capture('nginx', 'get');
    const env = envFromRequest(infoFor(request, 'GET', '/path?x=1', GET_HEADERS));
    expect(env.map(([name]) => name)).toEqual(nginxExpectation(request).map(([name]) => name));
    expect(env).toEqual(nginxExpectation(request));
  });

  it('places SERVER_ADDR after REMOTE_PORT and HTTPS after REQUEST_SCHEME', () => {
    const info = {
      ...infoFor(capture('nginx', 'get'), 'GET', '/', []),
      localAddress: '127.0.0.1',
      https: true,
    };
    const names = envFromRequest(info).map(([name]) => name);
    expect(names.slice(names.indexOf('REQUEST_SCHEME'), names.indexOf('SERVER_NAME') + 1)).toEqual([
      ...[
        'REQUEST_SCHEME',
        'HTTPS',
        'REMOTE_ADDR',
        'REMOTE_PORT',
        'SERVER_ADDR',
        'SERVER_PORT',
        'SERVER_NAME',
      ],
    ]);
    expect(Object.fromEntries(envFromRequest(info))).toMatchObject({ REQUEST_SCHEME: 'https', HTTPS: 'on' });
  });

  it('keeps repeated headers as repeated keys in order, like nginx 1.22', () => {
    const request = capture('nginx', 'dups');
    const headers = ['X-Test-Id', 'default:nginx:dups', 'Cookie', 'a=1', 'X-Dup', 'one', 'Cookie', 'b=2'];
    const env = envFromRequest(
      infoFor(request, 'GET', '/d', [...headers, 'X-Dup', 'two', 'Connection', 'close']),
    );
    expect(env).toEqual(nginxExpectation(request));
    expect(env.filter(([name]) => name === 'HTTP_COOKIE')).toHaveLength(2);
  });

  it('drops header names with "_", so X_Foo cannot collide with X-Foo (nginx underscore_collide)', () => {
    const request = capture('nginx', 'underscore_collide');
    const headers = ['X-Test-Id', 'default:nginx:underscore_collide', 'X_Foo', '1', 'X-Foo', '2'];
    const env = envFromRequest(infoFor(request, 'GET', '/u2', [...headers, 'Connection', 'close']));
    expect(env).toEqual(nginxExpectation(request));
    expect(env.filter(([name]) => name === 'HTTP_X_FOO')).toEqual([['HTTP_X_FOO', '2']]);
  });

  it('sets CONTENT_TYPE and keeps HTTP_CONTENT_TYPE but not HTTP_CONTENT_LENGTH (nginx post_small)', () => {
    const request = capture('nginx', 'post_small');
    const headers = [
      'X-Test-Id',
      'default:nginx:post_small',
      'Content-Type',
      'application/x-www-form-urlencoded',
    ];
    const env = envFromRequest(
      infoFor(request, 'POST', '/p?x=1', [...headers, 'Connection', 'close', 'Content-Length', '7']),
    );
    expect(env).toEqual(nginxExpectation(request));
  });

  it('does not forward Transfer-Encoding, which nginx wrongly sends for a body it de-chunked', () => {
    const request = capture('nginx', 'chunked');
    const headers = ['User-Agent', 'curl/7.88.1', 'Accept', '*/*', 'X-Test-Id', 'default:nginx:chunked'];
    const body = ['Transfer-Encoding', 'chunked', 'Content-Type', 'application/octet-stream'];
    const env = envFromRequest(infoFor(request, 'POST', '/chunked', [...headers, ...body]));
    expect(env).toEqual(nginxExpectation(request));
    expect(request.headers.map(([name]) => name)).toContain('HTTP_TRANSFER_ENCODING');
  });

  it("drops Proxy (httpoxy: HTTP_PROXY would set a CGI program's proxy) and hop-by-hop TE/Upgrade", () => {
    const env = envFromRequest({
      method: 'GET',
      url: '/',
      httpVersion: '1.1',
      rawHeaders: ['Host', 'a', 'Proxy', 'http://evil:8080', 'TE', 'trailers', 'Upgrade', 'h2c', 'X-Ok', '1'],
    });
    const names = env.map(([name]) => name);
    expect(names).not.toContain('HTTP_PROXY');
    expect(names).not.toContain('HTTP_TE');
    expect(names).not.toContain('HTTP_UPGRADE');
    expect(names).toContain('HTTP_X_OK');
  });

  it('percent-decodes DOCUMENT_URI like nginx, %2F included, and keeps the query raw', () => {
    const env = Object.fromEntries(
      envFromRequest(infoFor(capture('nginx', 'get_paths'), 'GET', '/a/b%20c/d%2Fe.txt?x=1&y=%20', [])),
    );
    const nginx = Object.fromEntries(capture('nginx', 'get_paths').headers);
    for (const name of ['REQUEST_URI', 'QUERY_STRING', 'DOCUMENT_URI']) expect(env[name]).toBe(nginx[name]);
  });

  it('reports HTTP/1.0 as SERVER_PROTOCOL', () => {
    const env = Object.fromEntries(envFromRequest(infoFor(capture('nginx', 'http10'), 'GET', '/ten', [])));
    expect(env.SERVER_PROTOCOL).toBe('HTTP/1.0');
  });
});

describe('envFromRequest details', () => {
  const bare: HttpRequestInfo = { method: 'GET', url: '/', httpVersion: '1.1', rawHeaders: [] };

  it('omits what it was not given, except QUERY_STRING and CONTENT_TYPE', () => {
    expect(envFromRequest(bare)).toEqual([
      ['REQUEST_METHOD', 'GET'],
      ['REQUEST_URI', '/'],
      ['QUERY_STRING', ''],
      ['CONTENT_TYPE', ''],
      ['DOCUMENT_URI', '/'],
      ['SERVER_PROTOCOL', 'HTTP/1.1'],
      ['REQUEST_SCHEME', 'http'],
      ['SERVER_NAME', 'localhost'],
    ]);
  });

  it('takes SERVER_NAME from Host without its port, IPv6 brackets kept', () => {
    const serverName = (host: string) =>
      Object.fromEntries(envFromRequest({ ...bare, rawHeaders: ['host', host] })).SERVER_NAME;
    expect(serverName('example.com:8080')).toBe('example.com');
    expect(serverName('example.com')).toBe('example.com');
    expect(serverName('[::1]:8080')).toBe('[::1]');
    expect(serverName('')).toBe('localhost');
    expect(Object.fromEntries(envFromRequest({ ...bare, serverName: 'app' })).SERVER_NAME).toBe('app');
  });

  it('leaves DOCUMENT_URI raw when an escape is malformed or is a NUL; decodes bytes as latin1', () => {
    const documentUri = (url: string) => Object.fromEntries(envFromRequest({ ...bare, url })).DOCUMENT_URI;
    expect(documentUri('/a%zz?q')).toBe('/a%zz');
    expect(documentUri('/a%2')).toBe('/a%2');
    expect(documentUri('/a%00b')).toBe('/a%00b');
    expect(documentUri('/caf%C3%A9')).toBe('/caf\xc3\xa9'); // the UTF-8 bytes, one char each, as on the wire
    expect(documentUri('http://example.com/x%20y?z')).toBe('/x y');
    expect(documentUri('http://example.com')).toBe('/');
  });

  it('appends extra variables last, and everything encodes and parses back', () => {
    const info = {
      ...bare,
      rawHeaders: ['Cookie', 'a=1', 'Cookie', 'b=2'],
      extra: [['REMOTE_USER', 'ann']] as const,
    };
    const env = envFromRequest(info);
    expect(env.at(-1)).toEqual(['REMOTE_USER', 'ann']);
    const parsed = summarize(parseChunks([encodeRequestHead(env, 0)]));
    expect(parsed.env).toEqual(expectedEnv([['CONTENT_LENGTH', '0'], ['SCGI', '1'], ...env]));
    expect(parsed.env.HTTP_COOKIE).toBe('a=1; b=2');
  });
});
