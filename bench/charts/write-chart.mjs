// Writes results/<name>.svg for a run: the chart of each benchmark that has one.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSvg } from '../support/svg-chart.mjs';
import { compareChartSpec } from './compare-chart.mjs';
import { memoryChartSpec } from './memory-chart.mjs';

export const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
export const CHARTS = { compare: compareChartSpec, memory: memoryChartSpec };

/** Writes results/<name>.svg from `run` (the object the run writes as results/<name>.json). */
export async function writeChart(name, run) {
  writeFileSync(`${RESULTS}${name}.svg`, await renderSvg(CHARTS[name](run)));
}
