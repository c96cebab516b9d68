// Where one worker's time goes behind nginx, under wrk: V8's sampling profiler (--cpu-prof) on one app,
// one transport, one scenario of the side-by-side run. Prints the worker's CPU per request and the
// functions with the most self time per request (the garbage collector and idle time included), and our
// code's inclusive time: the same tables as instructions/profile.mjs.
// Usage: node compare/profile.mjs [framework=raw|express|koa|hono|trivial] [scenario=hello] [seconds=10]
// [transport=scgi|http] [top=25]; `trivial` is the one-file SCGI responder, path (e).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { profileTable, summarize } from '../instructions/profile.mjs';
import { paths, startNginx } from '../support/nginx.mjs';
import { cpuUs } from '../support/proc.mjs';
import { requireTools } from '../support/tools.mjs';
import { wrk } from '../support/wrk.mjs';
import { SCENARIOS } from './scenarios.mjs';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const EXIT_ON_SIGTERM = fileURLToPath(new URL('../support/exit-on-sigterm.mjs', import.meta.url));
const [framework = 'raw', scenarioName = 'hello', seconds = '10', transport = 'scgi', top = '25'] =
  process.argv.slice(2);
const scenario = SCENARIOS.find((entry) => entry.name === scenarioName);
if (scenario === undefined) throw new Error(`no scenario ${scenarioName}`);

requireTools(['nginx', 'wrk']);
const dir = mkdtempSync(join(tmpdir(), 'scgi-profile-'));
let nginx;
try {
  const socket = join(dir, 'worker.sock');
  const app = framework === 'trivial' ? ['trivial', 'scgi'] : [framework, transport];
  const worker = fork(WORKER, [...app, socket], {
    stdio: 'inherit',
    execArgv: ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'profile')}`, '--import', EXIT_ON_SIGTERM],
  });
  await once(worker, 'message');
  const nginxPath = app[1] === 'http' ? paths.http : paths.scgi;
  nginx = await startNginx(dir, [{ name: 'worker', ...nginxPath(socket, 'up_worker') }]);
  const before = cpuUs(worker.pid).selfUs;
  const result = await wrk(`http://127.0.0.1:${nginx.ports.worker}${scenario.path}`, {
    threads: 1,
    connections: scenario.connections,
    seconds: Number(seconds),
    script: scenario.script,
  });
  const workerUs = (cpuUs(worker.pid).selfUs - before) / result.requests;
  worker.kill('SIGTERM');
  await once(worker, 'exit');
  const profileDir = join(dir, 'profile');
  const profile = JSON.parse(readFileSync(join(profileDir, readdirSync(profileDir)[0]), 'utf8'));
  console.log(
    `${app.join(' over ')}, ${scenario.name}: ${Math.round(result.rps)} req/s, worker CPU ${workerUs.toFixed(0)} µs per request`,
  );
  const { self, inclusive, total } = summarize(profile);
  const ours = new Map([...inclusive].filter(([name]) => name.includes('packages/')));
  console.log(
    [
      '',
      ...profileTable('Self time', self, total, result.requests, Number(top)),
      '',
      ...profileTable('Inclusive time, our code', ours, total, result.requests, Number(top)),
    ].join('\n'),
  );
} finally {
  nginx?.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
