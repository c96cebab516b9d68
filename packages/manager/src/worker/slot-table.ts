// In-flight requests in shared memory, so the watchdog thread can see them while the main thread is blocked.

/** How many requests can be watched at once; more in flight are served but not answered by the watchdog. */
export const SLOT_COUNT = 256;
/** `METHOD URL` bytes kept per slot (longer URLs are cut; they are only for the log line). */
const TEXT_BYTES = 512;

/** A slot's state. Transitions use compare-and-swap, so the 504 is written once by whoever wins. */
export const SlotState = {
  free: 0,
  /** Request running, nothing written: a 504 can still be sent. */
  active: 1,
  /** The app has started its response: on timeout the connection can only be closed. */
  headSent: 2,
  /** The timeout was handled (504 sent or connection closed): later writes of the app are dropped. */
  answered: 3,
} as const;
export type SlotState = (typeof SlotState)[keyof typeof SlotState];

// Layout: Int32 [state, fd, textLength] per slot | BigInt64 startedAt per slot + 1 for the main thread's tick | text.
const INTS_PER_SLOT = 3;
const INT_BYTES = SLOT_COUNT * INTS_PER_SLOT * 4;
const TIME_OFFSET = Math.ceil(INT_BYTES / 8) * 8;
const TIME_BYTES = (SLOT_COUNT + 1) * 8;
const TEXT_OFFSET = TIME_OFFSET + TIME_BYTES;
const TOTAL_BYTES = TEXT_OFFSET + SLOT_COUNT * TEXT_BYTES;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A snapshot of one slot, for the watchdog. */
export interface SlotView {
  index: number;
  state: SlotState;
  fd: number;
  startedAt: number;
  method: string;
  url: string;
}

/**
 * The table of in-flight requests, over one SharedArrayBuffer shared by the worker's main thread
 * (which claims, marks and releases slots) and its watchdog thread (which reads them and may answer).
 */
export class SlotTable {
  readonly buffer: SharedArrayBuffer;
  private readonly ints: Int32Array;
  private readonly times: BigInt64Array;
  private readonly text: Uint8Array;
  private nextFree = 0;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(TOTAL_BYTES)) {
    this.buffer = buffer;
    this.ints = new Int32Array(buffer, 0, SLOT_COUNT * INTS_PER_SLOT);
    this.times = new BigInt64Array(buffer, TIME_OFFSET, SLOT_COUNT + 1);
    this.text = new Uint8Array(buffer, TEXT_OFFSET, SLOT_COUNT * TEXT_BYTES);
  }

  /** Record a request; -1 when every slot is taken. Main thread only. */
  claim(fd: number, method: string, url: string, startedAt: number): number {
    for (let tried = 0; tried < SLOT_COUNT; tried++) {
      const index = (this.nextFree + tried) % SLOT_COUNT;
      if (Atomics.load(this.ints, index * INTS_PER_SLOT) !== SlotState.free) continue;
      this.nextFree = (index + 1) % SLOT_COUNT;
      const base = index * INTS_PER_SLOT;
      const encoded = encoder.encodeInto(
        `${method} ${url}`,
        this.text.subarray(index * TEXT_BYTES, (index + 1) * TEXT_BYTES),
      );
      this.ints[base + 1] = fd;
      this.ints[base + 2] = encoded.written;
      Atomics.store(this.times, index, BigInt(startedAt));
      // Published last: the watchdog reads nothing of a slot until its state is set.
      Atomics.store(this.ints, base, SlotState.active);
      return index;
    }
    return -1;
  }

  /** Move a slot from `from` to `to` if it is still in `from`; returns the state it was in. */
  transition(index: number, from: SlotState, to: SlotState): SlotState {
    return Atomics.compareExchange(this.ints, index * INTS_PER_SLOT, from, to) as SlotState;
  }

  state(index: number): SlotState {
    return Atomics.load(this.ints, index * INTS_PER_SLOT) as SlotState;
  }

  release(index: number): void {
    Atomics.store(this.ints, index * INTS_PER_SLOT, SlotState.free);
  }

  /** The main thread's event loop ran at `now` (the watchdog acts only when this is old). */
  tick(now: number): void {
    Atomics.store(this.times, SLOT_COUNT, BigInt(now));
  }

  get lastTick(): number {
    return Number(Atomics.load(this.times, SLOT_COUNT));
  }

  /** Every slot in use (watchdog thread). */
  *inUse(): Generator<SlotView> {
    for (let index = 0; index < SLOT_COUNT; index++) {
      const state = Atomics.load(this.ints, index * INTS_PER_SLOT) as SlotState;
      if (state === SlotState.free) continue;
      const base = index * INTS_PER_SLOT;
      const length = this.ints[base + 2]!;
      const text = decoder.decode(this.text.slice(index * TEXT_BYTES, index * TEXT_BYTES + length));
      const space = text.indexOf(' ');
      yield {
        index,
        state,
        fd: this.ints[base + 1]!,
        startedAt: Number(Atomics.load(this.times, index)),
        method: text.slice(0, space),
        url: text.slice(space + 1),
      };
    }
  }
}
