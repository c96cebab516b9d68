// Builds the bridge as one file with esbuild (reached through tsx, a bench devDependency) and as a V8
// startup snapshot, to compare with what ships (the gateway's build bundles it with split chunks into
// dist/scgi-cgi/). Usage: node bundle.mjs. Writes bench/cgi/.tmp/: scgi-cgi.mjs, scgi-cgi.blob.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const OUT = join(here, '.tmp');
export const BRIDGE_DIST = join(here, '../../packages/gateway/dist/cgi-bridge');
export const BUNDLE = join(OUT, 'scgi-cgi.mjs');
/** The shipped `scgi-cgi` bin: built by the gateway's own build (scripts/bundle-cgi-bridge.mjs). */
export const SPLIT_ENTRY = join(here, '../../packages/gateway/dist/scgi-cgi/cli.js');
export const MANAGER_CLI = join(here, '../../packages/manager/dist/cli.js');
export const SNAPSHOT = join(OUT, 'scgi-cgi.blob');

/** esbuild, if installed: it is a dependency of tsx (bench devDependency), not of the bench itself. */
function loadEsbuild() {
  try {
    const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
    return fromTsx('esbuild');
  } catch {
    return undefined;
  }
}

/** Build every variant; returns false (and says why) when esbuild is missing. */
export async function buildBundles({ log = console.log } = {}) {
  if (!existsSync(join(BRIDGE_DIST, 'cli.js'))) {
    throw new Error(
      `${BRIDGE_DIST}/cli.js is missing: build @scgi-node/gateway first (npx tsc -p tsconfig.build.json)`,
    );
  }
  const esbuild = loadEsbuild();
  if (esbuild === undefined) {
    log(
      'bundle: esbuild not found (it comes with tsx, a bench devDependency): skipping the bundled variants',
    );
    return false;
  }
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const common = { bundle: true, platform: 'node', target: 'node20', minify: true, logLevel: 'warning' };
  // One file: the lazily imported modules (activation, response buffer) are inside, evaluated on demand.
  await esbuild.build({
    ...common,
    entryPoints: [join(BRIDGE_DIST, 'cli.js')],
    format: 'esm',
    outfile: BUNDLE,
  });
  // The snapshot's entry must be one CommonJS script that requires only built-in modules.
  const snapshotEntry = join(OUT, 'snapshot-entry.cjs');
  await esbuild.build({
    ...common,
    entryPoints: [join(here, 'snapshot-entry.mjs')],
    format: 'cjs',
    outfile: snapshotEntry,
  });
  execFileSync(process.execPath, ['--snapshot-blob', SNAPSHOT, '--build-snapshot', snapshotEntry], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (const file of [BUNDLE, SNAPSHOT]) log(`bundle: ${file} (${statSync(file).size} bytes)`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBundles();
