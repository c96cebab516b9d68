// Instructions per request in a worker, counted by valgrind's callgrind: the difference between a short
// and a long run of the same worker cancels start-up and warm-up. V8 runs with --predictable (one
// thread, no timing-driven work), which makes a count repeat to a fraction of a percent.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from '@scgi-node/core';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
export const NODE_FLAGS = ['--predictable'];

/** valgrind's version, or undefined with a line saying how to get it. */
export function valgrindVersion() {
  const probe = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/** One request as the front servers send it: a new connection on the unix socket, read to the end. */
async function oneRequest(kind, socket) {
  if (kind !== 'node-http') {
    await (await request(socket, { url: '/' })).buffer();
    return;
  }
  await new Promise((resolve, reject) => {
    get({ socketPath: socket, path: '/', agent: false, headers: { Host: 'example.test' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

/** The socket file appears at bind(), a moment before listen(): a refused first connect is retried. */
async function firstRequest(kind, socket) {
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

/** Total instructions of one worker run that serves `count` requests. */
export async function instructions(kind, count) {
  const dir = mkdtempSync(join(tmpdir(), 'scgi-instr-'));
  const socket = join(dir, 'w.sock');
  const out = join(dir, 'callgrind.out');
  const args = ['--tool=callgrind', `--callgrind-out-file=${out}`, '--smc-check=all-non-file'];
  const child = spawn(
    'valgrind',
    [...args, process.execPath, ...NODE_FLAGS, WORKER, kind, socket, String(count)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
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
    const totals = /^totals: (\d+)/m.exec(readFileSync(out, 'utf8'));
    if (totals === null) throw new Error(`no totals in ${out}`);
    return Number(totals[1]);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Instructions per request: (long run - short run) / (long - short requests). */
export async function perRequest(kind, short, long) {
  const a = await instructions(kind, short);
  const b = await instructions(kind, long);
  return (b - a) / (long - short);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind = 'hono', short = '200', long = '1200'] = process.argv.slice(2);
  const value = await perRequest(kind, Number(short), Number(long));
  console.log(`${kind}: ${Math.round(value)} instructions per request`);
}
