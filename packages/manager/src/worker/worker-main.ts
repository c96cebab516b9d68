// The worker process: load the app, serve it on the inherited socket, report to the primary, drain when told.
import type { Server } from 'node:net';
import { performance } from 'node:perf_hooks';
import { loadApp, serveApp } from '../app/load-app.js';
import {
  HEARTBEAT_INTERVAL_MS,
  isPrimaryMessage,
  LISTEN_FD,
  REPORT_FD,
  STOP_LINGER_MS,
  WORKER_CONFIG_ENV,
  type WorkerConfig,
  type WorkerMessage,
} from '../ipc/messages.js';
import { createAllowList, refuseOutsiders } from '../security/allow-list.js';
import { drainServer } from './drain.js';
import { RequestTracker } from './request-tracker.js';
import { SlotTable } from './slot-table.js';
import { startWatchdog } from './watchdog.js';

function send(message: WorkerMessage): Promise<void> {
  if (!process.connected || process.send === undefined) return Promise.resolve();
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

function describeFailure(error: unknown): { message: string; code?: string; stack?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  let message = error.message;
  // loadApp wraps the module's own error: the user needs the module's words, not only ours.
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) {
    if (!message.includes(cause.message)) message += `: ${cause.message}`;
  }
  const code = (error as { code?: unknown }).code;
  return {
    message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
  };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? 'null') as WorkerConfig | null;
  if (config === null) throw new Error(`${WORKER_CONFIG_ENV} is not set: this file is started by scgi-node`);
  process.title = `scgi-node worker ${config.id}`;
  // Ctrl-C in a terminal signals the whole process group: the primary decides what stops, and how.
  process.on('SIGINT', () => {});

  let server: Server;
  try {
    const app = await loadApp(config.module, config.exportName);
    server = await serveApp(app, { fd: LISTEN_FD }, config.limits);
  } catch (error) {
    await send({ type: 'fatal', ...describeFailure(error) });
    process.exit(1);
  }

  const slots = new SlotTable();
  const tracker = new RequestTracker(server, {
    timeoutMs: config.timeoutMs,
    slots,
    onTimeout: (request, answered504) => void send({ type: 'timeout', request, answered504 }),
  });
  if (config.allow !== undefined) {
    refuseOutsiders(
      server,
      createAllowList(config.allow),
      (address) => void send({ type: 'refused', address }),
    );
  }
  if (config.timeoutMs > 0) startWatchdog(slots, config.timeoutMs, REPORT_FD);

  let lastBeat = performance.now();
  const heartbeat = (): Promise<void> => {
    const at = performance.now();
    const lagMs = Math.max(0, Math.round(at - lastBeat - HEARTBEAT_INTERVAL_MS));
    lastBeat = at;
    const now = Date.now();
    slots.tick(now);
    tracker.checkTimeouts(now);
    return send({
      type: 'heartbeat',
      inFlight: tracker.inFlight,
      served: tracker.served,
      rssBytes: process.memoryUsage.rss(),
      lagMs,
      oldest: tracker.oldest(now),
    });
  };
  slots.tick(Date.now());
  setInterval(() => void heartbeat(), HEARTBEAT_INTERVAL_MS).unref();

  let draining = false;
  const drain = async (lingerMs: number, graceMs: number): Promise<void> => {
    if (draining) return;
    draining = true;
    await drainServer(server, tracker, lingerMs, graceMs);
    await heartbeat(); // the last counts, so the primary's totals include this worker's final requests
    process.exit(0);
  };
  process.on('message', (message) => {
    if (isPrimaryMessage(message)) void drain(message.lingerMs, message.graceMs);
  });
  // systemd's KillMode=control-group sends SIGTERM to every process at once: drain as for a stop.
  process.on('SIGTERM', () => void drain(STOP_LINGER_MS, config.graceMs));
  // The primary is gone (killed): nobody supervises this worker any more, so it finishes and leaves.
  process.on('disconnect', () => void drain(0, config.graceMs));
  if (!process.connected) return drain(0, config.graceMs); // it went while the app was loading

  await send({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
