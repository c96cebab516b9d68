// Prints the interop compatibility table (Markdown) from vitest's JSON report: every cell is a test result.
// Usage, after `npx vitest run interop` in test/: node interop/compat-table.mjs [path/to/.vitest-report.json]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SERVERS = ['nginx', 'apache', 'lighttpd'];
const FRAMEWORKS = ['express', 'koa', 'hono'];
const SERVER_NAMES = { nginx: 'nginx', apache: 'Apache', lighttpd: 'lighttpd' };
const MARK = { passed: '✓', failed: '✗' };

const reportPath = process.argv[2] ?? fileURLToPath(new URL('../.vitest-report.json', import.meta.url));
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const tests = report.testResults.flatMap((file) => file.assertionResults);

const mark = (test) => (test === undefined ? ' ' : (MARK[test.status] ?? '–'));

// Differential cases: `<server> › <framework> over <transport> › <case>`.
const cells = new Map();
const features = [];
const transports = new Map();
for (const test of tests) {
  const [server, group] = test.ancestorTitles;
  const framework = group?.split(' ')[0];
  if (test.ancestorTitles.length !== 2 || !SERVERS.includes(server) || !FRAMEWORKS.includes(framework))
    continue;
  if (!features.includes(test.title)) features.push(test.title);
  cells.set(`${server}|${framework}|${test.title}`, test);
  transports.set(`${server}|${framework}`, group.includes('TCP') ? 'TCP' : 'unix');
}

const columns = SERVERS.flatMap((server) => FRAMEWORKS.map((framework) => [server, framework]));
const lines = [];
lines.push(`| feature | ${columns.map(([s, f]) => `${SERVER_NAMES[s]} · ${f}`).join(' | ')} |`);
lines.push(`|---|${columns.map(() => ':-:').join('|')}|`);
lines.push(`| worker socket | ${columns.map(([s, f]) => transports.get(`${s}|${f}`) ?? ' ').join(' | ')} |`);
for (const feature of features) {
  const row = columns.map(([server, framework]) => {
    const test = cells.get(`${server}|${framework}|${feature}`);
    const growth = test?.meta?.workerRssGrowthMiB;
    return growth === undefined || test.status !== 'passed' ? mark(test) : `${mark(test)} (+${growth} MiB)`;
  });
  lines.push(`| ${feature} | ${row.join(' | ')} |`);
}
const totals = columns.map(([server, framework]) => {
  const own = features.map((feature) => cells.get(`${server}|${framework}|${feature}`)).filter(Boolean);
  return `${own.filter((test) => test.status === 'passed').length}/${own.length}`;
});
lines.push(`| **passed** | ${totals.join(' | ')} |`);

// Everything else under a server: its limits, scale-out and systemd tests.
const extras = tests.filter(
  (test) =>
    SERVERS.includes(test.ancestorTitles[0]) && !FRAMEWORKS.includes(test.ancestorTitles[1]?.split(' ')[0]),
);
if (extras.length > 0) {
  lines.push('', '| front server | what the test shows | |', '|---|---|:-:|');
  for (const test of extras) {
    const [server, topic] = test.ancestorTitles;
    const { requests, failed, retried } = test.meta ?? {};
    const counts =
      requests === undefined ? '' : ` (${requests} requests, ${failed} failed, ${retried} retried)`;
    lines.push(`| ${SERVER_NAMES[server]} | ${topic ?? ''}: ${test.title}${counts} | ${mark(test)} |`);
  }
}

const cases = [...cells.values()];
if (cases.length === 0) {
  console.error(`No interop results in ${reportPath}: run \`npx vitest run interop\` in test/ first.`);
  process.exitCode = 1;
} else {
  const skipped = cases.filter((test) => test.status !== 'passed' && test.status !== 'failed').length;
  if (skipped > 0) lines.push('', `${skipped} cases did not run (front server not installed): shown as –.`);
  console.log(lines.join('\n'));
}
