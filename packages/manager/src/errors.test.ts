// ManagerError: code, exit code by code (2 misuse, 1 failure), cause, and recognition across package copies.
import { describe, expect, it } from 'vitest';
import { isManagerError, MANAGER_EXIT_CODES, ManagerError } from './errors.js';

describe('ManagerError', () => {
  it('carries its code, the exit code of that code, and a cause', () => {
    const cause = new Error('EADDRINUSE');
    const error = new ManagerError('ERR_SCGI_NODE_LISTEN', 'cannot listen', { cause });
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.code, error.exitCode, error.message, error.cause]).toEqual([
      'ManagerError',
      'ERR_SCGI_NODE_LISTEN',
      1,
      'cannot listen',
      cause,
    ]);
    expect(new ManagerError('ERR_SCGI_NODE_BAD_OPTION', 'x').exitCode).toBe(2);
    expect(new ManagerError('ERR_SCGI_NODE_BAD_APP', 'x', { exitCode: 3 }).exitCode).toBe(3);
    expect('cause' in new ManagerError('ERR_SCGI_NODE_BAD_APP', 'x')).toBe(false);
  });

  it('misuses exit 2, failures 1', () => {
    const usage = Object.entries(MANAGER_EXIT_CODES)
      .filter(([, code]) => code === 2)
      .map(([name]) => name);
    expect(usage.sort()).toEqual([
      'ERR_SCGI_NODE_BAD_CONFIG',
      'ERR_SCGI_NODE_BAD_OPTION',
      'ERR_SCGI_NODE_UNKNOWN_USER',
      'ERR_SCGI_NODE_UNSAFE_LISTEN',
    ]);
    expect(Object.values(MANAGER_EXIT_CODES).every((code) => code === 1 || code === 2)).toBe(true);
  });

  it('isManagerError also knows one from another copy of the package, by its code', () => {
    expect(isManagerError(new ManagerError('ERR_SCGI_NODE_STATUS', 'x'))).toBe(true);
    expect(isManagerError(Object.assign(new Error('x'), { code: 'ERR_SCGI_NODE_CRASH_LOOP' }))).toBe(true);
    expect(isManagerError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
    expect(isManagerError({ code: 'ERR_SCGI_NODE_STATUS' })).toBe(false);
  });
});
