// Medians and spreads of a few rounds: what the tables report.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** (max - min) / median: how far the rounds were apart. */
export function spread(values) {
  return values.length < 2 ? 0 : (Math.max(...values) - Math.min(...values)) / median(values);
}

/** Per-round ratios a[i] / b[i] (rounds alternate the paths, so each pair ran side by side). */
export function roundRatios(a, b) {
  return a.map((value, i) => value / b[i]);
}
