// Show: --user nobody: workers run as nobody and still serve; the socket mode is honoured; a client outside --allow is refused.
import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { encodeRequestHead } from '@scgi-node/core/protocol';
import { describe, expect, it } from 'vitest';
import { scgiGet } from './support/load.js';
import { takeMachine } from './support/machine-lock.js';
import { FIXTURES, startManager, tempDir } from './support/manager-process.js';

takeMachine();

const isRoot = process.getuid?.() === 0;
if (!isRoot)
  console.log('privileges.test.ts: --user needs the manager to start as root; skipped (CI runs as root)');

/** `Uid:` and `Groups:` of a process, from /proc. */
function procIds(pid: number): { uids: number[]; gids: number[]; groups: string } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  return {
    uids: field('Uid').split(/\s+/).map(Number),
    gids: field('Gid').split(/\s+/).map(Number),
    groups: field('Groups'),
  };
}

describe.skipIf(!isRoot)('--user nobody (as root)', () => {
  it('runs the workers as nobody, still serving, on a unix socket with the mode asked for', async () => {
    const dir = tempDir();
    const socket = join(dir, 'app.sock');
    const manager = startManager(
      join(FIXTURES, 'probe-app.mjs'),
      ['--listen', `unix:${socket}`, '--workers', '2', '--user', 'nobody', '--socket-mode', '660'],
      dir,
    );
    await manager.ready();
    expect(statSync(socket).mode & 0o777).toBe(0o660);
    expect(statSync(socket).isSocket()).toBe(true);
    const answer = await scgiGet(socket, '/');
    expect(answer.ok).toBe(true);
    expect(answer.body?.uid).toBe(65534);
    for (const worker of (await manager.status()).workers) {
      const ids = procIds(worker.pid);
      expect(ids.uids).toEqual([65534, 65534, 65534, 65534]); // real, effective, saved, filesystem
      expect(ids.gids[0]).toBe(65534);
      expect(ids.groups).toBe(''); // root's supplementary groups dropped
    }
    expect(procIds(manager.pid).uids[0]).toBe(0); // the manager keeps root to fork and to bind
  });

  it('refuses a TCP client outside --allow, before it reads a byte, and logs it', async () => {
    const dir = tempDir();
    const manager = startManager(
      join(FIXTURES, 'probe-app.mjs'),
      ['--listen', '127.0.0.1:0', '--allow', '127.0.0.1/32', '--workers', '2', '--user', 'nobody'],
      dir,
    );
    const listen = await manager.ready();
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(listen)?.[1]);
    const inside = await scgiGet(`127.0.0.1:${port}`, '/');
    expect(inside.ok).toBe(true);
    expect(inside.body?.uid).toBe(65534);

    // 127.0.0.2 is this machine too (all of 127/8 is loopback), but not in 127.0.0.1/32.
    const outside = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    const received: Buffer[] = [];
    outside.on('data', (chunk: Buffer) => received.push(chunk));
    outside.on('error', () => {});
    await once(outside, 'connect');
    outside.write(
      encodeRequestHead(
        [
          ['REQUEST_METHOD', 'GET'],
          ['REQUEST_URI', '/'],
        ],
        0,
      ),
    );
    await new Promise((resolve) => outside.on('close', resolve)); // an end, or a reset: never an answer
    expect(Buffer.concat(received).length).toBe(0);
    const refused = await manager.waitForLog(
      (line) => line.msg === 'connection refused: client outside --allow',
    );
    expect(refused.address).toBe('127.0.0.2');
    expect((await manager.status()).totals.refused).toBe(1);
  });
});
