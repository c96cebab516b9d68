// How a worker's exit is treated: planned, timeout kill, failed start (backoff) or crash (replaced at once).
import { describe, expect, it } from 'vitest';
import { classifyExit } from './exits.js';

const NOW = 100_000;
const exit = (fields: Partial<Parameters<typeof classifyExit>[0]> = {}) => ({
  plannedExit: false,
  watchdog: [],
  readyAt: NOW - 60_000,
  exitSignal: null,
  ...fields,
});

describe('classifyExit', () => {
  it('is planned when the primary asked, or while the pool stops', () => {
    expect(classifyExit(exit({ plannedExit: true }), 'draining', NOW, false)).toBe('planned');
    expect(classifyExit(exit(), 'ready', NOW, true)).toBe('planned');
  });

  it('is a timeout kill when the watchdog reported before the exit', () => {
    const report = {
      type: 'watchdog-kill' as const,
      request: { method: 'GET', url: '/', ageMs: 1 },
      answered504: true,
    };
    expect(classifyExit(exit({ watchdog: [report], exitSignal: 'SIGKILL' }), 'ready', NOW, false)).toBe(
      'timeout-kill',
    );
  });

  it('is a failed start before ready, or when it fails by itself within a second of ready', () => {
    expect(classifyExit(exit({ readyAt: undefined }), 'starting', NOW, false)).toBe('failed-start');
    expect(classifyExit(exit({ readyAt: undefined, exitSignal: 'SIGKILL' }), 'starting', NOW, false)).toBe(
      'failed-start',
    );
    expect(classifyExit(exit({ readyAt: NOW - 400 }), 'ready', NOW, false)).toBe('failed-start');
    expect(classifyExit(exit({ readyAt: NOW - 400, exitSignal: 'SIGABRT' }), 'ready', NOW, false)).toBe(
      'failed-start',
    );
  });

  it('is a crash for a stable worker, or a ready one killed from outside (kill -9, the OOM killer)', () => {
    expect(classifyExit(exit({ readyAt: NOW - 5000 }), 'ready', NOW, false)).toBe('crash');
    expect(classifyExit(exit({ readyAt: NOW - 100, exitSignal: 'SIGKILL' }), 'ready', NOW, false)).toBe(
      'crash',
    );
  });
});
