// The shared slot table: what the main thread records is what a second view (the watchdog's) reads; answers are won once.
import { describe, expect, it } from 'vitest';
import { SLOT_COUNT, SlotState, SlotTable } from './slot-table.js';

describe('SlotTable', () => {
  it('shows a claimed request to another view of the same buffer, until it is released', () => {
    const main = new SlotTable();
    const watchdog = new SlotTable(main.buffer);
    const slot = main.claim(17, 'POST', '/upload?x=1', 1_700_000_000_123);
    expect([...watchdog.inUse()]).toEqual([
      {
        index: slot,
        state: SlotState.active,
        fd: 17,
        startedAt: 1_700_000_000_123,
        method: 'POST',
        url: '/upload?x=1',
      },
    ]);
    main.release(slot);
    expect([...watchdog.inUse()]).toEqual([]);
  });

  it('lets exactly one side answer: a compare-and-swap from the state it saw', () => {
    const main = new SlotTable();
    const watchdog = new SlotTable(main.buffer);
    const slot = main.claim(5, 'GET', '/', 0);
    expect(watchdog.transition(slot, SlotState.active, SlotState.answered)).toBe(SlotState.active);
    // The main thread wakes up and tries too: it sees the slot already answered.
    expect(main.transition(slot, SlotState.active, SlotState.answered)).toBe(SlotState.answered);
    expect(main.transition(slot, SlotState.active, SlotState.headSent)).toBe(SlotState.answered);
  });

  it('shares the main thread tick, cuts long URLs, and reports a full table', () => {
    const main = new SlotTable();
    const watchdog = new SlotTable(main.buffer);
    main.tick(1234);
    expect(watchdog.lastTick).toBe(1234);
    const long = `/${'a'.repeat(2000)}`;
    main.claim(3, 'GET', long, 1);
    const [view] = [...watchdog.inUse()];
    expect(view!.url.length).toBeLessThan(long.length);
    expect(long.startsWith(view!.url)).toBe(true);
    for (let n = 1; n < SLOT_COUNT; n++) expect(main.claim(n, 'GET', '/', 0)).toBeGreaterThanOrEqual(0);
    expect(main.claim(999, 'GET', '/', 0)).toBe(-1);
  });
});
