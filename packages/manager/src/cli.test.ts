// The `scgi-node` bin as a real process: shebang, exit codes, real Node loading of every app kind, status, serve.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '@scgi-node/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startStatusServer } from './status/status-server.js';
import { transpiledPackage } from './test-support/transpiled-package.js';

const fixture = (name: string) => join(import.meta.dirname, 'app', 'fixtures', name);
const children: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(
    children.splice(0).map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      child.kill('SIGKILL');
      return once(child, 'exit');
    }),
  );
});

/** Start the bin (through node, or as an executable file when `direct`). */
function start(args: string[], direct = false) {
  const bin = join(transpiledPackage(), 'dist', 'cli.js');
  const child = direct
    ? spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, exited, stdout: () => stdout };
}

const run = (...args: string[]) => start(args).exited;

describe('scgi-node (the bin)', () => {
  it('runs as an executable through its #!/usr/bin/env node line', async () => {
    const bin = join(transpiledPackage(), 'dist', 'cli.js');
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    expect(await start(['--version'], true).exited).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('--help exits 0; a misuse exits 2 with one line on stderr', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--crash-budget <n>');
    expect(await run('serve')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'scgi-node: serve needs the app module: scgi-node serve ./app.js (see scgi-node --help)\n',
    });
    expect((await run('serve', 'app.js', '--listen', '0.0.0.0:0', '--timeout', '9')).stderr).toBe(
      'scgi-node: --timeout: "9" has no unit; write 9s or 9ms (see scgi-node --help)\n',
    );
  });

  it('check: every kind of app module, loaded by Node itself', async () => {
    const kinds: Array<[string, string]> = [
      ['express-app.mjs', 'an Express app (express)'],
      ['koa-app.mjs', 'a Koa app (koa)'],
      ['hono-app.mjs', 'a Hono app (hono)'],
      ['fetch-object.mjs', 'an object with fetch() (fetch)'],
      ['fetch-function.mjs', 'a fetch handler function (fetch)'],
      ['listener.cjs', 'a (req, res) listener (listener)'],
      ['transpiled.cjs', 'a (req, res) listener (listener)'],
      ['http-server.mjs', "an http.Server's listener (listener)"],
      ['promised.mjs', 'a fetch handler function (fetch)'],
    ];
    const results = await Promise.all(kinds.map(([name]) => run('check', fixture(name))));
    results.forEach((result, i) => {
      const [name, kind] = kinds[i]!;
      expect(result).toEqual({
        code: 0,
        stdout: `${fixture(name)}: ${kind}, export "default"\n`,
        stderr: '',
      });
    });
  });

  it('check: refusals as Node reports them, exit 1', async () => {
    const ambiguous = await run('check', fixture('ambiguous.mjs'));
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain(
      'is a function "default" with 0 declared parameters, which is ambiguous',
    );
    const throws = await run('check', fixture('throws.mjs'));
    expect(throws.stderr).toMatch(
      /^scgi-node: the app module .*throws\.mjs failed to load: DATABASE_URL is not set\n$/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'scgi-cli-'));
    writeFileSync(join(dir, 'broken.mjs'), 'export default (req, res) => {');
    const broken = await run('check', join(dir, 'broken.mjs'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken\.mjs failed to load: Unexpected end of input/);
  });

  it('status reads a real status socket', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'scgi-cli-')), 'status.sock');
    const server = await startStatusServer(path, () => ({
      pid: 5,
      state: 'running',
      listen: 'fd 3',
      workers: [],
    }));
    try {
      expect(await run('status', '--status-socket', path)).toEqual({
        code: 0,
        stdout:
          'scgi-node 5: running\nlisten fd 3\n\nID  PID  STATE  GEN  REQUESTS  IN-FLIGHT  RSS  AGE  NOTE\n(no workers)\n',
        stderr: '',
      });
    } finally {
      await server.close();
    }
  });

  it('serve: ready line, requests served, status, and SIGTERM exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scgi-cli-serve-'));
    const socket = join(dir, 'app.sock');
    const statusSocket = join(dir, 'status.sock');
    const args = ['serve', fixture('express-app.mjs'), '--listen', `unix:${socket}`, '--workers', '1'];
    const serve = start([...args, '--status-socket', statusSocket, '--log-level', 'warn']);
    while (!serve.stdout().includes('\n')) await once(serve.child.stdout!, 'data');
    expect(serve.stdout()).toBe(`scgi-node: ready, 1 workers on unix ${socket}\n`);
    const response = await request(socket, { url: '/hello/cli' });
    expect(await response.json()).toMatchObject({ hello: 'cli', via: 'express' });
    const status = await run('status', '--status-socket', statusSocket, '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'running', listen: `unix ${socket}` });
    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
  });
});
