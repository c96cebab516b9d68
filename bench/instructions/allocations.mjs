// Bytes each request allocates in the worker, and where: the same workers and requests as the
// instruction count, under V8's sampling heap profiler (allocation-sampler.mjs), warm-up left out.
// Allocation is a cost that an instruction count undercounts: every young object is cache lines written
// and, under load, scavenges that the collector's helper threads share.
// Usage: node instructions/allocations.mjs [--quick] [--kinds=raw,node-http]. A full run (no option)
// writes bench/results/allocations.md; otherwise it prints its Markdown.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option } from '../support/options.mjs';
import { firstRequest, oneRequest } from './count.mjs';
import { KINDS } from './kinds.mjs';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const SAMPLER = fileURLToPath(new URL('./allocation-sampler.mjs', import.meta.url));
const KIND_NAMES = KINDS.map(([kind]) => kind);
const RESULTS = fileURLToPath(new URL('../results/allocations.md', import.meta.url));

/** The sampled allocation profile of `requests` requests after `warmUp` more. */
async function allocationProfile(kind, warmUp, requests) {
  const dir = mkdtempSync(join(tmpdir(), 'scgi-alloc-'));
  const socket = join(dir, 'w.sock');
  const out = join(dir, 'profile.json');
  const child = spawn(
    process.execPath,
    ['--import', SAMPLER, WORKER, kind, socket, String(warmUp + requests)],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, SCGI_BENCH_ALLOCATIONS: out } },
  );
  const exited = once(child, 'exit');
  try {
    while (!existsSync(socket)) await new Promise((resolve) => setTimeout(resolve, 20));
    await firstRequest(kind, socket);
    for (let i = 1; i < warmUp; i++) await oneRequest(kind, socket);
    const sampling = once(child, 'message');
    child.kill('SIGUSR2');
    await sampling;
    for (let i = 0; i < requests; i++) await oneRequest(kind, socket);
    const [code] = await exited;
    if (code !== 0) throw new Error(`worker ${kind} exited with ${code}`);
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sampled bytes by allocating function (`name file:line`), and their sum. */
export function bytesByFunction(profile) {
  const bytes = new Map();
  let total = 0;
  const visit = (node) => {
    if (node.selfSize > 0) {
      const { functionName, url, lineNumber } = node.callFrame;
      const file = url.replace(/^file:\/\//, '').replace(/^.*\/(packages|node_modules)\//, '$1/');
      const key = `${functionName || '(anonymous)'}${file === '' ? '' : ` ${file.replace(/^node:/, '')}:${lineNumber + 1}`}`;
      bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) visit(child);
  };
  visit(profile.head);
  return { bytes, total };
}

export async function allocationReport(kind, { warmUp, requests, top }) {
  const { bytes, total } = bytesByFunction(await allocationProfile(kind, warmUp, requests));
  const ours = [...bytes].filter(([name]) => name.includes('packages/'));
  const oursTotal = ours.reduce((sum, [, size]) => sum + size, 0);
  const rows = [...bytes].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `### ${kind}: ${Math.round(total / requests)} bytes per request` +
      (oursTotal > 0 ? ` (${Math.round(oursTotal / requests)} in our code)` : ''),
    '',
    '| allocated in | bytes / request |',
    '| --- | ---: |',
    ...rows.map(([name, size]) => {
      const mark = name.includes('packages/') ? ' **(ours)**' : '';
      return `| \`${name}\`${mark} | ${Math.round(size / requests)} |`;
    }),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const kinds = option('kinds')?.split(',') ?? (quick ? ['raw'] : KIND_NAMES);
  const settings = quick ? { warmUp: 20, requests: 20, top: 5 } : { warmUp: 2000, requests: 2000, top: 15 };
  const sections = [];
  for (const kind of kinds) sections.push(await allocationReport(kind, settings));
  if (quick || option('kinds') !== undefined) {
    console.log(sections.join('\n'));
  } else {
    const header = [
      '# Bytes allocated per request',
      '',
      `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, default flags. The workers and requests of`,
      '`bench:instructions` (GET / answered with 14 bytes, a new unix-socket connection per request), under',
      `V8's sampling heap profiler (one sample per 64 bytes, freed objects kept) for ${settings.requests} requests`,
      `after ${settings.warmUp} of warm-up. "Allocated in" is the function on top of the stack, after inlining.`,
      '',
      'Reproduce: `cd bench && node instructions/allocations.mjs`.',
      '',
    ];
    writeFileSync(RESULTS, [...header, ...sections].join('\n'));
    console.log(`wrote ${RESULTS}`);
  }
}
