// `npm run bench:instructions` in bench/: instructions per request in the worker for each SCGI path and
// node:http, one connection per request over a unix socket (as nginx does), under callgrind.
// Usage: node run.mjs [--quick]. Writes bench/results/instructions.md (not in --quick mode).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS, perRequest, valgrindVersion } from './count.mjs';

const quick = process.argv.includes('--quick');
const [SHORT, LONG] = quick ? [10, 30] : [200, 1200];
const REPEATS = quick ? 1 : 2;
const RESULTS = fileURLToPath(new URL('../results/instructions.md', import.meta.url));

const KINDS = [
  ['trivial', 'trivial one-file SCGI responder (the ceiling)'],
  ['raw', '`createServer` raw listener over SCGI'],
  ['express', 'Express 5 hello over SCGI (`app.listen(scgi(...))`)'],
  ['koa', 'Koa 3 hello over SCGI'],
  ['hono', 'Hono-style fetch handler over SCGI (`serve`)'],
  ['node-http', 'plain `node:http`, a connection per request (reference)'],
];

const version = valgrindVersion();
if (version === undefined) {
  console.error('bench:instructions needs valgrind: apt-get install valgrind');
  process.exit(1);
}

const rows = [];
for (const [kind, label] of KINDS) {
  const values = [];
  for (let i = 0; i < REPEATS; i++) values.push(await perRequest(kind, SHORT, LONG));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const spread = values.length > 1 ? (Math.max(...values) - Math.min(...values)) / mean : 0;
  rows.push({ kind, label, mean, values, spread });
  console.log(`${kind}: ${values.map((v) => Math.round(v)).join(', ')} instructions per request`);
}

const byKind = Object.fromEntries(rows.map((row) => [row.kind, row.mean]));
const k = (n) => `${(n / 1000).toFixed(1)}k`;
const lines = [
  '# Instructions per request (callgrind)',
  '',
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version} ${NODE_FLAGS.join(' ')}, ${version}.`,
  `Worker instructions (all threads) between a run of ${SHORT} and one of ${LONG} requests, divided by the`,
  `${LONG - SHORT} extra requests: start-up and warm-up cancel out. GET / answered with 14 bytes; a new`,
  'unix-socket connection per request; the client runs outside valgrind. Each row measured',
  `${REPEATS} time(s), spread = (max - min) / mean. Counts do not move with the machine's load.`,
  '',
  '| worker | instructions / request | runs | spread | × trivial | × node:http |',
  '| --- | ---: | --- | ---: | ---: | ---: |',
  ...rows.map(
    (row) =>
      `| ${row.label} | ${k(row.mean)} | ${row.values.map(k).join(', ')} | ${(row.spread * 100).toFixed(2)}% | ` +
      `${(row.mean / byKind.trivial).toFixed(2)} | ${(row.mean / byKind['node-http']).toFixed(2)} |`,
  ),
  '',
  'Reproduce: `cd bench && npm run bench:instructions` (needs valgrind: `apt-get install valgrind`).',
  '',
];
if (quick) console.log(lines.join('\n'));
else writeFileSync(RESULTS, lines.join('\n'));
