// Option value syntax: every accepted form, every refusal with its message, and units only where a name says them.
import { describe, expect, it } from 'vitest';
import { ManagerError } from './errors.js';
import {
  formatBytes,
  formatDuration,
  parseBoolean,
  parseBytes,
  parseChoice,
  parseCidrs,
  parseCount,
  parseDuration,
  parseHttpAddress,
  parseListen,
  parseMode,
  parseText,
  parseWorkers,
  type ValueSite,
} from './option-values.js';

const flag = (label: string, unitNamed = false): ValueSite => ({ label, unitNamed, source: 'flag' });
const api: ValueSite = { label: 'key', unitNamed: true, source: 'api' };

function message(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ManagerError);
    expect((error as ManagerError).code).toBe('ERR_SCGI_NODE_BAD_OPTION');
    return (error as ManagerError).message;
  }
  throw new Error('expected a ManagerError');
}

describe('durations', () => {
  it('take a unit, or 0', () => {
    const site = flag('--timeout');
    expect(
      ['500ms', '30s', '1.5s', '5m', '1h', '2H', '0', ' 10 s '].map((v) => parseDuration(v, site)),
    ).toEqual([500, 30_000, 1_500, 300_000, 3_600_000, 7_200_000, 0, 10_000]);
  });

  it('a bare number only where the name says milliseconds', () => {
    expect(message(() => parseDuration('60', flag('--timeout')))).toBe(
      '--timeout: "60" has no unit; write 60s or 60ms',
    );
    expect(message(() => parseDuration(60, flag('app.json: "timeout"')))).toBe(
      'app.json: "timeout": 60 has no unit; write 60s or 60ms',
    );
    expect(parseDuration(60_000, api)).toBe(60_000);
    expect(message(() => parseDuration('soon', flag('--grace')))).toBe(
      '--grace: expected a duration such as 500ms, 30s, 5m or 1h (0 = off), got "soon"',
    );
    expect(message(() => parseDuration('-1s', flag('--grace')))).toContain('expected a duration');
  });
});

describe('sizes', () => {
  it('take K, M, G (1024-based) and their KB/KiB spellings', () => {
    const site = flag('--max-memory');
    expect(
      ['64K', '64kb', '64KiB', '512M', '1.5G', '2gib', '100b', '0'].map((v) => parseBytes(v, site)),
    ).toEqual([65_536, 65_536, 65_536, 536_870_912, 1_610_612_736, 2_147_483_648, 100, 0]);
  });

  it('a bare number only where the name says bytes', () => {
    expect(parseBytes('8192', flag('--max-header-bytes', true))).toBe(8192);
    expect(message(() => parseBytes('512', flag('--max-memory')))).toBe(
      '--max-memory: "512" has no unit; write a size such as 512M or 512K',
    );
    expect(message(() => parseBytes('1T', flag('--max-memory')))).toBe(
      '--max-memory: expected a size such as 65536, 64K, 512M or 1G, got "1T"',
    );
  });
});

