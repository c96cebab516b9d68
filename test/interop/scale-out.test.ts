// nginx spreading load over two example-app workers; one worker stops mid-load (SIGTERM, then SIGKILL).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from './support/client.js';
import { headers } from './support/differential.js';
import { backendValue, type FrontServer, startFrontServer } from './support/front-servers.js';
import { makeSandbox, writeHtpasswd, wwwData } from './support/sandbox.js';
import { describeFrontServer } from './support/suite.js';
import { type ScgiWorker, startScgiWorker } from './support/workers.js';

const CLIENTS = 4;
const LOAD_MS = 3000;
const STOP_AFTER_MS = 1000;

interface Pool {
  front: FrontServer;
  workers: [ScgiWorker, ScgiWorker];
  accessLog: string;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 30_000);

/** Two express-app workers on two sockets, nginx in front with sites-available/scgi-app-pool.conf. */
async function startPool(): Promise<Pool> {
  const account = wwwData();
  const sandbox = makeSandbox('interop-pool');
  cleanups.push(() => sandbox.remove());
  const socket = (n: number) => ({ socketPath: join(sandbox.dir, `pool-${n}.sock`) });
  const workers: [ScgiWorker, ScgiWorker] = [
    await startScgiWorker('express', socket(1), account),
    await startScgiWorker('express', socket(2), account),
  ];
  cleanups.push(() => Promise.all(workers.map((worker) => worker.stop())).then(() => undefined));
  const accessLog = join(sandbox.dir, 'upstreams.log');
  const front = await startFrontServer('nginx', {
    dir: join(sandbox.dir, 'nginx'),
    templates: [
      'nginx/nginx.conf',
      'nginx/sites-available/scgi-app-pool.conf',
      'nginx/snippets/scgi-app.conf',
    ],
    values: {
      BACKEND_1: backendValue('nginx', workers[0].backend),
      BACKEND_2: backendValue('nginx', workers[1].backend),
      ACCESS_LOG: accessLog,
      HTPASSWD: writeHtpasswd(join(sandbox.dir, 'htpasswd'), account),
    },
    offload: false,
  });
  cleanups.push(() => front.stop());
  return { front, workers, accessLog };
}

interface LoadResult {
  ok: number;
  failed: string[];
}

/** CLIENTS loops of GET for LOAD_MS, each request on a new connection; `midway` runs at STOP_AFTER_MS. */
async function underLoad(port: number, midway: () => Promise<void>): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, failed: [] };
  const until = Date.now() + LOAD_MS;
  let n = 0;
  const client = async () => {
    while (Date.now() < until) {
      n += 1;
      const mine = n;
      try {
        const answer = await send(port, { path: `/echo/pool?n=${mine}`, headers: headers() });
        if (answer.status === 200 && answer.body.includes(`"n":"${mine}"`)) result.ok += 1;
        else result.failed.push(`${answer.status} ${answer.body.toString().slice(0, 80)}`);
      } catch (error) {
        result.failed.push(String(error));
      }
    }
  };
  await Promise.all([...Array.from({ length: CLIENTS }, client), sleep(STOP_AFTER_MS).then(midway)]);
  return result;
}

/** Per access-log line: the worker sockets nginx tried (`a, b` when it retried). */
function upstreamsTried(accessLog: string): string[][] {
  return readFileSync(accessLog, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (line.split('|')[1] ?? '').split(', ')); // log_format: status|upstream_addr|...
}

describeFrontServer('nginx', () => {
  describe('scale-out', () => {
    it('two workers behind one upstream: a worker stopped (SIGTERM) mid-load loses no request', async ({
      task,
    }) => {
      const pool = await startPool();
      const [stopped, kept] = pool.workers;
      const result = await underLoad(pool.front.port, () => stopped.stop('SIGTERM'));
      const tried = upstreamsTried(pool.accessLog);
      const first = backendValue('nginx', stopped.backend);
      Object.assign(task.meta, {
        requests: result.ok + result.failed.length,
        failed: result.failed.length,
        retried: tried.filter((line) => line.length > 1).length,
      });
      expect(result.failed).toEqual([]);
      expect(result.ok).toBeGreaterThan(CLIENTS);
      // Both served before the stop; afterwards the survivor alone (nginx retried what met the closed one).
      expect(new Set(tried.flat())).toEqual(new Set([first, backendValue('nginx', kept.backend)]));
      expect(await stopped.child.exited).toEqual({ code: 0, signal: null }); // a graceful exit
    });

    it('a worker killed (SIGKILL) mid-load: only requests it was answering may fail, and are counted', async ({
      task,
    }) => {
      const pool = await startPool();
      const [killed] = pool.workers;
      const result = await underLoad(pool.front.port, () => killed.stop('SIGKILL'));
      const tried = upstreamsTried(pool.accessLog);
      Object.assign(task.meta, {
        requests: result.ok + result.failed.length,
        failed: result.failed.length,
        retried: tried.filter((line) => line.length > 1).length,
      });
      if (result.failed.length > 0)
        console.log(`[scale-out] SIGKILL: ${result.failed.length} failed`, result.failed);
      // At most one request per client can have been on the killed worker, past the point of a retry.
      expect(result.failed.length).toBeLessThanOrEqual(CLIENTS);
      expect(result.ok).toBeGreaterThan(CLIENTS);
      expect(await killed.child.exited).toEqual({ code: null, signal: 'SIGKILL' });
    });
  });
});
