// The start lock on a real file system: exclusive, released only by its holder, stale locks broken safely.
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/servers.js';
import { breakStaleLock, isStale, readLock, StartLock } from './start-lock.js';

const DEAD_PID = 999_999_999;

describe('StartLock', () => {
  it('one holder at a time; released, it can be taken again', () => {
    const path = join(tempDir(), 'app.pid.lock');
    const first = StartLock.tryAcquire(path);
    expect(first).toBeDefined();
    expect(StartLock.tryAcquire(path)).toBeUndefined();
    expect(readLock(path)).toMatchObject({ pid: process.pid, nonce: first!.nonce });
    first!.release();
    expect(readLock(path)).toBeUndefined();
    expect(StartLock.tryAcquire(path)).toBeDefined();
  });

  it('release leaves a lock that another bridge took since', () => {
    const path = join(tempDir(), 'app.pid.lock');
    const mine = StartLock.tryAcquire(path)!;
    writeFileSync(path, JSON.stringify({ pid: process.pid, nonce: 'someone-else', at: Date.now() }));
    mine.release();
    expect(readLock(path)?.nonce).toBe('someone-else');
  });

  it('an unwritable folder is an error, not "held by another"', () => {
    expect(() => StartLock.tryAcquire('/nonexistent-dir/app.pid.lock')).toThrow(/ENOENT/);
  });
});

describe('stale locks', () => {
  it('stale: its holder is dead, it is older than the limit, or it stayed empty', () => {
    const now = Date.now();
    expect(isStale({ pid: DEAD_PID, nonce: 'n', at: now }, 60_000, now)).toBe(true);
    expect(isStale({ pid: process.pid, nonce: 'n', at: now - 1000 }, 60_000, now)).toBe(false);
    expect(isStale({ pid: process.pid, nonce: 'n', at: now - 61_000 }, 60_000, now)).toBe(true);
    expect(isStale({ pid: undefined, nonce: undefined, at: now - 500 }, 60_000, now)).toBe(false);
    expect(isStale({ pid: undefined, nonce: undefined, at: now - 1500 }, 60_000, now)).toBe(true);
  });

  it('an empty lock file is read with its mtime', () => {
    const path = join(tempDir(), 'app.pid.lock');
    writeFileSync(path, '');
    utimesSync(path, new Date(5000), new Date(5000));
    expect(readLock(path)).toEqual({ pid: undefined, nonce: undefined, at: 5000 });
  });

  it('breaking the stale lock we saw removes it', () => {
    const path = join(tempDir(), 'app.pid.lock');
    writeFileSync(path, JSON.stringify({ pid: DEAD_PID, nonce: 'dead', at: 1 }));
    const seen = readLock(path)!;
    expect(breakStaleLock(path, seen)).toBe(true);
    expect(readLock(path)).toBeUndefined();
    expect(StartLock.tryAcquire(path)).toBeDefined();
  });

  it('a fresh lock taken after we judged the old one stale is put back, not broken', () => {
    const path = join(tempDir(), 'app.pid.lock');
    writeFileSync(path, JSON.stringify({ pid: DEAD_PID, nonce: 'dead', at: 1 }));
    const seen = readLock(path)!;
    // Meanwhile another bridge broke the stale lock and took its own.
    const fresh = JSON.stringify({ pid: process.pid, nonce: 'fresh', at: Date.now() });
    writeFileSync(path, fresh);
    expect(breakStaleLock(path, seen)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(fresh);
  });

  it('a lock already gone counts as broken', () => {
    const path = join(tempDir(), 'app.pid.lock');
    expect(breakStaleLock(path, { pid: DEAD_PID, nonce: 'x', at: 1 })).toBe(true);
  });
});
