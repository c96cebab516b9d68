// The kernel's part of a request on each path, which an instruction count (instructions/path-run.mjs)
// cannot see: user and system CPU time per request of the worker and of nginx, from /proc around wrk
// runs, paths alternating. Absolute µs swing with the machine; what this is for is the share of system time
// and how it differs between a connection per request ((a), (b), (e)) and a kept one ((c)).
// Usage: node compare/system-time.mjs [framework=raw] [scenario=hello] [rounds=3] [seconds=3]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths, startNginx } from '../support/nginx.mjs';
import { requireTools } from '../support/tools.mjs';
import { wrk } from '../support/wrk.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { workerSet } from './workers.mjs';

const TICK_US = 1e6 / 100; // USER_HZ
const [framework = 'raw', scenarioName = 'hello', roundsText = '3', secondsText = '3'] =
  process.argv.slice(2);
const scenario = SCENARIOS.find((entry) => entry.name === scenarioName);
if (scenario === undefined) throw new Error(`no scenario ${scenarioName}`);

/** { user, system } CPU µs of one process so far. */
function cpu(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * TICK_US, system: Number(fields[12]) * TICK_US };
}

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
  const sockets = {};
  // (b) and (c) reach the same node:http worker, as in the side-by-side run.
  const started = new Map();
  for (const path of PATHS) {
    const name = path.app.join('-');
    if (!started.has(name)) started.set(name, await workers.start(...path.app));
    sockets[path.id] = started.get(name);
  }
  nginx = await startNginx(
    dir,
    PATHS.map((path) => ({ name: path.id, ...path.nginx(sockets[path.id], `up_${path.id}`) })),
  );
  const totals = Object.fromEntries(PATHS.map((path) => [path.id, { requests: 0, w: [0, 0], n: [0, 0] }]));
  const url = (id) => `http://127.0.0.1:${nginx.ports[id]}${scenario.path}`;
  const options = (seconds) => ({
    threads: 1,
    connections: scenario.connections,
    seconds,
    script: scenario.script,
  });
  for (const path of PATHS) await wrk(url(path.id), options(1)); // warm-up, not counted
  for (let round = 0; round < Number(roundsText); round++) {
    for (const path of [...PATHS.slice(round % PATHS.length), ...PATHS.slice(0, round % PATHS.length)]) {
      const workerPid = workers.pid(...path.app);
      const before = [cpu(workerPid), cpu(nginx.child.pid)];
      const result = await wrk(url(path.id), options(Number(secondsText)));
      const after = [cpu(workerPid), cpu(nginx.child.pid)];
      const total = totals[path.id];
      total.requests += result.requests;
      total.w[0] += after[0].user - before[0].user;
      total.w[1] += after[0].system - before[0].system;
      total.n[0] += after[1].user - before[1].user;
      total.n[1] += after[1].system - before[1].system;
    }
  }
  console.log(
    `${framework} ${scenario.name}: CPU µs per request, user + system (system's share of the total)`,
  );
  for (const path of PATHS) {
    const { requests, w, n } = totals[path.id];
    const us = (value) => (value / requests).toFixed(0);
    const system = w[1] + n[1];
    const share = ((system / (w[0] + w[1] + n[0] + n[1])) * 100).toFixed(0);
    console.log(
      `(${path.id}) worker ${us(w[0])} + ${us(w[1])}, nginx ${us(n[0])} + ${us(n[1])}: ` +
        `system ${us(system)} µs, ${share}% of the total`,
    );
  }
} finally {
  nginx?.child.kill('SIGTERM');
  await workers.stop();
  rmSync(dir, { recursive: true, force: true });
}
