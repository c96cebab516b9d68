// CGI vs the CGI bridge vs nginx -> SCGI, on the same Express app, same machine, same run (issue 7).
// Usage: node run.mjs [--quick] [--rounds N] [--seconds S] [--connections C]. Writes bench/results/cgi.md
// (not with --quick, a short check of the setup).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, waitUntilAccepting } from '../support/ports.mjs';
import { BUNDLE, buildBundles, SNAPSHOT, SPLIT_ENTRY } from './bundle.mjs';
import { EXPRESS_WORKER, measureStartup, startupTable } from './startup.mjs';
import { requireTools, toolVersions, wrk } from './tools.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const flag = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const quick = process.argv.includes('--quick');
const ROUNDS = flag('--rounds', quick ? 1 : 5);
const SECONDS = flag('--seconds', quick ? 3 : 6);
const CONNECTIONS = flag('--connections', 8);
const STARTUP_RUNS = quick ? 10 : 30;
const PATH = '/api/items'; // a JSON route: Express routing, a router, express.json(), res.json()

requireTools(['wrk', 'lighttpd', 'nginx']);
const bundled = await buildBundles();
const dir = mkdtempSync(join(tmpdir(), 'scgi-bench-cgi-'));
const docroot = join(dir, 'www');
const socket = join(dir, 'worker.sock');
const pidFile = join(dir, 'worker.pid');
const children = [];

async function startServer(name, command, args, port) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  await waitUntilAccepting({ port, host: '127.0.0.1' }, child, name, 200);
  return child;
}

async function get(port) {
  const response = await fetch(`http://127.0.0.1:${port}${PATH}`);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`port ${port}: ${response.status} ${body}`);
  return body;
}

/** The variants, each a URL on the same machine in front of the same Express app. */
const variants = [];

