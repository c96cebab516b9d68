// --timeout: a stuck request gets one 504 and one log line with its URL; a worker stuck in a loop is killed and replaced.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { httpGet, scgiGet, startGateway } from './support/load.js';
import { takeMachine } from './support/machine-lock.js';
import { alive, FIXTURES, startManager, tempDir } from './support/manager-process.js';

takeMachine();

it('answers 504 once, logs the URL once, and kills and replaces a worker whose event loop is stuck', async () => {
  const dir = tempDir();
  const socket = join(dir, 'app.sock');
  const manager = startManager(
    join(FIXTURES, 'probe-app.mjs'),
    ['--listen', `unix:${socket}`, '--workers', '2', '--timeout', '1s'],
    dir,
  );
  await manager.ready();
  const { url } = await startGateway(socket);
  const timedOut = (path: string) =>
    manager.messages('request timed out').filter((line) => line.url === path);

  // Stuck awaiting something: the worker's own loop answers, and it keeps serving.
  let startedAt = Date.now();
  const hang = await httpGet(`${url}/hang?id=1`);
  expect(hang.status).toBe(504);
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1000);
  await manager.waitFor('the timeout line', () => timedOut('/hang?id=1')[0]);
  expect(timedOut('/hang?id=1')).toMatchObject([{ level: 'warn', method: 'GET', reply: '504' }]);
  expect(manager.messages('worker exited')).toEqual([]);
  const before = (await manager.status()).workers.map((w) => w.pid).sort();

  // Stuck in a synchronous loop: only the watchdog thread can answer; it kills the worker.
  startedAt = Date.now();
  const spin = await httpGet(`${url}/hang-sync?id=2`);
  expect(spin.status).toBe(504);
  expect(spin.body?.text).toContain('did not answer within 1 s');
  const replaced = await manager.waitForLog((line) => line.msg === 'worker replaced after a timeout kill');
  expect(alive(replaced.pid as number)).toBe(false);
  expect(before).toContain(replaced.pid);
  expect(timedOut('/hang-sync?id=2')).toMatchObject([
    { level: 'warn', reply: '504', action: 'worker killed by its watchdog: its event loop was blocked' },
  ]);
  expect(manager.messages('worker crashed: replacing it')).toEqual([]);
  await manager.waitFor('a replacement', () =>
    manager.logs.find((line) => line.msg === 'worker ready' && !before.includes(line.pid as number)),
  );
  expect((await httpGet(`${url}/`)).ok).toBe(true);

  // The head already sent: no 504 can follow it, so the connection is closed; logged once too.
  const streamed = await scgiGet(socket, '/stream-hang?id=3');
  expect(streamed.status).toBe(200);
  expect(streamed.body?.text).toBe('partial ');
  await manager.waitFor('the third timeout line', () => timedOut('/stream-hang?id=3')[0]);
  expect(timedOut('/stream-hang?id=3')).toMatchObject([
    { reply: 'connection closed (response already started)' },
  ]);
  expect(manager.messages('request timed out')).toHaveLength(3);
  expect((await manager.status()).totals.timeouts).toBe(3);
}, 60_000);
