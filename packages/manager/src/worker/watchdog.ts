// Starts the watchdog thread beside a worker's main thread, sharing the in-flight slot table.
import { Worker } from 'node:worker_threads';
import type { SlotTable } from './slot-table.js';

/** What the watchdog thread receives. */
export interface WatchdogData {
  buffer: SharedArrayBuffer;
  timeoutMs: number;
  /** Where it writes a {@link WatchdogReport} line before killing the process (the primary reads it). */
  reportFd: number;
}

/**
 * A thread that keeps running while the main thread is blocked (a `while (true)` in a handler): it
 * sends the stuck request its 504 and kills the process. Unref'd: it never keeps a worker alive.
 */
export function startWatchdog(slots: SlotTable, timeoutMs: number, reportFd: number): Worker {
  const data: WatchdogData = { buffer: slots.buffer, timeoutMs, reportFd };
  const thread = new Worker(new URL('./watchdog-thread.js', import.meta.url), { workerData: data });
  thread.unref();
  return thread;
}
