// The memory run's figures: RSS growth over repeated transfers (each one's peak over its baseline, their
// median and range), and memory per open event stream.
import { median } from '../support/stats.mjs';

const MiB = 1024 * 1024;

/** Growth in bytes of each transfer ({ baseline, peak }). */
export const growths = (transfers) => transfers.map(({ baseline, peak }) => peak - baseline);

/** The median growth in bytes. */
export const medianGrowth = (transfers) => median(growths(transfers));

/** `median (min–max)` in MiB, one decimal. */
export function growthText(transfers) {
  const values = growths(transfers).map((bytes) => bytes / MiB);
  const range =
    values.length > 1 ? ` (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})` : '';
  return `${median(values).toFixed(1)}${range}`;
}

/** Bytes per open stream of `key` ('rss' or 'held'), from the worker's memory before and during. */
export const perStreamBytes = ({ before, during, streams }, key) => (during[key] - before[key]) / streams;
