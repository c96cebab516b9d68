// Show: SIGHUP under steady load: zero failed requests, and the responses switch to the new code.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { httpGet, SteadyLoad, scgiGet } from './support/load.js';
import { takeMachine } from './support/machine-lock.js';
import { delay, startManager, tempDir } from './support/manager-process.js';

takeMachine();

/** The app's code, as deployed: a version string compiled into the module. */
function appSource(version: string): string {
  return `export default function app(req, res) {
  setTimeout(() => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ version: ${JSON.stringify(version)}, pid: process.pid }));
  }, 20);
}
`;
}

it('reloads on SIGHUP under load with zero failed requests, responses switching to the new code', async () => {
  const dir = tempDir();
  const socket = join(dir, 'app.sock');
  const app = join(dir, 'app.mjs');
  writeFileSync(app, appSource('v1'));
  // Through the manager's own gateway (--http): HTTP -> SCGI in the primary, as a front server would.
  const manager = startManager(
    app,
    ['--listen', `unix:${socket}`, '--workers', '2..4', '--http', '127.0.0.1:0'],
    dir,
  );
  await manager.ready();
  const url = `http://${/, http on (\S+)/.exec(manager.stdout)?.[1]}`;
  const oldPids = new Set((await manager.status()).workers.map((w) => w.pid));
  const load = new SteadyLoad(() => httpGet(`${url}/`), 6);

  await delay(700);
  writeFileSync(app, appSource('v2')); // the deploy
  const hupAt = Date.now();
  process.kill(manager.pid, 'SIGHUP');
  await manager.waitForLog((line) => line.msg === 'reload complete', 20_000);
  const completeAt = Date.now();
  await delay(700);
  const outcomes = await load.stop();

  const versionsBefore = new Set(outcomes.filter((o) => o.endedAt < hupAt).map((o) => o.body?.version));
  const after = outcomes.filter((o) => o.startedAt > completeAt);
  console.log(
    `reload: ${outcomes.length} requests, ${outcomes.filter((o) => !o.ok).length} failed; ` +
      `old workers drained ${completeAt - hupAt} ms after SIGHUP; ${after.length} requests after it`,
  );
  expect(outcomes.filter((o) => !o.ok)).toEqual([]);
  expect(versionsBefore).toEqual(new Set(['v1']));
  expect(after.length).toBeGreaterThan(20);
  for (const outcome of after) {
    expect(outcome.body?.version).toBe('v2');
    expect(oldPids.has(outcome.body?.pid as number)).toBe(false);
  }
  // New workers were ready before any old one was told to drain.
  const firstOldExit = manager.logs.findIndex(
    (l) => l.msg === 'worker exited' && oldPids.has(l.pid as number),
  );
  const newReady = manager.logs.filter(
    (l, i) => l.msg === 'worker ready' && !oldPids.has(l.pid as number) && i < firstOldExit,
  );
  expect(newReady.length).toBeGreaterThanOrEqual(oldPids.size);
  expect((await manager.status()).workers.every((w) => w.generation === 2)).toBe(true);
}, 60_000);

it('keeps the running workers when the new code fails to start on SIGHUP', async () => {
  const dir = tempDir();
  const socket = join(dir, 'app.sock');
  const app = join(dir, 'app.mjs');
  writeFileSync(app, appSource('v1'));
  const manager = startManager(app, ['--listen', `unix:${socket}`, '--workers', '2'], dir);
  await manager.ready();
  const oldPids = (await manager.status()).workers.map((w) => w.pid).sort();
  const load = new SteadyLoad(() => scgiGet(socket, '/'), 4);

  writeFileSync(app, "throw new Error('syntax of the new config is wrong');\n"); // a broken deploy
  process.kill(manager.pid, 'SIGHUP');
  const failed = await manager.waitForLog((line) => line.msg.startsWith('reload failed'));
  await delay(300);
  const outcomes = await load.stop();

  expect(failed.cause).toContain('syntax of the new config is wrong');
  expect(outcomes.filter((o) => !o.ok)).toEqual([]);
  expect(new Set(outcomes.map((o) => o.body?.version))).toEqual(new Set(['v1']));
  const status = await manager.status();
  expect(status.generation).toBe(1);
  expect(status.workers.map((w) => w.pid).sort()).toEqual(oldPids);
  expect(status.workers.every((w) => w.state === 'ready' && w.retiring === null)).toBe(true);
}, 60_000);
