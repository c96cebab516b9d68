// The SCGI client against real SCGI servers and misbehaving backends.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cgiVariables } from '../server/cgi-variables.js';
import { listenScgi } from '../test-support/raw-client.js';
import { request } from './request.js';

const backends: NetServer[] = [];
afterEach(() => {
  for (const backend of backends.splice(0)) backend.close();
});

/** A raw TCP backend that answers every connection with `respond`. */
async function rawBackend(respond: (socket: Socket) => void): Promise<NetServer> {
  const backend = createNetServer(respond);
  backends.push(backend);
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  return backend;
}

describe('request()', () => {
  it('sends method, url, headers, body and CGI variables; reads status, headers and body', async () => {
    const server = await listenScgi((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            accept: req.headers.accept,
            body,
            user: cgiVariables(req)?.REMOTE_USER,
          }),
        );
      });
    });
    const response = await request(server, {
      method: 'PUT',
      url: '/things/1?x=2',
      headers: { Accept: 'application/json' },
      body: 'payload',
      env: { REMOTE_USER: 'ann' },
    });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Created');
    expect(response.statusSource).toBe('status');
    expect(response.header('content-type')).toBe('application/json');
    expect(response.headers.filter(([name]) => name === 'Set-Cookie')).toHaveLength(2);
    expect(response.rawHead).toMatch(/^Status: 201 Created\r\n/);
    expect(await response.json()).toEqual({
      method: 'PUT',
      url: '/things/1?x=2',
      accept: 'application/json',
      body: 'payload',
      user: 'ann',
    });
  });

  it('streams a body of known length without buffering it', async () => {
    const server = await listenScgi((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      req.on('end', () => res.end(String(bytes)));
    });
    const chunks = Array.from({ length: 64 }, () => Buffer.alloc(16 * 1024, 1));
    const response = await request(server, {
      method: 'POST',
      body: Readable.from(chunks),
      contentLength: 64 * 16 * 1024,
    });
    expect(await response.text()).toBe(String(64 * 16 * 1024));
  });

  it('reports a refused connection as ERR_SCGI_CONNECT', async () => {
    const backend = await rawBackend(() => {});
    const { port } = backend.address() as { port: number };
    backend.close();
    await expect(request(port)).rejects.toMatchObject({ code: 'ERR_SCGI_CONNECT', status: 502 });
  });

  it('reports a head that never comes as ERR_SCGI_TIMEOUT', async () => {
    const backend = await rawBackend(() => {});
    await expect(request(backend, { headTimeoutMs: 100 })).rejects.toMatchObject({
      code: 'ERR_SCGI_TIMEOUT',
    });
  });

  it('reports garbage as ERR_SCGI_BAD_RESPONSE_HEAD and an early close as ERR_SCGI_RESPONSE_TRUNCATED', async () => {
    const garbage = await rawBackend((socket) => socket.end('no colon here\r\n\r\n'));
    await expect(request(garbage)).rejects.toMatchObject({ code: 'ERR_SCGI_BAD_RESPONSE_HEAD' });
    const early = await rawBackend((socket) => socket.end('Status: 200 OK\r\nContent-'));
    await expect(request(early)).rejects.toMatchObject({ code: 'ERR_SCGI_RESPONSE_TRUNCATED' });
  });

  it('implies 302 for a Location without Status', async () => {
    const backend = await rawBackend((socket) => socket.end('Location: /elsewhere\r\n\r\n'));
    const response = await request(backend);
    expect(response.status).toBe(302);
    expect(response.statusSource).toBe('location');
    expect(response.header('location')).toBe('/elsewhere');
  });

  it('aborts through its signal, and the server sees the abort', async () => {
    let serverSawClose = false;
    const closed = new Promise<void>((resolve) => {
      void listenScgi((_req, res) => {
        res.on('close', () => {
          serverSawClose = !res.writableFinished;
          resolve();
        });
        res.write('partial');
      }).then(async (server) => {
        const controller = new AbortController();
        const response = await request(server, { signal: controller.signal });
        response.body.on('error', () => {});
        await once(response.body, 'data');
        controller.abort();
      });
    });
    await closed;
    expect(serverSawClose).toBe(true);
  });
});

/** A worker process (SCGI on our transport, or plain node:http) that counts a body and reports its peak RSS. */
async function startCountingWorker(kind: 'scgi' | 'http') {
  const core = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
  const listen =
    kind === 'scgi'
      ? `import(${JSON.stringify(core)}).then(({ scgi }) => server.listen(scgi(0), ready))`
      : `server.listen(0, '127.0.0.1', ready)`;
  const script = `
    const server = require('node:http').createServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk) => { bytes += chunk.length; });
      req.on('end', () => res.end(JSON.stringify({ bytes, maxRssKiB: process.resourceUsage().maxRSS })));
    });
    const ready = () => console.log(server.address().port);
    ${listen};`;
  const worker = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(worker.stdout!, 'data')) as [Buffer];
  return { worker, port: Number(line.toString()) };
}

function chunks(total: number): Readable {
  const chunk = Buffer.alloc(64 * 1024, 7);
  return Readable.from(
    (function* () {
      for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
    })(),
  );
}

/** Upload `total` bytes and resolve with the worker's byte count and peak RSS. */
function upload(
  kind: 'scgi' | 'http',
  port: number,
  total: number,
): Promise<{ bytes: number; maxRssKiB: number }> {
  if (kind === 'scgi') {
    return request(port, { method: 'POST', body: chunks(total), contentLength: total }).then(
      (response) => response.json() as Promise<{ bytes: number; maxRssKiB: number }>,
    );
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { port, host: '127.0.0.1', method: 'POST', headers: { 'content-length': total }, agent: false },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk;
        });
        res.on('end', () => resolve(JSON.parse(text) as { bytes: number; maxRssKiB: number }));
      },
    );
    req.on('error', reject);
    chunks(total).pipe(req);
  });
}

/** Peak-RSS growth (MiB) of a warmed-up worker while it receives `total` bytes. */
async function peakGrowthMiB(kind: 'scgi' | 'http', total: number): Promise<number> {
  const { worker, port } = await startCountingWorker(kind);
  try {
    // The first request loads and compiles code paths: measure from after it, for both kinds alike.
    const warm = await upload(kind, port, 1024 * 1024);
    const result = await upload(kind, port, total);
    expect(result.bytes).toBe(total);
    return (result.maxRssKiB - warm.maxRssKiB) / 1024;
  } finally {
    worker.kill('SIGKILL');
  }
}

describe('a 50 MB upload', () => {
  it('streams through a worker process whose memory stays flat, like node:http', async () => {
    // Peak RSS is measured in the worker process itself. V8 frees the 64 KB chunks lazily, so some
    // growth is normal (and grows with the Node version); node:http receiving the same body in the same
    // run is the reference. A buffered body would add at least its own 50 MiB.
    const total = 50 * 1024 * 1024;
    const scgiGrowth = await peakGrowthMiB('scgi', total);
    const httpGrowth = await peakGrowthMiB('http', total);
    expect(scgiGrowth).toBeLessThan(total / 1024 / 1024);
    expect(scgiGrowth).toBeLessThan(httpGrowth + 8);
  });
});
