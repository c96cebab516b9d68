// openListener with real sockets: TCP and unix binds served by real worker processes, inherited fds, systemd activation.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '@scgi-node/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagerError } from '../errors.js';
import { transpiledPackage } from '../test-support/transpiled-package.js';
import { chooseListen, DEFAULT_LISTEN, type OpenedListener, openListener } from './open-listener.js';

const CORE = createRequire(import.meta.url).resolve('@scgi-node/core');
/** A worker as the manager starts one: core's SCGI server on the listening socket it inherits as fd 3. */
const WORKER = `
const { createServer } = require('node:http');
import(process.argv[1]).then(({ scgi }) => {
  createServer((req, res) => res.end('worker ' + process.pid + ' ' + req.url))
    .listen(scgi({ fd: 3 }), () => console.log('ready'));
});`;

const children: ChildProcess[] = [];
const listeners: OpenedListener[] = [];
const servers: Server[] = [];

afterEach(async () => {
  // SIGTERM: an adopter then kills its own worker (SIGKILL would orphan it); workers die of it too.
  await Promise.all(
    children.splice(0).map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      child.kill('SIGTERM');
      return once(child, 'exit');
    }),
  );
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'scgi-open-listener-'));
}

async function open(options: Parameters<typeof openListener>[0]): Promise<OpenedListener> {
  const listener = await openListener(options);
  listeners.push(listener);
  return listener;
}

async function openError(options: Parameters<typeof openListener>[0]): Promise<ManagerError> {
  const error = await open(options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ManagerError);
  return error as ManagerError;
}

/** Start a worker process on `fd`; resolves with it once it listens. */
async function startWorker(fd: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', WORKER, CORE], { stdio: ['ignore', 'pipe', 'inherit', fd] });
  children.push(child);
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(line.toString()).toBe('ready\n');
  return child;
}

async function text(target: string, url: string): Promise<string> {
  return (await request(target, { url })).text();
}

