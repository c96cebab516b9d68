// Why a worker exited, as the supervisor must treat it: planned, a timeout kill, a crash, or a failed start.
import { STABLE_AFTER_MS } from './backoff.js';
import type { WorkerRecord, WorkerState } from './worker-record.js';

/**
 * - `planned`: the primary asked for it (drain, scale-down, stop, a kill after the grace period).
 * - `timeout-kill`: its watchdog killed it for a request past --timeout: replaced at once, no backoff.
 * - `failed-start`: it died before it was ready, or failed by itself within {@link STABLE_AFTER_MS}
 *   of it (an exception, exit or abort soon after listening): counts against the crash budget and
 *   delays the next start.
 * - `crash`: a ready worker died otherwise: replaced at once. A ready worker killed by SIGKILL (the OOM
 *   killer, an operator's kill -9) did not fail by itself, however young: it is a crash, not a loop.
 */
export type ExitKind = 'planned' | 'timeout-kill' | 'failed-start' | 'crash';

export function classifyExit(
  worker: Pick<WorkerRecord, 'plannedExit' | 'watchdog' | 'readyAt' | 'exitSignal'>,
  previous: WorkerState,
  now: number,
  stopping: boolean,
): ExitKind {
  if (worker.plannedExit || stopping) return 'planned';
  if (worker.watchdog.length > 0) return 'timeout-kill';
  if (previous === 'starting' || worker.readyAt === undefined) return 'failed-start';
  if (worker.exitSignal === 'SIGKILL' || now - worker.readyAt >= STABLE_AFTER_MS) return 'crash';
  return 'failed-start';
}

/** Log fields for an exit; `cause` is what the user reads: the app's own error when it sent one. */
export function describeExit(worker: WorkerRecord): {
  code: number | null;
  signal: NodeJS.Signals | null;
  cause: string;
  errorCode?: string;
} {
  const { exitCode: code, exitSignal: signal, fatal } = worker;
  const how = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
  if (fatal === undefined) return { code, signal, cause: how };
  return {
    code,
    signal,
    cause: fatal.message,
    ...(fatal.code === undefined ? {} : { errorCode: fatal.code }),
  };
}
