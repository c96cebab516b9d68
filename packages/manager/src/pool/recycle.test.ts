// Recycling choice: over max-requests or max-memory, ready ones only, never two at once.
import { describe, expect, it } from 'vitest';
import { pickRecycle, type RecycleView } from './recycle.js';

function worker(fields: Partial<RecycleView> = {}): RecycleView {
  return { state: 'ready', retiring: undefined, served: 0, maxRequests: 100, rssBytes: 50e6, ...fields };
}

describe('pickRecycle', () => {
  it('picks a ready worker past its own request limit, or over the memory limit', () => {
    const over = worker({ served: 100 });
    expect(pickRecycle([worker({ served: 99 }), over], 0)).toEqual({ worker: over, reason: 'max-requests' });
    const fat = worker({ rssBytes: 200e6 });
    expect(pickRecycle([worker(), fat], 100e6)).toEqual({ worker: fat, reason: 'max-memory' });
  });

  it('ignores limits that are off, and workers not ready or already leaving', () => {
    expect(
      pickRecycle([worker({ served: 1e6, maxRequests: 0 }), worker({ rssBytes: 1e12 })], 0),
    ).toBeUndefined();
    expect(pickRecycle([worker({ served: 500, state: 'draining' })], 0)).toBeUndefined();
    expect(pickRecycle([worker({ served: 500, retiring: 'reload' })], 0)).toBeUndefined();
  });

  it('waits while another worker is being recycled', () => {
    const busy = [
      worker({ served: 500, retiring: 'max-memory', state: 'draining' }),
      worker({ served: 500 }),
    ];
    expect(pickRecycle(busy, 0)).toBeUndefined();
  });
});
