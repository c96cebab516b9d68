// CGI environment -> SCGI variables: what is passed, in what order, what stays out, and the worker's environment.
import { describe, expect, it } from 'vitest';
import { requestFromCgiEnv } from './cgi-env.js';
import { CgiBridgeError } from './errors.js';
import { workerEnvironment } from './spawn-worker.js';

/** What lighttpd 1.4.69 mod_cgi gave a CGI program for `GET /app/x/y%20z?a=1` rewritten to /env.cgi. */
const LIGHTTPD_ENV = {
  CONTENT_LENGTH: '0',
  DOCUMENT_ROOT: '/tmp/lt1/www',
  GATEWAY_INTERFACE: 'CGI/1.1',
  HTTP_ACCEPT: '*/*',
  HTTP_HOST: '127.0.0.1:18881',
  HTTP_USER_AGENT: 'curl/7.88.1',
  HTTP_X_FOO: 'bar',
  PATH_INFO: '/x/y z',
  PATH_TRANSLATED: '/tmp/lt1/www/x/y z',
  PWD: '/tmp/lt1/www',
  QUERY_STRING: 'a=1',
  REDIRECT_STATUS: '200',
  REDIRECT_URI: '/env.cgi/x/y%20z?a=1',
  REMOTE_ADDR: '127.0.0.1',
  REMOTE_PORT: '50152',
  REQUEST_METHOD: 'GET',
  REQUEST_SCHEME: 'http',
  REQUEST_URI: '/app/x/y%20z?a=1',
  SCRIPT_FILENAME: '/tmp/lt1/www/env.cgi',
  SCRIPT_NAME: '/env.cgi',
  SERVER_ADDR: '127.0.0.1',
  SERVER_NAME: '127.0.0.1',
  SERVER_PORT: '18881',
  SERVER_PROTOCOL: 'HTTP/1.1',
  SERVER_SOFTWARE: 'lighttpd/1.4.69',
};