describe('counts, choices, booleans, text', () => {
  it('counts are whole numbers within bounds', () => {
    expect(parseCount('100', flag('--concurrency'), 1)).toBe(100);
    expect(message(() => parseCount('0', flag('--concurrency'), 1))).toBe(
      '--concurrency: expected a whole number >= 1, got "0"',
    );
    expect(message(() => parseCount('1.5', flag('--spare')))).toBe(
      '--spare: expected a whole number >= 0, got "1.5"',
    );
    expect(message(() => parseCount(5, flag('--x'), 0, 3))).toBe(
      '--x: expected a whole number from 0 to 3, got 5',
    );
  });

  it('choices, booleans and text', () => {
    expect(parseChoice('json', flag('--log-format'), ['json', 'pretty'])).toBe('json');
    expect(message(() => parseChoice('xml', flag('--log-format'), ['json', 'pretty']))).toBe(
      '--log-format: expected one of json, pretty, got "xml"',
    );
    expect([true, 'true', false, 'false'].map((v) => parseBoolean(v, flag('--b')))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(message(() => parseBoolean('yes', flag('--allow-half-close')))).toBe(
      '--allow-half-close: expected true or false, got "yes"',
    );
    expect(parseText(' app ', flag('--export'))).toBe('app');
    expect(message(() => parseText('', flag('--user')))).toBe('--user: expected a non-empty string, got ""');
  });
});

describe('modes', () => {
  it('octal strings; numbers only from the API (JSON has no octal)', () => {
    expect(['660', '0660', '0o600', '2770'].map((v) => parseMode(v, flag('--socket-mode')))).toEqual([
      0o660, 0o660, 0o600, 0o2770,
    ]);
    expect(parseMode(0o640, api)).toBe(0o640);
    expect(message(() => parseMode(660, { ...flag('app.json: "socketMode"'), source: 'config' }))).toBe(
      'app.json: "socketMode": expected an octal file mode as a string, such as "660" or "0660", got 660',
    );
    expect(message(() => parseMode('680', flag('--socket-mode')))).toContain('expected an octal file mode');
  });
});

describe('worker ranges', () => {
  it('N is a static pool; min..max a range', () => {
    expect(parseWorkers('4', flag('--workers'))).toEqual({ min: 4, max: 4 });
    expect(parseWorkers('2..8', flag('--workers'))).toEqual({ min: 2, max: 8 });
    expect(parseWorkers(3, flag('--workers'))).toEqual({ min: 3, max: 3 });
    expect(parseWorkers({ min: 1, max: 2 }, api)).toEqual({ min: 1, max: 2 });
  });

  it.each(['0', '4..2', '0..3', '2-8', 'many', '1..'])('refuses %s', (value) => {
    expect(message(() => parseWorkers(value, flag('--workers')))).toBe(
      `--workers: expected N (a static pool) or min..max, such as 4 or 2..8, with 1 <= min <= max, got "${value}"`,
    );
  });
});

describe('CIDR lists', () => {
  it('comma-separated and arrays, normalized', () => {
    expect(parseCidrs('10.0.0.0/8, 192.168.1.7', flag('--allow'))).toEqual(['10.0.0.0/8', '192.168.1.7/32']);
    expect(parseCidrs(['::1', 'fd00::/8'], flag('allow'))).toEqual(['::1/128', 'fd00::/8']);
    expect(message(() => parseCidrs(',', flag('--allow')))).toBe(
      '--allow: expected at least one CIDR range such as 10.0.0.0/8, got ","',
    );
    expect(message(() => parseCidrs([10], flag('--allow')))).toContain('expected CIDR ranges');
    expect(message(() => parseCidrs('10.0.0.0/40', flag('--allow')))).toContain(
      'the prefix length must be 0-32',
    );
  });
});

describe('listen targets', () => {
  it("core's target syntax, plus auto, systemd and systemd:NAME", () => {
    for (const value of [
      'auto',
      'systemd',
      'systemd:web',
      'unix:/run/app.sock',
      '/run/app.sock',
      '127.0.0.1:4000',
      '[::1]:4000',
      '4000',
      'fd:3',
    ]) {
      expect(parseListen(value, flag('--listen'))).toBe(value);
    }
    expect(parseListen(4000, flag('listen'))).toBe('4000');
    expect(message(() => parseListen('nowhere', flag('--listen')))).toBe(
      '--listen: Invalid SCGI target "nowhere": use a port, "host:port", a socket path, "unix:path" or "fd:N"',
    );
    expect(message(() => parseListen('127.0.0.1:99999', flag('--listen')))).toContain('port must be 0-65535');
  });

  it('--http takes host:port, a port or a path, not a descriptor', () => {
    expect(parseHttpAddress('127.0.0.1:8080', flag('--http'))).toBe('127.0.0.1:8080');
    expect(parseHttpAddress(8080, flag('http'))).toBe('8080');
    expect(message(() => parseHttpAddress('fd:3', flag('--http')))).toBe(
      '--http: expected host:port, a port or a socket path, got "fd:3"',
    );
  });
});

describe('formatting defaults', () => {
  it('sizes and durations in their shortest exact unit', () => {
    expect([65_536, 1024 ** 3, 1536 * 1024, 1000].map(formatBytes)).toEqual(['64K', '1G', '1536K', '1000']);
    expect([0, 250, 30_000, 60_000, 90_000, 3_600_000].map(formatDuration)).toEqual([
      '0',
      '250ms',
      '30s',
      '1m',
      '90s',
      '1h',
    ]);
  });
});
