// The pool's state as data: what the status socket serves and `scgi-node status` prints.
import type { InFlightRequest } from '../ipc/messages.js';
import type { RetireReason, WorkerRecord, WorkerState } from './worker-record.js';

export type PoolState = 'starting' | 'running' | 'reloading' | 'stopping' | 'stopped' | 'failed';

export interface WorkerSnapshot {
  id: number;
  pid: number;
  state: WorkerState;
  /** Which reload the worker belongs to (1 at start, +1 per SIGHUP). */
  generation: number;
  /** Being replaced, and why. */
  retiring: RetireReason | null;
  /** ISO time it was started. */
  startedAt: string;
  /** Requests started by this worker. */
  requests: number;
  inFlight: number;
  rssBytes: number;
  /** Event-loop delay seen by its last heartbeat. */
  lagMs: number;
  /** No heartbeat for 300 ms (its event loop is blocked) or at its concurrency limit. */
  busy: boolean;
  oldest: InFlightRequest | null;
}

export interface PoolTotals {
  /** Requests started, by every worker the pool has had (exited ones included). */
  requests: number;
  /** Workers replaced after an unplanned exit (crash, failed start, timeout kill). */
  restarts: number;
  crashes: number;
  /** Requests answered 504 (or closed) for passing --timeout. */
  timeouts: number;
  /** Workers replaced for max-requests or max-memory. */
  recycled: number;
  /** TCP connections refused by --allow. */
  refused: number;
}

export interface PoolSnapshot {
  state: PoolState;
  generation: number;
  workers: WorkerSnapshot[];
  totals: PoolTotals;
  /** Failed starts counted in the crash window now (the budget's use). */
  crashWindowFailures: number;
}

export function workerSnapshot(worker: WorkerRecord, busy: boolean): WorkerSnapshot {
  return {
    id: worker.id,
    pid: worker.pid,
    state: worker.state,
    generation: worker.generation,
    retiring: worker.retiring ?? null,
    startedAt: new Date(worker.spawnedAt).toISOString(),
    requests: worker.served,
    inFlight: worker.inFlight,
    rssBytes: worker.rssBytes,
    lagMs: worker.lagMs,
    busy,
    oldest: worker.oldest ?? null,
  };
}
