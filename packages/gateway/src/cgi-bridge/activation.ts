// Process activation: no worker listens, so start one (one bridge of many, under the lock) and wait for it.
import type { ChildProcess } from 'node:child_process';
import { unlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CgiBridgeConfig, describeAddress } from './config.js';
import { CgiBridgeError } from './errors.js';
import { type BridgeLog, lastLines } from './log.js';
import { isAlive, readPid, writePid } from './pid-file.js';
import { spawnWorker } from './spawn-worker.js';
import { breakStaleLock, isStale, readLock, StartLock } from './start-lock.js';
import { connectWorker, isNotListening } from './worker-socket.js';

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 100;
/** Worker log lines quoted in a failed start's log line. */
const LOG_TAIL_LINES = 5;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Called when nothing listens on the worker's socket: start the worker unless a live process owns the
 * pid file, wait until it accepts a connection (up to startTimeoutMs), and return that connection.
 * Fifty bridges arriving at once start one worker: the one holding the start lock spawns, the others
 * wait for the socket. Throws CgiBridgeError (503) when the worker cannot be started or reached.
 */
export async function activateWorker(config: CgiBridgeConfig, env: Env, log: BridgeLog): Promise<Socket> {
  const pidFile = config.pidFile!;
  const lockPath = `${pidFile}.lock`;
  const deadline = Date.now() + config.startTimeoutMs;
  // A lock older than a whole start attempt is stale even if its pid lives (the pid was reused).
  const lockMaxAgeMs = config.startTimeoutMs + 2 * config.connectTimeoutMs + 5000;
  for (;;) {
    if (Date.now() >= deadline) throw startTimeout(config, 'the start lock changed hands until the deadline');
    const owner = readPid(pidFile);
    if (owner !== undefined && isAlive(owner)) {
      // Alive but not accepting: starting (another bridge spawned it moments ago), or stuck.
      const socket = await waitUntilReady(config, deadline, () => isAlive(owner));
      if (socket !== undefined) return socket;
      if (Date.now() >= deadline) throw unresponsive(config, owner);
      continue; // It died meanwhile: start a new one.
    }
    let lock: StartLock | undefined;
    try {
      lock = StartLock.tryAcquire(lockPath);
    } catch (cause) {
      throw new CgiBridgeError('ERR_CGI_LOCK_FAILED', `cannot create the start lock ${lockPath}`, { cause });
    }
    if (lock !== undefined) {
      try {
        return await startLocked(config, env, log, deadline);
      } finally {
        lock.release();
      }
    }
    const record = readLock(lockPath);
    if (record === undefined) continue; // Released between our two looks.
    if (isStale(record, lockMaxAgeMs)) {
      if (breakStaleLock(lockPath, record))
        log.note(`removed the stale start lock of pid ${record.pid ?? '?'}`);
      continue;
    }
    // Another bridge is starting the worker: wait for the socket while a live bridge holds the lock
    // (whichever: a failed start's lock may pass to a bridge that tries again).
    const held = () => {
      const current = readLock(lockPath);
      return current !== undefined && !isStale(current, lockMaxAgeMs);
    };
    const socket = await waitUntilReady(config, deadline, held);
    if (socket !== undefined) return socket;
    if (Date.now() >= deadline) throw startTimeout(config, 'another bridge was still starting it');
    throw new CgiBridgeError(
      'ERR_CGI_START_FAILED',
      `the bridge with pid ${record.pid ?? '?'} tried to start the worker, and ${describeAddress(config.socket)} ` +
        'still refuses connections (that bridge logged why)',
    );
  }
}

