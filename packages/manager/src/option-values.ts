// Option value syntax: counts, durations (30s), sizes (512M), modes (660), CIDR lists, worker ranges, listen targets.
import { isScgiError } from '@scgi-node/core';
import { parseListenTarget } from '@scgi-node/core/transport';
import { ManagerError } from './errors.js';
import { parseCidr } from './security/allow-list.js';

/**
 * Where a value came from, for messages and for units: a bare number is accepted for a duration or a
 * size only where the name says the unit (`timeoutMs`, `--max-body-bytes`); `--timeout 60` is refused
 * rather than guessed (60 s? 60 ms?).
 */
export interface ValueSite {
  /** `--timeout`, `app.json: "timeout"`, or the ManagerOptions key. */
  label: string;
  /** The name ends with the unit (Ms, Bytes, -bytes): bare numbers are in that unit. */
  unitNamed: boolean;
  /** Command-line text, a JSON value from a config file, or a typed value from the API. */
  source: 'flag' | 'config' | 'api';
}

/** Inclusive bounds of a worker pool. */
export interface WorkerRange {
  min: number;
  max: number;
}

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const SIZE_UNITS = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
} as const;
const BIG_SIZE_UNITS = { g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 } as const;

export function badValue(site: ValueSite, expected: string, value: unknown): ManagerError {
  return new ManagerError(
    'ERR_SCGI_NODE_BAD_OPTION',
    `${site.label}: expected ${expected}, got ${JSON.stringify(value) ?? String(value)}`,
  );
}

/** A whole number in [min, max]. */
export function parseCount(value: unknown, site: ValueSite, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value.trim())
        ? Number(value)
        : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw badValue(site, `a whole number ${range}`, value);
  }
  return n;
}

/** `500ms`, `30s`, `1.5m`, `2h`, or `0` (off) to milliseconds. */
export function parseDuration(value: unknown, site: ValueSite): number {
  const expected = 'a duration such as 500ms, 30s, 5m or 1h (0 = off)';
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value.trim()))) {
    const n = Number(value);
    if (n !== 0 && !site.unitNamed) {
      throw new ManagerError(
        'ERR_SCGI_NODE_BAD_OPTION',
        `${site.label}: ${JSON.stringify(value)} has no unit; write ${n}s or ${n}ms`,
      );
    }
    return parseCount(n, site);
  }
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/i.exec(value.trim()) : null;
  if (match === null) throw badValue(site, expected, value);
  const unit = match[2]!.toLowerCase() as keyof typeof DURATION_UNITS_MS;
  return Math.round(Number(match[1]) * DURATION_UNITS_MS[unit]);
}

/** `65536`, `64K`, `512M`, `1G` (1024-based; KiB/MiB/GiB and KB/MB/GB mean the same) to bytes. */
export function parseBytes(value: unknown, site: ValueSite): number {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value.trim()))) {
    const n = Number(value);
    if (n !== 0 && !site.unitNamed) {
      throw new ManagerError(
        'ERR_SCGI_NODE_BAD_OPTION',
        `${site.label}: ${JSON.stringify(value)} has no unit; write a size such as ${n}M or ${n}K`,
      );
    }
    return parseCount(n, site);
  }
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(value.trim()) : null;
  const unit = match?.[2]?.toLowerCase() ?? '';
  const factor =
    (SIZE_UNITS as Record<string, number>)[unit] ?? (BIG_SIZE_UNITS as Record<string, number>)[unit];
  if (match === null || factor === undefined) {
    throw badValue(site, 'a size such as 65536, 64K, 512M or 1G', value);
  }
  return Math.round(Number(match[1]) * factor);
}

/** A unix file mode written in octal: `660`, `0660`, `0o660` (a number only from the API: JSON has no octal). */
export function parseMode(value: unknown, site: ValueSite): number {
  const n =
    typeof value === 'number' && site.source === 'api'
      ? value
      : typeof value === 'string' && /^(?:0o?)?[0-7]{3,4}$/i.test(value.trim())
        ? Number.parseInt(value.trim().replace(/^0o/i, ''), 8)
        : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0o7777) {
    throw badValue(site, 'an octal file mode as a string, such as "660" or "0660"', value);
  }
  return n;
}

