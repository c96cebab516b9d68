// Where a worker's time goes per request: the same worker and requests as the instruction count, run
// under V8's sampling profiler (--cpu-prof) instead of callgrind, whose JIT frames have no names.
// Usage: node profile.mjs [kind=raw] [requests=20000] [top=25]. Prints self and inclusive time per
// function, ours (packages/) marked, as Markdown.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstRequest, oneRequest } from './count.mjs';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** Runs one worker under --cpu-prof for `count` requests; returns the parsed profile. */
export async function profileWorker(kind, count) {
  const dir = mkdtempSync(join(tmpdir(), 'scgi-prof-'));
  const socket = join(dir, 'w.sock');
  const child = spawn(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100', WORKER, kind, socket, String(count)],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = once(child, 'exit');
  try {
    while (!existsSync(socket)) await new Promise((resolve) => setTimeout(resolve, 20));
    await firstRequest(kind, socket);
    for (let i = 1; i < count; i++) await oneRequest(kind, socket);
    const [code] = await exited;
    if (code !== 0) throw new Error(`worker ${kind} exited with ${code}`);
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error('the worker wrote no .cpuprofile');
    return JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Short, stable name of a profile node's function: `name file:line`. */
function functionKey({ callFrame }) {
  const file = callFrame.url.replace(/^file:\/\//, '').replace(/^.*\/(packages|node_modules)\//, '$1/');
  const where = file === '' ? '' : ` ${file.replace(/^node:/, '')}:${callFrame.lineNumber + 1}`;
  return `${callFrame.functionName || '(anonymous)'}${where}`;
}

/** Self and inclusive microseconds per function (a function counted once per stack, for recursion). */
export function summarize(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfSamples = new Map();
  for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
  const interval = (profile.endTime - profile.startTime) / profile.samples.length;
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  const inclusive = new Map();
  for (const [id, samples] of selfSamples) {
    const key = functionKey(nodes.get(id));
    self.set(key, (self.get(key) ?? 0) + samples * interval);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const name = functionKey(nodes.get(at));
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + samples * interval);
    }
  }
  const total = profile.samples.length * interval;
  return { self, inclusive, total };
}

/** A Markdown table of the `top` functions of `entries` (µs each) per request, our code marked. */
export function profileTable(title, entries, total, requests, top) {
  const rows = [...entries]
    .filter(([name]) => !/^\((root|program|idle|garbage collector)\)/.test(name) || title.startsWith('Self'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  return [
    `| ${title} | µs / request | share |`,
    '| --- | ---: | ---: |',
    ...rows.map(([name, us]) => {
      const mark = name.includes('packages/') ? ' **(ours)**' : '';
      return `| \`${name}\`${mark} | ${(us / requests).toFixed(2)} | ${((us / total) * 100).toFixed(1)}% |`;
    }),
  ];
}

export async function profileReport(kind, requests, top) {
  const { self, inclusive, total } = summarize(await profileWorker(kind, requests));
  const ours = new Map([...inclusive].filter(([name]) => name.includes('packages/')));
  return [
    `### ${kind}: ${requests} requests, ${(total / requests).toFixed(1)} µs of samples per request`,
    '',
    ...profileTable('Self time', self, total, requests, top),
    '',
    ...profileTable('Inclusive time, our code', ours, total, requests, top),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind = 'raw', requests = '20000', top = '25'] = process.argv.slice(2);
  console.log(await profileReport(kind, Number(requests), Number(top)));
}
