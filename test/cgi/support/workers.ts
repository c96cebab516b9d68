// Workers the bridge starts in tests: where each lives (socket, pid file, log), its info file, and cleanup.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MANAGER_CLI = fileURLToPath(new URL('../../../packages/manager/dist/cli.js', import.meta.url));
/** The Express example's own SCGI entry (listens where SCGI_LISTEN says). */
export const EXPRESS_APP = fileURLToPath(
  new URL('../../../examples/express-app/dist/scgi.js', import.meta.url),
);
/** The Express example as an app module, for `scgi-node serve`. */
const EXPRESS_MODULE = fileURLToPath(new URL('../fixtures/express-app-module.mjs', import.meta.url));
/** An Express app with test routes: /echo (what arrived), /hang (never answers), /big (tracked download). */
export const PROBE_WORKER = fileURLToPath(new URL('../fixtures/probe-worker.mjs', import.meta.url));

/**
 * How the worker is started: the manager's `scgi-node serve` (one worker process under it) when it is
 * built, else the Express example's own SCGI entry. The bridge does not care which; the tests read the
 * line each logs once it accepts connections.
 */
export const WORKER = existsSync(MANAGER_CLI)
  ? {
      kind: 'scgi-node serve',
      readyLine: /"msg":"ready"/g,
      command: (place: WorkerPlace) => [
        'node',
        MANAGER_CLI,
        'serve',
        EXPRESS_MODULE,
        '--listen',
        `unix:${place.socket}`,
        '--workers',
        '1',
        '--log-format',
        'json',
      ],
    }
  : {
      kind: 'express-app dist/scgi.js',
      readyLine: /SCGI worker listening on/g,
      command: () => ['node', EXPRESS_APP],
    };

/** One worker's files, in a folder of its own. */
export interface WorkerPlace {
  dir: string;
  socket: string;
  pidFile: string;
  logFile: string;
}

export function workerPlace(root: string, name: string): WorkerPlace {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    socket: join(dir, 'app.sock'),
    pidFile: join(dir, 'app.pid'),
    logFile: join(dir, 'app.log'),
  };
}

/** Info-file fields for the Express example (or `script`, run by node) as a worker at `place`. */
export function workerInfo(place: WorkerPlace, extra: Record<string, unknown> = {}, script?: string) {
  return {
    socket: `unix:${place.socket}`,
    pidFile: place.pidFile,
    logFile: place.logFile,
    command: script === undefined ? WORKER.command(place) : ['node', script],
    // NODE_OPTIONS: not the bridges' test preload (see the activation tests) for the workers.
    env: { SCGI_LISTEN: place.socket, NODE_ENV: 'production', NODE_OPTIONS: '' },
    startTimeoutMs: 15_000,
    ...extra,
  };
}

/** How many times a worker at `place` logged that it accepts connections (one per start). */
export function readyLines(place: WorkerPlace): number {
  return readText(place.logFile).match(WORKER.readyLine)?.length ?? 0;
}

/** Write the info file beside the bridge's script: `app.scgi.json` (an object) or `app.scgi` (text). */
export function writeInfo(docroot: string, info: Record<string, unknown> | string): string {
  const path = join(docroot, typeof info === 'string' ? 'app.scgi' : 'app.scgi.json');
  writeFileSync(path, typeof info === 'string' ? info : JSON.stringify(info, null, 2));
  return path;
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Pids the bridge logged as started ("started worker pid N"), in order. */
export function startedPids(place: WorkerPlace): number[] {
  return [...readText(place.logFile).matchAll(/started worker pid (\d+)/g)].map((match) => Number(match[1]));
}

export function pidFromFile(place: WorkerPlace): number | undefined {
  const pid = Number.parseInt(readText(place.pidFile), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Alive and not a zombie (a killed worker whose parent bridge is gone may wait to be reaped). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readText(`/proc/${pid}/stat`);
  return stat !== '' && !/\) [ZX] /.test(stat);
}

/** Kill every worker started at these places (each in its own process group), by the pids they logged. */
export function killWorkers(places: Iterable<WorkerPlace>): void {
  for (const place of places) {
    const pids = new Set(startedPids(place));
    const current = pidFromFile(place);
    if (current !== undefined) pids.add(current);
    for (const pid of pids) {
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
  }
}

/** True once nothing accepts on the unix socket `path` (every process holding the listener is gone). */
export function nothingListens(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Poll `check` until it returns true, up to `timeoutMs` (a bound on liveness, not a speed test). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
