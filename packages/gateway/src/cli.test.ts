// The CLI as a real child process: compiled from src with the package's own tsc, then run with node.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBackend } from './test-support/servers.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const NO_DECLARATIONS = ['--declaration', 'false', '--declarationMap', 'false'];
let buildDir = '';
let cli = '';
const children: ChildProcess[] = [];

beforeAll(() => {
  buildDir = mkdtempSync(join(tmpdir(), 'scgi-gateway-cli-'));
  const tsc = createRequire(import.meta.url).resolve('typescript/lib/tsc.js');
  execFileSync(
    process.execPath,
    [tsc, '-p', join(PACKAGE_DIR, 'tsconfig.build.json'), '--outDir', buildDir, ...NO_DECLARATIONS],
    { stdio: 'pipe' },
  );
  // ESM like the package, and its dependencies resolved from the package's node_modules.
  writeFileSync(join(buildDir, 'package.json'), '{"type":"module"}');
  symlinkSync(join(PACKAGE_DIR, 'node_modules'), join(buildDir, 'node_modules'));
  cli = join(buildDir, 'cli.js');
}, 120_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(() => {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

function run(args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** The first line the CLI prints (its URL), read without taking stdout away from `run`'s collector. */
async function firstLine(cmd: ReturnType<typeof run>): Promise<string> {
  let exited = false;
  void cmd.exited.then(() => {
    exited = true;
  });
  while (!cmd.stdout().includes('\n')) {
    if (exited) throw new Error(`the CLI exited without printing its URL: ${cmd.stderr()}`);
    await Promise.race([once(cmd.child.stdout!, 'data'), cmd.exited]);
  }
  return cmd.stdout().slice(0, cmd.stdout().indexOf('\n'));
}

describe('scgi-gateway CLI', () => {
  it('--help prints the usage and exits 0', async () => {
    const cmd = run(['--help']);
    expect(await cmd.exited).toEqual({ code: 0, signal: null });
    expect(cmd.stdout()).toMatch(/--target <unix:\/path\.sock \| host:port \| port>/);
  });

  it('exits 2 with the usage when --target is missing or bad', async () => {
    const missing = run(['--listen', '127.0.0.1:0']);
    expect((await missing.exited).code).toBe(2);
    expect(missing.stderr()).toMatch(/--target is required/);
    const bad = run(['--target', 'not a target']);
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderr()).toMatch(/Invalid SCGI target/);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`prints its URL, serves the backend, and stops cleanly on ${signal} with a keep-alive client`, async () => {
      const backend = await startBackend((req, res) => res.end(`cli ${req.url}`));
      const target = `unix:${backend.address() as string}`;
      const cmd = run(['--target', target, '--listen', '127.0.0.1:0']);
      const line = await firstLine(cmd);
      const match = /^scgi-gateway: (http:\/\/127\.0\.0\.1:\d+\/) -> (.+)$/.exec(line);
      expect(match?.[2]).toBe(target);
      const agent = new Agent({ keepAlive: true });
      try {
        const req = request(`${match![1]}hello`, { agent });
        req.end();
        const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
        expect([res.statusCode, Buffer.concat(await res.toArray()).toString()]).toEqual([200, 'cli /hello']);
        // The idle keep-alive connection must not hold the process up.
        cmd.child.kill(signal);
        expect(await cmd.exited).toEqual({ code: 0, signal: null });
        expect(cmd.stdout()).toContain(`${signal}, stopping`);
      } finally {
        agent.destroy();
      }
    });
  }
});