async function setUp() {
  mkdirSync(docroot);
  const [plain, bridge, nginx, bundle, snapshot] = await freePorts(5);
  const ports = { plain, bridge, nginx };
  // (a) the app itself as the CGI program; (b) the bridge to the long-running worker.
  symlinkSync(join(here, 'plain-cgi.mjs'), join(docroot, 'plain.cgi'));
  symlinkSync(SPLIT_ENTRY, join(docroot, 'bridge.cgi')); // the shipped scgi-cgi
  const info = {
    socket: `unix:${socket}`,
    pidFile,
    logFile: join(dir, 'worker.log'),
    command: ['node', EXPRESS_WORKER],
    env: { SCGI_LISTEN: socket, NODE_ENV: 'production' },
  };
  const scripts = { plain: 'plain.cgi', bridge: 'bridge.cgi' };
  writeFileSync(join(docroot, 'bridge.scgi.json'), JSON.stringify(info));
  if (bundled) {
    ports.bundle = bundle;
    ports.snapshot = snapshot;
    symlinkSync(BUNDLE, join(docroot, 'bundle.cgi'));
    // cgi.assign cannot pass flags to node: a two-line shell script adds --snapshot-blob.
    writeFileSync(
      join(docroot, 'snapshot.sh'),
      `#!/bin/sh\nexec ${process.execPath} --snapshot-blob ${SNAPSHOT}\n`,
    );
    chmodSync(join(docroot, 'snapshot.sh'), 0o755);
    writeFileSync(join(docroot, 'bundle.scgi.json'), JSON.stringify(info));
    writeFileSync(join(docroot, 'snapshot.scgi.json'), JSON.stringify(info));
    scripts.bundle = 'bundle.cgi';
    scripts.snapshot = 'snapshot.sh';
  }
  const listeners = Object.entries(scripts)
    .map(
      ([name, script]) =>
        `$SERVER["socket"] == "127.0.0.1:${ports[name]}" { url.rewrite-once = ("^(/.*)$" => "/${script}$1") }`,
    )
    .join('\n');
  writeFileSync(
    join(dir, 'lighttpd.conf'),
    `server.document-root = "${docroot}"
server.bind = "127.0.0.1"
server.port = ${ports.plain}
server.pid-file = "${dir}/lighttpd.pid"
server.errorlog = "${dir}/lighttpd-error.log"
server.breakagelog = "${dir}/cgi-stderr.log"
server.modules += ("mod_cgi", "mod_rewrite")
cgi.assign = (".cgi" => "${process.execPath}", ".sh" => "")
${listeners}
`,
  );
  await startServer('lighttpd', 'lighttpd', ['-D', '-f', join(dir, 'lighttpd.conf')], ports.plain);
  // The first request through the bridge starts the worker (process activation), as in production.
  await get(ports.bridge);
  // (c) nginx -> SCGI straight to the same worker. `user root`: the worker's socket is root's, mode 0755.
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
user root;
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/nginx-body;
  scgi_temp_path ${dir}/nginx-scgi;
  server {
    listen 127.0.0.1:${ports.nginx};
    location / { include /etc/nginx/scgi_params; scgi_pass unix:${socket}; }
  }
}
`,
  );
  await startServer(
    'nginx',
    'nginx',
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'nginx-error.log')],
    ports.nginx,
  );
  variants.push({
    key: 'a',
    name: '(a) plain CGI: the app started per request (lighttpd mod_cgi)',
    port: ports.plain,
  });
  variants.push({
    key: 'b',
    name: '(b) CGI bridge -> long-running worker (lighttpd mod_cgi, the shipped scgi-cgi)',
    port: ports.bridge,
  });
  if (bundled) {
    variants.push({
      key: 'b2',
      name: "(b') the same, bridge as one file without split chunks (esbuild)",
      port: ports.bundle,
    });
    variants.push({
      key: 'b3',
      name: "(b'') the same, bridge in a V8 startup snapshot",
      port: ports.snapshot,
    });
  }
  variants.push({ key: 'c', name: '(c) nginx -> SCGI -> the worker', port: ports.nginx });
  for (const variant of variants) JSON.parse(await get(variant.port));
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

function report(results, startup, started, loads) {
  const rows = variants.map((variant) => {
    const runs = results[variant.key];
    return {
      ...variant,
      rps: median(runs.map((r) => r.requestsPerSecond)),
      rpsMin: Math.min(...runs.map((r) => r.requestsPerSecond)),
      rpsMax: Math.max(...runs.map((r) => r.requestsPerSecond)),
      p50: median(runs.map((r) => r.p50Ms)),
      p99: median(runs.map((r) => r.p99Ms)),
      requests: runs.reduce((sum, r) => sum + r.requests, 0),
      bad: runs.reduce((sum, r) => sum + r.non2xx + r.socketErrors, 0),
    };
  });
  const by = Object.fromEntries(rows.map((row) => [row.key, row]));
  const ratio = (x, y) => `${fmt(x / y, x / y >= 10 ? 0 : 1)}×`;
  const lines = [
    '# CGI vs the CGI bridge vs nginx → SCGI (the same Express app)',
    '',
    `${started.toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}; ${toolVersions()}.`,
    `Load: \`wrk -t2 -c${CONNECTIONS} -d${SECONDS}s --latency\` on \`GET ${PATH}\` (examples/express-app: Express 5, a router,`,
    `express.json, res.json), ${ROUNDS} alternating round(s) of every variant; medians across rounds. All on one`,
    '2-core machine: wrk, the web server, the CGI processes and the worker share it (as on a small host).',
    `Load average (1 min) at the start, the end of the start-up runs, and the end: ${loads.map((l) => l.toFixed(1)).join(', ')}`,
    '(other work on the machine shifts single rounds; the spread is in the min–max column).',
    '',
    '| variant | req/s median (min–max) | p50 latency ms | p99 latency ms | requests | errors |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.name} | ${fmt(row.rps)} (${fmt(row.rpsMin)}–${fmt(row.rpsMax)}) | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | ${row.requests} | ${row.bad} |`,
    ),
    '',
    '**Ratios** (req/s; latency the other way round):',
    '',
    `- bridge vs plain CGI: **${ratio(by.b.rps, by.a.rps)}** the requests/s, p50 latency ${ratio(by.a.p50, by.b.p50)} lower.`,
    `- nginx → SCGI vs plain CGI: **${ratio(by.c.rps, by.a.rps)}** the requests/s, p50 latency ${ratio(by.a.p50, by.c.p50)} lower.`,
    `- nginx → SCGI vs the bridge: **${ratio(by.c.rps, by.b.rps)}** the requests/s (what a per-request Node process still costs).`,
  ];
  if (by.b3) lines.push(`- bridge in a snapshot vs as built: ${ratio(by.b3.rps, by.b.rps)} the requests/s.`);
  lines.push(
    '',
    '## Bridge start-up (the per-request cost left in (b))',
    '',
    `Each variant spawned ${STARTUP_RUNS} times (interleaved, after 3 warm-up rounds) with a CGI environment for`,
    `\`GET ${PATH}\` against the live worker, wall time from spawn to exit (\`node startup.mjs\`):`,
    '',
    startupTable(startup),
    '',
    "- *eager*: the bridge with every module loaded up front, through the package roots (core's server and",
    '  listen hook, the HTTP gateway, activation, the response buffer). *package root import*: `import',
    "  { runCgiBridge } from '@scgi-node/gateway'` (what a CLI importing the package root pays). *lazy",
    "  imports, unbundled*: tsc's `dist/cgi-bridge/cli.js`: the request path loads only core's sans-IO protocol;",
    '  process activation and the response buffer load when needed. *shipped `scgi-cgi`*: the same, bundled',
    "  by the gateway's build (esbuild, split chunks) into `dist/scgi-cgi/`: what the package's bin runs.",
    '- The min column is the least disturbed by other work on the machine; p90 is the most.',
    '- (b) is bound by this start-up: every request is a Node process (~20 ms of it Node itself), so two',
    '  cores run a few dozen a second, whatever the worker does. (c) pays none of it.',
    '- The one-file bundle and the snapshot are built by `bench/cgi/bundle.mjs` (esbuild); a snapshot is tied',
    '  to the Node binary that built it, so it is not shipped.',
    '',
    'Reproduce: `cd bench && npm run bench:cgi` (needs wrk, lighttpd and nginx: `apt-get install wrk lighttpd nginx`).',
  );
  return `${lines.join('\n')}\n`;
}

