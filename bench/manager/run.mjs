// Manager bench: 1 vs 2 workers on a CPU-bound app, and the per-request cost of the dispatch design, via nginx + wrk.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, cpuUs, median, startDesign, startNginx, stopProcess, wrk } from './measure.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RESULTS = fileURLToPath(new URL('../results/manager.md', import.meta.url));
const FIB = Number(process.env.BENCH_FIB ?? 30);
// Two connections per worker keep both busy; more only queue in nginx. One wrk thread leaves the cores
// to the workers.
const CPU_LOAD = { threads: 1, connections: 4 };
const POOL_LOAD = { threads: 2, connections: 16 };

for (const tool of ['nginx', 'wrk']) {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
  } catch {
    throw new Error(`${tool} is needed (apt-get install ${tool})`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'scgi-bench-manager-'));
chmodSync(dir, 0o755);
const running = [];

/** Start each named config, nginx in front of all of them; returns the URL of each. */
async function setUp(configs) {
  const sockets = {};
  const roots = {};
  for (const [name, { design, appName, workers }] of Object.entries(configs)) {
    sockets[name] = join(dir, `${name.replace(/\W+/g, '-')}.sock`);
    roots[name] = await startDesign(design, app(appName), sockets[name], workers);
    running.push(roots[name]);
  }
  const nginx = await startNginx(join(dir, `nginx-${running.length}`), sockets);
  running.push(nginx.child);
  return {
    urls: Object.fromEntries(Object.entries(nginx.ports).map(([n, p]) => [n, `http://127.0.0.1:${p}/`])),
    roots,
  };
}

async function tearDown() {
  for (const child of running.splice(0).reverse()) await stopProcess(child);
}

/** Interleaved rounds of wrk over every config; per config: median rps/latency, and CPU µs per request. */
async function measure(configs, urls, roots, load) {
  const samples = Object.fromEntries(Object.keys(configs).map((name) => [name, []]));
  for (const name of Object.keys(configs)) await wrk(urls[name], { ...load, seconds: 1 }); // warm up
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(configs)) {
      const pid = roots[name].pid;
      const before = cpuUs(pid);
      const result = await wrk(urls[name], { ...load, seconds: SECONDS });
      const after = cpuUs(pid);
      if (result.non2xx + result.socketErrors > 0) throw new Error(`${name}: ${JSON.stringify(result)}`);
      samples[name].push({
        ...result,
        primaryUsPerRequest: (after.selfUs - before.selfUs) / result.requests,
        treeUsPerRequest: (after.treeUs - before.treeUs) / result.requests,
      });
      process.stderr.write(`${name} ${JSON.stringify(load)} round ${round + 1}: ${result.rps} req/s\n`);
    }
  }
  const summary = {};
  for (const [name, list] of Object.entries(samples)) {
    summary[name] = Object.fromEntries(
      ['rps', 'avgUs', 'p50Us', 'p99Us', 'primaryUsPerRequest', 'treeUsPerRequest'].map((k) => [
        k,
        median(list.map((s) => s[k])),
      ]),
    );
    summary[name].rounds = list.map((s) => Math.round(s.rps));
    summary[name].bestRps = Math.max(...list.map((s) => s.rps));
  }
  return summary;
}

const conditions = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? '?',
  loadBefore: loadavg()
    .map((n) => n.toFixed(2))
    .join(' '),
  nginx: spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim().replace('nginx version: ', ''),
};

try {
  // Part A: CPU-bound app, the real manager (shared accept), 1 vs 2 workers.
  const scaling = {
    'manager, 1 worker': { design: 'shared', appName: 'cpu', workers: 1 },
    'manager, 2 workers': { design: 'shared', appName: 'cpu', workers: 2 },
  };
  let { urls, roots } = await setUp(scaling);
  const cpuBound = await measure(scaling, urls, roots, CPU_LOAD);
  await tearDown();

  // Part B: the smallest app, one worker each: what the way a request reaches the worker costs.
  const dispatch = {
    direct: { design: 'direct', appName: 'hello', workers: 1 },
    'shared accept': { design: 'shared', appName: 'hello', workers: 1 },
    'primary passes': { design: 'pass', appName: 'hello', workers: 1 },
  };
  ({ urls, roots } = await setUp(dispatch));
  const serial = await measure(dispatch, urls, roots, { threads: 1, connections: 1 });
  const loaded = await measure(dispatch, urls, roots, { threads: 2, connections: 16 });
  await tearDown();

  // Part C: the smallest app on two workers: the manager's pool against node:cluster copies of the direct
  // server, both accepting on one shared socket, so what differs is the manager's worker (its request
  // tracker, watchdog thread and heartbeat) and its primary.
  const pools = {
    'node:cluster, 2 copies': { design: 'cluster', appName: 'hello', workers: 2 },
    'manager, 2 workers': { design: 'shared', appName: 'hello', workers: 2 },
  };
  ({ urls, roots } = await setUp(pools));
  const pooled = await measure(pools, urls, roots, POOL_LOAD);
  await tearDown();

  conditions.loadAfter = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  writeFileSync(RESULTS, report(conditions, cpuBound, serial, loaded, pooled));
  process.stderr.write(`written ${RESULTS}\n`);
} finally {
  await tearDown();
  rmSync(dir, { recursive: true, force: true });
}

