// Crash backoff: a worker that fails to start (or dies soon after) delays the next start, doubling, within a budget.

/** A worker that stayed ready this long proves the app starts; one that died sooner is a failed start. */
export const STABLE_AFTER_MS = 1000;

export interface BackoffOptions {
  /** Failed starts tolerated within `windowMs`; one more and the manager gives up (no fork bomb). */
  budget: number;
  windowMs: number;
  /** Delay after the first failure in the window, doubled for each further one. */
  baseMs: number;
  maxMs: number;
}

/** What to do after a failure: wait `delayMs` before the next start, or give up. */
export type BackoffDecision =
  | { giveUp: false; delayMs: number; failures: number }
  | { giveUp: true; failures: number };

/**
 * The failed starts of one pool. uWSGI and PHP-FPM restart a dying worker at once, so an app that
 * throws at import forks as fast as the machine allows; here each failure in the window doubles the
 * wait (250 ms, 500 ms, 1 s, ...) and one past the budget stops the manager with the cause. A worker
 * started after the last failure that stays ready for {@link STABLE_AFTER_MS} clears the count: the
 * app starts fine, and a later death of a stable worker is a crash to replace, not a loop.
 */
export class CrashBackoff {
  private times: number[] = [];

  constructor(private readonly options: BackoffOptions) {}

  /** Failures counted now (within the window). */
  failures(now: number): number {
    this.times = this.times.filter((at) => now - at < this.options.windowMs);
    return this.times.length;
  }

  /** Date.now() of the last failure, if any is counted. */
  get lastFailureAt(): number | undefined {
    return this.times.at(-1);
  }

  failed(now: number): BackoffDecision {
    this.times.push(now);
    const failures = this.failures(now);
    if (failures > this.options.budget) return { giveUp: true, failures };
    const delayMs = Math.min(this.options.maxMs, this.options.baseMs * 2 ** (failures - 1));
    return { giveUp: false, delayMs, failures };
  }

  /** A worker proved stable: the count starts over. */
  stable(): void {
    this.times = [];
  }
}
