// The measured scenarios and one scenario's rounds: every path once per round, the order rotating, so
// the paths share the machine's moods alike.
import { fileURLToPath } from 'node:url';
import { median, spread } from '../support/stats.mjs';
import { wrk } from '../support/wrk.mjs';

const UPLOAD_SCRIPT = fileURLToPath(new URL('./upload.lua', import.meta.url));

export const SCENARIOS = [
  { name: 'hello', title: 'hello world', path: '/hello', connections: 32 },
  { name: 'page', title: '~20 KB HTML page built per request', path: '/page?q=shoes', connections: 32 },
  { name: 'download', title: '1 MiB download', path: '/download', connections: 16 },
  { name: 'upload', title: '1 MiB upload', path: '/upload', connections: 16, script: UPLOAD_SCRIPT },
];

/**
 * `rounds` rounds of `seconds` per path with wrk -t1. Resolves with, per path id: { rounds (req/s),
 * median, spread, failed (non-2xx and socket errors over all rounds) }.
 */
export async function measureScenario({ scenario, paths, url, rounds, seconds }) {
  const perPath = Object.fromEntries(paths.map((path) => [path.id, { rounds: [], failed: 0 }]));
  for (let round = 0; round < rounds; round++) {
    const order = paths.map((_, i) => paths[(i + round) % paths.length]);
    for (const path of order) {
      const result = await wrk(url(path), {
        threads: 1,
        connections: scenario.connections,
        seconds,
        script: scenario.script,
      });
      perPath[path.id].rounds[round] = result.rps;
      perPath[path.id].failed += result.non2xx + result.socketErrors;
    }
  }
  for (const entry of Object.values(perPath)) {
    entry.median = median(entry.rounds);
    entry.spread = spread(entry.rounds);
  }
  return perPath;
}
