// The shape of one interop case: a title (the compat table's feature name) and a check against a stack.
import type { Stack } from './stack.js';

/** Record a measured fact on the test (vitest's `task.meta`, kept in the JSON report for compat-table.mjs). */
export type Note = (key: string, value: string | number | boolean) => void;

export interface InteropCase {
  /** The feature, as the compatibility table shows it: `nginx › express › <title>`. */
  title: string;
  /** Per-test timeout; the big transfers need more on two busy cores. */
  timeoutMs?: number;
  run(stack: Stack, note: Note): Promise<void>;
}
