// Express 4 and 5 over SCGI: large bodies are streamed in both directions, never buffered whole.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { request } from '@scgi-node/core';
import { describe, expect, it } from 'vitest';
import { collectGarbage, EXPRESS_VERSIONS, listen, within } from './support/express-harness.js';

const MB = 1024 * 1024;

/** `total` bytes as a stream that reuses one chunk, so the sender holds no copy of the body. */
function generatedBody(total: number, chunkSize = 64 * 1024): Readable {
  const chunk = Buffer.alloc(chunkSize, 0x5a);
  let left = total;
  return new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const size = Math.min(left, chunk.length);
      left -= size;
      this.push(size === chunk.length ? chunk : chunk.subarray(0, size));
    },
  });
}

describe.each(EXPRESS_VERSIONS)('$name over SCGI: streaming', ({ express }) => {
  it('a 50 MB POST streams through a counting route without the worker holding the body', async () => {
    const total = 50 * MB;
    const app = express();
    const samples: number[] = [];
    app.post('/count', (req, res) => {
      let bytes = 0;
      let nextSample = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes >= nextSample) {
          nextSample += 5 * MB;
          // After a full collection only what is still referenced is counted: a buffered body would be.
          collectGarbage();
          samples.push(process.memoryUsage().arrayBuffers);
        }
      });
      req.on('end', () => res.json({ bytes }));
    });
    const server = await listen(app);
    collectGarbage();
    samples.push(process.memoryUsage().arrayBuffers);
    const response = await request(server, {
      method: 'POST',
      url: '/count',
      body: generatedBody(total),
      contentLength: total,
      headTimeoutMs: 60_000,
    });
    expect(await response.json()).toEqual({ bytes: total });
    // Sampled before and all along the body (every 5 MB). Growth is measured from the lowest sample, so
    // garbage of an earlier test that is only freed during this one cannot hide a buffered body.
    expect(samples.length).toBeGreaterThanOrEqual(11);
    expect(Math.max(...samples) - Math.min(...samples)).toBeLessThan(40 * MB);
  });

  it('req.pipe(res) echoes an 8 MB body while it is still arriving', async () => {
    const total = 8 * MB;
    const app = express();
    app.post('/echo', (req, res) => {
      res.type('application/octet-stream');
      req.pipe(res);
    });
    const server = await listen(app);
    const response = await request(server, {
      method: 'POST',
      url: '/echo',
      body: generatedBody(total),
      contentLength: total,
    });
    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of response.body) {
      received += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }
    const expected = createHash('sha256');
    for await (const chunk of generatedBody(total)) expected.update(chunk as Buffer);
    expect(received).toBe(total);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
  });

  it('a generated download streamed with Readable.pipe(res) arrives whole', async () => {
    const total = 3 * MB + 11;
    const app = express();
    app.get('/download', (_req, res) => {
      res.set({ 'Content-Type': 'application/octet-stream', 'Content-Length': String(total) });
      generatedBody(total).pipe(res);
    });
    const server = await listen(app);
    const response = await request(server, { url: '/download' });
    expect(response.header('content-length')).toBe(String(total));
    const body = await within(response.buffer(), 30_000, 'the download');
    expect(body.length).toBe(total);
    expect(body.every((byte) => byte === 0x5a)).toBe(true);
  });
});
