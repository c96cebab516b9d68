// Per-request cost of the SCGI transport against plain node:http: same handler, same client, same run.
// Usage: node run.mjs [--quick]. Writes bench/results/transport.md.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from './load.mjs';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 2 : 5;
const ROUND_MS = quick ? 1500 : 5000;
const CONCURRENCY = 32;
const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'scgi-bench-'));

// What nginx sends for `GET /` (Debian scgi_params), so the parser does realistic work.
const scgiPairs = [
  ['CONTENT_LENGTH', '0'],
  ['REQUEST_METHOD', 'GET'],
  ['REQUEST_URI', '/'],
  ['QUERY_STRING', ''],
  ['CONTENT_TYPE', ''],
  ['DOCUMENT_URI', '/'],
  ['DOCUMENT_ROOT', '/var/www/html'],
  ['SCGI', '1'],
  ['SERVER_PROTOCOL', 'HTTP/1.1'],
  ['REQUEST_SCHEME', 'http'],
  ['REMOTE_ADDR', '127.0.0.1'],
  ['REMOTE_PORT', '50000'],
  ['SERVER_PORT', '80'],
  ['SERVER_NAME', 'localhost'],
  ['HTTP_HOST', 'localhost'],
  ['HTTP_USER_AGENT', 'bench/1'],
  ['HTTP_ACCEPT', '*/*'],
  ['HTTP_CONNECTION', 'close'],
];
const block = scgiPairs.map(([k, v]) => `${k}\0${v}\0`).join('');
const paths = {
  http: {
    payload:
      'GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench/1\r\nAccept: */*\r\nConnection: close\r\n\r\n',
    expect: 'HTTP/1.1 200',
  },
  scgi: { payload: `${Buffer.byteLength(block)}:${block},`, expect: 'Status: 200' },
  trivial: { payload: `${Buffer.byteLength(block)}:${block},`, expect: 'Status: 200' },
};

const workers = {};
for (const mode of Object.keys(paths)) {
  const socketPath = join(dir, `${mode}.sock`);
  const child = fork(join(here, 'hello-server.mjs'), [mode, socketPath], {
    stdio: 'inherit',
    env: process.env,
  });
  await once(child, 'message');
  workers[mode] = { child, socketPath };
}

const results = { http: [], scgi: [], trivial: [] };
const cpuPerRequest = { http: [], scgi: [], trivial: [] };
async function cpuMicros(child) {
  child.send('cpu');
  const [message] = await once(child, 'message');
  return message.cpu.user + message.cpu.system;
}
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order each round so drift in the machine's load hits both paths alike.
    const order = round % 2 === 0 ? ['http', 'scgi', 'trivial'] : ['trivial', 'scgi', 'http'];
    for (const mode of order) {
      const { payload, expect } = paths[mode];
      const cpuBefore = await cpuMicros(workers[mode].child);
      const run = await load({
        path: workers[mode].socketPath,
        payload,
        expect,
        concurrency: CONCURRENCY,
        durationMs: ROUND_MS,
      });
      if (run.errors > 0) throw new Error(`${mode}: ${run.errors} failed requests`);
      const cpu = ((await cpuMicros(workers[mode].child)) - cpuBefore) / run.completed;
      results[mode].push(run.completed / run.seconds);
      cpuPerRequest[mode].push(cpu);
      console.log(
        `round ${round + 1} ${mode}: ${Math.round(run.completed / run.seconds)} req/s, ${cpu.toFixed(1)} µs CPU/request`,
      );
    }
  }
} finally {
  for (const { child } of Object.values(workers)) child.kill('SIGTERM');
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (values) =>
  `${Math.round(median(values))} (${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))})`;
const ratios = results.scgi.map((value, i) => value / results.http[i]);
const cpuRatios = cpuPerRequest.scgi.map((value, i) => value / cpuPerRequest.http[i]);
const fmtCpu = (values) =>
  `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
const table = [
  `# Transport cost: SCGI vs node:http, hello world, one connection per request`,
  '',
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; unix sockets; ` +
    `one Node client process (${CONCURRENCY} in flight), ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s${quick ? ' (quick mode: not for citing)' : ''}.`,
  '',
  '| path | req/s median (min–max) | server CPU µs/request median (min–max) |',
  '|---|---|---|',
  `| node:http, \`Connection: close\` | ${fmt(results.http)} | ${fmtCpu(cpuPerRequest.http)} |`,
  `| @scgi-node/core, SCGI | ${fmt(results.scgi)} | ${fmtCpu(cpuPerRequest.scgi)} |`,
  `| trivial one-file SCGI responder (ceiling) | ${fmt(results.trivial)} | ${fmtCpu(cpuPerRequest.trivial)} |`,
  `| **ratio SCGI / HTTP** | **${median(ratios).toFixed(2)}×** (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | **${median(cpuRatios).toFixed(2)}×** (${Math.min(...cpuRatios).toFixed(2)}–${Math.max(...cpuRatios).toFixed(2)}) |`,
  '',
  "Server CPU per request (user + system, from the worker's own process.cpuUsage()) is the transport's cost; " +
    'req/s also depends on the client, which shares the machine.',
  '',
];
console.log(table.join('\n'));
if (!quick) {
  mkdirSync(join(here, '..', 'results'), { recursive: true });
  writeFileSync(join(here, '..', 'results', 'transport.md'), table.join('\n'));
}
