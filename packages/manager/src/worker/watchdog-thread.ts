// The watchdog thread: answers a request past `--timeout` and kills its worker when the main thread is blocked.
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import type { WatchdogReport } from '../ipc/messages.js';
import { SlotState, SlotTable } from './slot-table.js';
import { timeoutReply } from './timeout-reply.js';
import type { WatchdogData } from './watchdog.js';

/**
 * The main thread ticks every heartbeat (100 ms) and answers its own timeouts while it runs. Only a tick
 * older than this means its event loop is blocked, and only then does this thread act.
 */
const BLOCKED_AFTER_MS = 500;

const { buffer, timeoutMs, reportFd } = workerData as WatchdogData;
const slots = new SlotTable(buffer);
const reply = timeoutReply(timeoutMs);

function check(): void {
  const now = Date.now();
  if (now - slots.lastTick < BLOCKED_AFTER_MS) return;
  let kill = false;
  for (const slot of slots.inUse()) {
    if (slot.state === SlotState.answered || now - slot.startedAt < timeoutMs) continue;
    // The main thread may wake up and answer at the same moment: whoever swaps the state answers.
    if (slots.transition(slot.index, slot.state, SlotState.answered) !== slot.state) continue;
    const answered504 = slot.state === SlotState.active && writeAll(slot.fd, reply);
    const report: WatchdogReport = {
      type: 'watchdog-kill',
      request: { method: slot.method, url: slot.url, ageMs: now - slot.startedAt },
      answered504,
    };
    writeAll(reportFd, Buffer.from(`${JSON.stringify(report)}\n`));
    kill = true;
  }
  // The blocked thread cannot be interrupted; the process ends, the kernel closes every connection
  // (after the 504 already written), and the primary starts a replacement.
  if (kill) process.kill(process.pid, 'SIGKILL');
}

/** A small write to a socket or pipe: all of it goes at once or it is lost (nonblocking descriptors). */
function writeAll(fd: number, bytes: Buffer): boolean {
  try {
    return writeSync(fd, bytes) === bytes.length;
  } catch {
    return false;
  }
}

setInterval(check, Math.max(20, Math.min(100, timeoutMs / 4)));
