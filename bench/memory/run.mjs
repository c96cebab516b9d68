// `npm run bench:memory` (bench/): what a worker's memory does under large transfers and many open
// connections, behind one real nginx, SCGI beside the peers in the same run: worker RSS during a 1 GiB
// download and a 1 GiB upload, and per-connection memory with 2,000 open server-sent event streams.
// Usage: node memory/run.mjs [--quick] [--frameworks=raw,koa] [--mib=N] [--streams=N] [--repeats=N].
// Writes bench/results/memory.{md,json} (only a full run with the defaults).
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeChart } from '../charts/write-chart.mjs';
import { FRAMEWORKS } from '../compare/apps.mjs';
import { machineLine } from '../compare/machine.mjs';
import { workerSet } from '../compare/workers.mjs';
import { paths, readErrorLog, startNginx } from '../support/nginx.mjs';
import { option } from '../support/options.mjs';
import { requireTools } from '../support/tools.mjs';
import { growthText, perStreamBytes } from './growth.mjs';
import { writeMemoryReport } from './report.mjs';
import { download, openEventStreams, upload, withRssSampling } from './transfers.mjs';

const quick = process.argv.includes('--quick');
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const MiB = 1024 * 1024;
const defaults = quick
  ? { mib: 64, streams: 200, repeats: 1, frameworks: ['raw'] }
  : { mib: 1024, streams: 2000, repeats: 3, frameworks: FRAMEWORKS };
const partial = ['mib', 'streams', 'repeats', 'frameworks'].some((name) => option(name));
const settings = {
  mib: Number(option('mib') ?? defaults.mib),
  streams: Number(option('streams') ?? defaults.streams),
  repeats: Number(option('repeats') ?? defaults.repeats),
  frameworks: option('frameworks')?.split(',') ?? defaults.frameworks,
};
/** The worker's RSS may grow by less than this during a transfer (issue 8). */
export const GROWTH_GOAL_BYTES = 32 * MiB;

// Unbounded request bodies on every path (nginx's default is 1 MiB); everything else as users leave it.
const unbounded = (location) => ({
  ...location,
  location: `client_max_body_size 0;\n      ${location.location}`,
});
export const MEMORY_PATHS = [
  { id: 'a', label: 'nginx → SCGI (ours)', transport: 'scgi', nginx: (s) => unbounded(paths.scgi(s)) },
  {
    id: 'b',
    label: 'nginx → HTTP proxy (node:http)',
    transport: 'http',
    nginx: (s) => unbounded(paths.http(s)),
  },
  {
    id: 'd',
    label: 'nginx → FastCGI (node-fastcgi)',
    transport: 'fastcgi',
    nginx: (s, name) => unbounded(paths.fastcgi(s, name)),
  },
];

/** Sends `message` to a worker and resolves with the `key` field of its answer. */
async function ask(child, message, key) {
  child.send(message);
  for (;;) {
    const [answer] = await once(child, 'message');
    if (answer && typeof answer === 'object' && key in answer) return answer[key];
  }
}

const openStreamsIn = (child) => ask(child, 'open-streams', 'openStreams');

/** Waits (up to `timeoutMs`) until the worker counts no more than `target` open event streams. */
async function settleOpenStreams(child, target, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let open = await openStreamsIn(child);
  while (open > target && Date.now() < deadline) {
    await pause(100);
    open = await openStreamsIn(child);
  }
  return open;
}

