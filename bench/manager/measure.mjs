// Bench support: the processes under test, a private nginx in front of them, wrk runs and CPU time from /proc.
import { execFile, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = fileURLToPath(new URL('.', import.meta.url));
export const CLI = fileURLToPath(new URL('../../packages/manager/dist/cli.js', import.meta.url));
export const app = (name) => join(HERE, 'apps', `${name}.mjs`);

/** Start one design serving `appPath` on `socket`; resolves with its root process once it accepts. */
export async function startDesign(design, appPath, socket, workers, extraArgs = []) {
  if (design === 'direct') {
    const child = fork(join(HERE, 'direct-server.mjs'), [appPath, socket], { stdio: 'inherit' });
    await once(child, 'message');
    return child;
  }
  if (design === 'pass') {
    const child = fork(join(HERE, 'pass-primary.mjs'), [appPath, socket, String(workers)], {
      stdio: 'inherit',
    });
    await once(child, 'message');
    return child;
  }
  // design === 'shared': the real manager (shared accept), as `scgi-node serve` runs it.
  const args = ['serve', appPath, '--listen', `unix:${socket}`, '--workers', String(workers)];
  const child = spawn(
    process.execPath,
    [CLI, ...args, '--socket-mode', '666', '--log-level', 'warn', ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('scgi-node: ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`scgi-node exited ${code}`)));
  });
  return child;
}

export async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await once(child, 'exit');
  clearTimeout(timer);
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** nginx (one process, foreground) with one `scgi_pass` server block per named socket; resolves with the ports. */
export async function startNginx(dir, sockets) {
  const ports = {};
  for (const name of Object.keys(sockets)) ports[name] = await freePort();
  for (const temp of ['body', 'proxy', 'scgi', 'fastcgi', 'uwsgi'])
    mkdirSync(join(dir, temp), { recursive: true });
  const servers = Object.entries(sockets).map(
    ([name, socket]) =>
      `  server {\n    listen 127.0.0.1:${ports[name]};\n    location / {\n      include /etc/nginx/scgi_params;\n      scgi_pass unix:${socket};\n    }\n  }`,
  );
  const config = [
    // One nginx process (no master/worker split): it runs as the bench's user, and costs the same for every design.
    'master_process off;',
    'daemon off;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    ...['body', 'proxy', 'scgi', 'fastcgi', 'uwsgi'].map(
      (t) => `  ${t === 'body' ? 'client_body' : t}_temp_path ${join(dir, t)};`,
    ),
    ...servers,
    '}',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), config);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: 'inherit',
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (child.exitCode !== null) throw new Error('nginx did not start');
  return { child, ports };
}

/** `wrk -tT -cC -dDs --latency url`: requests/s, total, errors, latency avg/p50/p99 (µs). */
export async function wrk(url, { threads, connections, seconds }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', url];
  const { stdout } = await run('wrk', args, { maxBuffer: 1 << 20 });
  const number = (re) => Number(re.exec(stdout)?.[1] ?? Number.NaN);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    rps: number(/Requests\/sec:\s+([\d.]+)/),
    requests: number(/(\d+) requests in/),
    non2xx: number(/Non-2xx or 3xx responses:\s+(\d+)/) || 0,
    socketErrors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    avgUs: duration(/Latency\s+([\d.]+\w+)/.exec(stdout)?.[1]),
    p50Us: duration(/^\s+50%\s+([\d.]+\w+)/m.exec(stdout)?.[1]),
    p99Us: duration(/^\s+99%\s+([\d.]+\w+)/m.exec(stdout)?.[1]),
  };
}

const UNIT_US = { us: 1, ms: 1000, s: 1e6, m: 6e7 };
function duration(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  return match ? Number(match[1]) * UNIT_US[match[2]] : Number.NaN;
}

const TICK_US = 1e6 / 100; // USER_HZ: /proc counts CPU time in 1/100 s

function procStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuUs: (Number(fields[11]) + Number(fields[12])) * TICK_US };
  } catch {
    return undefined;
  }
}

/** CPU time (µs) used so far by `pid` alone, and by it with all its live descendants. */
export function cpuUs(pid) {
  const all = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat) all.set(Number(name), stat);
  }
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, { ppid }] of all) {
      if (tree.has(ppid) && !tree.has(child)) {
        tree.add(child);
        grew = true;
      }
    }
  }
  let treeUs = 0;
  for (const member of tree) treeUs += all.get(member)?.cpuUs ?? 0;
  return { selfUs: all.get(pid)?.cpuUs ?? 0, treeUs };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
