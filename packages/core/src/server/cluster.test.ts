// Under node:cluster (and pm2's cluster mode) every worker listens on the same unix socket path: the
// primary binds it once and shares it, so a worker must not take the primary's socket for a rival's.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { request } from '../client/request.js';

// The workers load the built package, as a deployed app would (turbo builds before testing).
const core = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const WORKERS = 2;
const ignore = () => {};

/** A cluster primary whose workers answer their pid over `app.listen(scgi(path))`; prints each event. */
function startCluster(path: string): ChildProcess {
  const script = `
    import cluster from 'node:cluster';
    import { createServer } from 'node:http';
    import { scgi } from ${JSON.stringify(core)};
    if (cluster.isPrimary) {
      // One after another: each later worker finds the socket file the primary bound for the first.
      let listening = 0;
      cluster.fork();
      cluster.on('listening', () => {
        if (++listening === ${WORKERS}) console.log('ready');
        else cluster.fork();
      });
      cluster.on('exit', (worker, code) => console.log('exit ' + code));
      process.on('SIGTERM', () => { for (const worker of Object.values(cluster.workers)) worker.kill(); });
    } else {
      createServer((req, res) => res.end(String(process.pid)))
        .listen(scgi(${JSON.stringify(path)}))
        .on('error', (error) => { console.log('error ' + error.code); process.exit(3); });
    }`;
  // A file, not `-e`: cluster.fork() starts each worker from the primary's script.
  const file = join(dirname(path), 'cluster-app.mjs');
  writeFileSync(file, script);
  const child = spawn(process.execPath, [file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
}

/** The child's first line of output (the rest is read and dropped, so its later lines find a reader). */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before a line: ${text}`)));
  });
}

async function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
}

const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map(stopped));
});

const socketPath = (name: string) => join(mkdtempSync(join(tmpdir(), 'scgi-cluster-')), name);

/** Which worker pids answer `count` requests on `path`. */
async function answeringPids(path: string, count: number): Promise<Set<string>> {
  const pids = new Set<string>();
  for (let i = 0; i < count; i++) pids.add(await (await request(path)).text());
  return pids;
}

describe('listen(scgi(path)) under node:cluster', () => {
  it('has every worker serve the path the primary shares, and removes the file when all stop', async () => {
    const path = socketPath('app.sock');
    const primary = startCluster(path);
    expect(await firstLine(primary)).toBe('ready');
    // The primary hands connections out in turn (round-robin is node's default on Linux).
    expect((await answeringPids(path, 20)).size).toBe(WORKERS);
    await stopped(primary);
    expect(existsSync(path)).toBe(false);
  });

  it('replaces a stale socket file left by a dead process', async () => {
    const path = socketPath('stale.sock');
    const dead = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    await once(dead, 'exit');
    expect(existsSync(path)).toBe(true);
    const primary = startCluster(path);
    expect(await firstLine(primary)).toBe('ready');
    expect((await answeringPids(path, 20)).size).toBe(WORKERS);
  });

  it("fails the workers' listen when another process serves the path, and leaves that one alone", async () => {
    const path = socketPath('taken.sock');
    const rival = createNetServer((socket) => socket.on('error', ignore).end('rival')).listen(path);
    await once(rival, 'listening');
    onTestFinished(() => new Promise<void>((resolve) => rival.close(() => resolve())));
    const primary = startCluster(path);
    expect(await firstLine(primary)).toBe('error EADDRINUSE');
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      connect(path)
        .on('data', (chunk) => {
          text += chunk;
        })
        .on('end', () => resolve(text))
        .on('error', reject);
    });
    expect(answer).toBe('rival');
  });
});