/** The worker's memory after a full collection: RSS, and what its JS objects and buffers hold. */
async function memoryAfterGc(child) {
  const usage = await ask(child, 'memory', 'memory');
  return { rss: usage.rss, held: usage.heapUsed + usage.external };
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One path of one framework: the download, the upload and the event streams, in that order. */
async function measurePath(base, child) {
  const bytes = settings.mib * MiB;
  // Warm-up: a small run of each, so code and buffers are in place before the baselines are taken.
  await download(`${base}/stream?mib=8`);
  await upload(`${base}/sink`, 8);
  const openAtStart = await openStreamsIn(child);
  const warm = await openEventStreams(`${base}/events`, 20);
  warm.close();
  await settleOpenStreams(child, openAtStart, 3000);

  // Each transfer several times: how far RSS rises depends on when V8 collects the dead buffers.
  const downloads = [];
  const uploads = [];
  for (let i = 0; i < settings.repeats; i++) {
    const down = await withRssSampling(child.pid, () => download(`${base}/stream?mib=${settings.mib}`));
    if (down.result.status !== 200 || down.result.bytes !== bytes)
      throw new Error(`download: ${down.result.status}, ${down.result.bytes} of ${bytes} bytes`);
    downloads.push({ baseline: down.baseline, peak: down.peak });
    const up = await withRssSampling(child.pid, () => upload(`${base}/sink`, settings.mib));
    if (up.result.status !== 200 || up.result.text !== String(bytes))
      throw new Error(`upload: ${up.result.status}, the app read ${up.result.text} of ${bytes} bytes`);
    uploads.push({ baseline: up.baseline, peak: up.peak });
  }

  // Counted from what was open before (a peer that never closes its streams still has the warm-up's).
  const openBefore = await openStreamsIn(child);
  const before = await memoryAfterGc(child);
  const streams = await openEventStreams(`${base}/events`, settings.streams);
  await pause(1500); // every stream has had a tick or two
  const opened = (await openStreamsIn(child)) - openBefore;
  const during = await memoryAfterGc(child);
  streams.close();
  const leftOpen = (await settleOpenStreams(child, openBefore, 10_000)) - openBefore;
  return {
    download: downloads,
    upload: uploads,
    events: { streams: settings.streams, opened, before, during, leftOpen },
  };
}

requireTools(['nginx']);
const dir = mkdtempSync(join(tmpdir(), 'scgi-memory-'));
const workers = workerSet(dir, { execArgv: ['--expose-gc'] });
let nginx;
try {
  const servers = [];
  for (const framework of settings.frameworks) {
    for (const path of MEMORY_PATHS) {
      const socket = await workers.start(framework, path.transport);
      const name = `${framework}_${path.id}`;
      servers.push({ name, ...path.nginx(socket, `up_${name}`) });
    }
  }
  nginx = await startNginx(dir, servers);
  const results = [];
  for (const framework of settings.frameworks) {
    for (const path of MEMORY_PATHS) {
      const base = `http://127.0.0.1:${nginx.ports[`${framework}_${path.id}`]}`;
      const child = workers.child(framework, path.transport);
      const measured = await measurePath(base, child);
      results.push({ framework, path: path.id, ...measured });
      const { events } = measured;
      const kib = (key) => (perStreamBytes(events, key) / 1024).toFixed(1);
      console.log(
        `${framework} ${path.id}: download +${growthText(measured.download)} MiB, upload +${growthText(measured.upload)} MiB, ` +
          `${events.streams} event streams ${kib('rss')} KiB RSS (${kib('held')} KiB heap + buffers) each, ` +
          `${events.leftOpen} left open after the clients left`,
      );
    }
  }
  const errors = readErrorLog(nginx)
    .split('\n')
    .filter((line) => /\[(error|crit|alert|emerg)\]/.test(line));
  if (errors.length > 0) console.warn(`nginx logged ${errors.length} errors, first: ${errors[0]}`);
  // Ours must open every stream and see every one closed; a peer that does not is reported, not fatal.
  const ours = results.filter((entry) => entry.path === 'a');
  const leaks = ours.filter(
    (entry) => entry.events.leftOpen > 0 || entry.events.opened !== entry.events.streams,
  );
  if (leaks.length > 0) {
    console.warn(
      `SCGI event streams not all opened, or not closed: ${leaks.map((e) => e.framework).join(', ')}`,
    );
    process.exitCode = 1;
  }
  const run = {
    machine: machineLine(),
    settings,
    paths: MEMORY_PATHS,
    results,
    goalBytes: GROWTH_GOAL_BYTES,
  };
  if (!quick && !partial) {
    writeFileSync(join(RESULTS, 'memory.json'), `${JSON.stringify(run, null, 2)}\n`);
    await writeChart('memory', run);
    writeMemoryReport(run, join(RESULTS, 'memory.md'));
  }
} finally {
  nginx?.child.kill('SIGTERM');
  await Promise.all([nginx && (nginx.child.exitCode ?? once(nginx.child, 'exit')), workers.stop()]);
  rmSync(dir, { recursive: true, force: true });
}
