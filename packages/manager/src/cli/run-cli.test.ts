// runCli in process: help, version, status (against a real status socket), check, and error lines with exit codes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type StatusServer, startStatusServer } from '../status/status-server.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, runCli } from './run-cli.js';

const fixture = (name: string) => join(import.meta.dirname, '..', 'app', 'fixtures', name);
const servers: StatusServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe('runCli', () => {
  it('--help prints the help on stdout and exits 0', async () => {
    const result = await run('--help');
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toMatch(/^scgi-node: run an Express, Koa, Hono/);
    expect(result.stdout).toContain('--max-requests-jitter <n>');
    expect(result.stderr).toBe('');
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
    );
    expect(await run('--version')).toEqual({ code: EXIT_OK, stdout: `${version}\n`, stderr: '' });
  });

  it('a misuse is one line on stderr, pointing at --help, and exit 2', async () => {
    expect(await run('serve', 'app.js', '--wrkers', '2')).toEqual({
      code: EXIT_USAGE,
      stdout: '',
      stderr: 'scgi-node: unknown option --wrkers (did you mean --workers?) (see scgi-node --help)\n',
    });
    expect((await run()).code).toBe(EXIT_USAGE);
  });

  it('status prints the table, or the JSON with --json', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'scgi-cli-status-')), 'status.sock');
    const snapshot = {
      pid: 77,
      state: 'running',
      listen: 'tcp 127.0.0.1:4000',
      workers: [{ id: 1, pid: 78, state: 'ready', requests: 5, inFlight: 1, rssBytes: 2048 }],
    };
    servers.push(await startStatusServer(path, () => snapshot));
    const table = await run('status', '--status-socket', path);
    expect(table.code).toBe(EXIT_OK);
    expect(table.stdout).toBe(
      'scgi-node 77: running\nlisten tcp 127.0.0.1:4000\n\nID  PID  STATE  GEN  REQUESTS  IN-FLIGHT  RSS  AGE  NOTE\n 1   78  ready    -         5          1   2K  -\n',
    );
    const json = await run('status', '--status-socket', path, '--json');
    expect(JSON.parse(json.stdout)).toEqual(snapshot);
  });

  it('status without a manager: the reason, exit 1', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'scgi-cli-status-')), 'none.sock');
    const result = await run('status', '--status-socket', path);
    expect(result.code).toBe(EXIT_FAILURE);
    expect(result.stderr).toBe(
      `scgi-node: there is no status socket at ${path} (is the manager running with --status-socket ${path}?)\n`,
    );
  });

  it('check names the kind of app, or says why it is not one', async () => {
    const koa = await run('check', fixture('koa-app.mjs'));
    expect(koa).toEqual({
      code: EXIT_OK,
      stdout: `${fixture('koa-app.mjs')}: a Koa app (koa), export "default"\n`,
      stderr: '',
    });
    const named = await run('check', fixture('named-export.mjs'), '--export', 'app');
    expect(named.stdout).toContain('a (req, res) listener (listener), export "app"');
    const router = await run('check', fixture('express-router.mjs'));
    expect(router.code).toBe(EXIT_FAILURE);
    expect(router.stderr).toMatch(
      /^scgi-node: export "default" of .*express-router\.mjs is an Express Router; mount it on an app/,
    );
  });
});
