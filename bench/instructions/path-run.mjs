// `npm run bench:path` in bench/: the side-by-side run's paths counted in instructions, nginx included
// (path-count.mjs), for hello and the page on each framework. Where a wall-clock ratio swings ±40%
// between rounds on this kind of machine, a count repeats to about a percent: it tells which goals a
// path can reach. Usage: node instructions/path-run.mjs [--quick] [--frameworks=raw,express]
// [--scenarios=hello] [--paths=a,b]. Writes bench/results/path.md (only a full run).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { option } from '../support/options.mjs';
import { requireTools } from '../support/tools.mjs';
import { NODE_FLAGS, valgrindVersion } from './count.mjs';
import { PATHS, perRequestOnPath, URLS } from './path-count.mjs';

const quick = process.argv.includes('--quick');
const partial = ['frameworks', 'scenarios', 'paths'].some((name) => option(name) !== undefined);
// 2,000 requests past the short run: a page costs ~15x a hello under callgrind, and the whole run stays
// near an hour. A major GC more or less moves a framework's count by about 1% at this length.
const [SHORT, LONG] = quick ? [10, 30] : [1000, 3000];
const FRAMEWORKS = option('frameworks')?.split(',') ?? (quick ? ['raw'] : ['raw', 'express', 'koa', 'hono']);
const SCENARIOS = option('scenarios')?.split(',') ?? (quick ? ['hello'] : Object.keys(URLS));
// FastCGI (d) is counted for the raw listener only: it cost 1.1-3x SCGI in every row of the timed run.
// The quick run (CI's) takes SCGI and a kept HTTP connection: each worker under valgrind starts for ~20 s.
const pathsOf = (framework) =>
  option('paths')?.split(',') ??
  (quick ? ['a', 'c'] : framework === 'raw' ? Object.keys(PATHS) : ['a', 'b', 'c']);
const RESULTS = fileURLToPath(new URL('../results/path.md', import.meta.url));

const version = valgrindVersion();
if (version === undefined) {
  console.error('bench:path needs valgrind (with callgrind_annotate): apt-get install valgrind');
  process.exit(1);
}
requireTools(['nginx']);

const k = (n) => `${(n / 1000).toFixed(1)}k`;
const key = (scenario, framework, id) => `${scenario} ${framework} ${id}`;
const counts = new Map();
for (const scenario of SCENARIOS) {
  for (const framework of FRAMEWORKS) {
    for (const id of pathsOf(framework)) {
      if (PATHS[id].rawOnly && framework !== 'raw') continue;
      const count = await perRequestOnPath(id, framework, scenario, SHORT, LONG);
      counts.set(key(scenario, framework, id), count);
      const parts = `nginx ${k(count.nginx)} + worker ${k(count.worker)} = ${k(count.total)}`;
      console.log(`${scenario} (${id}) ${framework}: ${parts}`);
    }
  }
}

/** A path's cell: total (nginx + worker). */
function cell(scenario, framework, id) {
  const count = counts.get(key(scenario, framework, id));
  return count === undefined ? '' : `${k(count.total)} (${k(count.nginx)} + ${k(count.worker)})`;
}

/** What the req/s ratio (a)/(peer) would be if instructions were all the cost: the peer's over ours. */
function ratio(scenario, framework, peer) {
  const ours = counts.get(key(scenario, framework, 'a'));
  const theirs = counts.get(key(scenario, framework, peer));
  return ours === undefined || theirs === undefined ? '' : (theirs.total / ours.total).toFixed(2);
}

const shown = Object.keys(PATHS).filter((id) => [...counts.keys()].some((name) => name.endsWith(` ${id}`)));
const peers = ['e', 'b', 'c', 'd'].filter((id) => shown.includes(id));

function table(scenario) {
  return [
    `## ${scenario} (\`GET ${URLS[scenario]}\`)`,
    '',
    `| framework | ${shown.map((id) => `(${id})`).join(' | ')} | ${peers.map((id) => `(a)/(${id})`).join(' | ')} |`,
    `| --- | ${[...shown, ...peers].map(() => '---:').join(' | ')} |`,
    ...FRAMEWORKS.map(
      (framework) =>
        `| ${framework} | ${shown.map((id) => cell(scenario, framework, id)).join(' | ')} | ` +
        `${peers.map((id) => ratio(scenario, framework, id)).join(' | ')} |`,
    ),
    '',
  ];
}

const lines = [
  '# The side-by-side paths in instructions',
  '',
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version} ${NODE_FLAGS.join(' ')}, ${version}, nginx as`,
  'in the side-by-side run (one process, the same config) and the same apps (compare/worker.mjs). nginx',
  'and the worker each under callgrind; a client outside valgrind sends the GET with only a Host header',
  `on a kept connection to nginx, as wrk does. Instructions between a run of ${SHORT} requests and one of`,
  `${LONG}, per extra request, the worker's compilation left out (count.mjs). User space only: the`,
  "kernel's part (the connection each request opens on (a), (b) and (e), and its close) is not counted.",
  '',
  ...shown.map((id) => `- (${id}) ${PATHS[id].label}`),
  '',
  "Instructions per request, total (nginx + worker), and each ratio as the peer's count over ours: what",
  '(a)/(peer) in req/s would be if the instructions counted were the whole cost.',
  '',
  ...SCENARIOS.flatMap(table),
  'Reproduce: `cd bench && npm run bench:path` (needs valgrind and nginx; about an hour).',
  '',
];
if (quick || partial) console.log(lines.join('\n'));
else writeFileSync(RESULTS, lines.join('\n'));
