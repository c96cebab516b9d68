// `npm run bench:charts` (bench/): redraws results/*.svg from the results/*.json of the last full runs
// (a full run draws its own chart when it writes its results).
import { existsSync, readFileSync } from 'node:fs';
import { CHARTS, RESULTS, writeChart } from './write-chart.mjs';

for (const name of Object.keys(CHARTS)) {
  const json = `${RESULTS}${name}.json`;
  if (!existsSync(json)) continue;
  await writeChart(name, JSON.parse(readFileSync(json, 'utf8')));
  console.log(`results/${name}.svg`);
}
