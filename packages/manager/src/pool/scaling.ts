// The scaling policy, pure: which workers are busy, how many the pool wants, which idle one to stop.
import type { WorkerState } from './worker-record.js';

/**
 * Three heartbeats (100 ms each) missed: the worker's event loop is blocked, and it is not accepting
 * (with shared accept, the kernel hands new connections to the workers that are in epoll_wait).
 */
export const BLOCKED_AFTER_MS = 300;

export interface PoolPolicy {
  min: number;
  max: number;
  /** Idle workers kept ready beside the busy ones. */
  spare: number;
  /** In-flight requests at which a worker counts as busy. */
  concurrency: number;
  idleTimeoutMs: number;
}

/** What the policy reads of a worker. */
export interface WorkerView {
  id: number;
  state: WorkerState;
  /** Why it is being replaced (reload, max-requests, max-memory), if it is: not counted as capacity. */
  retiring: string | undefined;
  inFlight: number;
  lastHeartbeatAt: number;
  /** Date.now() since which the worker has had no request in flight; undefined while busy with some. */
  idleSince: number | undefined;
}

export function isBusy(worker: WorkerView, now: number, concurrency: number): boolean {
  return (
    worker.state === 'ready' &&
    (worker.inFlight >= concurrency || now - worker.lastHeartbeatAt > BLOCKED_AFTER_MS)
  );
}

/** Workers that count as capacity: starting or ready, and not on their way out. */
export function liveWorkers(workers: readonly WorkerView[]): WorkerView[] {
  return workers.filter((w) => w.retiring === undefined && (w.state === 'starting' || w.state === 'ready'));
}

/**
 * The pool size wanted now: at rest min + spare; with B busy workers, max(min, B) + spare; never above
 * max. So a `1..4` pool runs 2 workers at rest, and a third starts as soon as two are busy.
 */
export function desiredSize(workers: readonly WorkerView[], now: number, policy: PoolPolicy): number {
  const busy = liveWorkers(workers).filter((w) => isBusy(w, now, policy.concurrency)).length;
  return Math.min(policy.max, Math.max(policy.min, busy) + policy.spare);
}

export interface ScalePlan {
  /** Workers to start now. */
  start: number;
  /** An idle worker to stop (at most one per plan: the pool shrinks one worker at a time). */
  stop: number | undefined;
}

/** Compare the live workers with {@link desiredSize}: start the missing ones, or stop the longest idle one. */
export function planScaling(workers: readonly WorkerView[], now: number, policy: PoolPolicy): ScalePlan {
  const live = liveWorkers(workers);
  const desired = desiredSize(workers, now, policy);
  if (live.length < desired) return { start: desired - live.length, stop: undefined };
  if (live.length === desired || live.some((w) => w.state === 'starting'))
    return { start: 0, stop: undefined };
  let stop: WorkerView | undefined;
  for (const worker of live) {
    if (worker.idleSince === undefined || isBusy(worker, now, policy.concurrency)) continue;
    if (now - worker.idleSince < policy.idleTimeoutMs) continue;
    if (stop === undefined || worker.idleSince < stop.idleSince!) stop = worker;
  }
  return { start: 0, stop: stop?.id };
}
