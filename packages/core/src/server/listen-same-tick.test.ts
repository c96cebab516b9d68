// Issue 14: a unix-socket bind happens in the listen() call's own tick when the path is free, as
// net.Server#listen(path) does, so `server.address()` is right straight after `listen()`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { request } from '../client/request.js';
import { track } from '../test-support/raw-client.js';
import { createServer } from './create-server.js';
import { listenScgiNet } from './listen.js';
import { scgi } from './target.js';

const hello = (_req: unknown, res: { end(body: string): void }) => res.end('hello');
const socketPath = (name: string) => join(mkdtempSync(join(tmpdir(), 'scgi-tick-')), name);
const closeNet = (server: NetServer) => new Promise((resolve) => server.close(resolve));

/** A socket file whose listener died without unlinking it. */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  await once(child, 'exit');
  expect(statSync(path).isSocket()).toBe(true);
}

/** Count 'listening' events and callback calls over a few ticks after the server is up. */
async function countListening(start: (onListen: () => void) => Server | NetServer) {
  let callbacks = 0;
  let events = 0;
  const server = start(() => callbacks++);
  server.on('listening', () => events++);
  if (!server.listening) await once(server, 'listening');
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { server, callbacks, events };
}

describe('same-tick unix socket bind (issue 14)', () => {
  it('net.Server itself: address() is the path right after listen(path) (the reference)', async () => {
    const path = socketPath('net.sock');
    const server = createNetServer().listen(path);
    expect(server.address()).toBe(path);
    expect(server.listening).toBe(true);
    await closeNet(server);
  });

  it('listen(scgi(path)): address() is the path in the same tick, and it serves', async () => {
    const path = socketPath('app.sock');
    const server = track(createHttpServer(hello));
    server.listen(scgi(path));
    expect(server.address()).toBe(path);
    expect(server.listening).toBe(true);
    expect(await (await request(path)).text()).toBe('hello');
  });

  it('listen(scgi({ path, mode })): same tick, and the mode is applied before any listening handler', async () => {
    const path = socketPath('mode.sock');
    const server = track(createHttpServer(hello));
    let modeSeen = -1;
    server.listen(scgi({ path, mode: 0o600 }), () => {
      modeSeen = statSync(path).mode & 0o777;
    });
    expect(server.address()).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await once(server, 'listening');
    expect(modeSeen).toBe(0o600);
  });

  it('createServer(...).listen(path) and .listen(scgi(path)): same tick', () => {
    const plain = track(createServer(hello));
    const plainPath = socketPath('plain.sock');
    plain.listen(plainPath);
    expect(plain.address()).toBe(plainPath);
    const branded = track(createServer(hello));
    const brandedPath = socketPath('branded.sock');
    branded.listen(scgi(`unix:${brandedPath}`));
    expect(branded.address()).toBe(brandedPath);
  });

  it('listenScgiNet(server, path): same tick', async () => {
    const path = socketPath('net-helper.sock');
    const server = listenScgiNet(createNetServer(), path);
    expect(server.address()).toBe(path);
    await closeNet(server);
  });

  it("'listening' and the callback fire once each, for a free path and for a stale one", async () => {
    const free = socketPath('once.sock');
    const fresh = await countListening((cb) => track(createHttpServer(hello)).listen(scgi(free), cb));
    expect([fresh.callbacks, fresh.events]).toEqual([1, 1]);

    const stale = socketPath('stale-once.sock');
    await staleSocket(stale);
    const replaced = await countListening((cb) => track(createHttpServer(hello)).listen(scgi(stale), cb));
    expect([replaced.callbacks, replaced.events]).toEqual([1, 1]);
  });

  it('a stale file: address() is null and listening false until it is replaced, then the path', async () => {
    const path = socketPath('stale.sock');
    await staleSocket(path);
    const server = track(createHttpServer(hello));
    server.listen(scgi(path));
    expect(server.address()).toBeNull();
    expect(server.listening).toBe(false);
    await once(server, 'listening');
    expect(server.address()).toBe(path);
    expect(await (await request(path)).text()).toBe('hello');
  });

  it('a live listener on the path: refused with ERR_SCGI_SOCKET_IN_USE, the live one keeps serving', async () => {
    const path = socketPath('live.sock');
    const live = track(createHttpServer(hello));
    live.listen(scgi(path));
    const second = createHttpServer(hello);
    second.listen(scgi(path));
    expect(second.address()).toBeNull();
    const [error] = (await once(second, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ERR_SCGI_SOCKET_IN_USE');
    expect(second.listening).toBe(false);
    expect(await (await request(path)).text()).toBe('hello');
  });

  it("a path that is not a socket: 'error' on a later tick (as net reports bind errors), not a throw", async () => {
    const path = socketPath('dir');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path);
    const server = createHttpServer(hello);
    let errors = 0;
    server.on('error', () => errors++);
    expect(() => server.listen(scgi(path))).not.toThrow();
    expect(errors).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toBe(1);
  });
});
