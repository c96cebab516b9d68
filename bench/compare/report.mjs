// bench/results/compare.md from one run: req/s per path, then the ratios the goals are about, each with
// the range of its per-round values (the paths of a round ran side by side).
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { median, roundRatios } from '../support/stats.mjs';
import { cpuText } from './scenarios.mjs';

/** Each goal: the ratio (a) / peer, where it applies, and the least it must be. */
const GOALS = [
  {
    peer: 'e',
    label: '(a) / (e)',
    min: 0.85,
    applies: (row) => row.framework === 'raw' && row.scenario === 'hello',
  },
  { peer: 'b', label: '(a) / (b)', min: 1.1, applies: () => true },
  { peer: 'c', label: '(a) / (c)', min: 0.95, applies: (row) => row.scenario === 'page' },
  { peer: 'd', label: '(a) / (d)', min: 1.0, applies: () => true },
  // Not a goal: how far the ceiling itself is ahead of the default proxy, i.e. the most (a) / (b) can be
  // for an SCGI worker on this machine and scenario.
  { ours: 'e', peer: 'b', label: '(e) / (b)', min: 0, applies: () => false },
];

const rate = (entry) => `${Math.round(entry.median)} ±${Math.round(entry.spread * 50)}%`;

/** The goals' ratios of one measured row, as `label value (range) ✓/✗` (a partial run prints them). */
export function ratioLine(row) {
  const ids = Object.keys(row.byPath);
  return shownGoals(ids)
    .map((goal) => `${goal.label} ${ratioCell(row, goal)}`)
    .join(', ');
}

function ratioCell(row, goal) {
  const ours = row.byPath[goal.ours ?? 'a'];
  const peer = row.byPath[goal.peer];
  if (ours === undefined || peer === undefined) return '';
  const ratios = roundRatios(ours.rounds, peer.rounds);
  const value = median(ratios);
  const range =
    ratios.length > 1 ? ` (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : '';
  const verdict = goal.applies(row) ? (value >= goal.min ? ' ✓' : ' ✗') : '';
  return `${value.toFixed(2)}${range}${verdict}`;
}

/** The ratios a table can show: both of their paths were measured. */
const shownGoals = (ids) => GOALS.filter((g) => ids.includes(g.peer) && ids.includes(g.ours ?? 'a'));

/** The peers whose CPU cost is compared with ours: the ones users run instead (not the ceilings). */
const cpuPeers = (ids) => ids.filter((id) => ['b', 'c', 'd'].includes(id));

export function writeReport(run, file) {
  const { machine, steal, settings, paths, results } = run;
  const lines = [
    '# SCGI against the alternatives, behind nginx',
    '',
    `${new Date().toISOString().slice(0, 10)}: ${machine}. nginx (one process), the app and wrk share the`,
    `machine. wrk -t1, ${settings.rounds} rounds of ${settings.seconds} s per path, the paths alternating within`,
    'each round; req/s is the median of the rounds, ± half the range between them. Every path served the',
    'same body for each scenario before timing started.',
    ...(!(steal > 0)
      ? []
      : [
          `The machine is virtual: its hypervisor took ${(steal * 100).toFixed(1)}% of the CPU time during the run`,
          "(steal, from /proc/stat): neighbours' load, one reason a path's rounds differ.",
        ]),
    '',
    ...paths.map((path) => `- (${path.id}) ${path.label}`),
    '',
    ...(settings.pool > 1
      ? [
          `A pool of ${settings.pool} processes per app: (a) under our manager (\`scgi-node serve --workers ${settings.pool}\`,`,
          `the workers accepting on the shared socket); (b)-(e) as ${settings.pool} node:cluster workers accepting on`,
          'theirs (SCHED_NONE, the same design). CPU time counts the whole tree (manager or primary and workers).',
          '',
        ]
      : []),
    `![SCGI (a) over each peer, per framework and scenario](${basename(file, '.md')}.svg)`,
    '',
  ];
  for (const scenario of [...new Set(results.map((row) => row.scenario))]) {
    const rows = results.filter((row) => row.scenario === scenario);
    const ids = Object.keys(rows[0].byPath);
    lines.push(
      `## ${scenario}`,
      '',
      `| framework | ${ids.map((id) => `(${id}) req/s`).join(' | ')} | ${shownGoals(ids)
        .map((g) => g.label)
        .join(' | ')} |`,
      `| --- | ${ids.map(() => '---:').join(' | ')} | ${shownGoals(ids)
        .map(() => '---:')
        .join(' | ')} |`,
      ...rows.map(
        (row) =>
          `| ${row.framework} | ${ids.map((id) => rate(row.byPath[id])).join(' | ')} | ` +
          `${shownGoals(ids)
            .map((goal) => ratioCell(row, goal))
            .join(' | ')} |`,
      ),
      '',
      'CPU time per request, total (worker + nginx), µs, medians of the rounds (wrk not counted), and each',
      "peer's cost over ours (above 1: the SCGI path is cheaper):",
      '',
      `| framework | ${ids.map((id) => `(${id}) µs`).join(' | ')} | ${cpuPeers(ids)
        .map((id) => `(${id}) / (a)`)
        .join(' | ')} |`,
      `| --- | ${ids.map(() => '---:').join(' | ')} | ${cpuPeers(ids)
        .map(() => '---:')
        .join(' | ')} |`,
      ...rows.map(
        (row) =>
          `| ${row.framework} | ${ids.map((id) => cpuText(row.byPath[id])).join(' | ')} | ` +
          `${cpuPeers(ids)
            .map((id) => (row.byPath[id].cpuUs / row.byPath.a.cpuUs).toFixed(2))
            .join(' | ')} |`,
      ),
      '',
    );
  }
  const failed = results.flatMap((row) =>
    Object.entries(row.byPath)
      .filter(([, entry]) => entry.failed > 0)
      .map(([id, entry]) => `${row.scenario} ${row.framework} (${id}): ${entry.failed}`),
  );
  lines.push(
    'Goals (issue 8): (a)/(e) ≥ 0.85 for the raw listener; (a)/(b) ≥ 1.1 everywhere; (a)/(c) ≥ 0.95 on the',
    'page; (a)/(d) ≥ 1.0 everywhere. ✓/✗ mark where a goal applies; ratios are medians of per-round ratios,',
    "with their range. (e)/(b) is no goal: the trivial responder, which does the raw listener's work for",
    "each scenario with neither node's request objects nor a framework, over the default proxy. In the raw",
    'rows it is the most that (a)/(b) can be for an SCGI worker behind this nginx; in the others, a looser',
    "bound (the framework's own work is left out).",
    '',
    failed.length === 0
      ? 'No request failed (non-2xx or socket error) on any path.'
      : `Failed requests: ${failed.join('; ')}.`,
    run.nginxErrors > 0 ? `nginx logged ${run.nginxErrors} errors.` : 'nginx logged no errors.',
    '',
    'Reproduce: `npm run bench` (needs nginx and wrk: `apt-get install nginx wrk`).',
    '',
  );
  writeFileSync(file, lines.join('\n'));
}
