// Test support: the manager Show tests take the machine one file at a time (a lock dir in the temp dir).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

const LOCK = join(tmpdir(), 'scgi-node-manager-tests.lock');
const WAIT_MS = 600_000;

function holderAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch {
    return true; // just created, its pid not written yet
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Each of these files runs real manager processes with timing assertions (head-of-line, back to size
 * within 1 s) on a 2-core machine; vitest runs files in parallel, so they would compete with each
 * other. This makes the files that call it run one after the other (a stale lock of a dead run is taken over).
 */
export function takeMachine(): void {
  beforeAll(async () => {
    const until = Date.now() + WAIT_MS;
    for (;;) {
      try {
        mkdirSync(LOCK);
        writeFileSync(join(LOCK, 'pid'), String(process.pid));
        return;
      } catch {
        if (!holderAlive()) rmSync(LOCK, { recursive: true, force: true });
        if (Date.now() > until) throw new Error(`${LOCK} held too long`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }, WAIT_MS + 10_000);
  afterAll(() => rmSync(LOCK, { recursive: true, force: true }));
}
