// Listening: TCP on loopback, unix sockets (mode, stale files, live listeners), inherited fds, the hook's scope.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, get, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { request } from '../client/request.js';
import { nginxPairs, rawExchange, track, wire } from '../test-support/raw-client.js';
import { createServer } from './create-server.js';
import { scgi } from './target.js';

const hello = (_req: unknown, res: { end(body: string): void }) => res.end('hello');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'scgi-listen-'));
}

async function listening(server: Server | NetServer): Promise<void> {
  if (!server.listening) await once(server, 'listening');
}

describe('listen(scgi(...))', () => {
  it('binds a bare port to loopback and returns the http.Server', async () => {
    const server = track(createHttpServer(hello));
    const returned = server.listen(scgi(0));
    expect(returned).toBe(server);
    await listening(server);
    expect(server.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    const response = await request(server, { url: '/' });
    expect(await response.text()).toBe('hello');
  });

  it("emits 'request' on the server and calls the listen callback", async () => {
    const server = track(createHttpServer());
    const urls: string[] = [];
    server.on('request', (req, res) => {
      urls.push(req.url!);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(scgi('127.0.0.1:0'), resolve));
    await (await request(server, { url: '/x?y=1' })).buffer();
    expect(urls).toEqual(['/x?y=1']);
  });

  it('serves a unix socket with the requested mode and removes the file on close', async () => {
    const path = join(tempDir(), 'app.sock');
    const server = createHttpServer(hello);
    server.listen(scgi({ path, mode: 0o660 }));
    await listening(server);
    expect(statSync(path).mode & 0o777).toBe(0o660);
    expect(await (await request(path)).text()).toBe('hello');
    await new Promise((resolve) => server.close(resolve));
    expect(existsSync(path)).toBe(false);
  });

  it('replaces a stale socket file left by a dead process', async () => {
    const path = join(tempDir(), 'stale.sock');
    // A listener that goes away without unlinking leaves a socket file nobody accepts on.
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    await once(child, 'exit');
    expect(statSync(path).isSocket()).toBe(true);
    const server = track(createHttpServer(hello));
    server.listen(scgi(`unix:${path}`));
    await listening(server);
    expect(await (await request(path)).text()).toBe('hello');
  });

  it('refuses a socket path that a live server is listening on', async () => {
    const path = join(tempDir(), 'live.sock');
    const live = track(createHttpServer(hello));
    live.listen(scgi(path));
    await listening(live);
    const second = createHttpServer(hello);
    second.listen(scgi(path));
    const [error] = (await once(second, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ERR_SCGI_SOCKET_IN_USE');
    expect(await (await request(path)).text()).toBe('hello');
  });

  it('refuses to replace a path that is not a socket', async () => {
    const path = join(tempDir(), 'not-a-socket');
    writeFileSync(path, 'precious');
    const server = createHttpServer(hello);
    server.listen(scgi(path));
    const [error] = (await once(server, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ERR_SCGI_SOCKET_IN_USE');
  });

  it('serves an inherited listening fd (socket activation) in a child process', async () => {
    const parent = createNetServer();
    parent.listen(0, '127.0.0.1');
    await listening(parent);
    const { port } = parent.address() as { port: number };
    const fd = (parent as unknown as { _handle: { fd: number } })._handle.fd;
    // The child loads the built package, as a deployed worker would (turbo builds before testing).
    const core = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const script = `
      const { createServer } = require('node:http');
      import(${JSON.stringify(core)}).then(({ scgi }) => {
        createServer((req, res) => res.end('from child ' + req.url)).listen(scgi('fd:3'), () => console.log('ready'));
      });`;
    const child = spawn(process.execPath, ['-e', script], {
      stdio: ['ignore', 'pipe', 'inherit', fd],
    });
    try {
      await once(child.stdout!, 'data');
      parent.close(); // only the child's copy of the socket accepts now
      const response = await request(port, { url: '/via-fd' });
      expect(await response.text()).toBe('from child /via-fd');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('leaves servers without an scgi() target speaking HTTP', async () => {
    const server = track(createHttpServer(hello));
    server.listen(0, '127.0.0.1');
    await listening(server);
    const { port } = server.address() as { port: number };
    const body = await new Promise<string>((resolve, reject) => {
      get({ port, host: '127.0.0.1', path: '/' }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve(`${res.statusCode} ${text}`));
      }).on('error', reject);
    });
    expect(body).toBe('200 hello');
  });
});

describe('createServer()', () => {
  it('speaks SCGI on a plain listen(port), bound to loopback', async () => {
    const server = track(createServer(hello));
    server.listen(0);
    await listening(server);
    expect(server.address()).toMatchObject({ address: '127.0.0.1' });
    const result = await rawExchange(server, wire(nginxPairs('GET', '/')));
    expect(result.text).toMatch(/^Status: 200 OK\r\n[\s\S]*\r\n\r\nhello$/);
  });

  it('applies its limits', async () => {
    const server = track(createServer(hello, { maxBodyBytes: 10 }));
    server.listen(scgi(0, { maxBodyBytes: 10 }));
    await listening(server);
    const result = await rawExchange(server, wire(nginxPairs('POST', '/', [], 11), 'x'.repeat(11)));
    expect(result.head).toMatch(/^Status: 413 /);
  });
});
