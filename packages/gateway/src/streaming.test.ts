// Streaming through the gateway: server-sent events unbuffered, and backpressure in both directions.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openClient } from './test-support/http-client.js';
import { waitFor } from './test-support/leaks.js';
import { startBackend, startGateway } from './test-support/servers.js';

/** Resolves once `read()` has returned the same value for `polls` polls in a row: the flow has stalled. */
async function stalled(read: () => number, polls = 6, intervalMs = 50): Promise<number> {
  let last = -1;
  let same = 0;
  while (same < polls) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

describe('server-sent events', () => {
  async function firstEventBeforeEnd(
    buffering: boolean,
  ): Promise<{ endedAtFirstEvent: boolean; text: string }> {
    let ended = false;
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const backend = await startBackend(async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write('data: one\n\n');
      // Streaming: hold the stream open until the client has the first event. Buffered: the gateway would
      // never deliver it while we wait, so go on at once.
      if (!buffering) await released;
      res.write('data: two\n\n');
      res.end(() => {
        ended = true;
      });
    });
    const gateway = await startGateway({ target: backend, responseBuffering: { enabled: buffering } });
    const req = request(`${gateway.url}/events`, { agent: false });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    expect(res.headers['content-type']).toBe('text/event-stream');
    let text = '';
    let endedAtFirstEvent: boolean | undefined;
    for await (const chunk of res) {
      text += (chunk as Buffer).toString();
      if (endedAtFirstEvent === undefined && text.includes('data: one\n\n')) {
        endedAtFirstEvent = ended;
        release();
      }
    }
    return { endedAtFirstEvent: endedAtFirstEvent!, text };
  }

  it('reach the client as they are written when buffering is off (the backend has not ended yet)', async () => {
    expect(await firstEventBeforeEnd(false)).toEqual({
      endedAtFirstEvent: false,
      text: 'data: one\n\ndata: two\n\n',
    });
  });

  it('arrive only after the backend ended when buffering is on', async () => {
    expect(await firstEventBeforeEnd(true)).toEqual({
      endedAtFirstEvent: true,
      text: 'data: one\n\ndata: two\n\n',
    });
  });
});

describe('backpressure', () => {
  const TOTAL_BYTES = 32 * 1024 * 1024;
  const CHUNK = Buffer.alloc(64 * 1024, 'b');

  it('an upload stalls while the app does not read, then arrives whole', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let received: Promise<{ length: number; sha: string }> | undefined;
    const backend = await startBackend(async (req, res) => {
      req.pause();
      received = (async () => {
        await released;
        const hash = createHash('sha256');
        let length = 0;
        for await (const chunk of req) {
          hash.update(chunk as Buffer);
          length += (chunk as Buffer).length;
        }
        res.end('done');
        return { length, sha: hash.digest('hex') };
      })();
    });
    const gateway = await startGateway({ target: backend });
    let pulled = 0;
    const body = new Readable({
      read() {
        if (pulled >= TOTAL_BYTES) return void this.push(null);
        pulled += CHUNK.length;
        this.push(CHUNK);
      },
    });
    const req = request(`${gateway.url}/upload`, {
      method: 'POST',
      agent: false,
      headers: { 'Content-Length': String(TOTAL_BYTES) },
    });
    body.pipe(req);
    const whileStalled = await stalled(() => pulled);
    // Only socket buffers' worth has left the client: the gateway does not hold the body.
    expect(whileStalled).toBeLessThan(TOTAL_BYTES / 2);
    release();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    expect(Buffer.concat(await res.toArray()).toString()).toBe('done');
    const expected = createHash('sha256');
    for (let sent = 0; sent < TOTAL_BYTES; sent += CHUNK.length) expected.update(CHUNK);
    expect(await received).toEqual({ length: TOTAL_BYTES, sha: expected.digest('hex') });
  });

  it('a download stalls the app while the client does not read, then arrives whole', async () => {
    let written = 0;
    const backend = await startBackend((_req, res) => {
      const pump = () => {
        while (written < TOTAL_BYTES) {
          written += CHUNK.length;
          if (!res.write(CHUNK)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const gateway = await startGateway({ target: backend });
    const client = await openClient(gateway.port);
    client.pause();
    client.write('GET /download HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await waitFor(() => written > 0)).toBe(true);
    const whileStalled = await stalled(() => written);
    expect(whileStalled).toBeLessThan(TOTAL_BYTES / 2);
    let bytes = 0;
    client.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    client.resume();
    await once(client, 'close');
    // Chunked framing adds a few bytes per chunk around the body.
    expect(written).toBe(TOTAL_BYTES);
    expect(bytes).toBeGreaterThan(TOTAL_BYTES);
    expect(bytes).toBeLessThan(TOTAL_BYTES + 1024 * 1024);
  });
});
