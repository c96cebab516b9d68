// The command line: each command, flag forms, precedence flag > config > default, and every error with its message.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManagerError } from '../errors.js';
import { type CliCommand, parseCommandLine } from './parse-args.js';

const context = { cwd: '/srv/site', isTTY: false };

function parse(...argv: string[]): CliCommand {
  return parseCommandLine(argv, context);
}

function serve(...argv: string[]) {
  const parsed = parse('serve', ...argv);
  if (parsed.command !== 'serve') throw new Error(`parsed as ${parsed.command}`);
  return parsed.options;
}

function usageError(...argv: string[]): string {
  try {
    parseCommandLine(argv, context);
  } catch (error) {
    expect(error).toBeInstanceOf(ManagerError);
    expect((error as ManagerError).exitCode).toBe(2);
    return (error as ManagerError).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

function config(json: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'scgi-argv-')), 'scgi-node.json');
  writeFileSync(path, JSON.stringify(json));
  return path;
}

describe('commands', () => {
  it('serve <module> with every default, the module resolved against the working directory', () => {
    const options = serve('app.js');
    expect(options.app).toBe('/srv/site/app.js');
    expect(options).toMatchObject({
      listen: 'auto',
      workers: { min: 1, max: 4 },
      spare: 1,
      timeoutMs: 60_000,
      logFormat: 'json',
    });
  });

  it('help and version, as commands or flags of a command', () => {
    for (const argv of [
      ['--help'],
      ['-h'],
      ['help'],
      ['serve', '--help'],
      ['status', '-h'],
      ['serve', 'app.js', '--workers', '2', '--help'],
    ]) {
      expect(parse(...argv)).toEqual({ command: 'help' });
    }
    for (const argv of [['--version'], ['-V'], ['serve', '--version']])
      expect(parse(...argv)).toEqual({ command: 'version' });
  });

  it('status with --status-socket and --json, or the socket from a config file', () => {
    expect(parse('status', '--status-socket', 'run/s.sock', '--json')).toEqual({
      command: 'status',
      statusSocket: 'run/s.sock',
      json: true,
    });
    expect(parse('status', '--config', config({ statusSocket: '/run/app.status' }))).toEqual({
      command: 'status',
      statusSocket: '/run/app.status',
      json: false,
    });
  });

  it('check <module> [--export name]', () => {
    expect(parse('check', 'app.js', '--export', 'app')).toEqual({
      command: 'check',
      app: 'app.js',
      exportName: 'app',
    });
    expect(parse('check', 'app.js')).toEqual({ command: 'check', app: 'app.js', exportName: 'default' });
  });
});

describe('flag forms', () => {
  it('--name value, --name=value, booleans, -- before a module named like a flag', () => {
    const options = serve(
      '--listen',
      'unix:/run/app.sock',
      '--timeout=5s',
      '--allow-half-close',
      'app.js',
      '--max-body-bytes=1048576',
    );
    expect(options).toMatchObject({
      listen: 'unix:/run/app.sock',
      timeoutMs: 5_000,
      allowHalfClose: true,
      maxBodyBytes: 1_048_576,
    });
    expect(serve('--allow-half-close=false', 'app.js').allowHalfClose).toBe(false);
    expect(serve('--', '--odd.js').app).toBe('/srv/site/--odd.js');
  });

  it('a repeated --allow adds to the list', () => {
    expect(serve('app.js', '--allow', '10.0.0.0/8', '--allow=192.168.1.7,::1').allow).toEqual([
      '10.0.0.0/8',
      '192.168.1.7/32',
      '::1/128',
    ]);
  });

  it('every option of the table can be given as a flag', () => {
    const options = serve(
      'app.js',
      '--export',
      'handler',
      '--http',
      '127.0.0.1:8080',
      '--socket-mode',
      '600',
      '--socket-owner',
      'nobody',
      '--workers',
      '2..6',
      '--spare',
      '2',
      '--concurrency',
      '8',
      '--idle-timeout',
      '1m',
      '--max-requests',
      '500',
      '--max-requests-jitter',
      '20',
      '--max-memory',
      '256M',
      '--ready-timeout',
      '5s',
      '--grace',
      '3s',
      '--crash-budget',
      '3',
      '--crash-window',
      '2m',
      '--crash-backoff',
      '100ms',
      '--crash-backoff-max',
      '5s',
      '--user',
      'nobody',
      '--group',
      'root',
      '--max-header-bytes',
      '16K',
      '--headers-timeout',
      '2s',
      '--connection-idle-timeout',
      '20s',
      '--log-format',
      'pretty',
      '--log-level',
      'debug',
      '--status-socket',
      '/run/s.sock',
      '--pid-file',
      'm.pid',
    );
    expect(options).toMatchObject({
      exportName: 'handler',
      http: '127.0.0.1:8080',
      socketMode: 0o600,
      socketOwner: 'nobody',
      workers: { min: 2, max: 6 },
      spare: 2,
      concurrency: 8,
      idleTimeoutMs: 60_000,
      maxRequests: 500,
      maxRequestsJitter: 20,
      maxMemoryBytes: 256 * 1024 ** 2,
      readyTimeoutMs: 5_000,
      graceMs: 3_000,
      crashBudget: 3,
      crashWindowMs: 120_000,
      crashBackoffMs: 100,
      crashBackoffMaxMs: 5_000,
      user: 'nobody',
      group: 'root',
      maxHeaderBytes: 16_384,
      headersTimeoutMs: 2_000,
      connectionIdleTimeoutMs: 20_000,
      logFormat: 'pretty',
      logLevel: 'debug',
      statusSocket: '/run/s.sock',
      pidFile: '/srv/site/m.pid',
    });
  });
});

