// Show: with --workers 1..4, a request that blocks its worker's event loop for 2 s does not delay fast requests.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { httpGet, type Outcome, startGateway } from './support/load.js';
import { takeMachine } from './support/machine-lock.js';
import { delay, FIXTURES, startManager, tempDir } from './support/manager-process.js';

takeMachine();

const BLOCK_MS = 2000;

async function timed(url: string): Promise<Outcome & { ms: number }> {
  const startedAt = Date.now();
  const outcome = await httpGet(url);
  const endedAt = Date.now();
  return { id: 0, startedAt, endedAt, ms: endedAt - startedAt, ...outcome };
}

/** Three concurrent fast requests every 40 ms until `until`. */
async function fastRequests(url: string, until: number): Promise<Array<Outcome & { ms: number }>> {
  const outcomes: Array<Outcome & { ms: number }> = [];
  while (Date.now() < until) {
    outcomes.push(...(await Promise.all([1, 2, 3].map(() => timed(`${url}/`)))));
    await delay(40);
  }
  return outcomes;
}

/** What a process outside the pool runs during the baseline: the slow request's work, minus the pool. */
const OUTSIDE: Record<string, string> = {
  block: `setTimeout(() => {}, ${BLOCK_MS})`,
  spin: `const end = Date.now() + ${BLOCK_MS}; while (Date.now() < end);`,
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// /block waits in Atomics.wait (a synchronous wait: no CPU); /spin burns a core (on 2 cores, the others share one).
it.each([
  ['blocks in a synchronous wait', 'block'],
  ['spins the CPU', 'spin'],
])('a request that %s for 2 s delays concurrent fast requests by at most 100 ms', async (_how, route) => {
  const dir = tempDir();
  const socket = join(dir, 'app.sock');
  const manager = startManager(
    join(FIXTURES, 'probe-app.mjs'),
    ['--listen', `unix:${socket}`, '--workers', '1..4'],
    dir,
  );
  await manager.ready();
  expect((await manager.status()).workers).toHaveLength(2); // min 1 + 1 spare: the idle one is already running
  const { url } = await startGateway(socket);

  for (let n = 0; n < 10; n++) await httpGet(`${url}/`); // warm up

  // Baseline, in this run on this machine: the same fast requests while a process outside the pool
  // does what the slow request will do (burn a core, or sleep), so CPU contention is in both phases.
  const outsider = spawn(process.execPath, ['-e', OUTSIDE[route]!]);
  await delay(150);
  const baseline = await fastRequests(url, Date.now() + BLOCK_MS - 300);
  await once(outsider, 'exit');

  const blocking = timed(`${url}/${route}?ms=${BLOCK_MS}`);
  await delay(150); // its worker is now blocked in the handler, not accepting
  const fast = await fastRequests(url, Date.now() + BLOCK_MS - 300);
  const blocked = await blocking;

  expect(blocked.ok).toBe(true);
  expect(blocked.ms).toBeGreaterThanOrEqual(BLOCK_MS);
  expect(fast.length).toBeGreaterThanOrEqual(15);
  for (const outcome of [...baseline, ...fast]) expect(outcome.ok).toBe(true);
  for (const outcome of fast) expect(outcome.body?.pid).not.toBe(blocked.body?.pid);
  const worstBaseline = Math.max(...baseline.map((outcome) => outcome.ms));
  const worst = Math.max(...fast.map((outcome) => outcome.ms));
  console.log(
    `head-of-line (${route}): baseline ${baseline.length} fast requests, median ${median(baseline.map((o) => o.ms))} ms, ` +
      `worst ${worstBaseline} ms; during the block ${fast.length}, median ${median(fast.map((o) => o.ms))} ms, ` +
      `worst ${worst} ms (delay ${worst - worstBaseline} ms)`,
  );
  expect(worst - worstBaseline).toBeLessThanOrEqual(100);
});
