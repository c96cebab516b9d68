// How `scgi-node status` prints a snapshot: the summary lines and an aligned table with one row per worker.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ManagerStatus } from '../manager.js';
import { formatAge, formatStatus, type StatusView } from './status-client.js';

const NOW = Date.parse('2025-05-01T12:00:00.000Z');

describe('formatStatus', () => {
  it("reads the manager's snapshot type (checked by tsc)", () => {
    expectTypeOf<ManagerStatus>().toExtend<StatusView>();
  });

  it('prints the summary, the totals and an aligned row per worker with its notes', () => {
    const view: StatusView = {
      pid: 900,
      state: 'running',
      listen: 'unix /run/app.sock',
      http: '127.0.0.1:8080',
      generation: 2,
      uptimeMs: 192_000,
      totals: { requests: 1234, restarts: 1, crashes: 1, timeouts: 0 },
      workers: [
        {
          id: 3,
          pid: 901,
          state: 'ready',
          generation: 2,
          requests: 1000,
          inFlight: 3,
          rssBytes: 50_593_792,
          startedAt: '2025-05-01T11:57:00.000Z',
          busy: true,
          oldest: { method: 'GET', url: '/slow', ageMs: 2_500 },
        },
        {
          id: 12,
          pid: 10022,
          state: 'draining',
          generation: 1,
          requests: 7,
          inFlight: 0,
          rssBytes: 900,
          startedAt: '2025-05-01T11:59:59.500Z',
          retiring: 'reload',
        },
      ],
    };
    expect(formatStatus(view, NOW)).toBe(
      [
        'scgi-node 900: running, generation 2, up 3m12s',
        'listen unix /run/app.sock, http 127.0.0.1:8080',
        'requests 1234  restarts 1  crashes 1  timeouts 0',
        '',
        'ID    PID  STATE     GEN  REQUESTS  IN-FLIGHT    RSS  AGE    NOTE',
        ' 3    901  ready       2      1000          3  48.3M  3m     busy, oldest GET /slow 2s',
        '12  10022  draining    1         7          0    900  500ms  retiring: reload',
        '',
      ].join('\n'),
    );
  });

  it('copes with a minimal snapshot and no workers', () => {
    expect(formatStatus({ pid: 1, state: 'stopping', listen: 'fd 3', workers: [] }, NOW)).toBe(
      'scgi-node 1: stopping\nlisten fd 3\n\nID  PID  STATE  GEN  REQUESTS  IN-FLIGHT  RSS  AGE  NOTE\n(no workers)\n',
    );
  });

  it('formats ages', () => {
    expect([0, 999, 1_000, 59_999, 60_000, 61_000, 3_600_000, 3_660_000, -1].map(formatAge)).toEqual([
      '0ms',
      '999ms',
      '1s',
      '59s',
      '1m',
      '1m1s',
      '1h',
      '1h1m',
      '-',
    ]);
  });
});
