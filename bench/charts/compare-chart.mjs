// The side-by-side run as a chart: (a) over each peer, per framework and scenario, with the per-round
// range, against the line at 1 (above it, SCGI is ahead).
import { median, roundRatios } from '../support/stats.mjs';

const PEERS = { b: 'HTTP proxy (b)', c: 'HTTP keep-alive (c)', d: 'FastCGI (d)', e: 'trivial SCGI (e)' };

/** One row per scenario, framework and peer: the median per-round ratio and its range. */
export function ratioRows(run) {
  const rows = [];
  for (const { scenario, framework, byPath } of run.results) {
    for (const [peer, label] of Object.entries(PEERS)) {
      if (byPath[peer] === undefined) continue;
      const ratios = roundRatios(byPath.a.rounds, byPath[peer].rounds);
      rows.push({
        scenario,
        framework,
        peer: label,
        ratio: median(ratios),
        low: Math.min(...ratios),
        high: Math.max(...ratios),
      });
    }
  }
  return rows;
}

export function compareChartSpec(run) {
  const pool = run.settings.pool ?? 1;
  const scenarios = [...new Set(run.results.map((row) => row.scenario))];
  const frameworks = [...new Set(run.results.map((row) => row.framework))];
  const x = { field: 'framework', type: 'nominal', sort: frameworks, title: null, axis: { labelAngle: 0 } };
  const color = { field: 'peer', type: 'nominal', sort: Object.values(PEERS), title: 'SCGI (a) over' };
  return {
    title: {
      text: `SCGI (a) req/s over each peer behind nginx${pool > 1 ? `, ${pool} processes per app` : ''} (median of rounds, bar: per-round range)`,
      fontSize: 13,
    },
    data: { values: ratioRows(run) },
    facet: { column: { field: 'scenario', type: 'nominal', sort: scenarios, title: null } },
    spec: {
      width: 200,
      height: 240,
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            x,
            xOffset: { field: 'peer', sort: Object.values(PEERS) },
            y: { field: 'ratio', type: 'quantitative', title: '(a) / peer' },
            color,
          },
        },
        {
          mark: { type: 'rule', color: 'black' },
          encoding: {
            x,
            xOffset: { field: 'peer', sort: Object.values(PEERS) },
            y: { field: 'low', type: 'quantitative' },
            y2: { field: 'high' },
          },
        },
        { mark: { type: 'rule', strokeDash: [4, 3], color: '#444' }, encoding: { y: { datum: 1 } } },
      ],
    },
  };
}
