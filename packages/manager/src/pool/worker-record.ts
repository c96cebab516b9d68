// One worker process as the primary sees it: an explicit state, its telemetry, and why it is leaving.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type DrainMessage,
  type FatalMessage,
  type HeartbeatMessage,
  type InFlightRequest,
  isWorkerMessage,
  LISTEN_FD,
  REPORT_FD,
  type WatchdogReport,
  WORKER_CONFIG_ENV,
  type WorkerConfig,
  type WorkerMessage,
} from '../ipc/messages.js';

/**
 * - `starting`: forked, loading the app; not yet accepting.
 * - `ready`: accepting on the shared socket.
 * - `draining`: told to stop accepting and finish its requests (planned exit).
 * - `stopping`: killed (grace over, stuck, or never ready); waiting for the exit.
 * - `exited`: gone; kept only until the pool forgets it.
 */
export type WorkerState = 'starting' | 'ready' | 'draining' | 'stopping' | 'exited';

/** Why a ready worker is being replaced. */
export type RetireReason = 'reload' | 'max-requests' | 'max-memory';

/** A draining worker gets this long past its grace before it is killed. */
const DRAIN_BACKSTOP_MS = 2000;

/** The compiled worker entry, next to this file's folder. */
export const WORKER_ENTRY = fileURLToPath(new URL('../worker/worker-main.js', import.meta.url));

export interface SpawnOptions {
  id: number;
  generation: number;
  /** The primary's descriptor of the listening socket; the child gets it as {@link LISTEN_FD}. */
  listenFd: number;
  config: WorkerConfig;
  uid?: number;
  gid?: number;
  /** Requests after which this worker is recycled (max-requests plus its own jitter); 0 = never. */
  maxRequests: number;
  /** A message from the worker (anything that is not a {@link WorkerMessage} is ignored). */
  onMessage(message: WorkerMessage): void;
  /** The process is gone: after its exit and after the watchdog's report pipe was read to its end. */
  onClose(code: number | null, signal: NodeJS.Signals | null): void;
  onError(error: Error): void;
}

/** A worker process and what the primary knows of it (Node's cluster keeps the same kind of record). */
export class WorkerRecord {
  readonly id: number;
  readonly generation: number;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly maxRequests: number;
  readonly spawnedAt = Date.now();
  state: WorkerState = 'starting';
  readyAt: number | undefined;
  lastHeartbeatAt = 0;
  inFlight = 0;
  served = 0;
  rssBytes = 0;
  lagMs = 0;
  oldest: InFlightRequest | undefined;
  idleSince: number | undefined;
  retiring: RetireReason | undefined;
  /** Set when the primary asked it to go (drain, scale-down, kill): its exit is not a crash. */
  plannedExit = false;
  /** Why it was asked to go, for the log: `idle`, `reload`, `max-requests`, `stop`, ... */
  leaving: string | undefined;
  fatal: FatalMessage | undefined;
  /** What the watchdog thread reported before it killed the process (requests past --timeout). */
  readonly watchdog: WatchdogReport[] = [];
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  /** Timers to clear when the worker is gone (drain backstop, ready timeout). */
  readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: SpawnOptions) {
    this.id = options.id;
    this.generation = options.generation;
    this.maxRequests = options.maxRequests;
    const stdio: Array<'ignore' | 'inherit' | 'ipc' | 'pipe' | number> = [
      'ignore',
      'inherit',
      'inherit',
      'ipc',
    ];
    stdio[LISTEN_FD] = options.listenFd;
    stdio[REPORT_FD] = 'pipe';
    this.child = fork(WORKER_ENTRY, [], {
      stdio,
      env: { ...process.env, [WORKER_CONFIG_ENV]: JSON.stringify(options.config) },
      // libuv also drops the supplementary groups when it switches uid/gid for the child.
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
      serialization: 'json',
    });
    this.pid = this.child.pid ?? -1;
    this.readWatchdogReports();
    this.child.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) options.onMessage(message);
    });
    this.child.on('close', (code: number | null, signal: NodeJS.Signals | null) =>
      options.onClose(code, signal),
    );
    this.child.on('error', (error) => {
      options.onError(error);
      if (this.pid === -1) options.onClose(null, null); // never spawned: no 'close' follows
    });
  }

  /** It listens on the shared socket now; its heartbeats start. */
  markReady(now: number): void {
    this.state = 'ready';
    this.readyAt = now;
    this.lastHeartbeatAt = now;
    this.idleSince = now;
  }

  heartbeat(message: HeartbeatMessage, now: number): void {
    this.lastHeartbeatAt = now;
    this.inFlight = message.inFlight;
    this.served = message.served;
    this.rssBytes = message.rssBytes;
    this.lagMs = message.lagMs;
    this.oldest = message.oldest;
    if (message.inFlight > 0) this.idleSince = undefined;
    else this.idleSince ??= now;
  }

  /**
   * A planned exit: a ready worker is told to drain (stop accepting after `lingerMs` of quiet, finish
   * within `graceMs`) and killed if it has not exited shortly after; one still starting is killed at
   * once (it has no requests). `onOverdue` is called before such a late kill.
   */
  retire(reason: string, graceMs: number, lingerMs: number, onOverdue: () => void): void {
    if (this.state !== 'starting' && this.state !== 'ready') return;
    this.leaving ??= reason;
    if (this.state === 'starting') {
      this.stopNow();
      return;
    }
    this.plannedExit = true;
    this.state = 'draining';
    this.send({ type: 'drain', graceMs, lingerMs } satisfies DrainMessage);
    this.after(graceMs + lingerMs + DRAIN_BACKSTOP_MS, () => {
      onOverdue();
      this.stopNow();
    });
  }

  /** A planned kill, now. */
  stopNow(): void {
    this.plannedExit = true;
    this.state = 'stopping';
    this.kill('SIGKILL');
  }

  /** Send a message if the channel is still open (a dying worker's may not be). */
  send(message: unknown): void {
    if (this.child.connected) this.child.send(message as object, (error) => void error);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.state === 'exited') return;
    try {
      this.child.kill(signal);
    } catch {
      // already gone: 'exit' follows
    }
  }

  after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** The watchdog writes one JSON line per request it answers, then kills the process. */
  private readWatchdogReports(): void {
    const pipe = (this.child.stdio as unknown[])[REPORT_FD] as NodeJS.ReadableStream | null | undefined;
    if (!pipe) return;
    let text = '';
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk: string) => {
      text += chunk;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n')) {
        const line = text.slice(0, end);
        text = text.slice(end + 1);
        try {
          const report = JSON.parse(line) as WatchdogReport;
          if (report.type === 'watchdog-kill') this.watchdog.push(report);
        } catch {
          // not a report: ignore
        }
      }
    });
    pipe.on('error', () => {});
  }
}