/** Holding the lock: check once more (the last holder may just have finished), then spawn and wait. */
async function startLocked(config: CgiBridgeConfig, env: Env, log: BridgeLog, deadline: number) {
  const again = await attempt(config);
  if (again !== undefined) return again;
  const owner = readPid(config.pidFile!);
  if (owner !== undefined && isAlive(owner)) {
    const socket = await waitUntilReady(config, deadline, () => isAlive(owner));
    if (socket !== undefined) return socket;
    throw unresponsive(config, owner);
  }
  const started = Date.now();
  const child = spawnWorker(config, env);
  const exit = exitOf(child);
  const pid = child.pid;
  if (pid === undefined) {
    const { error } = await exit;
    throw new CgiBridgeError('ERR_CGI_START_FAILED', `cannot run ${JSON.stringify(config.command![0])}`, {
      cause: error,
    });
  }
  // The worker may write its own pid file later (a wrapper's child); until then the spawned pid stands.
  writePid(config.pidFile!, pid);
  log.note(`started worker pid ${pid}: ${JSON.stringify(config.command)} (cwd ${config.cwd})`);
  let exited: Awaited<typeof exit> | undefined;
  void exit.then((result) => {
    exited = result;
  });
  const socket = await waitUntilReady(config, deadline, () => exited === undefined);
  if (socket !== undefined) {
    log.note(`worker pid ${pid} accepts connections after ${Date.now() - started} ms`);
    child.unref();
    return socket;
  }
  const tail = lastLines(config.logFile, LOG_TAIL_LINES);
  const logged = tail === '' ? '' : `; its log ends: ${tail}`;
  if (exited !== undefined) {
    clearPid(config.pidFile!, pid);
    const how = exited.signal === null ? `with code ${exited.code}` : `on ${exited.signal}`;
    throw new CgiBridgeError(
      'ERR_CGI_START_FAILED',
      `worker pid ${pid} exited ${how} before it accepted a connection${logged}`,
    );
  }
  // Not ready in time: stop it, so the next request starts afresh instead of waiting on it again.
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  clearPid(config.pidFile!, pid);
  throw startTimeout(config, `worker pid ${pid} was killed${logged}`);
}

interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  error: Error | undefined;
}

/** Resolves when the child exits or cannot be spawned at all ('error' with no pid). */
function exitOf(child: ChildProcess): Promise<ExitResult> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal, error: undefined }));
  });
}

/** Remove the pid file of a worker that failed to start (we hold the lock: no other start races this). */
function clearPid(pidFile: string, pid: number): void {
  if (readPid(pidFile) !== pid) return;
  try {
    unlinkSync(pidFile);
  } catch {
    // Not removable: readers see a dead pid anyway.
  }
}

/** One connection attempt; undefined when nothing listens yet. */
async function attempt(config: CgiBridgeConfig): Promise<Socket | undefined> {
  try {
    return await connectWorker(config.socket, config.connectTimeoutMs);
  } catch (error) {
    if (isNotListening(error)) return undefined;
    throw new CgiBridgeError(
      'ERR_CGI_WORKER_UNRESPONSIVE',
      `cannot connect to ${describeAddress(config.socket)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Poll the socket until it accepts (returns the connection), the deadline passes, or `worthWaiting()`
 * turns false (one last attempt is made after that, since a worker becomes ready before its starter
 * releases the lock). Polls every 10 ms at first, backing off to 100 ms.
 */
async function waitUntilReady(config: CgiBridgeConfig, deadline: number, worthWaiting: () => boolean) {
  let delay = FIRST_POLL_MS;
  for (;;) {
    const worth = worthWaiting();
    const socket = await attempt(config);
    if (socket !== undefined) return socket;
    const left = deadline - Date.now();
    if (!worth || left <= 0) return undefined;
    await sleep(Math.min(delay, left));
    delay = Math.min(delay * 2, MAX_POLL_MS);
  }
}

function unresponsive(config: CgiBridgeConfig, pid: number): CgiBridgeError {
  return new CgiBridgeError(
    'ERR_CGI_WORKER_UNRESPONSIVE',
    `worker pid ${pid} (${config.pidFile}) is alive but ${describeAddress(config.socket)} did not accept a ` +
      `connection within ${config.startTimeoutMs} ms (startTimeoutMs)`,
  );
}

function startTimeout(config: CgiBridgeConfig, detail: string): CgiBridgeError {
  return new CgiBridgeError(
    'ERR_CGI_START_TIMEOUT',
    `the worker did not accept connections on ${describeAddress(config.socket)} within ` +
      `${config.startTimeoutMs} ms (startTimeoutMs): ${detail}`,
  );
}
