// Show: a module that throws at start: the backoff shows in the log, the manager exits non-zero with the cause, no fork bomb.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { takeMachine } from './support/machine-lock.js';
import { alive, FIXTURES, startManager, tempDir } from './support/manager-process.js';

takeMachine();

it('backs off exponentially on a module that throws at start, then exits non-zero with the cause', async () => {
  const dir = tempDir();
  const socket = join(dir, 'app.sock');
  const manager = startManager(
    join(FIXTURES, 'throws-at-start.mjs'),
    ['--listen', `unix:${socket}`, '--workers', '1', '--crash-backoff', '100ms'],
    dir,
  );
  const exit = await manager.exited;

  expect(exit.code).toBe(1);
  const failures = manager.messages('worker failed to start');
  // Default budget 5: five failures wait 100, 200, 400, 800, 1600 ms; the sixth spends the budget.
  expect(failures.map((line) => line.retryInMs)).toEqual([100, 200, 400, 800, 1600]);
  for (const line of failures) expect(line.cause).toContain('database unreachable at startup');
  const starts = manager.messages('worker started');
  expect(starts).toHaveLength(6);
  // Each start waited out its delay after the previous failure: no fork bomb.
  for (let n = 1; n < starts.length; n++) {
    const gap = Date.parse(starts[n]!.time) - Date.parse(failures[n - 1]!.time);
    expect(gap).toBeGreaterThanOrEqual((failures[n - 1]!.retryInMs as number) - 5);
  }
  const giveUp = manager.messages('crash budget spent: giving up');
  expect(giveUp).toHaveLength(1);
  expect(giveUp[0]!.cause).toContain('database unreachable at startup');
  // The cause is also what the command prints last.
  expect(manager.logText().split('\n').at(-1)).toContain('database unreachable at startup');
  for (const line of starts) expect(alive(line.pid as number)).toBe(false);
  expect(existsSync(socket)).toBe(false);
}, 30_000);
