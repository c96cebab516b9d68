// `scgi-node status`: fetch the manager's state from its status socket and print it as a table (or JSON).
import { get } from 'node:http';
import { ManagerError } from '../errors.js';
import { formatBytes, formatDuration } from '../option-values.js';

/** What `scgi-node status` reads from a worker entry of the snapshot (the manager sends more). */
export interface WorkerView {
  id: number;
  pid: number;
  state: string;
  generation?: number;
  requests: number;
  inFlight: number;
  rssBytes: number;
  startedAt?: string;
  busy?: boolean;
  retiring?: string | null;
  oldest?: { method: string; url: string; ageMs: number } | null;
}

/** What `scgi-node status` reads from the snapshot (the manager's `ManagerStatus` has at least this). */
export interface StatusView {
  pid: number;
  state: string;
  listen: string;
  http?: string | null;
  generation?: number;
  uptimeMs?: number;
  totals?: Partial<Record<'requests' | 'restarts' | 'crashes' | 'timeouts' | 'recycled' | 'refused', number>>;
  workers: WorkerView[];
}

export const STATUS_TIMEOUT_MS = 5_000;

/**
 * GET the snapshot from the status socket at `path`.
 * @throws ManagerError ERR_SCGI_NODE_STATUS saying why (no socket, nobody listening, no permission, no answer).
 */
export function fetchStatus(path: string, timeoutMs = STATUS_TIMEOUT_MS): Promise<StatusView> {
  return new Promise((resolve, reject) => {
    const fail = (message: string, cause?: unknown) =>
      reject(new ManagerError('ERR_SCGI_NODE_STATUS', message, { cause }));
    const req = get({ socketPath: path, path: '/', timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return fail(`${path} answered ${res.statusCode}: ${text.trim()}`);
        let view: unknown;
        try {
          view = JSON.parse(text);
        } catch (error) {
          return fail(`${path} answered something that is not JSON: ${text.slice(0, 80)}`, error);
        }
        if (!isStatusView(view)) return fail(`${path} is not a scgi-node status socket (unexpected answer)`);
        resolve(view);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${formatDuration(timeoutMs)}`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'ENOENT'
          ? `there is no status socket at ${path} (is the manager running with --status-socket ${path}?)`
          : error.code === 'ECONNREFUSED'
            ? `nobody listens on ${path}: the manager is not running (the socket file is stale)`
            : error.code === 'EACCES'
              ? `permission denied on ${path}: run as the manager's user or root`
              : `cannot query ${path}: ${error.message}`;
      fail(why, error);
    });
  });
}

/** The snapshot as a summary and one row per worker. `now` is for the workers' ages. */
export function formatStatus(view: StatusView, now = Date.now()): string {
  const generation = view.generation === undefined ? '' : `, generation ${view.generation}`;
  const uptime = view.uptimeMs === undefined ? '' : `, up ${formatAge(view.uptimeMs)}`;
  const lines = [`scgi-node ${view.pid}: ${view.state}${generation}${uptime}`];
  lines.push(`listen ${view.listen}${view.http ? `, http ${view.http}` : ''}`);
  if (view.totals !== undefined) {
    lines.push(
      Object.entries(view.totals)
        .map(([name, value]) => `${name} ${value}`)
        .join('  '),
    );
  }
  const header = ['ID', 'PID', 'STATE', 'GEN', 'REQUESTS', 'IN-FLIGHT', 'RSS', 'AGE', 'NOTE'];
  const rows = view.workers.map((worker) => [
    String(worker.id),
    String(worker.pid),
    worker.state,
    worker.generation === undefined ? '-' : String(worker.generation),
    String(worker.requests),
    String(worker.inFlight),
    formatRss(worker.rssBytes),
    worker.startedAt === undefined ? '-' : formatAge(now - Date.parse(worker.startedAt)),
    note(worker),
  ]);
  lines.push('', ...table([header, ...rows]));
  if (view.workers.length === 0) lines.push('(no workers)');
  return `${lines.join('\n')}\n`;
}

function note(worker: WorkerView): string {
  const notes: string[] = [];
  if (worker.busy) notes.push('busy');
  if (worker.retiring) notes.push(`retiring: ${worker.retiring}`);
  if (worker.oldest) {
    notes.push(`oldest ${worker.oldest.method} ${worker.oldest.url} ${formatAge(worker.oldest.ageMs)}`);
  }
  return notes.join(', ');
}

/** Columns padded to their widest cell; numbers right-aligned. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const numeric = new Set([0, 1, 3, 4, 5, 6]);
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column === row.length - 1
          ? cell
          : numeric.has(column)
            ? cell.padStart(widths[column]!)
            : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** `850ms`, `12s`, `3m12s`, `2h5m`. */
export function formatAge(ms: number): string {
  if (!(ms >= 0)) return '-';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
}

function formatRss(bytes: number): string {
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)}M`;
  return formatBytes(bytes);
}

function isStatusView(value: unknown): value is StatusView {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StatusView).pid === 'number' &&
    Array.isArray((value as StatusView).workers)
  );
}
