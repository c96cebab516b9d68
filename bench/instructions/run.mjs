// `npm run bench:instructions` in bench/: instructions per request in the worker for each SCGI path and
// the same app on node:http, one connection per request over a unix socket (as nginx does), under
// callgrind, compilation left out (count.mjs). Then where the time goes, from V8's profiler.
// Usage: node run.mjs [--quick] [--kinds=trivial,raw,node-http] [--repeats=N]. Writes
// bench/results/instructions.md (only a full run: every kind, the default repeats).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { option } from '../support/options.mjs';
import { NODE_FLAGS, perRequest, valgrindVersion } from './count.mjs';
import { KINDS } from './kinds.mjs';
import { profileReport } from './profile.mjs';

const quick = process.argv.includes('--quick');
// A partial run (some kinds, other repeats) prints its table and leaves results/ alone: each kind takes
// a few minutes under callgrind.
const partial = option('kinds') !== undefined || option('repeats') !== undefined;
// 4,000 requests past the short run: one major GC more or less then moves the kinds that allocate most
// (Express, Koa) by about 0.5%, not the 1.1-1.4% it did over 2,000.
const [SHORT, LONG] = quick ? [10, 30] : [2000, 6000];
const REPEATS = Number(option('repeats') ?? (quick ? 1 : 2));
const PROFILE_REQUESTS = 20000;
const RESULTS = fileURLToPath(new URL('../results/instructions.md', import.meta.url));

const chosen = option('kinds')?.split(',');
const kinds = chosen === undefined ? KINDS : KINDS.filter(([kind]) => chosen.includes(kind));

const version = valgrindVersion();
if (version === undefined) {
  console.error('bench:instructions needs valgrind (with callgrind_annotate): apt-get install valgrind');
  process.exit(1);
}

const rows = [];
for (const [kind, label, peer] of kinds) {
  const runs = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await perRequest(kind, SHORT, LONG));
  const values = runs.map((run) => run.value);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const compile = runs.reduce((sum, run) => sum + run.compile, 0) / runs.length;
  const spread = values.length > 1 ? (Math.max(...values) - Math.min(...values)) / mean : 0;
  rows.push({ kind, label, peer, mean, values, spread, compile });
  console.log(`${kind}: ${values.map((v) => Math.round(v)).join(', ')} instructions per request`);
}

const byKind = Object.fromEntries(rows.map((row) => [row.kind, row.mean]));
const k = (n) => `${(n / 1000).toFixed(1)}k`;
const ratio = (a, b) => (b === undefined ? '' : (a / b).toFixed(2));
const lines = [
  '# Instructions per request (callgrind)',
  '',
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version} ${NODE_FLAGS.join(' ')}, ${version}.`,
  `Worker instructions (all threads) between a run of ${SHORT} requests and one of ${LONG}, divided by the`,
  `${LONG - SHORT} extra requests, with V8's compiler left out: start-up cancels out, and compilation is`,
  'warm-up whose timing moves from run to run (it is shown apart). GET / answered with 14 bytes; a new',
  'unix-socket connection per request, carrying what nginx sends (over SCGI its 15-variable head,',
  'instructions/nginx-get.mjs; over HTTP its default proxy head); the client runs outside valgrind.',
  'Each row measured',
  `${REPEATS} time(s), spread = (max - min) / mean.`,
  '',
  '| worker | instructions / request | runs | spread | compiling (left out) | × trivial | × same app on node:http |',
  '| --- | ---: | --- | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (row) =>
      `| ${row.label} | ${k(row.mean)} | ${row.values.map(k).join(', ')} | ${(row.spread * 100).toFixed(2)}% | ` +
      `${k(row.compile)} | ${ratio(row.mean, byKind.trivial)} | ` +
      `${row.peer === undefined ? '' : ratio(row.mean, byKind[row.peer])} |`,
  ),
  '',
  'Goals (issue 19): the raw listener ≤ 1.15× the trivial responder; each framework over SCGI below',
  'itself on node:http.',
  '',
  'Reproduce: `cd bench && npm run bench:instructions` (needs valgrind: `apt-get install valgrind`).',
  '',
];

if (quick || partial) {
  console.log(lines.join('\n'));
} else {
  lines.push(
    '## Where the time goes',
    '',
    `V8's sampling profiler (\`--cpu-prof\`, 100 µs) over ${PROFILE_REQUESTS} requests, the same workers`,
    'and client without valgrind. Wall-clock samples, so they include the kernel work of each system call;',
    '`(idle)` is the worker waiting for the client. Reproduce one with',
    '`node instructions/profile.mjs <kind> [requests] [rows]`.',
    '',
  );
  for (const kind of ['raw', 'express']) lines.push(await profileReport(kind, PROFILE_REQUESTS, 20));
  writeFileSync(RESULTS, lines.join('\n'));
}
