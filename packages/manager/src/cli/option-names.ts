// The spellings of each option: `--flag`, and in a config file the flag name, its camelCase or the ManagerOptions key.
import { OPTION_KEYS, OPTIONS, type OptionKey } from '../options.js';

export interface OptionName {
  key: OptionKey;
  /** The spelling names the unit (`maxBodyBytes`, `max-body-bytes`, `timeoutMs`): a bare number is in it. */
  unitNamed: boolean;
}

/** `max-body-bytes` -> `maxBodyBytes`. */
export function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

const UNIT_SUFFIX = /(?:Ms|Bytes|-bytes)$/;

/** Flag names (without `--`) to options. */
export const FLAG_NAMES: ReadonlyMap<string, OptionName> = new Map(
  OPTION_KEYS.map((key) => [OPTIONS[key].flag, { key, unitNamed: UNIT_SUFFIX.test(OPTIONS[key].flag) }]),
);

/** Every spelling a config file may use, to options. */
export const CONFIG_NAMES: ReadonlyMap<string, OptionName> = new Map(
  OPTION_KEYS.flatMap((key) => {
    const { flag } = OPTIONS[key];
    return [flag, camelCase(flag), key].map(
      (name) => [name, { key, unitNamed: UNIT_SUFFIX.test(name) }] as const,
    );
  }),
);

/** ` (did you mean --workers?)` for a near miss, else empty. */
export function suggestion(name: string, known: Iterable<string>, prefix = ''): string {
  let best: string | undefined;
  let bestDistance = 3; // more than two edits away is not a typo
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : ` (did you mean ${prefix}${best}?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
