// The scaling policy: busy detection, the wanted size, starting missing workers and stopping idle ones.
import { describe, expect, it } from 'vitest';
import { desiredSize, isBusy, type PoolPolicy, planScaling, type WorkerView } from './scaling.js';

const policy: PoolPolicy = { min: 1, max: 4, spare: 1, concurrency: 10, idleTimeoutMs: 1000 };
const NOW = 100_000;

function worker(id: number, fields: Partial<WorkerView> = {}): WorkerView {
  return {
    id,
    state: 'ready',
    retiring: undefined,
    inFlight: 0,
    lastHeartbeatAt: NOW,
    idleSince: NOW,
    ...fields,
  };
}

describe('isBusy', () => {
  it('is busy at its concurrency limit or when its heartbeat is overdue (blocked event loop)', () => {
    expect(isBusy(worker(1, { inFlight: 9 }), NOW, 10)).toBe(false);
    expect(isBusy(worker(1, { inFlight: 10 }), NOW, 10)).toBe(true);
    expect(isBusy(worker(1, { lastHeartbeatAt: NOW - 250 }), NOW, 10)).toBe(false);
    expect(isBusy(worker(1, { lastHeartbeatAt: NOW - 301 }), NOW, 10)).toBe(true);
    expect(isBusy(worker(1, { state: 'starting', lastHeartbeatAt: 0 }), NOW, 10)).toBe(false);
  });
});

describe('desiredSize', () => {
  it('is min + spare at rest, max(min, busy) + spare under load, never above max', () => {
    expect(desiredSize([worker(1), worker(2)], NOW, policy)).toBe(2);
    const blocked = { lastHeartbeatAt: NOW - 1000, idleSince: undefined };
    expect(desiredSize([worker(1, blocked), worker(2)], NOW, policy)).toBe(2);
    expect(desiredSize([worker(1, blocked), worker(2, blocked)], NOW, policy)).toBe(3);
    const all = [1, 2, 3, 4].map((id) => worker(id, blocked));
    expect(desiredSize(all, NOW, policy)).toBe(4);
    expect(desiredSize([], NOW, { ...policy, min: 3, max: 3, spare: 0 })).toBe(3);
  });

  it('does not count retiring workers as busy capacity', () => {
    const blocked = { lastHeartbeatAt: NOW - 1000, retiring: 'reload' };
    expect(desiredSize([worker(1, blocked), worker(2, blocked)], NOW, policy)).toBe(2);
  });
});

describe('planScaling', () => {
  it('starts the missing workers, counting starting ones and not retiring ones', () => {
    expect(planScaling([], NOW, policy)).toEqual({ start: 2, stop: undefined });
    expect(planScaling([worker(1, { state: 'starting' })], NOW, policy)).toEqual({
      start: 1,
      stop: undefined,
    });
    const retiring = worker(1, { retiring: 'max-requests' });
    expect(planScaling([retiring, worker(2)], NOW, policy)).toEqual({ start: 1, stop: undefined });
  });

  it('stops the longest idle worker past the idle timeout, one at a time', () => {
    const workers = [worker(1), worker(2, { idleSince: NOW - 5000 }), worker(3, { idleSince: NOW - 3000 })];
    expect(planScaling(workers, NOW, policy)).toEqual({ start: 0, stop: 2 });
  });

  it('keeps idle workers younger than the timeout, busy ones, and all while one is starting', () => {
    expect(planScaling([worker(1), worker(2), worker(3)], NOW, policy).stop).toBeUndefined();
    const old = NOW - 5000;
    const busy = worker(3, { inFlight: 10, idleSince: old });
    expect(planScaling([worker(1, { idleSince: old }), worker(2), busy], NOW, policy).stop).toBe(1);
    const starting = worker(4, { state: 'starting' });
    const idle = [
      worker(1, { idleSince: old }),
      worker(2, { idleSince: old }),
      worker(3, { idleSince: old }),
    ];
    expect(planScaling([...idle, starting], NOW, policy).stop).toBeUndefined();
  });
});
