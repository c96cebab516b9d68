// A worker's in-flight requests (core's 'scgiRequest' to the connection's close), and the in-loop `--timeout` answer.
import type { Server, Socket } from 'node:net';
import type { RequestHead } from '@scgi-node/core/protocol';
import type { InFlightRequest } from '../ipc/messages.js';
import { SlotState, type SlotTable } from './slot-table.js';
import { timeoutReply } from './timeout-reply.js';

type WriteFn = (...args: unknown[]) => boolean;
type EndFn = (...args: unknown[]) => unknown;

/** Where a guarded socket keeps its request (one symbol property; the guards are shared functions). */
const TRACKED = Symbol('scgi-node.tracked');

interface Tracked {
  method: string;
  url: string;
  startedAt: number;
  /** Index in the shared table, or -1 when none was claimed (timeout off, table full) or it was released. */
  slot: number;
  slots: SlotTable;
  /** The socket's own write/end/destroy (the instance's are guarded while a slot is held). */
  write: WriteFn;
  end: EndFn;
  destroy: EndFn;
  timedOut: boolean;
}

/** A socket seen through its methods that the tracker guards. */
interface GuardedSocket {
  [TRACKED]: Tracked;
  write: WriteFn;
  end: EndFn;
  destroy: EndFn;
}

export interface RequestTrackerOptions {
  /** `--timeout` in ms; 0 = never. */
  timeoutMs: number;
  slots: SlotTable;
  /** A request passed the timeout and was answered here (504, or closed when its head was already out). */
  onTimeout(request: InFlightRequest, answered504: boolean): void;
}

/**
 * Watches every request of one SCGI server from its parsed head (core's 'scgiRequest') to its
 * connection's close (SCGI: one request per connection), and records it in the shared
 * {@link SlotTable}, so the watchdog thread can answer it if this thread blocks. It costs a request a
 * few microseconds (bench/results/manager.md): one listener per connection and three guarded methods.
 */
export class RequestTracker {
  private readonly requests = new Map<Socket, Tracked>();
  /** Requests started since the worker started. */
  served = 0;
  private readonly onSocketClose: (this: Socket) => void;

  constructor(
    server: Server,
    private readonly options: RequestTrackerOptions,
  ) {
    const requests = this.requests;
    // One function for every socket (a listener's `this` is its socket), not a closure per request.
    this.onSocketClose = function onSocketClose(this: Socket): void {
      const tracked = requests.get(this);
      if (tracked === undefined) return;
      requests.delete(this);
      releaseSlot(tracked);
    };
    server.on('scgiRequest', this.onRequest);
  }

  get inFlight(): number {
    return this.requests.size;
  }

  /** The longest-running request, for the heartbeat. */
  oldest(now: number): InFlightRequest | undefined {
    let oldest: Tracked | undefined;
    for (const tracked of this.requests.values()) {
      if (oldest === undefined || tracked.startedAt < oldest.startedAt) oldest = tracked;
    }
    return oldest && { method: oldest.method, url: oldest.url, ageMs: now - oldest.startedAt };
  }

  /** Answer every request past the timeout (called on each heartbeat: within 100 ms of it being due). */
  checkTimeouts(now: number): void {
    const { timeoutMs, slots } = this.options;
    if (timeoutMs <= 0) return;
    for (const [socket, tracked] of this.requests) {
      if (tracked.timedOut || socket.destroyed || now - tracked.startedAt < timeoutMs) continue;
      let before: SlotState = SlotState.headSent;
      if (tracked.slot >= 0) {
        before = slots.transition(tracked.slot, SlotState.active, SlotState.answered);
        if (before === SlotState.headSent) slots.transition(tracked.slot, before, SlotState.answered);
        if (before === SlotState.answered) continue;
      } else if (socket.bytesWritten === 0) {
        before = SlotState.active;
      }
      tracked.timedOut = true;
      const answered504 = before === SlotState.active;
      if (answered504) {
        tracked.end.call(socket, timeoutReply(timeoutMs));
        // The unread body is drained, so the peer reads the 504 instead of a reset; bounded in time.
        socket.resume();
        setTimeout(() => socket.destroy(), 2000).unref();
      } else {
        socket.destroy(); // the head is out: the front server sees a truncated response, as it must
      }
      this.options.onTimeout(
        { method: tracked.method, url: tracked.url, ageMs: now - tracked.startedAt },
        answered504,
      );
    }
  }

  private readonly onRequest = (head: RequestHead, socket: Socket): void => {
    this.served++;
    if (socket.destroyed) return;
    const now = Date.now();
    // The variables the parser picked out: reading `head.env` would build the keyed record of all.
    const { known } = head;
    const method = known.REQUEST_METHOD ?? 'GET';
    const url = known.REQUEST_URI ?? `${known.SCRIPT_NAME ?? ''}${known.PATH_INFO ?? ''}`;
    const { slots, timeoutMs } = this.options;
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
    const slot = timeoutMs > 0 ? slots.claim(fd, method, url, now) : -1;
    const own = socket as unknown as GuardedSocket;
    const tracked: Tracked = {
      method,
      url,
      startedAt: now,
      slot,
      slots,
      write: own.write,
      end: own.end,
      destroy: own.destroy,
      timedOut: false,
    };
    this.requests.set(socket, tracked);
    socket.on('close', this.onSocketClose);
    if (slot >= 0) {
      // Per instance (core and node:http write through `socket.write`/`socket.end`): the app's first
      // byte marks its head as sent, so nobody sends a 504 after it; after a timeout was answered its
      // late writes are dropped, instead of failing on an ended socket.
      own[TRACKED] = tracked;
      own.write = guardedWrite;
      own.end = guardedEnd;
      own.destroy = guardedDestroy;
    }
  };
}

/** Free the request's shared slot, once (the slot may be claimed again by a later request). */
function releaseSlot(tracked: Tracked): void {
  if (tracked.slot < 0) return;
  tracked.slots.release(tracked.slot);
  tracked.slot = -1;
}

function mayWrite(tracked: Tracked, chunk: unknown): boolean {
  if (tracked.slot < 0) return !tracked.timedOut; // released by destroy(): only the flag is left
  const state = tracked.slots.state(tracked.slot);
  if (state === SlotState.answered) return false;
  const empty =
    chunk === undefined || typeof chunk === 'function' || (chunk as { length?: number }).length === 0;
  if (state === SlotState.active && !empty) {
    tracked.slots.transition(tracked.slot, SlotState.active, SlotState.headSent);
  }
  return true;
}

function guardedWrite(this: GuardedSocket, ...args: unknown[]): boolean {
  const tracked = this[TRACKED];
  return mayWrite(tracked, args[0]) ? tracked.write.apply(this, args) : true;
}

function guardedEnd(this: GuardedSocket, ...args: unknown[]): unknown {
  const tracked = this[TRACKED];
  return mayWrite(tracked, args[0]) ? tracked.end.apply(this, args) : this;
}

/**
 * destroy() closes the descriptor at once while 'close' comes a tick later: the slot must not outlive
 * the descriptor, or a watchdog acting in between could write to the next connection given that number.
 */
function guardedDestroy(this: GuardedSocket, ...args: unknown[]): unknown {
  const tracked = this[TRACKED];
  releaseSlot(tracked);
  return tracked.destroy.apply(this, args);
}
