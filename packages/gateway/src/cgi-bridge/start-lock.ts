// The start lock: a file created exclusively (link(2)), so of many simultaneous bridges one starts the worker.
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAlive } from './pid-file.js';

/** What a lock file holds: who took it, when, and a nonce telling two takers with the same pid apart. */
export interface LockRecord {
  pid: number | undefined;
  nonce: string | undefined;
  /** When it was taken (ms since the epoch), from the record or the file's mtime. */
  at: number;
}

/** A lock file empty this long (an older bridge's O_EXCL create, or a hand-made one) is abandoned. */
const EMPTY_LOCK_STALE_MS = 1000;

function newNonce(): string {
  // Not a secret, just unique enough: crypto would cost start-up time for nothing.
  return `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** A lock this process holds. */
export class StartLock {
  private constructor(
    readonly path: string,
    readonly nonce: string,
  ) {}

  /**
   * Take the lock, or undefined when another holds it (EEXIST). The record is written to a temp file
   * first and linked to `path`: link(2) fails if `path` exists, as O_EXCL would, and no bridge ever reads
   * a lock still empty. Other errors (EACCES: the folder is not writable by the web server's user) are
   * thrown.
   */
  static tryAcquire(path: string): StartLock | undefined {
    const nonce = newNonce();
    const temp = `${path}.${nonce}.tmp`;
    writeFileSync(temp, JSON.stringify({ pid: process.pid, nonce, at: Date.now() }), {
      flag: 'wx',
      mode: 0o644,
    });
    try {
      linkSync(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw error;
    } finally {
      unlinkSync(temp);
    }
    return new StartLock(path, nonce);
  }

  /** Remove the lock if it is still ours (a stale-lock breaker may have replaced it meanwhile). */
  release(): void {
    if (readLock(this.path)?.nonce !== this.nonce) return;
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

/** The lock's record; undefined when there is no lock file. */
export function readLock(path: string): LockRecord | undefined {
  let text: string;
  let mtime: number;
  try {
    text = readFileSync(path, 'utf8');
    mtime = statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
  try {
    const record = JSON.parse(text) as { pid?: unknown; nonce?: unknown; at?: unknown };
    return {
      pid: typeof record.pid === 'number' ? record.pid : undefined,
      nonce: typeof record.nonce === 'string' ? record.nonce : undefined,
      at: typeof record.at === 'number' ? record.at : mtime,
    };
  } catch {
    return { pid: undefined, nonce: undefined, at: mtime };
  }
}

/**
 * A lock whose holder is dead, or older than `maxAgeMs` (its pid may have been reused by another
 * process), or empty for over a second (its holder died between creating and writing it).
 */
export function isStale(record: LockRecord, maxAgeMs: number, now = Date.now()): boolean {
  if (record.pid === undefined) return now - record.at > EMPTY_LOCK_STALE_MS;
  return !isAlive(record.pid) || now - record.at > maxAgeMs;
}

/**
 * Remove the stale lock `seen` without removing a fresh one another bridge took in between: move it
 * aside atomically, check it is the one we judged stale, and put it back if it is not. Returns true when
 * the lock is gone (by us or by another breaker), false when a live holder has it.
 */
export function breakStaleLock(path: string, seen: LockRecord): boolean {
  const aside = `${path}.stale-${newNonce()}`;
  try {
    renameSync(path, aside);
  } catch {
    return true; // Gone already: another bridge broke or released it.
  }
  const moved = readLock(aside);
  if (moved !== undefined && moved.nonce !== seen.nonce) {
    try {
      linkSync(aside, path); // Fails if yet another bridge took the lock; then that one holds it.
    } catch {
      // Another holder exists either way.
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
}
