// Hono over SCGI (`serve`) against @hono/node-server over HTTP, both behind one nginx, same client, same run.
// Usage: pnpm bench:hono [--quick]. Writes bench/results/hono.md (not in quick mode).
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Nginx, nginxWorkerCpuMicros, readErrorLog, startNginx, type Upstream } from './nginx.js';
import { wrk } from './wrk.js';

const quick = process.argv.includes('--quick');
const ROUNDS = 3;
const SECONDS = quick ? 3 : 10;
const WARMUP_SECONDS = quick ? 1 : 3;
const here = dirname(fileURLToPath(import.meta.url));

const PATHS = [
  { name: 'node-server', protocol: 'http', label: '@hono/node-server `serve`, HTTP (proxy_pass)' },
  { name: 'serve', protocol: 'scgi', label: '**@scgi-node/hono `serve`**, SCGI (scgi_pass)' },
  {
    name: 'incoming',
    protocol: 'scgi',
    label: 'Hono via IncomingMessage: core `createServer(getRequestListener(app.fetch))`, SCGI',
  },
  {
    name: 'fetch-handler',
    protocol: 'scgi',
    label: 'core `createServer(createFetchHandler(app.fetch))`, SCGI',
  },
] as const;
const SCENARIOS = [
  { name: 'hello world', url: '/' },
  { name: '64 KB JSON', url: '/json' },
] as const;

type PathName = (typeof PATHS)[number]['name'];

interface Worker {
  child: ChildProcess;
  socketPath: string;
}

async function startWorker(dir: string, name: PathName): Promise<Worker> {
  const socketPath = join(dir, `${name}.sock`);
  const child = fork(join(here, 'worker.ts'), [name, socketPath], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  const [message] = (await Promise.race([once(child, 'message'), once(child, 'exit')])) as unknown[];
  if (message !== 'ready') throw new Error(`worker ${name} did not start`);
  return { child, socketPath };
}

async function cpuMicros(child: ChildProcess): Promise<number> {
  child.send('cpu');
  const [message] = (await once(child, 'message')) as [{ cpu: NodeJS.CpuUsage }];
  return message.cpu.user + message.cpu.system;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const spread = (values: number[], digits: number): string =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

const dir = mkdtempSync(join(tmpdir(), 'scgi-bench-hono-'));
chmodSync(dir, 0o755); // nginx's workers (nobody) must reach the sockets
const workers = new Map<PathName, Worker>();
let nginx: Nginx | undefined;
// rate[scenario][path] and cpu µs/request, one entry per round
const rates = new Map<string, number[]>();
const cpu = new Map<string, number[]>();
const nginxCpu = new Map<string, number[]>();
function record(table: Map<string, number[]>, name: string, value: number): void {
  const values = table.get(name);
  if (values === undefined) table.set(name, [value]);
  else values.push(value);
}
const key = (scenario: string, path: string): string => `${scenario}|${path}`;

try {
  for (const path of PATHS) workers.set(path.name, await startWorker(dir, path.name));
  const upstreams: Upstream[] = PATHS.map((path) => ({
    name: path.name,
    protocol: path.protocol,
    socketPath: workers.get(path.name)!.socketPath,
  }));
  nginx = await startNginx(dir, upstreams);
  const url = (path: PathName, scenario: (typeof SCENARIOS)[number]) =>
    `http://127.0.0.1:${nginx!.ports[path]}${scenario.url}`;

  for (const scenario of SCENARIOS) {
    for (const path of PATHS) await wrk(url(path.name, scenario), WARMUP_SECONDS);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const scenario of SCENARIOS) {
      // Rotate the order each round, so drift in the machine's load does not favour one path.
      const order = PATHS.map((_, i) => PATHS[(i + round) % PATHS.length]!);
      for (const path of order) {
        const worker = workers.get(path.name)!;
        const before = await cpuMicros(worker.child);
        const nginxBefore = nginxWorkerCpuMicros(nginx);
        const result = await wrk(url(path.name, scenario), SECONDS);
        const used = (await cpuMicros(worker.child)) - before;
        const nginxUsed = nginxWorkerCpuMicros(nginx) - nginxBefore;
        if (result.non2xx > 0 || result.socketErrors > 0) {
          throw new Error(
            `${path.name} ${scenario.name}: ${result.non2xx} non-2xx, ${result.socketErrors} socket errors\n${readErrorLog(nginx)}`,
          );
        }
        const name = key(scenario.name, path.name);
        record(rates, name, result.requestsPerSecond);
        record(cpu, name, used / result.requests);
        record(nginxCpu, name, nginxUsed / result.requests);
        console.log(
          `round ${round + 1} ${scenario.name} ${path.name}: ${Math.round(result.requestsPerSecond)} req/s, ` +
            `worker ${(used / result.requests).toFixed(1)} µs, nginx ${(nginxUsed / result.requests).toFixed(1)} µs CPU/request`,
        );
      }
    }
  }
} finally {
  nginx?.process.kill('SIGTERM');
  for (const { child } of workers.values()) if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
  if (nginx?.process.exitCode === null) await once(nginx.process, 'exit');
  rmSync(dir, { recursive: true, force: true });
}

const lines = [
  '# Hono: @scgi-node/hono `serve` over SCGI vs @hono/node-server over HTTP',
  '',
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, nginx 1.22 (Debian, \`worker_processes 1\`), ` +
    `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} shared by client, nginx and worker. ` +
    `\`wrk -t2 -c32 -d${SECONDS}s\` against nginx; every path a new upstream connection per request, unix sockets; ` +
    `each worker its own process; ${ROUNDS} rounds, paths rotated each round, medians (min–max)` +
    `${quick ? ' — quick mode, not for citing' : ''}.`,
  '',
  '| response | path | req/s | ratio to @hono/node-server (per round) | worker CPU µs/request | nginx CPU µs/request |',
  '|---|---|---|---|---|---|',
];
for (const scenario of SCENARIOS) {
  const baseline = rates.get(key(scenario.name, 'node-server'))!;
  for (const path of PATHS) {
    const values = rates.get(key(scenario.name, path.name))!;
    const ratios = values.map((value, i) => value / baseline[i]!);
    const ratio = path.name === 'node-server' ? '1' : `${spread(ratios, 2)}×`;
    lines.push(
      `| ${scenario.name} | ${path.label} | ${spread(values, 0)} | ${ratio} | ` +
        `${spread(cpu.get(key(scenario.name, path.name))!, 1)} | ${spread(nginxCpu.get(key(scenario.name, path.name))!, 1)} |`,
    );
  }
}
lines.push(
  '',
  'The ratio is taken round by round (the same minute of the machine for both paths), then its median. ' +
    'Worker CPU per request is user + system time of the worker process (process.cpuUsage()) divided by ' +
    'the requests wrk completed: the cost in the worker alone, less sensitive to the shared machine than req/s. ' +
    "nginx CPU per request is the same for nginx's worker process (from /proc, 10 ms ticks): the front " +
    "server's share, which differs between scgi_pass and proxy_pass.",
  '',
);
const table = lines.join('\n');
console.log(`\n${table}`);
if (!quick) {
  mkdirSync(join(here, '..', 'results'), { recursive: true });
  writeFileSync(join(here, '..', 'results', 'hono.md'), table);
}
