// The kernel's part of a request on each path, which an instruction count (instructions/path-run.mjs)
// cannot see: user and system CPU time per request of the worker and of nginx, from /proc around wrk
// runs, paths alternating (the side-by-side run's own rounds, scenarios.mjs). Absolute µs swing with the
// machine; what this is for is the share of system time and how it differs between a connection per
// request ((a), (b), (e)) and a kept one ((c)).
// Usage: node compare/system-time.mjs [framework=raw] [scenario=hello] [rounds=5] [seconds=3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths, startNginx } from '../support/nginx.mjs';
import { median } from '../support/stats.mjs';
import { requireTools } from '../support/tools.mjs';
import { measureScenario, SCENARIOS } from './scenarios.mjs';
import { workerSet } from './workers.mjs';

const [framework = 'raw', scenarioName = 'hello', rounds = '5', seconds = '3'] = process.argv.slice(2);
const scenario = SCENARIOS.find((entry) => entry.name === scenarioName);
if (scenario === undefined) throw new Error(`no scenario ${scenarioName}`);

// (b) and (c) reach the same node:http worker, as in the side-by-side run.
const PATHS = [
  { id: 'a', app: [framework, 'scgi'], nginx: paths.scgi },
  { id: 'b', app: [framework, 'http'], nginx: paths.http },
  { id: 'c', app: [framework, 'http'], nginx: paths.httpKeepalive },
  ...(framework === 'raw' ? [{ id: 'e', app: ['trivial', 'scgi'], nginx: paths.scgi }] : []),
];

requireTools(['nginx', 'wrk']);
const dir = mkdtempSync(join(tmpdir(), 'scgi-systime-'));
const workers = workerSet(dir);
let nginx;
try {
  const sockets = new Map();
  for (const { app } of PATHS) {
    const name = app.join('-');
    if (!sockets.has(name)) sockets.set(name, await workers.start(...app));
  }
  nginx = await startNginx(
    dir,
    PATHS.map(({ id, app, nginx: how }) => ({ name: id, ...how(sockets.get(app.join('-')), `up_${id}`) })),
  );
  const byPath = await measureScenario({
    scenario,
    paths: PATHS,
    url: (path) => `http://127.0.0.1:${nginx.ports[path.id]}${scenario.path}`,
    pids: (path) => ({ worker: workers.pid(...path.app), nginx: nginx.child.pid }),
    rounds: Number(rounds),
    seconds: Number(seconds),
  });
  console.log(
    `${framework} ${scenario.name}: CPU µs per request, user + system, medians of ${rounds} rounds ` +
      "(system's share of the total)",
  );
  for (const { id } of PATHS) {
    const entry = byPath[id];
    const user = (totals, systems) => median(totals.map((total, round) => total - systems[round]));
    const workerSystem = median(entry.workerSystemUs);
    const nginxSystem = median(entry.nginxSystemUs);
    const workerUser = user(entry.workerUs, entry.workerSystemUs);
    const nginxUser = user(entry.nginxUs, entry.nginxSystemUs);
    const system = workerSystem + nginxSystem;
    const share = (system / (workerUser + nginxUser + system)) * 100;
    console.log(
      `(${id}) worker ${workerUser.toFixed(0)} + ${workerSystem.toFixed(0)}, ` +
        `nginx ${nginxUser.toFixed(0)} + ${nginxSystem.toFixed(0)}: system ${system.toFixed(0)} µs, ` +
        `${share.toFixed(0)}% of the total`,
    );
  }
} finally {
  nginx?.child.kill('SIGTERM');
  await workers.stop();
  rmSync(dir, { recursive: true, force: true });
}
