// The measured scenarios and one scenario's rounds: every path once per round, the order rotating, so
// the paths share the machine's moods alike.
import { fileURLToPath } from 'node:url';
import { cpuUs } from '../support/proc.mjs';
import { median, spread } from '../support/stats.mjs';
import { wrk } from '../support/wrk.mjs';

const WARM_UP_SECONDS = 1;
const UPLOAD_SCRIPT = fileURLToPath(new URL('./upload.lua', import.meta.url));

export const SCENARIOS = [
  { name: 'hello', title: 'hello world', path: '/hello', connections: 32 },
  { name: 'page', title: '~20 KB HTML page built per request', path: '/page?q=shoes', connections: 32 },
  { name: 'download', title: '1 MiB download', path: '/download', connections: 16 },
  { name: 'upload', title: '1 MiB upload', path: '/upload', connections: 16, script: UPLOAD_SCRIPT },
];

/**
 * `rounds` rounds of `seconds` per path with wrk -t1. `pids(path)` names the processes serving a path
 * ({ worker?, nginx }), whose CPU time per request is taken from /proc around each run: on a machine the
 * load generator shares, that is the figure that does not depend on who got the cores. Resolves with,
 * per path id: { rounds (req/s), median, spread, workerUs and nginxUs (CPU µs per request, per round),
 * workerSystemUs and nginxSystemUs (the kernel's part of those), failed (non-2xx and socket errors over
 * all rounds) }.
 */
/** `total (worker + nginx)` CPU µs per request of one measured path. */
export function cpuText(entry) {
  return `${entry.cpuUs.toFixed(0)} (${entry.workerMedianUs.toFixed(0)} + ${entry.nginxMedianUs.toFixed(0)})`;
}

export async function measureScenario({ scenario, paths, url, pids, rounds, seconds }) {
  const perPath = Object.fromEntries(
    paths.map((path) => [
      path.id,
      { rounds: [], workerUs: [], nginxUs: [], workerSystemUs: [], nginxSystemUs: [], failed: 0 },
    ]),
  );
  // Each path's first second is not timed: the app's code is compiled and its pools warm, whichever
  // round it comes first in.
  for (const path of paths) {
    await wrk(url(path), {
      threads: 1,
      connections: scenario.connections,
      seconds: WARM_UP_SECONDS,
      script: scenario.script,
    });
  }
  for (let round = 0; round < rounds; round++) {
    const order = paths.map((_, i) => paths[(i + round) % paths.length]);
    for (const path of order) {
      const { worker, nginx } = pids(path);
      // The worker's whole tree: a pool's manager or cluster primary and its workers.
      const before = { worker: worker && cpuUs(worker), nginx: cpuUs(nginx) };
      const result = await wrk(url(path), {
        threads: 1,
        connections: scenario.connections,
        seconds,
        script: scenario.script,
      });
      const entry = perPath[path.id];
      entry.rounds[round] = result.rps;
      const after = { worker: worker && cpuUs(worker), nginx: cpuUs(nginx) };
      const perRequest = (from, to) => (to - from) / result.requests;
      entry.workerUs[round] = worker ? perRequest(before.worker.treeUs, after.worker.treeUs) : 0;
      entry.workerSystemUs[round] = worker
        ? perRequest(before.worker.treeSystemUs, after.worker.treeSystemUs)
        : 0;
      entry.nginxUs[round] = perRequest(before.nginx.selfUs, after.nginx.selfUs);
      entry.nginxSystemUs[round] = perRequest(before.nginx.selfSystemUs, after.nginx.selfSystemUs);
      entry.failed += result.non2xx + result.socketErrors;
    }
  }
  for (const entry of Object.values(perPath)) {
    entry.median = median(entry.rounds);
    entry.spread = spread(entry.rounds);
    entry.cpuUs = median(entry.workerUs.map((us, i) => us + entry.nginxUs[i]));
    entry.workerMedianUs = median(entry.workerUs);
    entry.nginxMedianUs = median(entry.nginxUs);
  }
  return perPath;
}
