// Writes results/<name>.svg for a run: the chart of each benchmark that has one.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSvg } from '../support/svg-chart.mjs';
import { compareChartSpec } from './compare-chart.mjs';
import { memoryChartSpec } from './memory-chart.mjs';

export const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
export const CHARTS = { compare: compareChartSpec, memory: memoryChartSpec };

/** Writes results/<file>.svg (<name>.svg by default) with chart `name` of `run` (its results JSON). */
export async function writeChart(name, run, file = name) {
  writeFileSync(`${RESULTS}${file}.svg`, await renderSvg(CHARTS[name](run)));
}
