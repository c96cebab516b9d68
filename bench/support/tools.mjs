// The outside programs a benchmark needs: checked up front, never installed behind the user's back.
import { spawnSync } from 'node:child_process';

const HOW_TO_GET = {
  wrk: 'apt-get install wrk',
  nginx: 'apt-get install nginx',
  valgrind: 'apt-get install valgrind',
};

/** Exits with one line per missing program, saying how to get it. */
export function requireTools(names) {
  const missing = names.filter((name) => spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0);
  if (missing.length === 0) return;
  for (const name of missing) console.error(`bench: needs ${name}: ${HOW_TO_GET[name] ?? 'install it'}`);
  process.exit(1);
}