describe('requestFromCgiEnv', () => {
  it('passes the request variables in scgi_params order, headers last, and nothing else', () => {
    const request = requestFromCgiEnv({
      ...LIGHTTPD_ENV,
      PATH: '/usr/bin',
      HOME: '/root',
      SCGI_NODE_INFO: '/x',
    });
    expect(request).toMatchObject({ method: 'GET', uri: '/app/x/y%20z?a=1', contentLength: 0 });
    expect(request.variables).toEqual([
      ['REQUEST_METHOD', 'GET'],
      ['REQUEST_URI', '/app/x/y%20z?a=1'],
      ['QUERY_STRING', 'a=1'],
      ['DOCUMENT_ROOT', '/tmp/lt1/www'],
      ['SERVER_PROTOCOL', 'HTTP/1.1'],
      ['REQUEST_SCHEME', 'http'],
      ['REMOTE_ADDR', '127.0.0.1'],
      ['REMOTE_PORT', '50152'],
      ['SERVER_ADDR', '127.0.0.1'],
      ['SERVER_PORT', '18881'],
      ['SERVER_NAME', '127.0.0.1'],
      ['SERVER_SOFTWARE', 'lighttpd/1.4.69'],
      ['GATEWAY_INTERFACE', 'CGI/1.1'],
      ['SCRIPT_NAME', '/env.cgi'],
      ['SCRIPT_FILENAME', '/tmp/lt1/www/env.cgi'],
      ['PATH_INFO', '/x/y z'],
      ['PATH_TRANSLATED', '/tmp/lt1/www/x/y z'],
      ['REDIRECT_STATUS', '200'],
      ['REDIRECT_URI', '/env.cgi/x/y%20z?a=1'],
      ['HTTP_ACCEPT', '*/*'],
      ['HTTP_HOST', '127.0.0.1:18881'],
      ['HTTP_USER_AGENT', 'curl/7.88.1'],
      ['HTTP_X_FOO', 'bar'],
    ]);
  });

  it('drops HTTP_PROXY (httpoxy) and the HTTP hop’s framing headers', () => {
    const names = requestFromCgiEnv({
      REQUEST_METHOD: 'POST',
      CONTENT_LENGTH: '3',
      HTTP_PROXY: 'http://evil',
      HTTP_CONTENT_LENGTH: '3',
      HTTP_CONNECTION: 'keep-alive',
      HTTP_X_KEPT: '1',
    }).variables.map(([name]) => name);
    expect(names).toEqual(['REQUEST_METHOD', 'REQUEST_URI', 'HTTP_X_KEPT']);
  });

  it('passEnv adds names and PREFIX* patterns', () => {
    const env = { REQUEST_METHOD: 'GET', APP_NAME: 'shop', TENANT_ID: '7', TENANT_KEY: 'k', OTHER: 'no' };
    expect(requestFromCgiEnv(env, ['APP_NAME', 'TENANT_*']).variables.slice(2)).toEqual([
      ['APP_NAME', 'shop'],
      ['TENANT_ID', '7'],
      ['TENANT_KEY', 'k'],
    ]);
  });

  it('rebuilds REQUEST_URI from SCRIPT_NAME + PATH_INFO + QUERY_STRING, escaping the decoded paths', () => {
    const request = requestFromCgiEnv({
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '/cgi-bin/app.cgi',
      PATH_INFO: '/a b/100%/what?',
      QUERY_STRING: 'q=1',
    });
    expect(request.uri).toBe('/cgi-bin/app.cgi/a%20b/100%25/what%3F?q=1');
    expect(request.variables[1]).toEqual(['REQUEST_URI', request.uri]);
    expect(requestFromCgiEnv({ REQUEST_METHOD: 'GET' }).uri).toBe('/');
  });

  it('values go on the wire as their bytes: UTF-8 from process.env, or the raw environment', () => {
    const env = { REQUEST_METHOD: 'GET', HTTP_X_NAME: 'café', HTTP_X_RAW: 'caf\ufffd' };
    expect(requestFromCgiEnv(env).variables.slice(2)).toEqual([
      ['HTTP_X_NAME', 'caf\u00c3\u00a9'],
      ['HTTP_X_RAW', 'caf\u00ef\u00bf\u00bd'],
    ]);
    // /proc/self/environ had the byte E9 where process.env could only show U+FFFD.
    const raw = { ...env, HTTP_X_NAME: 'caf\u00c3\u00a9', HTTP_X_RAW: 'caf\u00e9' };
    expect(requestFromCgiEnv(env, [], raw).variables.slice(2)).toEqual([
      ['HTTP_X_NAME', 'caf\u00c3\u00a9'],
      ['HTTP_X_RAW', 'caf\u00e9'],
    ]);
  });

  it('CONTENT_LENGTH: absent is 0, absent with Transfer-Encoding is unknown, garbage is a 400', () => {
    expect(requestFromCgiEnv({ REQUEST_METHOD: 'POST' }).contentLength).toBe(0);
    expect(requestFromCgiEnv({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '12' }).contentLength).toBe(12);
    const chunked = { REQUEST_METHOD: 'POST', HTTP_TRANSFER_ENCODING: 'chunked' };
    expect(requestFromCgiEnv(chunked).contentLength).toBeUndefined();
    for (const bad of ['-1', '1e3', '12 ', '99999999999999999999']) {
      expect(() => requestFromCgiEnv({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: bad })).toThrow(
        CgiBridgeError,
      );
    }
    expect(() => requestFromCgiEnv({})).toThrow(/REQUEST_METHOD is not set/);
  });
});

describe('workerEnvironment', () => {
  it('keeps the server’s own environment, drops the request’s, finds this Node, adds the info file’s env', () => {
    const env = workerEnvironment(
      { ...LIGHTTPD_ENV, HTTP_PROXY: 'http://evil', LANG: 'C.UTF-8', SCGI_NODE_SOCKET: '/x', APP_MODE: 'a' },
      { env: { APP_MODE: 'b', NODE_ENV: 'production' } },
    );
    expect(Object.keys(env).sort()).toEqual(['APP_MODE', 'LANG', 'NODE_ENV', 'PATH']);
    expect(env.APP_MODE).toBe('b');
    expect(env.PATH!.split(':')).toContain('/usr/bin');
  });
});
