// The info file (JSON and key = value), SCGI_NODE_* variables, defaults, and one test per error code.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/servers.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_RESPONSE_TIMEOUT_MS,
  DEFAULT_START_TIMEOUT_MS,
  loadConfig,
} from './config.js';
import { CgiBridgeError } from './errors.js';
import { findInfoFile, splitWords } from './info-file.js';

function infoDir(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The CGI variables of a request to `<dir>/app.cgi`. */
function cgiEnv(dir: string, extra: Record<string, string> = {}) {
  return { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: join(dir, 'app.cgi'), ...extra };
}

function failure(run: () => unknown): CgiBridgeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CgiBridgeError);
    return error as CgiBridgeError;
  }
  throw new Error('expected a CgiBridgeError');
}

describe('the JSON info file beside the script', () => {
  it('reads every field; relative paths are from the info file’s folder', () => {
    const dir = infoDir({
      'app.scgi.json': JSON.stringify({
        $comment: 'ignored',
        socket: 'unix:run/app.sock',
        pidFile: 'run/app.pid',
        command: ['node', 'dist/server.js', '--port', '0'],
        cwd: 'srv',
        env: { NODE_ENV: 'production' },
        logFile: 'app.log',
        startTimeoutMs: 5000,
        connectTimeoutMs: 100,
        responseTimeoutMs: 30000,
        bufferResponse: true,
        bufferMemoryLimitBytes: 4096,
        maxBufferedRequestBytes: 1000,
        passEnv: ['APP_NAME', 'TENANT_*'],
      }),
    });
    expect(loadConfig(cgiEnv(dir), [])).toEqual({
      source: join(dir, 'app.scgi.json'),
      socket: { path: join(dir, 'run/app.sock') },
      pidFile: join(dir, 'run/app.pid'),
      command: ['node', 'dist/server.js', '--port', '0'],
      cwd: join(dir, 'srv'),
      env: { NODE_ENV: 'production' },
      logFile: join(dir, 'app.log'),
      startTimeoutMs: 5000,
      connectTimeoutMs: 100,
      responseTimeoutMs: 30000,
      bufferResponse: true,
      bufferMemoryLimitBytes: 4096,
      maxBufferedRequestBytes: 1000,
      passEnv: ['APP_NAME', 'TENANT_*'],
    });
  });

  it('defaults: pid file beside the socket, cwd = the info file’s folder, no buffering', () => {
    const dir = infoDir({ 'app.scgi.json': '{"socket": "/run/app.sock"}' });
    expect(loadConfig(cgiEnv(dir), [])).toMatchObject({
      socket: { path: '/run/app.sock' },
      pidFile: '/run/app.sock.pid',
      command: undefined,
      cwd: dir,
      startTimeoutMs: DEFAULT_START_TIMEOUT_MS,
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: DEFAULT_RESPONSE_TIMEOUT_MS,
      bufferResponse: false,
    });
  });

  it.each([
    ['127.0.0.1:4000', { host: '127.0.0.1', port: 4000 }],
    ['localhost:4000', { host: 'localhost', port: 4000 }],
    ['[::1]:4000', { host: '::1', port: 4000 }],
    ['unix:/run/a.sock', { path: '/run/a.sock' }],
  ])('socket %s', (socket, address) => {
    const dir = infoDir({ 'app.scgi.json': JSON.stringify({ socket }) });
    expect(loadConfig(cgiEnv(dir), []).socket).toEqual(address);
  });
});

describe('the key = value info file', () => {
  it('comments, quoted values, word lists and env.NAME lines', () => {
    const dir = infoDir({
      'app.scgi': [
        '#!/usr/bin/scgi-cgi',
        '; also a comment',
        'socket = unix:/run/app.sock',
        `command = node "/srv/my app/server.js" --name 'a b' plain\\ word`,
        'env.NODE_ENV = production',
        'env.GREETING = "hello = world"',
        'bufferResponse = on',
        'startTimeoutMs = 2500',
        'passEnv = APP_NAME TENANT_*',
      ].join('\n'),
    });
    expect(loadConfig(cgiEnv(dir), [])).toMatchObject({
      socket: { path: '/run/app.sock' },
      command: ['node', '/srv/my app/server.js', '--name', 'a b', 'plain word'],
      env: { NODE_ENV: 'production', GREETING: 'hello = world' },
      bufferResponse: true,
      startTimeoutMs: 2500,
      passEnv: ['APP_NAME', 'TENANT_*'],
    });
  });

  it('splitWords refuses an unclosed quote', () => {
    expect(splitWords('node "app.js')).toBeUndefined();
    expect(splitWords('  a  "" b ')).toEqual(['a', '', 'b']);
  });
});

describe('where the info file is found', () => {
  it('SCGI_NODE_INFO, then the first argument, then <script>.scgi.json, then <script>.scgi', () => {
    const dir = infoDir({ 'app.scgi.json': '{}', 'app.scgi': '' });
    expect(findInfoFile(cgiEnv(dir, { SCGI_NODE_INFO: '/etc/x.json' }), ['/a.scgi'])).toBe('/etc/x.json');
    expect(findInfoFile(cgiEnv(dir), ['/a.scgi'])).toBe('/a.scgi');
    expect(findInfoFile(cgiEnv(dir), [])).toBe(join(dir, 'app.scgi.json'));
    const textOnly = infoDir({ 'app.scgi': '' });
    expect(findInfoFile(cgiEnv(textOnly), [])).toBe(join(textOnly, 'app.scgi'));
    expect(findInfoFile(cgiEnv(tempDir()), [])).toBeUndefined();
  });

  it('without one: the SCGI_NODE_* variables', () => {
    const env = cgiEnv(tempDir(), {
      SCGI_NODE_SOCKET: '127.0.0.1:4000',
      SCGI_NODE_PID_FILE: '/run/app.pid',
      SCGI_NODE_COMMAND: 'node /srv/app.js',
      SCGI_NODE_RESPONSE_TIMEOUT_MS: '1500',
      SCGI_NODE_BUFFER_RESPONSE: 'yes',
    });
    expect(loadConfig(env, [])).toMatchObject({
      source: 'environment',
      socket: { host: '127.0.0.1', port: 4000 },
      pidFile: '/run/app.pid',
      command: ['node', '/srv/app.js'],
      responseTimeoutMs: 1500,
      bufferResponse: true,
    });
  });
});

