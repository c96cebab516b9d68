// RSS growth over repeated transfers: each one's peak over its baseline, their median and range.
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
