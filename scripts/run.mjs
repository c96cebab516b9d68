#!/usr/bin/env node
// Entry point behind `npm start` and `npm test`: brings its own pinned pnpm (no global install),
// installs the workspace when needed, builds, then runs the requested job.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = pkg.packageManager.replace(/^pnpm@/, '');
const toolsDir = join(root, '.tools', `pnpm-${pnpmVersion}`);
const pnpmEntry = join(toolsDir, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
const shimDir = join(root, '.tools', 'bin');
const env = {
  ...process.env,
  // turbo and package scripts call `pnpm` by name: the shim below runs the pinned copy with this Node.
  PATH: `${shimDir}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH ?? ''}`,
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
  COREPACK_ENABLE_STRICT: '0',
};

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function pnpm(...args) {
  run(process.execPath, [pnpmEntry, ...args]);
}

function ensurePnpm() {
  if (!existsSync(pnpmEntry)) {
    console.log(`[scgi-node] fetching pnpm ${pnpmVersion} into .tools/ (once)`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const flags = ['--no-save', '--no-package-lock', '--no-audit', '--no-fund'];
    run(npm, ['install', ...flags, '--prefix', toolsDir, `pnpm@${pnpmVersion}`]);
  }
  mkdirSync(shimDir, { recursive: true });
  const shim = join(shimDir, 'pnpm');
  // Rewritten every run: the Node running this script (20, 22 or 24 in CI) is the one pnpm runs on.
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${pnpmEntry}" "$@"\n`);
  chmodSync(shim, 0o755);
}

function installIsFresh() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, 'pnpm-lock.yaml')).mtimeMs;
}

function ensureInstalled() {
  if (installIsFresh()) return;
  pnpm('install', '--frozen-lockfile', '--prefer-offline');
}

/** Every workspace package folder (packages/*, examples/*, test, bench). */
function workspaceDirs() {
  const dirs = [join(root, 'test'), join(root, 'bench')];
  for (const group of ['packages', 'examples']) {
    const base = join(root, group);
    if (existsSync(base)) for (const name of readdirSync(base)) dirs.push(join(base, name));
  }
  return dirs;
}

/** One closing line for the whole run, summed from each package's vitest JSON report. */
function printTotals(reports) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const report of reports) {
    if (!existsSync(report)) continue;
    const totals = JSON.parse(readFileSync(report, 'utf8'));
    passed += totals.numPassedTests;
    failed += totals.numFailedTests;
    skipped += totals.numPendingTests + totals.numTodoTests;
  }
  console.log(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
}

const [job = 'test', ...rest] = process.argv.slice(2);

function runTests() {
  const reports = workspaceDirs().map((dir) => join(dir, '.vitest-report.json'));
  for (const report of reports) rmSync(report, { force: true });
  const result = spawnSync(
    process.execPath,
    [pnpmEntry, 'exec', 'turbo', 'run', 'test', '--concurrency=1', ...rest],
    {
      stdio: 'inherit',
      cwd: root,
      env,
    },
  );
  printTotals(reports);
  process.exit(result.status ?? 1);
}

ensurePnpm();
// `pnpm` passes straight through (e.g. to add a dependency), so it must not require a lockfile first.
if (job !== 'pnpm') ensureInstalled();

switch (job) {
  case 'start':
    pnpm('exec', 'turbo', 'run', 'build', '--output-logs=errors-only');
    run(process.execPath, [join(root, 'scripts', 'start.mjs'), ...rest]);
    break;
  case 'test':
    runTests();
    break;
  case 'bench':
    // The side-by-side benchmark (bench/compare); `npm run bench -- --quick` is its 1-minute smoke run.
    pnpm('exec', 'turbo', 'run', 'build', '--output-logs=errors-only');
    run(process.execPath, [join(root, 'bench', 'compare', 'run.mjs'), ...rest], { cwd: join(root, 'bench') });
    break;
  case 'pnpm':
    pnpm(...rest);
    break;
  default:
    pnpm('exec', job, ...rest);
}
