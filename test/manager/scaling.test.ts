// The pool grows when its workers are busy (event loops blocked) and shrinks back after --idle-timeout.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { scgiGet } from './support/load.js';
import { takeMachine } from './support/machine-lock.js';
import { delay, FIXTURES, startManager, tempDir } from './support/manager-process.js';

takeMachine();

it('starts a worker when all but the spare are busy, and stops the extra one after the idle timeout', async () => {
  const dir = tempDir();
  const socket = join(dir, 'app.sock');
  const manager = startManager(
    join(FIXTURES, 'probe-app.mjs'),
    ['--listen', `unix:${socket}`, '--workers', '1..3', '--idle-timeout', '1s'],
    dir,
  );
  await manager.ready();
  const resting = (await manager.status()).workers;
  expect(resting).toHaveLength(2); // min 1 + spare 1

  // Both block their event loops: neither accepts; the pool starts a third to keep one free.
  const first = scgiGet(socket, '/block?ms=2500');
  await delay(150);
  const second = scgiGet(socket, '/block?ms=2500');
  const third = await manager.waitForLog((line) => line.msg === 'worker ready' && line.worker === 3, 5000);
  const fast = await scgiGet(socket, '/');
  expect(fast.ok).toBe(true);
  expect(fast.body?.pid).toBe(third.pid); // served while the other two were still blocked
  const busy = await manager.status();
  expect(busy.workers).toHaveLength(3);
  expect(busy.workers.filter((w) => w.busy)).toHaveLength(2);
  const blocked = await Promise.all([first, second]);
  expect(blocked.every((o) => o.ok)).toBe(true);
  expect(new Set(blocked.map((o) => o.body?.pid)).size).toBe(2);

  // Idle again: back to min + spare after --idle-timeout.
  const stopped = await manager.waitForLog((line) => line.msg === 'stopping an idle worker', 5000);
  await manager.waitForLog((line) => line.msg === 'worker exited' && line.pid === stopped.pid);
  expect((await manager.status()).workers).toHaveLength(2);
  expect(Date.parse(stopped.time)).toBeGreaterThanOrEqual(Date.parse(third.time) + 1000);
  expect(manager.messages('stopping an idle worker')).toHaveLength(1);
}, 60_000);
