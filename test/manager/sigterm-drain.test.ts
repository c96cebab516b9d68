// Show: SIGTERM under steady load: every accepted request completes, new clients are refused, the manager exits 0.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SteadyLoad, scgiGet } from './support/load.js';
import { takeMachine } from './support/machine-lock.js';
import { alive, delay, FIXTURES, startManager, tempDir } from './support/manager-process.js';

takeMachine();

it('drains on SIGTERM under load: every accepted request completes and the process exits 0', async () => {
  const dir = tempDir();
  const socket = join(dir, 'app.sock');
  const manager = startManager(
    join(FIXTURES, 'probe-app.mjs'),
    ['--listen', `unix:${socket}`, '--workers', '3'],
    dir,
  );
  await manager.ready();
  const workers = (await manager.status()).workers.map((w) => w.pid);
  // Straight over SCGI, so a refused connection (no socket any more) is told apart from a failure after accept.
  const load = new SteadyLoad(() => scgiGet(socket, '/?ms=100'), 6, true);
  await delay(800);
  const slow = scgiGet(socket, '/?ms=2000'); // in flight at SIGTERM, longer than the rest
  await delay(100);
  const termAt = Date.now();
  process.kill(manager.pid, 'SIGTERM');
  const exit = await manager.exited;
  const outcomes = await load.stop();
  const slowOutcome = await slow;

  const accepted = outcomes.filter((o) => o.connected);
  const inFlightAtTerm = accepted.filter((o) => o.startedAt < termAt && o.endedAt > termAt);
  const refused = outcomes.filter((o) => !o.connected);
  console.log(
    `SIGTERM: ${accepted.length} accepted requests (${inFlightAtTerm.length} in flight at the signal) all answered; ` +
      `${refused.length} refused after it (${[...new Set(refused.map((o) => o.error))].join('; ')})`,
  );
  expect(exit).toEqual({ code: 0, signal: null });
  expect(accepted.filter((o) => !o.ok)).toEqual([]);
  expect(inFlightAtTerm.length).toBeGreaterThanOrEqual(3);
  expect(slowOutcome.ok).toBe(true);
  // New clients were refused, never accepted and dropped; the socket file is gone; no worker is left.
  for (const outcome of refused) expect(outcome.startedAt).toBeGreaterThanOrEqual(termAt);
  expect(existsSync(socket)).toBe(false);
  for (const pid of workers) expect(alive(pid)).toBe(false);
  expect(manager.messages('stopped')).toHaveLength(1);
}, 60_000);

it('leaves no worker behind when the manager itself is killed with SIGKILL', async () => {
  const dir = tempDir();
  const socket = join(dir, 'app.sock');
  const manager = startManager(
    join(FIXTURES, 'probe-app.mjs'),
    ['--listen', `unix:${socket}`, '--workers', '2'],
    dir,
  );
  await manager.ready();
  const workers = (await manager.status()).workers.map((w) => w.pid);
  const inFlight = scgiGet(socket, '/?ms=300');
  await delay(100);
  process.kill(manager.pid, 'SIGKILL');
  // Each worker sees its IPC channel close, finishes what it has, and exits: no orphans serving stale code.
  expect((await inFlight).ok).toBe(true);
  const until = Date.now() + 5000;
  while (workers.some(alive) && Date.now() < until) await delay(50);
  expect(workers.filter(alive)).toEqual([]);
});
