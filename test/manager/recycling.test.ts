// --max-requests (one worker at a time, its replacement ready first) and --max-memory recycling, with no failed request.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SteadyLoad, scgiGet } from './support/load.js';
import { takeMachine } from './support/machine-lock.js';
import { delay, FIXTURES, type LogLine, startManager, tempDir } from './support/manager-process.js';

takeMachine();

/** Checks, in log order, that a recycle starts only once the previous recycled worker has exited, after its replacement was ready. */
function checkOneAtATime(logs: LogLine[]): number {
  let current: number | undefined;
  let replacementReady = false;
  let recycles = 0;
  for (const line of logs) {
    if (line.msg === 'recycling a worker') {
      expect(current, 'a second recycle began before the first worker exited').toBeUndefined();
      current = line.worker as number;
      replacementReady = false;
      recycles++;
    } else if (line.msg === 'worker ready' && current !== undefined) {
      replacementReady = true;
    } else if (line.msg === 'worker exited' && line.worker === current) {
      expect(replacementReady, 'the recycled worker left before its replacement was ready').toBe(true);
      expect(line.reason).toBe('max-requests');
      current = undefined;
    }
  }
  return recycles;
}

it('recycles workers after --max-requests, one at a time, without failing a request', async () => {
  const dir = tempDir();
  const socket = join(dir, 'app.sock');
  const manager = startManager(
    join(FIXTURES, 'probe-app.mjs'),
    ['--listen', `unix:${socket}`, '--workers', '2', '--max-requests', '15', '--max-requests-jitter', '0'],
    dir,
  );
  await manager.ready();
  const load = new SteadyLoad(() => scgiGet(socket, '/?ms=20'), 3);
  await delay(3000);
  const outcomes = await load.stop();
  await delay(500); // a recycle under way finishes

  expect(outcomes.filter((o) => !o.ok)).toEqual([]);
  const recycles = checkOneAtATime(manager.logs);
  const recycled = manager.messages('recycling a worker');
  console.log(
    `max-requests 15: ${outcomes.length} requests, ${recycles} recycles at ${recycled.map((l) => l.requests).join(', ')} requests; ` +
      `${new Set(outcomes.map((o) => o.body?.pid)).size} worker pids served`,
  );
  expect(recycles).toBeGreaterThanOrEqual(4);
  for (const line of recycled) {
    expect(line.reason).toBe('max-requests');
    expect(line.requests).toBeGreaterThanOrEqual(15);
  }
  expect(manager.messages('worker crashed: replacing it')).toEqual([]);
  expect((await manager.status()).workers.filter((w) => w.state === 'ready')).toHaveLength(2);
}, 60_000);

it('recycles a worker whose memory passes --max-memory, its replacement ready first', async () => {
  const dir = tempDir();
  const socket = join(dir, 'app.sock');
  const manager = startManager(
    join(FIXTURES, 'probe-app.mjs'),
    ['--listen', `unix:${socket}`, '--workers', '1', '--max-memory', '150M'],
    dir,
  );
  await manager.ready();
  const [first] = (await manager.status()).workers;
  expect(first!.rssBytes).toBeLessThan(150 * 1024 * 1024);
  const grown = await scgiGet(socket, '/grow?mb=120');
  expect(grown.body?.pid).toBe(first!.pid);

  const load = new SteadyLoad(() => scgiGet(socket, '/?ms=10'), 2);
  const recycling = await manager.waitForLog((line) => line.msg === 'recycling a worker');
  await manager.waitForLog((line) => line.msg === 'worker exited' && line.pid === first!.pid);
  await delay(200);
  const outcomes = await load.stop();

  expect(recycling).toMatchObject({ pid: first!.pid, reason: 'max-memory' });
  expect(recycling.rssBytes).toBeGreaterThan(150 * 1024 * 1024);
  expect(outcomes.filter((o) => !o.ok)).toEqual([]);
  const later = outcomes.at(-1)!;
  expect(later.body?.pid).not.toBe(first!.pid);
  const [replacement] = (await manager.status()).workers;
  expect(replacement!.rssBytes).toBeLessThan(150 * 1024 * 1024);
}, 60_000);