/** One of `choices`. */
export function parseChoice<T extends string>(value: unknown, site: ValueSite, choices: readonly T[]): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw badValue(site, `one of ${choices.join(', ')}`, value);
}

/** A flag without a value is `true`; `=true`/`=false` and JSON booleans are accepted too. */
export function parseBoolean(value: unknown, site: ValueSite): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw badValue(site, 'true or false', value);
}

/** Non-empty text. */
export function parseText(value: unknown, site: ValueSite): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw badValue(site, 'a non-empty string', value);
}

/** CIDR ranges, comma-separated and/or as an array; normalized to `address/prefix`. */
export function parseCidrs(value: unknown, site: ValueSite): string[] {
  const items = Array.isArray(value) ? value : [value];
  const cidrs: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') throw badValue(site, 'CIDR ranges such as 10.0.0.0/8,::1', value);
    for (const part of item.split(',')) {
      if (part.trim() === '') continue;
      const { address, prefix } = parseCidr(part);
      cidrs.push(`${address}/${prefix}`);
    }
  }
  if (cidrs.length === 0) throw badValue(site, 'at least one CIDR range such as 10.0.0.0/8', value);
  return cidrs;
}

/** `4` (a static pool of 4) or `2..8`; from the API also `{ min, max }`. */
export function parseWorkers(value: unknown, site: ValueSite): WorkerRange {
  const expected = 'N (a static pool) or min..max, such as 4 or 2..8, with 1 <= min <= max';
  let min: number;
  let max: number;
  if (typeof value === 'object' && value !== null && site.source === 'api') {
    ({ min, max } = value as WorkerRange);
  } else if (typeof value === 'number') {
    min = max = value;
  } else if (typeof value === 'string') {
    const match = /^(\d+)(?:\s*\.\.\s*(\d+))?$/.exec(value.trim());
    if (match === null) throw badValue(site, expected, value);
    min = Number(match[1]);
    max = Number(match[2] ?? match[1]);
  } else {
    throw badValue(site, expected, value);
  }
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 1 || max < min) {
    throw badValue(site, expected, value);
  }
  return { min, max };
}

/**
 * An SCGI listen target: `auto`, `systemd`, `systemd:NAME`, or what core's `scgi()` takes as a string
 * (`unix:/run/app.sock`, a path, `host:port`, a port, `fd:N`); a number is a port.
 */
export function parseListen(value: unknown, site: ValueSite): string {
  const text = typeof value === 'number' ? String(value) : parseText(value, site);
  if (text === 'auto' || text === 'systemd' || /^systemd:[^:\s]+$/.test(text)) return text;
  checkTarget(text, site);
  return text;
}

/** The `--http` address of the built-in gateway: `host:port`, a port (on 127.0.0.1), or a unix socket path. */
export function parseHttpAddress(value: unknown, site: ValueSite): string {
  const text = typeof value === 'number' ? String(value) : parseText(value, site);
  if (checkTarget(text, site).fd !== undefined)
    throw badValue(site, 'host:port, a port or a socket path', value);
  return text;
}

function checkTarget(text: string, site: ValueSite) {
  try {
    return parseListenTarget(text);
  } catch (error) {
    if (!isScgiError(error)) throw error;
    throw new ManagerError('ERR_SCGI_NODE_BAD_OPTION', `${site.label}: ${error.message}`, { cause: error });
  }
}

/** `64K`, `1G`, `1536` for messages and defaults. */
export function formatBytes(bytes: number): string {
  for (const [suffix, factor] of [
    ['G', 1024 ** 3],
    ['M', 1024 ** 2],
    ['K', 1024],
  ] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${suffix}`;
  }
  return String(bytes);
}

/** `250ms`, `30s`, `5m`, `1h`, `0` for messages and defaults. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [suffix, factor] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms % factor === 0) return `${ms / factor}${suffix}`;
  }
  return `${ms}ms`;
}
