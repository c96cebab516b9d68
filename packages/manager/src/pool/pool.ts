// The supervisor: starts, watches, scales, recycles, reloads and drains the workers on one shared socket.
import { randomInt } from 'node:crypto';
import { ManagerError } from '../errors.js';
import type { WorkerConfig, WorkerMessage } from '../ipc/messages.js';
import type { Logger } from '../log/logger.js';
import { CrashBackoff, STABLE_AFTER_MS } from './backoff.js';
import { classifyExit } from './exits.js';
import { pickRecycle } from './recycle.js';
import { PoolReport, workerFields } from './report.js';
import { desiredSize, isBusy, type PoolPolicy, planScaling } from './scaling.js';
import { type PoolSnapshot, type PoolState, workerSnapshot } from './snapshot.js';
import { WorkerRecord } from './worker-record.js';

/** How often the supervisor looks at its workers (scaling, recycling, stuck workers). */
const TICK_MS = 50;
/** With --timeout, a worker silent for timeout + this is killed by the primary (the watchdog's backstop). */
const UNRESPONSIVE_EXTRA_MS = 5000;

export interface PoolOptions {
  /** The listening socket, bound by the primary (which keeps its descriptor for the pool's whole life). */
  listenFd: number;
  policy: PoolPolicy;
  /** Everything a worker needs except its id. */
  worker: Omit<WorkerConfig, 'id'>;
  maxRequests: number;
  maxRequestsJitter: number;
  maxMemoryBytes: number;
  readyTimeoutMs: number;
  graceMs: number;
  crash: { budget: number; windowMs: number; backoffMs: number; backoffMaxMs: number };
  uid?: number;
  gid?: number;
  logger: Logger;
}

interface Pending<T> {
  resolve: (value: T) => void;
  reject: (error: ManagerError) => void;
}

/** A pool of SCGI workers accepting on one shared socket (see the package README: dispatch design). */
export class Pool {
  private readonly workers = new Map<number, WorkerRecord>();
  private readonly backoff: CrashBackoff;
  private readonly report: PoolReport;
  private readonly log: Logger;
  private nextId = 1;
  private generation = 1;
  private state: PoolState = 'starting';
  /** Crash backoff: no worker starts before this Date.now(). */
  private notBefore = 0;
  private ticker: NodeJS.Timeout | undefined;
  private started: Pending<void> | undefined;
  private reloading: (Pending<void> & { previous: number }) | undefined;
  private stopped: Array<() => void> = [];
  /** Called once if the pool gives up after it started (crash budget spent): the manager must stop. */
  onFailure: ((error: ManagerError) => void) | undefined;

  constructor(private readonly options: PoolOptions) {
    this.log = options.logger;
    this.report = new PoolReport(options.logger);
    const { budget, windowMs, backoffMs, backoffMaxMs } = options.crash;
    this.backoff = new CrashBackoff({ budget, windowMs, baseMs: backoffMs, maxMs: backoffMaxMs });
  }

