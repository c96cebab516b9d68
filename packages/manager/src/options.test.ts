// The option table and resolveManagerOptions: every option issue 6 names, defaults, derived defaults, cross-checks.
import { describe, expect, it } from 'vitest';
import { ManagerError } from './errors.js';
import { OPTION_GROUPS, OPTION_KEYS, OPTIONS, resolveManagerOptions } from './options.js';

function thrown(action: () => unknown): ManagerError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ManagerError);
    return error as ManagerError;
  }
  throw new Error('expected a ManagerError');
}

describe('the option table', () => {
  it('has every option issue 6 asks for, each with a flag, a group, a doc and a default', () => {
    const flags = OPTION_KEYS.map((key) => OPTIONS[key].flag);
    for (const flag of [
      'listen',
      'http',
      'workers',
      'spare',
      'concurrency',
      'idle-timeout',
      'max-requests',
      'max-requests-jitter',
      'max-memory',
      'timeout',
      'grace',
      'ready-timeout',
      'crash-budget',
      'crash-window',
      'crash-backoff',
      'crash-backoff-max',
      'user',
      'group',
      'socket-mode',
      'socket-owner',
      'allow',
      'log-format',
      'log-level',
      'status-socket',
      'pid-file',
      'max-header-bytes',
      'max-body-bytes',
      'headers-timeout',
      'connection-idle-timeout',
    ]) {
      expect(flags).toContain(flag);
    }
    expect(new Set(flags).size).toBe(flags.length);
    for (const key of OPTION_KEYS) {
      const spec = OPTIONS[key];
      expect(spec.flag).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(OPTION_GROUPS).toContain(spec.group);
      expect(spec.doc.length).toBeGreaterThan(20);
      expect(spec.doc).toMatch(/\.$/);
    }
    for (const group of OPTION_GROUPS)
      expect(OPTION_KEYS.some((key) => OPTIONS[key].group === group)).toBe(true);
  });
});

describe('resolveManagerOptions', () => {
  it('fills every default, resolving the app against the working directory', () => {
    const options = resolveManagerOptions({ app: 'app.js' }, { cwd: '/srv/site', isTTY: false });
    expect(options).toEqual({
      app: '/srv/site/app.js',
      exportName: 'default',
      listen: 'auto',
      http: undefined,
      workers: { min: 1, max: 4 },
      spare: 1,
      concurrency: 100,
      idleTimeoutMs: 30_000,
      maxRequests: 0,
      maxRequestsJitter: 0,
      maxMemoryBytes: 0,
      timeoutMs: 60_000,
      readyTimeoutMs: 30_000,
      graceMs: 30_000,
      crashBudget: 5,
      crashWindowMs: 60_000,
      crashBackoffMs: 250,
      crashBackoffMaxMs: 10_000,
      user: undefined,
      group: undefined,
      socketMode: 0o660,
      socketOwner: undefined,
      allow: undefined,
      maxHeaderBytes: 64 * 1024,
      maxBodyBytes: 1024 ** 3,
      headersTimeoutMs: 15_000,
      connectionIdleTimeoutMs: 60_000,
      allowHalfClose: false,
      logFormat: 'json',
      logLevel: 'info',
      statusSocket: undefined,
      pidFile: undefined,
    });
  });

  it('derives spare from the range, jitter from max-requests, the log format from the terminal', () => {
    const staticPool = resolveManagerOptions(
      { app: '/a.js', workers: { min: 3, max: 3 }, maxRequests: 1000 },
      { isTTY: true },
    );
    expect([staticPool.spare, staticPool.maxRequestsJitter, staticPool.logFormat]).toEqual([
      0,
      100,
      'pretty',
    ]);
    const given = resolveManagerOptions(
      { app: '/a.js', spare: 2, maxRequests: 1000, maxRequestsJitter: 5, logFormat: 'json' },
      { isTTY: true },
    );
    expect([given.spare, given.maxRequestsJitter, given.logFormat]).toEqual([2, 5, 'json']);
  });

  it('takes typed values as a program gives them, and resolves relative paths', () => {
    const options = resolveManagerOptions(
      {
        app: '/a.js',
        timeoutMs: 5_000,
        maxMemoryBytes: 1024,
        socketMode: 0o600,
        allow: ['10.0.0.0/8'],
        pidFile: 'run/m.pid',
        statusSocket: '/run/s.sock',
      },
      { cwd: '/srv' },
    );
    expect(options).toMatchObject({
      timeoutMs: 5_000,
      maxMemoryBytes: 1024,
      socketMode: 0o600,
      allow: ['10.0.0.0/8'],
      pidFile: '/srv/run/m.pid',
      statusSocket: '/run/s.sock',
    });
  });

  it('checks values, naming the key', () => {
    expect(thrown(() => resolveManagerOptions({ app: '/a.js', concurrency: 0 })).message).toBe(
      'concurrency: expected a whole number >= 1, got 0',
    );
    expect(thrown(() => resolveManagerOptions({ app: '' })).message).toBe(
      'app module: expected a non-empty string, got ""',
    );
  });

  it('checks options against each other', () => {
    expect(
      thrown(() => resolveManagerOptions({ app: '/a.js', workers: { min: 1, max: 2 }, spare: 3 })).message,
    ).toBe('--spare 3 is more than --workers allows (max 2)');
    expect(
      thrown(() => resolveManagerOptions({ app: '/a.js', maxRequests: 10, maxRequestsJitter: 11 })).message,
    ).toBe('--max-requests-jitter 11 is more than --max-requests 10');
    expect(thrown(() => resolveManagerOptions({ app: '/a.js', crashBackoffMs: 20_000 })).message).toBe(
      '--crash-backoff 20s is longer than --crash-backoff-max 10s',
    );
  });

  it('refuses unknown users, groups and socket owners before anything starts', () => {
    const user = thrown(() => resolveManagerOptions({ app: '/a.js', user: 'nobody-at-all' }));
    expect(user.code).toBe('ERR_SCGI_NODE_UNKNOWN_USER');
    expect(thrown(() => resolveManagerOptions({ app: '/a.js', group: 'no-group-here' })).message).toContain(
      '--group: no group named',
    );
    expect(
      thrown(() => resolveManagerOptions({ app: '/a.js', socketOwner: ':no-group-here' })).message,
    ).toContain('--socket-owner: no group named "no-group-here"');
    expect(resolveManagerOptions({ app: '/a.js', user: 'nobody', socketOwner: 'root:root' }).user).toBe(
      'nobody',
    );
  });
});
