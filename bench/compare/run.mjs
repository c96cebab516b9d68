// `npm run bench` (root) / `npm run bench:compare` (bench/): SCGI against what users would pick instead,
// behind one real nginx, every path measured in the same run, alternating, several rounds.
// Usage: node compare/run.mjs [--quick] [--rounds=N] [--seconds=N] [--frameworks=raw,koa]
// [--scenarios=hello,page] [--pool=N]. Writes bench/results/compare.{md,json,svg} (compare-pool2.* with
// --pool=2; not in --quick mode).
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeChart } from '../charts/write-chart.mjs';
import { paths, readErrorLog, startNginx } from '../support/nginx.mjs';
import { option } from '../support/options.mjs';
import { requireTools } from '../support/tools.mjs';
import { FRAMEWORKS } from './apps.mjs';
import { cpuTicks, machineLine, stealShare } from './machine.mjs';
import { ratioLine, writeReport } from './report.mjs';
import { cpuText, measureScenario, SCENARIOS } from './scenarios.mjs';
import { checkResponses } from './verify.mjs';
import { workerSet } from './workers.mjs';

const quick = process.argv.includes('--quick');
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const defaults = quick
  ? { rounds: 1, seconds: 1, frameworks: ['raw'] }
  : // Five short rounds rather than three long ones: on a shared virtual machine a neighbour's burst
    // spoils a round, and a median of five shrugs off two.
    { rounds: 5, seconds: 3, frameworks: FRAMEWORKS };
// A partial run (any option given) prints its figures but leaves bench/results/ alone.
const partial = ['rounds', 'seconds', 'frameworks', 'scenarios'].some((name) => option(name));
// A pool of N processes per app: SCGI under `scgi-node serve --workers N`, the peers under node:cluster.
const pool = Number(option('pool') ?? 1);
const resultName = pool > 1 ? `compare-pool${pool}` : 'compare';
const settings = {
  rounds: Number(option('rounds') ?? defaults.rounds),
  seconds: Number(option('seconds') ?? defaults.seconds),
  frameworks: option('frameworks')?.split(',') ?? defaults.frameworks,
  scenarios: option('scenarios')?.split(',') ?? SCENARIOS.map((scenario) => scenario.name),
  pool,
};

/**
 * The compared paths. (a) is ours; (b)-(d) are what users run instead; (e) and (f) are ceilings: the least
 * an SCGI worker can do for each scenario, and nginx answering by itself (hello world only).
 */
export const PATHS = [
  { id: 'a', label: 'nginx → SCGI (ours)', transport: 'scgi', nginx: paths.scgi },
  { id: 'b', label: 'nginx → HTTP proxy, default', transport: 'http', nginx: paths.http },
  { id: 'c', label: 'nginx → HTTP proxy, keepalive 32', transport: 'http', nginx: paths.httpKeepalive },
  { id: 'd', label: 'nginx → FastCGI (node-fastcgi)', transport: 'fastcgi', nginx: paths.fastcgi },
  { id: 'e', label: 'nginx → trivial SCGI responder', transport: 'trivial', nginx: paths.scgi },
  { id: 'f', label: 'nginx `return 200`', nginx: paths.nginxReturn, only: 'hello' },
];

requireTools(['nginx', 'wrk']);
const dir = mkdtempSync(join(tmpdir(), 'scgi-compare-'));
const ticksAtStart = cpuTicks();
const workers = workerSet(dir, { pool });

let nginx;
try {
  // Every framework on every transport, plus the trivial responder, at once: one nginx config for all.
  const servers = [];
  const trivialSocket = await workers.start('trivial', 'scgi');
  for (const framework of FRAMEWORKS) {
    const sockets = {};
    for (const transport of ['scgi', 'http', 'fastcgi'])
      sockets[transport] = await workers.start(framework, transport);
    for (const path of PATHS) {
      const socket = path.transport === 'trivial' ? trivialSocket : sockets[path.transport];
      const name = `${framework}_${path.id}`;
      servers.push({ name, ...path.nginx(socket, `up_${name}`) });
    }
  }
  nginx = await startNginx(dir, servers);
  const url = (framework, path, scenario) =>
    `http://127.0.0.1:${nginx.ports[`${framework}_${path.id}`]}${scenario.path}`;

  // Every framework's every path gives the same answer before anything is timed (all of them in --quick).
  await checkResponses({ frameworks: FRAMEWORKS, paths: PATHS, url });

  const results = [];
  for (const scenario of SCENARIOS.filter((entry) => settings.scenarios.includes(entry.name))) {
    for (const framework of settings.frameworks) {
      const measured = PATHS.filter((path) => path.only === undefined || path.only === scenario.name);
      const byPath = await measureScenario({
        scenario,
        paths: measured,
        url: (path) => url(framework, path, scenario),
        pids: (path) => ({
          worker:
            path.transport === 'trivial'
              ? workers.pid('trivial', 'scgi')
              : workers.pid(framework, path.transport),
          nginx: nginx.child.pid,
        }),
        rounds: settings.rounds,
        seconds: settings.seconds,
      });
      results.push({ scenario: scenario.name, framework, byPath });
      const line = measured
        .map((path) => `${path.id} ${Math.round(byPath[path.id].median)} (${cpuText(byPath[path.id])} µs)`)
        .join(', ');
      console.log(`${scenario.name} ${framework}: ${line}: req/s (CPU per request: worker + nginx)`);
      console.log(`  ${ratioLine(results.at(-1))}`);
    }
  }
  const errors = readErrorLog(nginx)
    .split('\n')
    .filter((line) => /\[(error|crit|alert|emerg)\]/.test(line));
  if (errors.length > 0) console.warn(`nginx logged ${errors.length} errors, first: ${errors[0]}`);
  const failed = results.flatMap(({ scenario, framework, byPath }) =>
    Object.entries(byPath)
      .filter(([, entry]) => entry.failed > 0)
      .map(([id, entry]) => `${scenario} ${framework} ${id}: ${entry.failed}`),
  );
  if (failed.length > 0) console.warn(`failed requests (non-2xx or socket errors): ${failed.join(', ')}`);
  // The smoke run is CI's check that every path still works: any failure fails it.
  if (quick && (errors.length > 0 || failed.length > 0)) process.exitCode = 1;
  const steal = stealShare(ticksAtStart, cpuTicks());
  const run = { machine: machineLine(), steal, settings, paths: PATHS, results, nginxErrors: errors.length };
  if (steal !== undefined)
    console.log(`the hypervisor took ${(steal * 100).toFixed(1)}% of the CPU time (steal)`);
  if (!quick && !partial) {
    writeFileSync(join(RESULTS, `${resultName}.json`), `${JSON.stringify(run, null, 2)}\n`);
    await writeChart('compare', run, resultName);
    writeReport(run, join(RESULTS, `${resultName}.md`));
  }
} finally {
  nginx?.child.kill('SIGTERM');
  await Promise.all([nginx && (nginx.child.exitCode ?? once(nginx.child, 'exit')), workers.stop()]);
  rmSync(dir, { recursive: true, force: true });
}
