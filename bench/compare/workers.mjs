// The worker processes of a run: one app on one transport each (worker.mjs), forked, stopped by pid.
// With a pool, SCGI runs under our process manager and the peers under node:cluster, as users run them.
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const POOL_APPS = fileURLToPath(new URL('./pool-apps.mjs', import.meta.url));
// The `scgi-node` CLI beside the manager package's entry (dist/cli.js).
const MANAGER_CLI = join(dirname(createRequire(import.meta.url).resolve('@scgi-node/manager')), 'cli.js');

/** `scgi-node serve` with a static pool of `size` workers; resolves once the manager says it is ready. */
async function startManager(framework, socket, size) {
  const args = [
    'serve',
    POOL_APPS,
    '--export',
    framework,
    '--listen',
    `unix:${socket}`,
    '--workers',
    String(size),
    '--log-level',
    'warn',
  ];
  const child = spawn(process.execPath, [MANAGER_CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const onOutput = (chunk) => {
    output += chunk;
  };
  child.stdout.on('data', onOutput);
  await new Promise((resolve, reject) => {
    const onExit = (code) =>
      reject(new Error(`scgi-node serve (${framework}) exited with ${code}: ${output}`));
    child.once('exit', onExit);
    child.stdout.on('data', function onReady() {
      if (!/ready/.test(output)) return;
      child.stdout.off('data', onReady);
      child.removeListener('exit', onExit);
      resolve();
    });
  });
  // Past the ready line the manager's output is not kept (it is read and dropped).
  child.stdout.off('data', onOutput);
  child.stdout.resume();
  return child;
}

/**
 * Starts workers with their sockets in `dir` (Node flags in `execArgv`; `pool` processes per app, 1 by
 * default); `stop()` ends them all. The pid of each is its root process (the manager or cluster primary).
 */
export function workerSet(dir, { execArgv = [], pool = 1 } = {}) {
  const children = new Map();
  return {
    /** Resolves with the worker's socket path once it listens; `key(framework, transport)` finds it. */
    async start(framework, transport) {
      const socket = join(dir, `${framework}-${transport}.sock`);
      if (pool > 1 && transport === 'scgi' && framework !== 'trivial') {
        children.set(`${framework}-${transport}`, await startManager(framework, socket, pool));
        return socket;
      }
      const child = fork(WORKER, [framework, transport, socket, String(pool)], {
        stdio: 'inherit',
        execArgv,
      });
      children.set(`${framework}-${transport}`, child);
      const [message] = await Promise.race([
        once(child, 'message'),
        once(child, 'exit').then(([code]) => {
          throw new Error(`worker ${framework}/${transport} exited with ${code}`);
        }),
      ]);
      if (message !== 'ready') throw new Error(`worker ${framework}/${transport} said ${message}`);
      return socket;
    },
    child: (framework, transport) => children.get(`${framework}-${transport}`),
    pid: (framework, transport) => children.get(`${framework}-${transport}`)?.pid,
    async stop() {
      for (const child of children.values()) child.kill('SIGTERM');
      await Promise.all([...children.values()].map((child) => child.exitCode ?? once(child, 'exit')));
    },
  };
}
