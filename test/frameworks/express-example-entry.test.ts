// The example's runnable entries as real child processes: dist/scgi.js (SCGI worker) and dist/http.js (node:http).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { request } from '@scgi-node/core';
import { afterEach, describe, expect, it } from 'vitest';
import { within } from './support/express-harness.js';

const DIST = fileURLToPath(new URL('../../examples/express-app/dist/', import.meta.url));
const children = new Set<ChildProcess>();

afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

/** Start `dist/<entry>` and resolve with the port from its "listening on" log line. */
async function startEntry(
  entry: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number }> {
  const script = `${DIST}${entry}`;
  if (!existsSync(script))
    throw new Error(`${script} is missing: build first (node scripts/run.mjs turbo run build)`);
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: 'pipe' });
  children.add(child);
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const port = await within(
    new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (?:http:\/\/)?\S*:(\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) =>
        reject(new Error(`${entry} exited (${code}) before listening:\n${output}`)),
      );
    }),
    20_000,
    `${entry} to log where it listens`,
  );
  return { child, port };
}

async function stopsCleanly(child: ChildProcess): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = (await within(exited, 20_000, 'exit after SIGTERM')) as [number | null];
  return code;
}

describe('examples/express-app entries', () => {
  it('scgi.js listens on SCGI_LISTEN, serves over SCGI and exits 0 on SIGTERM', async () => {
    const { child, port } = await startEntry('scgi.js', {
      SCGI_LISTEN: '127.0.0.1:0',
      NODE_ENV: 'production',
    });
    const response = await request(port, {
      url: '/whoami',
      headers: { Accept: 'application/json', Host: 'example.test' },
      env: { REMOTE_ADDR: '192.0.2.10', REMOTE_USER: 'bob' },
    });
    expect(await response.json()).toMatchObject({ ip: '192.0.2.10', remoteUser: 'bob', scgi: true });
    const index = await request(port, { url: '/' });
    expect(await index.text()).toContain('<h1>An Express 5 app over SCGI</h1>');
    expect(await stopsCleanly(child)).toBe(0);
  });

  it('http.js serves the same app on plain HTTP (PORT) for comparison', async () => {
    const { child, port } = await startEntry('http.js', { PORT: '0', NODE_ENV: 'production' });
    const body = await new Promise<string>((resolve, reject) => {
      get({ port, host: '127.0.0.1', path: '/whoami', headers: { Accept: 'application/json' } }, (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    // Bound to all interfaces (dual stack): the loopback client may show as ::ffff:127.0.0.1.
    expect(JSON.parse(body)).toMatchObject({
      ip: expect.stringMatching(/127\.0\.0\.1$/),
      protocol: 'http',
      scgi: false,
    });
    expect(await stopsCleanly(child)).toBe(0);
  });
});
