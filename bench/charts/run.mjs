// `npm run bench:charts` (bench/): redraws results/*.svg from the results/*.json of the last full runs
// (a full run draws its own chart when it writes its results).
import { existsSync, readFileSync } from 'node:fs';
import { RESULTS, writeChart } from './write-chart.mjs';

// Each results file and the chart it is drawn with (compare-pool2: the same run with a pool of 2).
const FILES = { compare: 'compare', 'compare-pool2': 'compare', memory: 'memory' };
for (const [file, chart] of Object.entries(FILES)) {
  const json = `${RESULTS}${file}.json`;
  if (!existsSync(json)) continue;
  await writeChart(chart, JSON.parse(readFileSync(json, 'utf8')), file);
  console.log(`results/${file}.svg`);
}
