// The worker processes of a run: one app on one transport each (worker.mjs), forked, stopped by pid.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** Starts workers with their sockets in `dir` (Node flags in `execArgv`); `stop()` ends them all. */
export function workerSet(dir, { execArgv = [] } = {}) {
  const children = new Map();
  return {
    /** Resolves with the worker's socket path once it listens; `key(framework, transport)` finds it. */
    async start(framework, transport) {
      const socket = join(dir, `${framework}-${transport}.sock`);
      const child = fork(WORKER, [framework, transport, socket], { stdio: 'inherit', execArgv });
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