async function tearDown() {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid > 0) process.kill(-pid, 'SIGTERM');
  } catch {
    // No worker was started.
  }
  for (const child of children) {
    if (child.exitCode !== null) continue;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}

const started = new Date();
try {
  await setUp();
  const loads = [loadavg()[0]];
  if (loads[0] > cpus().length)
    console.warn(`bench:cgi: load average ${loads[0].toFixed(1)}: figures will be noisy`);
  const startup = measureStartup(socket, STARTUP_RUNS);
  loads.push(loadavg()[0]);
  console.log(startupTable(startup));
  const results = Object.fromEntries(variants.map((variant) => [variant.key, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const variant of variants) {
      const result = await wrk(`http://127.0.0.1:${variant.port}${PATH}`, SECONDS, CONNECTIONS);
      results[variant.key].push(result);
      console.log(
        `round ${round}/${ROUNDS} ${variant.key}: ${fmt(result.requestsPerSecond)} req/s, p50 ${fmt(result.p50Ms, 2)} ms, p99 ${fmt(result.p99Ms, 2)} ms`,
      );
    }
  }
  loads.push(loadavg()[0]);
  const markdown = report(results, startup, started, loads);
  if (quick) {
    // A quick run checks the setup; its figures are too short to replace the recorded ones.
    console.log(`\n${markdown}\n(--quick: bench/results/cgi.md left as it was)`);
  } else {
    const out = join(here, '../results/cgi.md');
    writeFileSync(out, markdown);
    mkdirSync(join(here, '../results/raw'), { recursive: true });
    writeFileSync(
      join(here, '../results/raw/cgi.json'),
      JSON.stringify({ started, results, startup }, null, 2),
    );
    console.log(`\n${markdown}\nwritten to ${out}`);
  }
} finally {
  await tearDown();
}