describe('one error per code, naming the source and the field', () => {
  it('ERR_CGI_INFO_UNREADABLE', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'app.scgi.json'));
    const error = failure(() => loadConfig(cgiEnv(dir), []));
    expect(error).toMatchObject({
      code: 'ERR_CGI_INFO_UNREADABLE',
      status: 500,
      source: join(dir, 'app.scgi.json'),
    });
    expect(error.message).toBe('cannot read the info file (EISDIR)');
  });

  it('ERR_CGI_INFO_SYNTAX: JSON, a JSON array, a bad line, a repeated key', () => {
    for (const [name, text, message] of [
      ['app.scgi.json', '{"socket": ', /^invalid JSON: /],
      ['app.scgi.json', '["socket"]', /^the JSON must be an object of fields$/],
      ['app.scgi', 'socket = /a.sock\nno equals here', /^line 2 is not "key = value": "no equals here"$/],
      ['app.scgi', 'socket = /a.sock\nsocket = /b.sock', /^line 2: "socket" is set twice$/],
    ] as const) {
      const error = failure(() => loadConfig(cgiEnv(infoDir({ [name]: text })), []));
      expect(error.code).toBe('ERR_CGI_INFO_SYNTAX');
      expect(error.message).toMatch(message);
    }
  });

  it('ERR_CGI_INFO_UNKNOWN_FIELD', () => {
    const error = failure(() =>
      loadConfig(cgiEnv(infoDir({ 'app.scgi': 'socket = /a.sock\nsokcet = x' })), []),
    );
    expect(error).toMatchObject({ code: 'ERR_CGI_INFO_UNKNOWN_FIELD', field: 'sokcet' });
  });

  it('ERR_CGI_INFO_MISSING_FIELD: no socket; a TCP worker to start without a pidFile', () => {
    expect(failure(() => loadConfig(cgiEnv(infoDir({ 'app.scgi.json': '{}' })), []))).toMatchObject({
      code: 'ERR_CGI_INFO_MISSING_FIELD',
      field: 'socket',
    });
    const tcp = infoDir({ 'app.scgi.json': '{"socket": "127.0.0.1:4000", "command": ["node", "a.js"]}' });
    expect(failure(() => loadConfig(cgiEnv(tcp), []))).toMatchObject({
      code: 'ERR_CGI_INFO_MISSING_FIELD',
      field: 'pidFile',
    });
  });

  it.each([
    [{ socket: 4000 }, 'socket', 'must be a string: "unix:/path.sock" or "host:port", got 4000'],
    [
      { socket: 'localhost' },
      'socket',
      'must be "unix:/path.sock", a socket path, "host:port" or "[v6]:port", got "localhost"',
    ],
    [{ socket: 'h:70000' }, 'socket', 'port must be 1-65535, got "h:70000"'],
    [
      { socket: '/a.sock', startTimeoutMs: -1 },
      'startTimeoutMs',
      'must be an integer >= 0 (milliseconds), got -1',
    ],
    [
      { socket: '/a.sock', startTimeoutMs: '100' },
      'startTimeoutMs',
      'must be an integer >= 0 (milliseconds), got "100"',
    ],
    [{ socket: '/a.sock', bufferResponse: 'yes' }, 'bufferResponse', 'must be true or false, got "yes"'],
    [
      { socket: '/a.sock', command: [] },
      'command',
      'must be a non-empty list of non-empty strings (an argv array, or words), got []',
    ],
    [
      { socket: '/a.sock', env: { 'A-B': 'x' } },
      'env',
      'must map variable names to strings (see "A-B"), got {"A-B":"x"}',
    ],
    [{ socket: '/a.sock', logFile: '' }, 'logFile', 'must be a non-empty path string, got ""'],
  ])('ERR_CGI_INFO_BAD_VALUE %j', (fields, field, message) => {
    const error = failure(() => loadConfig(cgiEnv(infoDir({ 'app.scgi.json': JSON.stringify(fields) })), []));
    expect(error).toMatchObject({ code: 'ERR_CGI_INFO_BAD_VALUE', status: 500, field, message });
  });

  it('ERR_CGI_INFO_BAD_VALUE from a variable names the variable; the log file is kept for the report', () => {
    const env = cgiEnv(tempDir(), { SCGI_NODE_SOCKET: '/a.sock', SCGI_NODE_START_TIMEOUT_MS: 'soon' });
    expect(failure(() => loadConfig(env, []))).toMatchObject({
      source: 'environment',
      field: 'SCGI_NODE_START_TIMEOUT_MS',
    });
    const dir = infoDir({ 'app.scgi.json': '{"socket": "/a.sock", "logFile": "app.log", "cwd": 7}' });
    expect(failure(() => loadConfig(cgiEnv(dir), []))).toMatchObject({
      field: 'cwd',
      logFile: join(dir, 'app.log'),
    });
  });

  it('ERR_CGI_NO_TARGET', () => {
    expect(failure(() => loadConfig(cgiEnv(tempDir()), []))).toMatchObject({
      code: 'ERR_CGI_NO_TARGET',
      status: 500,
    });
  });
});
