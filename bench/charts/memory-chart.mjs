// The memory run as a chart: worker RSS growth during the big transfers (against the 32 MiB goal) and
// memory per open event stream, per framework and path.
import { medianGrowth, perStreamBytes } from '../memory/growth.mjs';

const MiB = 1024 * 1024;

export function memoryChartSpec(run) {
  const label = Object.fromEntries(run.paths.map((path) => [path.id, `(${path.id}) ${path.label}`]));
  const frameworks = [...new Set(run.results.map((row) => row.framework))];
  const transfers = run.results.flatMap((entry) =>
    ['download', 'upload'].map((kind) => ({
      framework: entry.framework,
      path: label[entry.path],
      kind: `${run.settings.mib} MiB ${kind}`,
      growth: medianGrowth(entry[kind]) / MiB,
    })),
  );
  const streams = run.results.map(({ framework, path, events }) => ({
    framework,
    path: label[path],
    perStream: perStreamBytes(events, 'held') / 1024,
  }));
  const x = { field: 'framework', type: 'nominal', sort: frameworks, title: null, axis: { labelAngle: 0 } };
  const color = {
    field: 'path',
    type: 'nominal',
    sort: Object.values(label),
    title: null,
    legend: { labelLimit: 320 },
  };
  const xOffset = { field: 'path', sort: Object.values(label) };
  return {
    title: { text: 'Worker memory behind nginx', fontSize: 13 },
    vconcat: [
      {
        data: { values: transfers },
        facet: { column: { field: 'kind', type: 'nominal', title: null } },
        spec: {
          width: 260,
          height: 200,
          layer: [
            {
              mark: 'bar',
              encoding: {
                x,
                xOffset,
                color,
                y: { field: 'growth', type: 'quantitative', title: 'RSS growth, MiB (median)' },
              },
            },
            {
              mark: { type: 'rule', strokeDash: [4, 3], color: '#444' },
              encoding: { y: { datum: run.goalBytes / MiB } },
            },
          ],
        },
      },
      {
        data: { values: streams },
        width: 260,
        height: 200,
        title: { text: `${run.settings.streams} open event streams`, fontSize: 11 },
        mark: 'bar',
        encoding: {
          x,
          xOffset,
          color,
          y: { field: 'perStream', type: 'quantitative', title: 'heap + buffers per stream, KiB' },
        },
      },
    ],
  };
}
