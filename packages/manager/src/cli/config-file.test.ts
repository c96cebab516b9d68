// Config files: the three spellings of a key, units by name, and every way a file is refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManagerError } from '../errors.js';
import { readConfigFile } from './config-file.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'scgi-config-')), 'scgi-node.json');
  writeFileSync(path, text);
  return path;
}

function refused(path: string): ManagerError {
  try {
    readConfigFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ManagerError);
    return error as ManagerError;
  }
  throw new Error('expected the file to be refused');
}

describe('readConfigFile', () => {
  it('takes flag names, their camelCase and the field names, with the flags’ syntax', () => {
    const path = file(
      JSON.stringify({
        $schema: 'ignored',
        app: './app.js',
        listen: 'unix:/run/app.sock',
        'max-memory': '512M',
        idleTimeout: '2m',
        maxBodyBytes: 1_048_576,
        timeoutMs: 5_000,
        workers: '2..8',
        concurrency: 10,
        allow: ['10.0.0.0/8', '::1'],
        'allow-half-close': true,
        socketMode: '600',
      }),
    );
    expect(readConfigFile(path)).toEqual({
      app: './app.js',
      values: {
        listen: 'unix:/run/app.sock',
        maxMemoryBytes: 512 * 1024 ** 2,
        idleTimeoutMs: 120_000,
        maxBodyBytes: 1_048_576,
        timeoutMs: 5_000,
        workers: { min: 2, max: 8 },
        concurrency: 10,
        allow: ['10.0.0.0/8', '::1/128'],
        allowHalfClose: true,
        socketMode: 0o600,
      },
    });
  });

  it('a bare number needs a name that says its unit', () => {
    const path = file('{"timeout": 60}');
    expect(refused(path).message).toBe(`${path}: "timeout": 60 has no unit; write 60s or 60ms`);
    expect(refused(file('{"maxMemory": 512}')).message).toMatch(
      /"maxMemory": 512 has no unit; write a size such as 512M/,
    );
  });

  it('refuses unknown keys (with a suggestion), one option twice, and bad values', () => {
    const typo = file('{"wrkers": "2..4"}');
    expect(refused(typo)).toMatchObject({
      code: 'ERR_SCGI_NODE_BAD_OPTION',
      message: `${typo}: unknown option "wrkers" (did you mean workers?)`,
    });
    const twice = file('{"max-memory": "1G", "maxMemoryBytes": 1024}');
    expect(refused(twice).message).toBe(`${twice}: "maxMemoryBytes" and "max-memory" are the same option`);
    const bad = file('{"socketMode": 660}');
    expect(refused(bad).message).toBe(
      `${bad}: "socketMode": expected an octal file mode as a string, such as "660" or "0660", got 660`,
    );
    expect(refused(file('{"app": 3}')).message).toMatch(/"app": expected the app module's path$/);
  });

  it('refuses a missing file, broken JSON and anything but an object', () => {
    expect(refused('/nonexistent/scgi-node.json')).toMatchObject({
      code: 'ERR_SCGI_NODE_BAD_CONFIG',
      exitCode: 2,
    });
    const broken = file('{"workers": ');
    expect(refused(broken).message).toMatch(new RegExp(`^--config: ${broken} is not valid JSON: `));
    for (const text of ['[]', '"serve"', 'null']) {
      expect(refused(file(text)).message).toMatch(/must hold a JSON object of options$/);
    }
  });
});
