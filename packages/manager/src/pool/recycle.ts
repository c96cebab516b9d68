// Which worker to recycle next for --max-requests or --max-memory (one at a time), pure.
import type { RetireReason } from './worker-record.js';

/** What the choice reads of a worker. */
export interface RecycleView {
  state: string;
  retiring: RetireReason | undefined;
  served: number;
  /** This worker's own limit: max-requests plus its jitter; 0 = none. */
  maxRequests: number;
  rssBytes: number;
}

/**
 * The first ready worker over a limit, unless one is already being recycled: like gunicorn's
 * max-requests with jitter, but never two at once, so capacity only ever drops by the one worker
 * whose replacement is already starting.
 */
export function pickRecycle<W extends RecycleView>(
  workers: readonly W[],
  maxMemoryBytes: number,
): { worker: W; reason: 'max-requests' | 'max-memory' } | undefined {
  if (workers.some((w) => w.retiring === 'max-requests' || w.retiring === 'max-memory')) return undefined;
  for (const worker of workers) {
    if (worker.state !== 'ready' || worker.retiring !== undefined) continue;
    if (worker.maxRequests > 0 && worker.served >= worker.maxRequests)
      return { worker, reason: 'max-requests' };
    if (maxMemoryBytes > 0 && worker.rssBytes > maxMemoryBytes) return { worker, reason: 'max-memory' };
  }
  return undefined;
}
