// ResponseBuffer (memory, then an unlinked temp file) and response buffering in the gateway (slow clients).
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ResponseBuffer } from './response-buffer.js';
import { httpRequest, openClient } from './test-support/http-client.js';
import { connectionCount, newFds, openFds, settledState, waitFor } from './test-support/leaks.js';
import { startBackend, startGateway, startRawBackend, tempDir } from './test-support/servers.js';

function pattern(size: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + seed) % 251;
  return bytes;
}

async function readAll(buffer: ResponseBuffer): Promise<Buffer> {
  return Buffer.concat(await buffer.reader().toArray());
}

describe('ResponseBuffer', () => {
  it('keeps a body under memoryLimitBytes in memory', async () => {
    const dir = tempDir();
    const buffer = new ResponseBuffer({ memoryLimitBytes: 1024, tempDir: dir });
    expect(buffer.write(Buffer.from('hello '))).toBeUndefined();
    expect(buffer.write(Buffer.from('world'))).toBeUndefined();
    expect([buffer.size, buffer.onDisk]).toEqual([11, false]);
    expect((await readAll(buffer)).toString()).toBe('hello world');
  });

  it('moves to a temp file past the limit, unlinked at once, and gives back every byte in order', async () => {
    const dir = tempDir();
    const before = openFds();
    const buffer = new ResponseBuffer({ memoryLimitBytes: 100_000, tempDir: dir });
    const pieces = [pattern(60_000, 1), pattern(60_000, 2), pattern(300_000, 3)];
    for (const piece of pieces) await buffer.write(piece);
    await buffer.settled();
    expect([buffer.size, buffer.onDisk]).toEqual([420_000, true]);
    // Nothing in the directory; the data lives on in one open descriptor of a deleted file.
    expect(readdirSync(dir)).toEqual([]);
    const held = newFds(before);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatch(new RegExp(`${dir}/scgi-gateway-.*\\(deleted\\)$`));
    expect((await readAll(buffer)).equals(Buffer.concat(pieces))).toBe(true);
    expect(await waitFor(() => newFds(before).length === 0)).toBe(true);
  });

  it('destroy() closes the file once pending writes are done', async () => {
    const dir = tempDir();
    const before = openFds();
    const buffer = new ResponseBuffer({ memoryLimitBytes: 10, tempDir: dir });
    const pending = buffer.write(pattern(100_000, 4));
    expect(pending).toBeInstanceOf(Promise);
    buffer.destroy();
    await pending;
    expect(await waitFor(() => newFds(before).length === 0)).toBe(true);
    expect(buffer.write(Buffer.from('late'))).toBeUndefined();
  });
});

describe('gateway responseBuffering (slow-client protection)', () => {
  it('frees the worker at once while the client reads nothing, then delivers the whole body', async () => {
    // More than loopback socket buffers absorb (~4 MB here): unbuffered, this worker would stay blocked.
    const size = 16 * 1024 * 1024;
    const body = pattern(size, 5);
    let response: ServerResponse | undefined;
    let closed = false;
    const backend = await startBackend((_req, res) => {
      response = res;
      res.on('close', () => {
        closed = true;
      });
      res.end(body);
    });
    const dir = tempDir();
    const gateway = await startGateway({
      target: backend,
      responseBuffering: { enabled: true, memoryLimitBytes: 256 * 1024, tempDir: dir },
    });
    const client = await openClient(gateway.port);
    client.pause(); // reads nothing until the worker is done
    client.write('GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await waitFor(() => closed, 10_000)).toBe(true);
    expect(response!.writableFinished).toBe(true);
    // The worker's connection is gone although the client has not read a byte.
    expect(await waitFor(async () => (await connectionCount(backend)) === 0)).toBe(true);
    const chunks: Buffer[] = [];
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.resume();
    await once(client, 'close');
    const reply = Buffer.concat(chunks);
    const headEnd = reply.indexOf('\r\n\r\n') + 4;
    expect(reply.subarray(0, headEnd).toString()).toMatch(new RegExp(`\\r\\nContent-Length: ${size}\\r\\n`));
    expect(reply.subarray(headEnd).equals(body)).toBe(true);
    expect(gateway.logs).toEqual([]);
  });

  it('X-Accel-Buffering: no from the backend streams that response even with buffering on', async () => {
    const backend = await startRawBackend((socket) =>
      socket.once('data', () => socket.write('Status: 200 OK\r\nX-Accel-Buffering: no\r\n\r\nfirst ')),
    );
    const gateway = await startGateway({ target: backend, responseBuffering: { enabled: true } });
    const client = await openClient(gateway.port);
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    let text = '';
    client.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    // The backend has not ended: only an unbuffered response can have reached the client.
    expect(await waitFor(() => text.includes('first '))).toBe(true);
    expect(text).not.toMatch(/x-accel/i);
  });

  it('X-Accel-Buffering: yes buffers that response even with buffering off (it then has a Content-Length)', async () => {
    const backend = await startRawBackend((socket) =>
      socket.once('data', () => socket.end('Status: 200 OK\r\nX-Accel-Buffering: yes\r\n\r\nbuffered')),
    );
    const gateway = await startGateway({ target: backend });
    const result = await httpRequest(`${gateway.url}/`);
    expect([result.headers['content-length'], result.headers['transfer-encoding']]).toEqual(['8', undefined]);
    expect(result.body.toString()).toBe('buffered');
  });

  it('a response that fails after spilling to disk gets 502 and leaves no file open', async () => {
    const dir = tempDir();
    const backend = await startRawBackend((socket) =>
      socket.once('data', () => socket.end(`Content-Length: ${4_000_000}\r\n\r\n${'x'.repeat(1_000_000)}`)),
    );
    const gateway = await startGateway({
      target: backend,
      responseBuffering: { enabled: true, memoryLimitBytes: 64 * 1024, tempDir: dir },
    });
    const before = openFds();
    expect((await httpRequest(`${gateway.url}/`)).status).toBe(502);
    expect(gateway.logs.map((entry) => entry.code)).toEqual(['ERR_SCGI_RESPONSE_TRUNCATED']);
    expect(await settledState(before, [gateway.server, backend])).toEqual({
      newFds: [],
      connections: [0, 0],
    });
    expect(readdirSync(dir)).toEqual([]);
  });
});