function connectError(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('openListener: TCP', () => {
  it('binds loopback without accepting; workers accept, and connections queue while none runs', async () => {
    const listener = await open({ listen: '127.0.0.1:0' });
    expect(listener.kind).toBe('tcp');
    expect(listener.describe).toMatch(/^tcp 127\.0\.0\.1:\d+$/);
    const target = listener.connectTarget!;
    const port = Number(target.split(':')[1]);
    expect(target).toBe(`127.0.0.1:${port}`);
    // Bound, not listening: the primary never takes a connection (the first worker's listen opens it).
    expect(await connectError(port)).toBe('ECONNREFUSED');

    const first = await startWorker(listener.fd);
    expect(await text(target, '/one')).toBe(`worker ${first.pid} /one`);
    first.kill('SIGKILL');
    await once(first, 'exit');
    // No worker now: the connection waits in the backlog (the primary's descriptor keeps it listening)…
    const pending = text(target, '/queued');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // …and the next worker serves it.
    const second = await startWorker(listener.fd);
    expect(await pending).toBe(`worker ${second.pid} /queued`);
  });

  it('refuses a public address without an explicit --allow, with the way out in the message', async () => {
    for (const listen of ['0.0.0.0:0', '[::]:0', ':0']) {
      const error = await openError({ listen });
      expect(error.code).toBe('ERR_SCGI_NODE_UNSAFE_LISTEN');
      expect(error.exitCode).toBe(2);
      expect(error.message).toMatch(
        /^refusing to listen on (0\.0\.0\.0|\[::\]):0: it is not a loopback address/,
      );
      expect(error.message).toContain('or --allow 0.0.0.0/0 if any host may connect');
    }
  });

  it('binds a public address when --allow was given; a name is resolved first', async () => {
    const any = await open({ listen: '0.0.0.0:0', allow: ['0.0.0.0/0'] });
    expect(any.describe).toMatch(/^tcp 0\.0\.0\.0:\d+$/);
    expect(any.connectTarget).toMatch(/^127\.0\.0\.1:\d+$/);
    const named = await open({ listen: 'localhost:0' });
    expect(named.describe).toMatch(/^tcp (127\.0\.0\.1|\[::1\]):\d+$/);
  });

  it('reports an address in use, and a bad target', async () => {
    const taken = createServer();
    servers.push(taken);
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as { port: number };
    const error = await openError({ listen: `127.0.0.1:${port}` });
    expect(error.code).toBe('ERR_SCGI_NODE_LISTEN');
    expect(error.message).toBe(`cannot listen on tcp 127.0.0.1:${port}: address already in use (EADDRINUSE)`);
    expect((await openError({ listen: 'nowhere' })).code).toBe('ERR_SCGI_NODE_BAD_OPTION');
  });
});

describe('openListener: unix sockets', () => {
  it('applies mode and owner before any worker listens; a worker serves it; close removes the file', async () => {
    const path = join(tempDir(), 'app.sock');
    if (process.getuid?.() !== 0) {
      // Only root may give a file away: the error says so.
      const error = await openError({ listen: `unix:${path}`, socketOwner: 'nobody' });
      expect(error.code).toBe('ERR_SCGI_NODE_PRIVILEGES');
      return;
    }
    const listener = await open({ listen: `unix:${path}`, socketMode: 0o660, socketOwner: 'nobody' });
    expect(listener).toMatchObject({ kind: 'unix', describe: `unix ${path}`, connectTarget: path });
    const stat = statSync(path);
    expect(stat.mode & 0o777).toBe(0o660);
    expect(stat.uid).toBe(65534);
    const worker = await startWorker(listener.fd);
    expect(await text(path, '/u')).toBe(`worker ${worker.pid} /u`);
    await listener.close();
    expect(existsSync(path)).toBe(false);
  });

  it('replaces a stale socket file, refuses a live one and a regular file', async () => {
    const dir = tempDir();
    const stale = join(dir, 'stale.sock');
    const script = `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`;
    expect(spawnSync(process.execPath, ['-e', script]).signal).toBe('SIGKILL');
    expect(statSync(stale).isSocket()).toBe(true);
    const listener = await open({ listen: stale });
    const worker = await startWorker(listener.fd);
    expect(await text(stale, '/s')).toBe(`worker ${worker.pid} /s`);

    // The worker keeps it listening: a second manager on the same path must not steal it.
    const live = await openError({ listen: `unix:${stale}` });
    expect(live.code).toBe('ERR_SCGI_NODE_LISTEN');
    expect(live.message).toBe(`cannot listen on unix ${stale}: ${stale} is in use by a running server`);
    const file = join(dir, 'precious');
    writeFileSync(file, 'data');
    expect((await openError({ listen: `unix:${file}` })).message).toContain('exists and is not a socket');
  });
});

describe('openListener: inherited descriptors', () => {
  it('refuses fd:N that is not a socket, or not open', async () => {
    const fd = openSync(join(tempDir(), 'file'), 'w');
    try {
      const error = await openError({ listen: `fd:${fd}` });
      expect(error.code).toBe('ERR_SCGI_NODE_LISTEN');
      expect(error.message).toBe(
        `fd ${fd} is not an open stream socket (TCP or unix): pass a listening socket's descriptor`,
      );
    } finally {
      closeSync(fd);
    }
    expect((await openError({ listen: 'fd:987' })).message).toContain('fd 987 is not an open stream socket');
  });

  it("'auto' means the systemd socket only when LISTEN_FDS is meant for this process", () => {
    expect(chooseListen('auto', {}, 10)).toBe(DEFAULT_LISTEN);
    expect(chooseListen('auto', { LISTEN_FDS: '1', LISTEN_PID: '10' }, 10)).toBe('systemd');
    expect(chooseListen('auto', { LISTEN_FDS: '1' }, 10)).toBe('systemd');
    expect(chooseListen('auto', { LISTEN_FDS: '1', LISTEN_PID: '9' }, 10)).toBe(DEFAULT_LISTEN);
    expect(chooseListen('unix:/x.sock', { LISTEN_FDS: '1' }, 10)).toBe('unix:/x.sock');
  });
});

/**
 * A manager in miniature, in its own process: adopt `argv[2]` with openListener, print what it got as
 * JSON (and whether the systemd variables were removed), start a worker on the descriptor, print `ready`.
 */
const ADOPTER = `
const [openListenerUrl, listen, core, worker] = process.argv.slice(1);
const { spawn } = await import('node:child_process');
const { openListener } = await import(openListenerUrl);
try {
  const l = await openListener({ listen });
  console.log(JSON.stringify({ fd: l.fd, kind: l.kind, describe: l.describe, connectTarget: l.connectTarget,
    leftInEnv: ['LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES'].filter((name) => name in process.env) }));
  const child = spawn(process.execPath, ['-e', worker, core], { stdio: ['ignore', 'inherit', 'inherit', l.fd] });
  process.on('SIGTERM', () => { child.kill('SIGKILL'); process.exit(0); });
} catch (error) {
  console.log(JSON.stringify({ code: error.code, message: error.message }));
}`;

describe('openListener: adoption in a child process (fd:N, systemd socket activation)', () => {
  async function listeningSocket(): Promise<{ fd: number; port: number; server: Server }> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
    return { fd, port: (server.address() as { port: number }).port, server };
  }

  /** Run the adopter with `fds` as its descriptors 3, 4, …; `pidFromShell` sets LISTEN_PID as systemd does. */
  async function adopter(listen: string, fds: number[], env: NodeJS.ProcessEnv = {}, pidFromShell = false) {
    const moduleUrl = new URL(`file://${join(transpiledPackage(), 'dist', 'listen', 'open-listener.js')}`)
      .href;
    const args = ['--input-type=module', '-e', ADOPTER, moduleUrl, listen, CORE, WORKER];
    // `exec` keeps the shell's pid, so $$ is the pid node will have: how systemd fills LISTEN_PID.
    const [command, argv] = pidFromShell
      ? ['/bin/sh', ['-c', 'LISTEN_PID=$$ exec "$0" "$@"', process.execPath, ...args]]
      : [process.execPath, args];
    const child = spawn(command as string, argv as string[], {
      stdio: ['ignore', 'pipe', 'inherit', ...fds],
      env: { ...process.env, ...env },
    });
    children.push(child);
    let buffered = '';
    const nextLine = () =>
      new Promise<string>((resolve) => {
        const take = () => {
          const end = buffered.indexOf('\n');
          if (end === -1) return false;
          resolve(buffered.slice(0, end));
          buffered = buffered.slice(end + 1);
          return true;
        };
        if (take()) return;
        const onData = (chunk: Buffer) => {
          buffered += chunk.toString();
          if (take()) child.stdout!.off('data', onData);
        };
        child.stdout!.on('data', onData);
      });
    const result = JSON.parse(await nextLine()) as Record<string, unknown>;
    return { child, result, nextLine };
  }

  it('fd:N: adopts the inherited socket and its workers serve on it', async () => {
    const socket = await listeningSocket();
    const { result, nextLine } = await adopter('fd:3', [socket.fd]);
    socket.server.close(); // from here only the child and its worker hold the socket
    expect(result).toEqual({
      fd: 3,
      kind: 'fd',
      describe: `fd 3 (tcp 127.0.0.1:${socket.port})`,
      connectTarget: `127.0.0.1:${socket.port}`,
      leftInEnv: [],
    });
    expect(await nextLine()).toBe('ready');
    expect(await text(`127.0.0.1:${socket.port}`, '/fd')).toMatch(/^worker \d+ \/fd$/);
  });

  it('LISTEN_FDS/LISTEN_PID: --listen auto adopts fd 3 and removes the variables', async () => {
    const socket = await listeningSocket();
    const env = { LISTEN_FDS: '1', LISTEN_FDNAMES: 'web' };
    const { result, nextLine } = await adopter('auto', [socket.fd], env, true);
    socket.server.close();
    expect(result).toEqual({
      fd: 3,
      kind: 'systemd',
      describe: `systemd fd 3 "web" (tcp 127.0.0.1:${socket.port})`,
      connectTarget: `127.0.0.1:${socket.port}`,
      leftInEnv: [],
    });
    expect(await nextLine()).toBe('ready');
    expect(await text(`127.0.0.1:${socket.port}`, '/sd')).toMatch(/^worker \d+ \/sd$/);
  });

  it('systemd:NAME picks among several sockets; plain systemd asks for a name; a foreign LISTEN_PID is refused', async () => {
    const a = await listeningSocket();
    const b = await listeningSocket();
    servers.push(a.server, b.server);
    const env = { LISTEN_FDS: '2', LISTEN_FDNAMES: 'admin:web' };
    const picked = await adopter('systemd:web', [a.fd, b.fd], env, true);
    expect(picked.result).toMatchObject({
      fd: 4,
      kind: 'systemd',
      describe: `systemd fd 4 "web" (tcp 127.0.0.1:${b.port})`,
    });
    const ambiguous = await adopter('systemd', [a.fd, b.fd], env, true);
    expect(ambiguous.result).toEqual({
      code: 'ERR_SCGI_NODE_LISTEN',
      message:
        '--listen systemd: systemd passed 2 sockets (admin, web); choose one with --listen systemd:NAME (FileDescriptorName= in the .socket unit)',
    });
    const foreign = await adopter('systemd', [a.fd], { LISTEN_FDS: '1', LISTEN_PID: '1' });
    expect(foreign.result).toMatchObject({ code: 'ERR_SCGI_NODE_LISTEN' });
    expect(foreign.result.message).toMatch(/LISTEN_PID is 1, not this process \(\d+\)/);
  });
});
