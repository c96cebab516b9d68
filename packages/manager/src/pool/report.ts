// What the pool tells the log and counts for the status: one line per event, totals since start.
import { ManagerError } from '../errors.js';
import type { InFlightRequest } from '../ipc/messages.js';
import type { Logger } from '../log/logger.js';
import type { BackoffDecision } from './backoff.js';
import { describeExit, type ExitKind } from './exits.js';
import type { PoolTotals } from './snapshot.js';
import type { WorkerRecord } from './worker-record.js';

/** Fields naming a worker in every line about it. */
export function workerFields(worker: WorkerRecord): { worker: number; pid: number } {
  return { worker: worker.id, pid: worker.pid };
}

/** The pool's log lines and counters. */
export class PoolReport {
  readonly totals: PoolTotals = {
    requests: 0,
    restarts: 0,
    crashes: 0,
    timeouts: 0,
    recycled: 0,
    refused: 0,
  };

  constructor(readonly log: Logger) {}

  /** One line per request past --timeout, with its URL, whoever answered it. */
  timedOut(worker: WorkerRecord, request: InFlightRequest, answered504: boolean, byWatchdog: boolean): void {
    this.totals.timeouts++;
    this.log.warn('request timed out', {
      ...workerFields(worker),
      method: request.method,
      url: request.url,
      ageMs: request.ageMs,
      reply: answered504 ? '504' : 'connection closed (response already started)',
      ...(byWatchdog ? { action: 'worker killed by its watchdog: its event loop was blocked' } : {}),
    });
  }

  refused(worker: WorkerRecord, address: string | undefined): void {
    this.totals.refused++;
    this.log.warn('connection refused: client outside --allow', { ...workerFields(worker), address });
  }

  recycling(worker: WorkerRecord, reason: string): void {
    this.totals.recycled++;
    this.log.info('recycling a worker', {
      ...workerFields(worker),
      reason,
      requests: worker.served,
      rssBytes: worker.rssBytes,
    });
  }

  /** An exit other than a failed start (that one is logged with the backoff decision). */
  exited(worker: WorkerRecord, kind: Exclude<ExitKind, 'failed-start'>): void {
    this.totals.requests += worker.served;
    for (const report of worker.watchdog) this.timedOut(worker, report.request, report.answered504, true);
    if (kind === 'planned') {
      const { exitCode: code, exitSignal: signal } = worker;
      this.log.info('worker exited', {
        ...workerFields(worker),
        code,
        signal,
        reason: worker.leaving ?? 'stop',
      });
      return;
    }
    const fields = { ...workerFields(worker), ...describeExit(worker) };
    this.totals.restarts++;
    if (kind === 'timeout-kill') {
      this.log.warn('worker replaced after a timeout kill', fields);
    } else {
      this.totals.crashes++;
      this.log.error('worker crashed: replacing it', fields);
    }
  }

  /**
   * A failed start, counted as a crash. With the backoff's `decision`, it is logged with the delay
   * before the next start, or as the end: then the error the manager stops with is returned.
   */
  failedStart(
    worker: WorkerRecord,
    decision?: BackoffDecision,
    crash?: { budget: number; windowMs: number },
  ): ReturnType<typeof describeExit> & { worker: number; pid: number } & { giveUp?: ManagerError } {
    this.totals.requests += worker.served;
    this.totals.restarts++;
    this.totals.crashes++;
    const fields = { ...workerFields(worker), ...describeExit(worker) };
    if (decision === undefined || crash === undefined) return fields;
    const { failures } = decision;
    if (!decision.giveUp) {
      this.log.error('worker failed to start', {
        ...fields,
        retryInMs: decision.delayMs,
        failures,
        budget: crash.budget,
      });
      return fields;
    }
    this.log.error('crash budget spent: giving up', { ...fields, failures, budget: crash.budget });
    const window = `${failures} failures within ${crash.windowMs / 1000} s, budget ${crash.budget}`;
    const giveUp = new ManagerError(
      'ERR_SCGI_NODE_CRASH_LOOP',
      `workers keep failing to start (${window}): ${fields.cause}`,
    );
    return { ...fields, giveUp };
  }

  /** The primary's backstop kills a worker silent far past --timeout. */
  unresponsive(worker: WorkerRecord, now: number): void {
    this.log.error('worker unresponsive: killed', {
      ...workerFields(worker),
      silentMs: now - worker.lastHeartbeatAt,
      oldest: worker.oldest,
    });
  }
}
