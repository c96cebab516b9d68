// Instructions per request along a whole path of the side-by-side run: nginx and the worker (the same
// app on the same transport as compare/worker.mjs) each under callgrind, a client outside valgrind sending
// one scenario's GET to nginx on a kept connection, as wrk does. The difference between a short and a long
// run cancels start-up; the worker's compilation is left out as in count.mjs. What the kernel does for
// each (connect, accept, close) is not an instruction callgrind sees.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { paths, startNginx } from '../support/nginx.mjs';
import { waitUntilAccepting } from '../support/ports.mjs';
import { splitCompileCost } from './compile-cost.mjs';
import { NODE_FLAGS } from './count.mjs';
import { sendSequentially } from './keepalive-client.mjs';

const WORKER = fileURLToPath(new URL('../compare/worker.mjs', import.meta.url));
const EXIT_ON_SIGTERM = fileURLToPath(new URL('../support/exit-on-sigterm.mjs', import.meta.url));

/** The compared paths: how nginx reaches the worker, and the worker's [framework, transport], if any. */
export const PATHS = {
  a: { label: 'nginx → SCGI → our adapter', nginx: paths.scgi, worker: (framework) => [framework, 'scgi'] },
  b: { label: 'nginx → HTTP proxy, default → node:http', nginx: paths.http, worker: (fw) => [fw, 'http'] },
  c: {
    label: 'nginx → HTTP proxy, keepalive 32 → node:http',
    nginx: paths.httpKeepalive,
    worker: (framework) => [framework, 'http'],
  },
  d: {
    label: 'nginx → FastCGI (keep_conn) → node-fastcgi',
    nginx: paths.fastcgi,
    worker: (framework) => [framework, 'fastcgi'],
  },
  e: {
    label: 'nginx → trivial SCGI responder',
    nginx: paths.scgi,
    worker: () => ['trivial', 'scgi'],
    rawOnly: true,
  },
  f: { label: 'nginx `return 200`', nginx: paths.nginxReturn, worker: () => undefined, rawOnly: true },
};

/** The scenarios counted: the side-by-side run's requests that need no body (compare/scenarios.mjs). */
export const URLS = { hello: '/hello', page: '/page?q=shoes' };

const callgrind = (out) => ['valgrind', '-q', '--tool=callgrind', `--callgrind-out-file=${out}`];

/**
 * SIGQUIT (nginx's graceful stop, so callgrind writes its counts), again every 5 s: nginx without a
 * master process looks at the signal's flag only between event waits, so one that lands just before a
 * wait with no timer due goes unanswered (13 times in the first full run's 60 runs).
 */
async function stopUnderValgrind(child) {
  const exited = once(child, 'exit');
  const again = setInterval(() => child.kill('SIGQUIT'), 5000);
  child.kill('SIGQUIT');
  try {
    await exited;
  } finally {
    clearInterval(again);
  }
}

/** One run of `requests` through the path: { nginx, worker } instructions ({ total, compile } each). */
async function countRun(pathId, framework, scenario, requests) {
  const path = PATHS[pathId];
  const dir = mkdtempSync(join(tmpdir(), 'scgi-path-'));
  const socket = join(dir, 'w.sock');
  const app = path.worker(framework);
  let worker;
  let nginx;
  try {
    if (app !== undefined) {
      const [command, ...args] = [
        ...callgrind(join(dir, 'worker.out')),
        '--smc-check=all-non-file',
        process.execPath,
        ...NODE_FLAGS,
        '--import',
        EXIT_ON_SIGTERM,
        WORKER,
        ...app,
        socket,
      ];
      worker = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
      // Up to a minute under valgrind. The one connection it accepts, empty, is in every run alike.
      await waitUntilAccepting({ path: socket }, worker, `worker ${app.join(' over ')}`, 1200);
    }
    nginx = await startNginx(dir, [{ name: 'front', ...path.nginx(socket, 'up_worker') }], {
      wrap: callgrind(join(dir, 'nginx.out')),
    });
    await sendSequentially(nginx.ports.front, URLS[scenario], requests);
    // nginx first, so it lets go of its kept upstream connections before the worker goes.
    await stopUnderValgrind(nginx.child);
    if (worker !== undefined) {
      const workerExit = once(worker, 'exit');
      worker.kill('SIGTERM'); // exit-on-sigterm.mjs: a normal exit, so callgrind writes its counts
      const [code] = await workerExit;
      if (code !== 0) throw new Error(`worker ${app.join(' over ')} exited with ${code}`);
    }
    // SCGI_BENCH_KEEP=<dir>: keep both callgrind outputs, for callgrind_annotate.
    const keep = process.env.SCGI_BENCH_KEEP;
    if (keep) {
      const name = `${pathId}-${framework}-${scenario}-${requests}`;
      copyFileSync(join(dir, 'nginx.out'), join(keep, `${name}-nginx.out`));
      if (app !== undefined) copyFileSync(join(dir, 'worker.out'), join(keep, `${name}-worker.out`));
    }
    return {
      nginx: splitCompileCost(join(dir, 'nginx.out')),
      worker: app === undefined ? { total: 0, compile: 0 } : splitCompileCost(join(dir, 'worker.out')),
    };
  } finally {
    worker?.kill('SIGKILL');
    nginx?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Instructions per request of nginx and of the worker (compilation left out) between two runs. */
export async function perRequestOnPath(pathId, framework, scenario, short, long) {
  // Both settle before either failure is thrown, so no run's processes outlive this one.
  const runs = await Promise.allSettled([
    countRun(pathId, framework, scenario, short),
    countRun(pathId, framework, scenario, long),
  ]);
  const failed = runs.find((run) => run.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  const [a, b] = runs.map((run) => run.value);
  const steady = (run) => run.total - run.compile;
  const requests = long - short;
  const nginx = (steady(b.nginx) - steady(a.nginx)) / requests;
  const worker = (steady(b.worker) - steady(a.worker)) / requests;
  return { nginx, worker, total: nginx + worker };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const [pathId = 'a', framework = 'raw', scenario = 'hello', short = '2000', long = '6000'] = args;
  const count = await perRequestOnPath(pathId, framework, scenario, Number(short), Number(long));
  const k = (n) => `${(n / 1000).toFixed(1)}k`;
  console.log(
    `(${pathId}) ${framework} ${scenario}: nginx ${k(count.nginx)} + worker ${k(count.worker)} = ${k(count.total)}`,
  );
}