describe('precedence: flag > config > default', () => {
  it('a flag wins over the config file, which wins over the default', () => {
    const file = config({ workers: '2..8', timeout: '10s', 'max-memory': '1G', app: 'from-config.js' });
    const options = serve('--config', file, '--workers', '3');
    expect(options).toMatchObject({
      app: '/srv/site/from-config.js',
      workers: { min: 3, max: 3 },
      spare: 0, // derived from the flag's static pool, not the config's range
      timeoutMs: 10_000,
      maxMemoryBytes: 1024 ** 3,
      graceMs: 30_000,
    });
    expect(serve('main.js', '--config', file).app).toBe('/srv/site/main.js');
  });
});

describe('cgi', () => {
  it("passes every argument after cgi to the bridge untouched, even ones that look like the manager's", () => {
    expect(parseCommandLine(['cgi'])).toEqual({ command: 'cgi', args: [] });
    expect(parseCommandLine(['cgi', '/srv/www/app.scgi', '--workers', 'x'])).toEqual({
      command: 'cgi',
      args: ['/srv/www/app.scgi', '--workers', 'x'],
    });
  });
});

describe('errors, each with what went wrong', () => {
  it.each([
    [
      [],
      'give a command: serve <app-module>, status, check <app-module> or cgi (scgi-node --help lists them all)',
    ],
    [
      ['srve', 'app.js'],
      'unknown command "srve" (did you mean serve?); the commands are serve, status, check, cgi',
    ],
    [['serve', 'app.js', '--wrkers', '2'], 'unknown option --wrkers (did you mean --workers?)'],
    [['serve', 'app.js', '--frobnicate'], 'unknown option --frobnicate'],
    [['serve', 'app.js', '-w', '2'], 'unknown option -w (options are spelled --name)'],
    [['status', '--workers', '2'], '--workers is not an option of status'],
    [['check', 'app.js', '--listen', '4000'], '--listen is not an option of check'],
    [['serve', 'app.js', '--json'], '--json is an option of the status command'],
    [['serve', 'app.js', '--workers', '2', '--workers', '3'], '--workers is given twice'],
    [['serve', 'app.js', '--listen'], '--listen needs a value'],
    [['serve', 'app.js', '--listen', '--workers', '2'], '--listen needs a value'],
    [['serve', 'app.js', '--config'], '--config needs a value'],
    [['serve', 'app.js', '--config='], '--config needs a value'],
    [
      ['status', '--status-socket', '/s', '--json=maybe'],
      '--json takes no value (or =true, =false), got "maybe"',
    ],
    [['serve', 'app.js', '--allow-half-close=yes'], '--allow-half-close: expected true or false, got "yes"'],
    [['status', 'extra', '--status-socket', '/s'], 'status takes no argument, got "extra"'],
    [
      ['status'],
      'status needs the status socket: --status-socket <path> (or statusSocket in the --config file)',
    ],
    [['serve', 'a.js', 'b.js'], 'serve takes one app module, got a.js, b.js'],
    [['serve'], 'serve needs the app module: scgi-node serve ./app.js'],
    [['check'], 'check needs the app module: scgi-node check ./app.js'],
    [['serve', 'app.js', '--timeout', '60'], '--timeout: "60" has no unit; write 60s or 60ms'],
    [
      ['serve', 'app.js', '--workers', '4..2'],
      '--workers: expected N (a static pool) or min..max, such as 4 or 2..8, with 1 <= min <= max, got "4..2"',
    ],
    [
      ['serve', 'app.js', '--workers', '1..2', '--spare', '3'],
      '--spare 3 is more than --workers allows (max 2)',
    ],
    [
      ['serve', 'app.js', '--log-level', 'verbose'],
      '--log-level: expected one of debug, info, warn, error, got "verbose"',
    ],
  ])('%j', (argv, message) => {
    expect(usageError(...(argv as string[]))).toBe(message);
  });

  it('an unknown user is refused at parse time (exit 2)', () => {
    expect(usageError('serve', 'app.js', '--user', 'nobdy')).toBe(
      '--user: no user named "nobdy" in /etc/passwd',
    );
  });

  it('errors of the config file come through', () => {
    expect(usageError('serve', 'app.js', '--config', '/nonexistent/scgi.json')).toMatch(
      /^--config: cannot read \/nonexistent\/scgi\.json: ENOENT/,
    );
  });
});