function report(env, cpuBound, serial, loaded, pooled) {
  const f = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
  const one = cpuBound['manager, 1 worker'];
  const poolRatios = pooled['manager, 2 workers'].rounds.map(
    (rps, i) => rps / pooled['node:cluster, 2 copies'].rounds[i],
  );
  const two = cpuBound['manager, 2 workers'];
  const lines = [
    '# Manager bench',
    '',
    `Run by \`pnpm bench:manager\` in bench/ (bench/manager/run.mjs) on ${env.date}: Node ${env.node}, ${env.cpus} × ${env.cpuModel}, ` +
      `${env.nginx}, wrk; load average ${env.loadBefore} before the run, ${env.loadAfter} after. nginx (one process) → \`scgi_pass\` unix socket → ` +
      `the design under test; ${ROUNDS} interleaved rounds of ${SECONDS} s per row, medians shown. The machine's cores are ` +
      'shared by nginx, wrk and the workers (and by whatever else runs on it): read ratios, not absolutes.',
    '',
    `## 1 vs 2 workers, CPU-bound handler (fib(${FIB}) per request), wrk -t${CPU_LOAD.threads} -c${CPU_LOAD.connections}`,
    '',
    '| pool | req/s (median) | rounds | p50 | p99 | CPU per request (all processes) |',
    '| --- | ---: | --- | ---: | ---: | ---: |',
    ...Object.entries(cpuBound).map(
      ([name, s]) =>
        `| ${name} | ${f(s.rps)} | ${s.rounds.join(', ')} | ${f(s.p50Us / 1000, 2)} ms | ${f(s.p99Us / 1000, 2)} ms | ${f(s.treeUsPerRequest)} µs |`,
    ),
    '',
    `2 workers give ${f(two.rps / one.rps, 2)}× the throughput of 1 (per round, in the order run: ` +
      `${two.rounds.map((rps, i) => f(rps / one.rounds[i], 2)).join(', ')}).`,
    '',
    '## Dispatch: what it costs to get a request to a worker (trivial handler, one worker)',
    '',
    '- **direct**: one process listening on the socket itself (no manager).',
    '- **shared accept** (the design `scgi-node` uses): the primary binds, every worker accepts on the inherited descriptor.',
    "- **primary passes**: a prototype of the other design (what Node cluster's round-robin does): the primary accepts " +
      "(`pauseOnConnect`) and sends each connection's handle to a worker with `child.send('connection', socket)`.",
    '',
    '| design | serial (-c1): time per request, median (best) | serial p50 | -c16 req/s, median (best) | -c16 p99 | primary CPU per request | CPU per request, all processes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...Object.keys(serial).map(
      (name) =>
        `| ${name} | ${f(1e6 / serial[name].rps)} (${f(1e6 / serial[name].bestRps)}) µs | ${f(serial[name].p50Us)} µs | ` +
        `${f(loaded[name].rps)} (${f(loaded[name].bestRps)}) | ${f(loaded[name].p99Us)} µs | ` +
        `${name === 'direct' ? '–' : `${f(loaded[name].primaryUsPerRequest, 1)} µs`} | ${f(loaded[name].treeUsPerRequest, 1)} µs |`,
    ),
    '',
    `Per request, relative to direct (medians; the rounds spread by more than the smaller differences): shared accept adds ${f(1e6 / serial['shared accept'].rps - 1e6 / serial.direct.rps)} µs ` +
      `to a serial request and ${f(loaded['shared accept'].treeUsPerRequest - loaded.direct.treeUsPerRequest, 1)} µs of CPU ` +
      `(${f(loaded['shared accept'].primaryUsPerRequest, 1)} µs in the primary: its heartbeat bookkeeping, not per request); ` +
      `the primary passing connections adds ${f(1e6 / serial['primary passes'].rps - 1e6 / serial.direct.rps)} µs and ` +
      `${f(loaded['primary passes'].treeUsPerRequest - loaded.direct.treeUsPerRequest, 1)} µs of CPU ` +
      `(${f(loaded['primary passes'].primaryUsPerRequest, 1)} µs of it in the primary, which every request now goes through).`,
    '',
    `## The pool itself: two workers, trivial handler, wrk -t${POOL_LOAD.threads} -c${POOL_LOAD.connections}`,
    '',
    'The same server module as two `node:cluster` copies (`SCHED_NONE`: each accepts on the socket its primary',
    'shares) and as two workers of `scgi-node serve` (each accepts on the socket the manager passes it, and',
    'adds its request tracker, `--timeout` watchdog thread and heartbeat).',
    '',
    '| pool | req/s (median) | rounds | p99 | primary CPU per request | CPU per request, all processes |',
    '| --- | ---: | --- | ---: | ---: | ---: |',
    ...Object.entries(pooled).map(
      ([name, s]) =>
        `| ${name} | ${f(s.rps)} | ${s.rounds.join(', ')} | ${f(s.p99Us)} µs | ${f(s.primaryUsPerRequest, 1)} µs | ${f(s.treeUsPerRequest, 1)} µs |`,
    ),
    '',
    `The manager's pool costs ${f(pooled['manager, 2 workers'].treeUsPerRequest - pooled['node:cluster, 2 copies'].treeUsPerRequest, 1)} µs ` +
      `of CPU per request more than node:cluster's (medians) and serves ${f(median(poolRatios), 2)}× its req/s ` +
      `(median of the rounds' ratios: ${poolRatios.map((ratio) => f(ratio, 2)).join(', ')}).`,
    '',
  ];
  return lines.join('\n');
}
