// Crash backoff: doubling delays, the budget within its window, and the reset by a stable worker.
import { describe, expect, it } from 'vitest';
import { CrashBackoff } from './backoff.js';

const options = { budget: 4, windowMs: 60_000, baseMs: 100, maxMs: 500 };

describe('CrashBackoff', () => {
  it('doubles the delay per failure in the window, capped, then gives up past the budget', () => {
    const backoff = new CrashBackoff(options);
    expect(backoff.failed(0)).toEqual({ giveUp: false, delayMs: 100, failures: 1 });
    expect(backoff.failed(10)).toEqual({ giveUp: false, delayMs: 200, failures: 2 });
    expect(backoff.failed(20)).toEqual({ giveUp: false, delayMs: 400, failures: 3 });
    expect(backoff.failed(30)).toEqual({ giveUp: false, delayMs: 500, failures: 4 });
    expect(backoff.failed(40)).toEqual({ giveUp: true, failures: 5 });
  });

  it('forgets failures older than the window', () => {
    const backoff = new CrashBackoff(options);
    for (const at of [0, 1, 2, 3]) backoff.failed(at);
    expect(backoff.failed(60_002)).toEqual({ giveUp: false, delayMs: 200, failures: 2 }); // 3 and 60_002 are within 60 s
    expect(backoff.failures(120_000)).toBe(1);
  });

  it('starts over after a stable worker', () => {
    const backoff = new CrashBackoff({ ...options, budget: 2 });
    backoff.failed(0);
    backoff.failed(1);
    expect(backoff.lastFailureAt).toBe(1);
    backoff.stable();
    expect(backoff.failures(2)).toBe(0);
    expect(backoff.failed(3)).toEqual({ giveUp: false, delayMs: 100, failures: 1 });
  });
});
