// Show: under steady load, kill -9 a worker every second for 10 s: only its own requests fail; the pool is back within 1 s.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { httpGet, SteadyLoad, startGateway } from './support/load.js';
import { takeMachine } from './support/machine-lock.js';
import { delay, FIXTURES, type ManagerProcess, startManager, tempDir } from './support/manager-process.js';

takeMachine();

const POOL_SIZE = 3;
const KILLS = 10;

/** Polls the status until the pool has POOL_SIZE ready workers again, none of them `killed`; returns the ms taken. */
async function backToSize(manager: ManagerProcess, killed: number, since: number): Promise<number> {
  for (;;) {
    const { workers } = await manager.status();
    const ready = workers.filter((w) => w.state === 'ready' && w.pid !== killed);
    if (ready.length >= POOL_SIZE) return Date.now() - since;
    if (Date.now() - since > 5000) throw new Error(`pool not back to size: ${JSON.stringify(workers)}`);
    await delay(20);
  }
}

it('kill -9 of a worker every second for 10 s fails only its own requests; the pool is back to size within 1 s', async () => {
  const dir = tempDir();
  const socket = join(dir, 'app.sock');
  const probeLog = join(dir, 'requests.log');
  const manager = startManager(
    join(FIXTURES, 'probe-app.mjs'),
    ['--listen', `unix:${socket}`, '--workers', String(POOL_SIZE)],
    dir,
    { env: { PROBE_LOG: probeLog } },
  );
  await manager.ready();
  const { url } = await startGateway(socket);
  const load = new SteadyLoad((id) => httpGet(`${url}/?ms=30`, { 'x-request-id': String(id) }), 6);

  const kills: Array<{ pid: number; at: number; recoveredMs: number }> = [];
  for (let n = 0; n < KILLS; n++) {
    const second = Date.now();
    const ready = (await manager.status()).workers.filter((w) => w.state === 'ready');
    const victim = ready[Math.floor(Math.random() * ready.length)]!;
    const at = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    kills.push({ pid: victim.pid, at, recoveredMs: await backToSize(manager, victim.pid, at) });
    await delay(Math.max(0, 1000 - (Date.now() - second)));
  }
  await delay(300);
  const outcomes = await load.stop();

  // Which worker took each request (written by the app as the request started).
  const takenBy = new Map<number, number>();
  for (const line of readFileSync(probeLog, 'utf8').trim().split('\n')) {
    const [id, pid] = line.split(' ').map(Number);
    takenBy.set(id!, pid!);
  }
  const killedPids = new Set(kills.map((kill) => kill.pid));
  const failed = outcomes.filter((outcome) => !outcome.ok);
  for (const outcome of failed) {
    const pid = takenBy.get(outcome.id);
    if (pid !== undefined) {
      expect(killedPids, `request ${outcome.id} failed on live worker ${pid}`).toContain(pid);
    } else {
      // Accepted by the killed worker but not yet parsed: it fails with that kill, not later.
      const near = kills.some((kill) => outcome.endedAt >= kill.at && outcome.endedAt - kill.at < 500);
      expect(near, `request ${outcome.id} failed away from any kill: ${JSON.stringify(outcome)}`).toBe(true);
    }
  }
  const recoveries = kills.map((kill) => kill.recoveredMs);
  console.log(
    `kill -9 x${KILLS}: ${outcomes.length} requests, ${failed.length} failed (all on killed workers); ` +
      `back to ${POOL_SIZE} ready workers in ${recoveries.join(', ')} ms`,
  );
  expect(outcomes.length - failed.length).toBeGreaterThan(200);
  for (const ms of recoveries) expect(ms).toBeLessThanOrEqual(1000);
  expect(manager.messages('worker crashed: replacing it')).toHaveLength(KILLS);
  expect(manager.messages('worker failed to start')).toHaveLength(0);
}, 60_000);