  /** Start min + spare workers; resolves when they are ready, rejects when the crash budget is spent first. */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => (this.started = { resolve, reject }));
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.tick();
    return ready;
  }

  /**
   * Zero-downtime reload (SIGHUP): start a new generation of workers (new processes: fresh code); once
   * the pool has as many of them ready as it wants, the old ones drain. A new worker that fails to
   * start aborts the reload and the old workers keep serving. Resolves when the old ones are gone.
   */
  reload(): Promise<void> {
    if (this.state !== 'running') {
      const why = this.state === 'reloading' ? 'a reload is already running' : `the pool is ${this.state}`;
      this.log.warn('reload refused', { reason: why });
      const refused = Promise.reject(new Error(`reload refused: ${why}`));
      refused.catch(() => {});
      return refused;
    }
    const previous = this.generation++;
    this.state = 'reloading';
    for (const worker of this.workers.values()) {
      if (worker.state === 'starting' || worker.state === 'ready') worker.retiring = 'reload';
    }
    this.log.info('reload: starting new workers', { generation: this.generation });
    const done = new Promise<void>((resolve, reject) => (this.reloading = { resolve, reject, previous }));
    done.catch(() => {}); // a caller may ignore the outcome (a signal handler): it is logged anyway
    this.tick();
    return done;
  }

  /**
   * Drain every worker: each stops accepting (once no connection came for `lingerMs`, when the socket
   * is closing for good), finishes its requests within the grace period and exits.
   */
  stop(lingerMs: number): Promise<void> {
    const done = new Promise<void>((resolve) => this.stopped.push(resolve));
    if (this.state !== 'stopping' && this.state !== 'stopped') {
      this.state = 'stopping';
      clearInterval(this.ticker);
      this.started?.resolve(); // stopped while starting: the caller goes on to find it stopping
      this.started = undefined;
      this.reloading?.reject(new ManagerError('ERR_SCGI_NODE_CRASH_LOOP', 'reload interrupted by stop'));
      this.reloading = undefined;
      for (const worker of this.workers.values()) this.retire(worker, lingerMs, 'stop');
    }
    this.checkStopped();
    return done;
  }

  /** Kill every worker now (a second SIGTERM/SIGINT while stopping). */
  kill(): void {
    for (const worker of this.workers.values()) worker.stopNow();
  }

  snapshot(): PoolSnapshot {
    const now = Date.now();
    const workers = [...this.workers.values()];
    const busy = (w: WorkerRecord) => isBusy(w, now, this.options.policy.concurrency);
    const { totals } = this.report;
    return {
      state: this.state,
      generation: this.generation,
      workers: workers.map((w) => workerSnapshot(w, busy(w))),
      totals: { ...totals, requests: totals.requests + workers.reduce((sum, w) => sum + w.served, 0) },
      crashWindowFailures: this.backoff.failures(now),
    };
  }

  private tick(): void {
    if (this.state !== 'starting' && this.state !== 'running' && this.state !== 'reloading') return;
    const now = Date.now();
    const workers = [...this.workers.values()];
    const lastFailure = this.backoff.lastFailureAt;
    for (const worker of workers) {
      if (worker.state !== 'ready') continue;
      // Only a worker started after the last failure proves the app starts again.
      if (
        lastFailure !== undefined &&
        worker.spawnedAt > lastFailure &&
        now - worker.readyAt! >= STABLE_AFTER_MS
      ) {
        this.backoff.stable();
      }
      this.checkResponsive(worker, now);
    }
    if (this.state === 'running') {
      const recycle = pickRecycle(workers, this.options.maxMemoryBytes);
      if (recycle !== undefined) {
        recycle.worker.retiring = recycle.reason;
        this.report.recycling(recycle.worker, recycle.reason);
      }
    }
    const plan = planScaling(workers, now, this.options.policy);
    if (plan.start > 0 && now >= this.notBefore) for (let n = 0; n < plan.start; n++) this.spawn();
    // Replaced workers drain once the pool has as many ready workers as it wants without them.
    const readyLive = workers.filter((w) => w.state === 'ready' && w.retiring === undefined).length;
    if (plan.start === 0 && readyLive >= desiredSize(workers, now, this.options.policy)) {
      for (const worker of workers)
        if (worker.retiring !== undefined) this.retire(worker, 0, worker.retiring);
    }
    if (plan.stop !== undefined) {
      const worker = this.workers.get(plan.stop)!;
      this.log.info('stopping an idle worker', workerFields(worker));
      this.retire(worker, 0, 'idle');
    }
    if (this.reloading !== undefined && workers.every((w) => w.retiring !== 'reload')) {
      this.state = 'running';
      this.log.info('reload complete', { generation: this.generation });
      this.reloading.resolve();
      this.reloading = undefined;
    }
  }

  /** The watchdog's backstop: a worker silent far past the timeout cannot even run its watchdog thread. */
  private checkResponsive(worker: WorkerRecord, now: number): void {
    const { timeoutMs } = this.options.worker;
    if (timeoutMs <= 0 || now - worker.lastHeartbeatAt < timeoutMs + UNRESPONSIVE_EXTRA_MS) return;
    this.report.unresponsive(worker, now);
    worker.state = 'stopping';
    worker.kill('SIGKILL');
  }

  private spawn(): void {
    const id = this.nextId++;
    const { maxRequests, maxRequestsJitter, readyTimeoutMs, uid, gid } = this.options;
    const worker: WorkerRecord = new WorkerRecord({
      id,
      generation: this.generation,
      listenFd: this.options.listenFd,
      config: { ...this.options.worker, id },
      ...(uid === undefined ? {} : { uid }),
      ...(gid === undefined ? {} : { gid }),
      maxRequests: maxRequests > 0 ? maxRequests + randomInt(maxRequestsJitter + 1) : 0,
      onMessage: (message) => this.onMessage(worker, message),
      onClose: (code, signal) => this.onExit(worker, code, signal),
      onError: (error) => this.log.error('worker process error', { ...workerFields(worker), error }),
    });
    this.workers.set(id, worker);
    this.log.info('worker started', { ...workerFields(worker), generation: worker.generation });
    worker.after(readyTimeoutMs, () => {
      if (worker.state !== 'starting') return;
      const message = `not ready within --ready-timeout (${readyTimeoutMs} ms)`;
      worker.fatal = { type: 'fatal', code: 'ERR_SCGI_NODE_READY_TIMEOUT', message };
      worker.kill('SIGKILL');
    });
  }

  private onMessage(worker: WorkerRecord, message: WorkerMessage): void {
    const now = Date.now();
    switch (message.type) {
      case 'heartbeat':
        worker.heartbeat(message, now);
        return;
      case 'ready':
        if (worker.state !== 'starting') return;
        worker.markReady(now);
        this.log.info('worker ready', { ...workerFields(worker), startMs: now - worker.spawnedAt });
        if (this.state === 'starting') this.checkStarted();
        this.tick();
        return;
      case 'fatal':
        worker.fatal = message;
        return;
      case 'timeout':
        this.report.timedOut(worker, message.request, message.answered504, false);
        return;
      case 'refused':
        this.report.refused(worker, message.address);
        return;
    }
  }

  private checkStarted(): void {
    const { min, max, spare } = this.options.policy;
    const ready = [...this.workers.values()].filter((w) => w.state === 'ready').length;
    if (ready < Math.min(max, min + spare)) return;
    this.state = 'running';
    this.started?.resolve();
    this.started = undefined;
  }

  /** A planned exit: drain a ready worker; kill one still starting (it has no requests yet). */
  private retire(worker: WorkerRecord, lingerMs: number, reason: string): void {
    worker.retire(reason, this.options.graceMs, lingerMs, () =>
      this.log.warn('worker did not finish draining in time: killed', workerFields(worker)),
    );
  }

  private onExit(worker: WorkerRecord, code: number | null, signal: NodeJS.Signals | null): void {
    if (worker.state === 'exited') return;
    const previous = worker.state;
    worker.state = 'exited';
    worker.exitCode = code;
    worker.exitSignal = signal;
    worker.clearTimers();
    this.workers.delete(worker.id);
    const now = Date.now();
    const kind = classifyExit(worker, previous, now, this.state === 'stopping');
    if (kind !== 'failed-start') {
      this.report.exited(worker, kind);
    } else if (this.reloading !== undefined && worker.generation === this.generation) {
      this.abortReload(this.report.failedStart(worker).cause);
    } else {
      this.failedStart(worker, now);
    }
    if (this.state === 'stopping') this.checkStopped();
    else this.tick();
  }

  private failedStart(worker: WorkerRecord, now: number): void {
    const decision = this.backoff.failed(now);
    const { giveUp } = this.report.failedStart(worker, decision, this.options.crash);
    if (giveUp !== undefined) this.fail(giveUp);
    else if (!decision.giveUp) this.notBefore = Math.max(this.notBefore, now + decision.delayMs);
  }

  private abortReload(cause: string): void {
    const reload = this.reloading!;
    this.reloading = undefined;
    this.log.error('reload failed: a new worker did not start; the running workers keep serving', { cause });
    for (const worker of this.workers.values()) {
      if (worker.generation === this.generation) this.retire(worker, 0, 'reload failed');
      else if (worker.retiring === 'reload') worker.retiring = undefined;
    }
    this.generation = reload.previous;
    this.state = 'running';
    reload.reject(new ManagerError('ERR_SCGI_NODE_CRASH_LOOP', `reload failed: ${cause}`));
  }

  private fail(error: ManagerError): void {
    const starting = this.started;
    this.state = 'failed';
    clearInterval(this.ticker);
    this.started = undefined;
    if (starting !== undefined) {
      for (const worker of this.workers.values()) this.retire(worker, 0, 'start failed');
      starting.reject(error);
      return;
    }
    this.onFailure?.(error);
  }

  private checkStopped(): void {
    if (this.state !== 'stopping' || this.workers.size > 0) return;
    this.state = 'stopped';
    for (const resolve of this.stopped.splice(0)) resolve();
  }
}
