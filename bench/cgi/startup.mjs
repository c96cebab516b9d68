// Start-up cost of the bridge: each variant spawned N times with a CGI environment against a live worker.
// Usage: node startup.mjs [--runs N]. Prints p50/p90 wall time per variant (hyperfine is not needed).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BRIDGE_DIST, BUNDLE, buildBundles, MANAGER_CLI, SNAPSHOT, SPLIT_ENTRY } from './bundle.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const EXPRESS_WORKER = join(here, '../../examples/express-app/dist/scgi.js');

/** Each way of running the bridge, from a bare `node` (the floor) to the snapshot. */
export function startupVariants() {
  const variants = [
    { name: 'node -e 0 (the floor: Node itself)', args: ['-e', '0'], floor: true },
    { name: 'eager: every module at start, via the package roots', args: [join(here, 'eager-entry.mjs')] },
    {
      name: 'package root import, bridge lazy inside (`@scgi-node/gateway`)',
      args: [join(here, 'root-entry.mjs')],
    },
    { name: '`scgi-node cgi` (the manager bin, straight to the bundled bridge)', args: [MANAGER_CLI, 'cgi'] },
    {
      name: 'lazy imports, unbundled (dist/cgi-bridge/cli.js, tsc output)',
      args: [join(BRIDGE_DIST, 'cli.js')],
    },
    { name: 'one bundled file (esbuild, minified)', args: [BUNDLE], needs: BUNDLE },
    {
      name: 'shipped `scgi-cgi`: bundle with split chunks for the lazy modules (dist/scgi-cgi/cli.js)',
      args: [SPLIT_ENTRY],
    },
    { name: 'bundle in a V8 startup snapshot', args: ['--snapshot-blob', SNAPSHOT], needs: SNAPSHOT },
  ];
  return variants.filter((variant) => variant.needs === undefined || existsSync(variant.needs));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function accepts(path) {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A long-running Express worker on a unix socket in `dir`; resolves once it accepts connections. */
export async function startExpressWorker(dir) {
  const socket = join(dir, 'express.sock');
  const child = spawn(process.execPath, [EXPRESS_WORKER], {
    env: { ...process.env, SCGI_LISTEN: socket, NODE_ENV: 'production' },
    stdio: 'ignore',
  });
  for (let i = 0; i < 500 && !(await accepts(socket)); i++) await new Promise((r) => setTimeout(r, 20));
  return { socket, child, stop: () => child.kill('SIGKILL') };
}

/** Spawn every variant `runs` times, interleaved, for `GET /api/items`; p50/p90/min in ms per variant. */
export function measureStartup(socket, runs) {
  const env = {
    REQUEST_METHOD: 'GET',
    REQUEST_URI: '/api/items',
    SERVER_PROTOCOL: 'HTTP/1.1',
    HTTP_HOST: 'localhost',
    REMOTE_ADDR: '127.0.0.1',
    SCGI_NODE_SOCKET: `unix:${socket}`,
  };
  const variants = startupVariants().map((variant) => ({ ...variant, times: [] }));
  for (let run = -3; run < runs; run++) {
    for (const variant of variants) {
      const started = process.hrtime.bigint();
      const result = spawnSync(process.execPath, variant.args, {
        env,
        encoding: 'latin1',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!variant.floor && !result.stdout.startsWith('Status: 200')) {
        throw new Error(
          `${variant.name}: unexpected output ${JSON.stringify(result.stdout.slice(0, 200))} ${result.stderr}`,
        );
      }
      if (run >= 0) variant.times.push(ms); // the first three rounds warm the page cache
    }
  }
  return variants.map(({ name, times, floor }) => {
    const sorted = [...times].sort((a, b) => a - b);
    return {
      name,
      floor: floor === true,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      min: sorted[0],
    };
  });
}

/** The figures as a markdown table, with each variant's cost above the floor. */
export function startupTable(rows) {
  const floor = rows.find((row) => row.floor)?.p50 ?? 0;
  const lines = [
    '| bridge variant | p50 ms | p90 ms | min ms | p50 above `node -e 0` |',
    '|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const above = row.floor ? '—' : `+${(row.p50 - floor).toFixed(1)} ms`;
    lines.push(
      `| ${row.name} | ${row.p50.toFixed(1)} | ${row.p90.toFixed(1)} | ${row.min.toFixed(1)} | ${above} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag === -1 ? 30 : Number(process.argv[runsFlag + 1]);
  await buildBundles();
  const dir = mkdtempSync(join(tmpdir(), 'scgi-cgi-startup-'));
  const worker = await startExpressWorker(dir);
  try {
    console.log(
      `Node ${process.version}, ${runs} runs per variant (interleaved), GET /api/items against a live worker\n`,
    );
    console.log(startupTable(measureStartup(worker.socket, runs)));
  } finally {
    worker.stop();
    await once(worker.child, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}
