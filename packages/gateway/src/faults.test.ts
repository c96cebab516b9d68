// Gateway faults: each answered with its status, logged once with its cause, and nothing left open.
import { once } from 'node:events';
import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GatewayLogEntry } from './log.js';
import { httpRequest, openClient } from './test-support/http-client.js';
import { openFds, settledState, waitFor } from './test-support/leaks.js';
import { closeOf, startBackend, startGateway, startRawBackend, tempDir } from './test-support/servers.js';

/** A port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function summary(logs: GatewayLogEntry[]) {
  return logs.map(({ level, code, status }) => ({ level, code, status }));
}

/** Everything open before the fault is closed again: fds back to the baseline, no connections left. */
async function expectNothingLeft(baselineFds: Set<string>, servers: NetServer[]) {
  expect(await settledState(baselineFds, servers)).toEqual({ newFds: [], connections: servers.map(() => 0) });
}

describe('backend unreachable -> 502', () => {
  it('connection refused (TCP)', async () => {
    const gateway = await startGateway({ target: `127.0.0.1:${await closedPort()}` });
    const fds = openFds();
    const result = await httpRequest(`${gateway.url}/x`);
    expect(result.status).toBe(502);
    expect(summary(gateway.logs)).toEqual([{ level: 'error', code: 'ERR_SCGI_CONNECT', status: 502 }]);
    expect((gateway.logs[0]!.error.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(gateway.logs[0]!.message).toContain('ECONNREFUSED');
    await expectNothingLeft(fds, [gateway.server]);
  });

  it('no socket file (unix)', async () => {
    const gateway = await startGateway({ target: `unix:${join(tempDir(), 'nobody.sock')}` });
    const fds = openFds();
    expect((await httpRequest(`${gateway.url}/`)).status).toBe(502);
    expect(summary(gateway.logs)).toEqual([{ level: 'error', code: 'ERR_SCGI_CONNECT', status: 502 }]);
    expect((gateway.logs[0]!.error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    await expectNothingLeft(fds, [gateway.server]);
  });
});

describe('backend misbehaves -> 502, or a cut response once the head is out', () => {
  const cases = [
    { name: 'sends garbage', reply: 'this is not a CGI head\r\n\r\n', code: 'ERR_SCGI_BAD_RESPONSE_HEAD' },
    { name: 'closes mid-head', reply: 'Status: 200 OK\r\nContent-Ty', code: 'ERR_SCGI_RESPONSE_TRUNCATED' },
    { name: 'closes without a reply', reply: '', code: 'ERR_SCGI_RESPONSE_TRUNCATED' },
    { name: 'sends a 1xx status', reply: 'Status: 100 Continue\r\n\r\n', code: 'ERR_SCGI_BAD_STATUS' },
    {
      name: 'sends two different Content-Lengths',
      reply: 'Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
      code: 'ERR_SCGI_BAD_RESPONSE_HEAD',
    },
  ];
  for (const { name, reply, code } of cases) {
    it(`${name} -> 502 ${code}`, async () => {
      const backend = await startRawBackend((socket) => socket.once('data', () => socket.end(reply)));
      const gateway = await startGateway({ target: backend });
      const fds = openFds();
      expect((await httpRequest(`${gateway.url}/`)).status).toBe(502);
      expect(summary(gateway.logs)).toEqual([{ level: 'error', code, status: 502 }]);
      await expectNothingLeft(fds, [gateway.server, backend]);
    });
  }

  const midBody = 'Status: 200 OK\r\nContent-Length: 100\r\n\r\n0123456789abcdefghi\n';

  it('closes mid-body (short of Content-Length), streaming: the client sees the response cut', async () => {
    const backend = await startRawBackend((socket) => socket.once('data', () => socket.end(midBody)));
    const gateway = await startGateway({ target: backend });
    const fds = openFds();
    await expect(httpRequest(`${gateway.url}/`)).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    await waitFor(() => gateway.logs.length > 0);
    expect(summary(gateway.logs)).toEqual([
      { level: 'error', code: 'ERR_SCGI_RESPONSE_TRUNCATED', status: undefined },
    ]);
    await expectNothingLeft(fds, [gateway.server, backend]);
  });

  it('closes mid-body, buffering on: nothing was sent yet, so the client gets 502', async () => {
    const backend = await startRawBackend((socket) => socket.once('data', () => socket.end(midBody)));
    const gateway = await startGateway({ target: backend, responseBuffering: { enabled: true } });
    const fds = openFds();
    expect((await httpRequest(`${gateway.url}/`)).status).toBe(502);
    expect(summary(gateway.logs)).toEqual([
      { level: 'error', code: 'ERR_SCGI_RESPONSE_TRUNCATED', status: 502 },
    ]);
    await expectNothingLeft(fds, [gateway.server, backend]);
  });

  it('resets the connection mid-body: the cause (ECONNRESET) is logged and the client cut', async () => {
    let backendSocket: Socket | undefined;
    const backend = await startRawBackend(
      (socket) => {
        backendSocket = socket;
        socket.once('data', () => socket.write('Status: 200 OK\r\n\r\nfirst part'));
      },
      { tcp: true }, // an RST, not a FIN: only TCP can send one
    );
    const gateway = await startGateway({ target: backend });
    const fds = openFds();
    const req = request(`${gateway.url}/`, { agent: false });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    expect(res.statusCode).toBe(200);
    // The response is under way at the client: now the backend resets the connection.
    backendSocket!.resetAndDestroy();
    await expect(res.toArray()).rejects.toThrow(/aborted/);
    await waitFor(() => gateway.logs.length > 0);
    expect(summary(gateway.logs)).toEqual([
      { level: 'error', code: 'ERR_SCGI_RESPONSE_TRUNCATED', status: undefined },
    ]);
    expect((gateway.logs[0]!.error.cause as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    await expectNothingLeft(fds, [gateway.server, backend]);
  });
});

describe('slow backend -> 504', () => {
  it('no response head within backendTimeoutMs: 504, and the worker sees its request aborted', async () => {
    let aborted: Promise<void> | undefined;
    const backend = await startBackend((req) => {
      aborted = closeOf(req); // never answers
    });
    const gateway = await startGateway({ target: backend, backendTimeoutMs: 200 });
    const fds = openFds();
    const result = await httpRequest(`${gateway.url}/slow`);
    expect(result.status).toBe(504);
    expect(result.body.toString()).toBe('504 Gateway Timeout\n');
    expect(summary(gateway.logs)).toEqual([{ level: 'error', code: 'ERR_SCGI_TIMEOUT', status: 504 }]);
    expect(gateway.logs[0]!.message).toMatch(/within 200 ms/);
    await aborted;
    await expectNothingLeft(fds, [gateway.server, backend]);
  });
});

describe('backendTimeoutMs counts the backend, not the client', () => {
  it('a client uploading for longer than the timeout still gets its answer', async () => {
    let received = 0;
    const backend = await startBackend(async (req, res) => {
      for await (const chunk of req) received += (chunk as Buffer).length;
      res.end(`got ${received}`);
    });
    const gateway = await startGateway({ target: backend, backendTimeoutMs: 100 });
    const client = await openClient(gateway.port);
    const chunks: Buffer[] = [];
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.write(
      'POST /slow-upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\nhello',
    );
    expect(await waitFor(() => received === 5)).toBe(true);
    // A slow client: three times the backend timeout between the two halves of its body.
    await new Promise((resolve) => setTimeout(resolve, 300));
    client.write('world');
    await once(client, 'close');
    expect(Buffer.concat(chunks).toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*got 10/);
    expect(gateway.logs).toEqual([]);
  });
});

describe('client aborts', () => {
  it('mid-upload: the worker sees its request aborted; logged once as CLIENT_ABORTED', async () => {
    let request: IncomingMessage | undefined;
    let received = 0;
    const backend = await startBackend((req) => {
      request = req;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
    });
    const gateway = await startGateway({ target: backend });
    const fds = openFds();
    const client = await openClient(gateway.port);
    client.write(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${1024 * 1024}\r\n\r\n`);
    client.write(Buffer.alloc(64 * 1024, 'u'));
    expect(await waitFor(() => received > 0)).toBe(true);
    const closed = closeOf(request!);
    client.destroy();
    await closed;
    expect(request!.complete).toBe(false);
    await waitFor(() => gateway.logs.length > 0);
    expect(summary(gateway.logs)).toEqual([{ level: 'info', code: 'CLIENT_ABORTED', status: undefined }]);
    await expectNothingLeft(fds, [gateway.server, backend]);
  });

  it('mid-download (streaming): the worker sees its response aborted; logged once', async () => {
    let response: ServerResponse | undefined;
    const backend = await startBackend((_req, res) => {
      response = res;
      const chunk = Buffer.alloc(16 * 1024, 'd');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const gateway = await startGateway({ target: backend });
    const fds = openFds();
    const client = await openClient(gateway.port);
    client.write('GET /down HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(client, 'data');
    const closed = closeOf(response!);
    client.destroy();
    await closed;
    expect(response!.writableFinished).toBe(false);
    await waitFor(() => gateway.logs.length > 0);
    expect(summary(gateway.logs)).toEqual([{ level: 'info', code: 'CLIENT_ABORTED', status: undefined }]);
    await expectNothingLeft(fds, [gateway.server, backend]);
  });

  it('mid-download of a response buffered in a temp file: the file is closed, logged once', async () => {
    const size = 2 * 1024 * 1024;
    const dir = tempDir();
    const backend = await startBackend((_req, res) => res.end(Buffer.alloc(size, 'f')));
    const gateway = await startGateway({
      target: backend,
      responseBuffering: { enabled: true, memoryLimitBytes: 64 * 1024, tempDir: dir },
    });
    const fds = openFds();
    const client = await openClient(gateway.port);
    client.write('GET /file HTTP/1.1\r\nHost: x\r\n\r\n');
    const [first] = (await once(client, 'data')) as [Buffer];
    const head = first.toString('latin1');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toContain(`\r\nContent-Length: ${size}\r\n`);
    client.pause(); // a slow client: the rest waits in the file
    client.destroy();
    await waitFor(() => gateway.logs.length > 0);
    expect(summary(gateway.logs)).toEqual([{ level: 'info', code: 'CLIENT_ABORTED', status: undefined }]);
    await expectNothingLeft(fds, [gateway.server, backend]);
  });
});
