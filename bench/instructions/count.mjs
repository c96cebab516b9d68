// Instructions per request in a worker, counted by valgrind's callgrind: the difference between a short
// and a long run of the same worker cancels start-up. What is left of warm-up is compilation, whose timing
// moves with the machine (one big TurboFan job more or less in a run is 50M instructions): it is counted
// apart and left out, so the figure is the steady state's cost and repeats to a fraction of a percent.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitCompileCost } from './compile-cost.mjs';
import { nextNginxGetHead } from './nginx-get.mjs';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
/**
 * --predictable: one thread, compilation on it (callgrind then sees it). A budget of an eighth of the
 * default tiers functions up after an eighth of the calls, so 2000 requests of warm-up reach the cost
 * that default flags reach after 4000-8000 (measured: 212.2k against 211.6k for the raw listener).
 * --no-memory-reducer: the memory reducer starts GCs when the allocation rate *per millisecond* is low,
 * and under callgrind every rate is ~50x lower than on the CPU: its GCs came at different requests in
 * each run (Koa on node:http: 206.3k-207.4k in four runs with it, 205.6k-205.9k in two without).
 */
export const NODE_FLAGS = ['--predictable', '--interrupt-budget=8448', '--no-memory-reducer'];

/** valgrind's version, or undefined with a line saying how to get it. */
export function valgrindVersion() {
  const probe = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/** nginx's SCGI request for `GET /` on a new connection, read until the worker closes it. */
function scgiGet(socket) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const connection = connect(socket, () => connection.write(nextNginxGetHead()));
    connection.on('data', (chunk) => chunks.push(chunk));
    connection.on('end', () => {
      const response = Buffer.concat(chunks).toString('latin1');
      if (response.startsWith('Status: 200')) resolve();
      else reject(new Error(`unexpected response: ${JSON.stringify(response.slice(0, 80))}`));
    });
    connection.on('error', reject);
  });
}

/**
 * One request as the front servers send it: a new connection on the unix socket, read to the end. Over
 * SCGI, the head nginx sends; over HTTP, what nginx's default proxy_pass sends (Host, Connection: close).
 */
export async function oneRequest(kind, socket) {
  if (!kind.endsWith('-http')) return scgiGet(socket);
  await new Promise((resolve, reject) => {
    get({ socketPath: socket, path: '/', agent: false, headers: { Host: 'localhost' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

/** The socket file appears at bind(), a moment before listen(): a refused first connect is retried. */
export async function firstRequest(kind, socket) {
  for (let attempt = 1; ; attempt++) {
    try {
      await oneRequest(kind, socket);
      return;
    } catch (error) {
      const code = error.cause?.code ?? error.code;
      if (code !== 'ECONNREFUSED' || attempt === 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Instructions of one worker run that serves `count` requests: { total, compile } (see compile-cost.mjs). */
export async function instructions(kind, count) {
  const dir = mkdtempSync(join(tmpdir(), 'scgi-instr-'));
  const socket = join(dir, 'w.sock');
  const out = join(dir, 'callgrind.out');
  const args = ['--tool=callgrind', `--callgrind-out-file=${out}`, '--smc-check=all-non-file'];
  // SCGI_BENCH_CACHE_SIM=1: callgrind also simulates the caches (L1 and last level) and branch predictor.
  if (process.env.SCGI_BENCH_CACHE_SIM === '1') args.push('--cache-sim=yes', '--branch-sim=yes');
  const child = spawn(
    'valgrind',
    [...args, process.execPath, ...NODE_FLAGS, WORKER, kind, socket, String(count)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit');
  try {
    while (!existsSync(socket)) {
      if (child.exitCode !== null) throw new Error(`worker ${kind} exited early: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await firstRequest(kind, socket);
    for (let i = 1; i < count; i++) await oneRequest(kind, socket);
    const [code] = await exited;
    if (code !== 0) throw new Error(`worker ${kind} exited with ${code}: ${stderr}`);
    // SCGI_BENCH_KEEP=<dir>: keep the callgrind output, for callgrind_annotate.
    const keep = process.env.SCGI_BENCH_KEEP;
    if (keep) copyFileSync(out, join(keep, `${kind}-${count}.out`));
    return splitCompileCost(out);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Instructions per request, compilation left out: (long run - short run) / (long - short requests).
 * The two runs go side by side (a count does not depend on the machine's load). `compile` is what was
 * left out, per request, for the record; `events` has every recorded event per request the same way.
 */
export async function perRequest(kind, short, long) {
  const [a, b] = await Promise.all([instructions(kind, short), instructions(kind, long)]);
  const requests = long - short;
  const steady = (run, name) => run.events[name].total - run.events[name].compile;
  const events = Object.fromEntries(
    Object.keys(b.events).map((name) => [name, (steady(b, name) - steady(a, name)) / requests]),
  );
  return { value: events.Ir, compile: (b.compile - a.compile) / requests, events };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind = 'raw', short = '2000', long = '6000'] = process.argv.slice(2);
  const { value, compile, events } = await perRequest(kind, Number(short), Number(long));
  console.log(
    `${kind}: ${Math.round(value)} instructions per request (${Math.round(compile)} compiling, left out)`,
  );
  const simulated = Object.entries(events).filter(([name]) => name !== 'Ir');
  if (simulated.length > 0)
    console.log(`per request: ${simulated.map(([name, n]) => `${name} ${Math.round(n)}`).join(', ')}`);
}
