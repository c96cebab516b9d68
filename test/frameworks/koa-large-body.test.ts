// Koa 2 and 3 over SCGI: a 50 MB upload streams through ctx.req without being buffered anywhere.
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { request } from '@scgi-node/core';
import { describe, expect, it } from 'vitest';
import { KOA_VERSIONS, listen } from './support/koa-harness.js';

// A forced collection before each sample, so the numbers are what is live, not garbage not yet collected.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const BODY_BYTES = 50 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'z');
const SAMPLE_EVERY_BYTES = 5 * 1024 * 1024;
/** Far below the body size: buffering the body anywhere would blow through it. */
const MAX_GROWTH_BYTES = 40 * 1024 * 1024;

interface Sample {
  rss: number;
  live: number;
}

function sample(): Sample {
  collectGarbage();
  const usage = process.memoryUsage();
  return { rss: usage.rss, live: usage.heapUsed + usage.arrayBuffers };
}

/** The upload, produced as it is sent: one shared 64 KB chunk, so the client holds nothing either. */
function* uploadChunks(): Generator<Buffer> {
  for (let sent = 0; sent < BODY_BYTES; sent += CHUNK.length) yield CHUNK;
}

describe.each(KOA_VERSIONS)('$name over SCGI: large uploads', ({ Koa }) => {
  it('a 50 MB POST counted by a middleware reading ctx.req: every byte arrives, memory stays flat', async () => {
    const app = new Koa();
    const peak: Sample = { rss: 0, live: 0 };
    app.use(async (ctx) => {
      let count = 0;
      let nextSample = 0;
      for await (const chunk of ctx.req) {
        count += (chunk as Buffer).length;
        if (count >= nextSample) {
          const now = sample();
          peak.rss = Math.max(peak.rss, now.rss);
          peak.live = Math.max(peak.live, now.live);
          nextSample += SAMPLE_EVERY_BYTES;
        }
      }
      ctx.body = { count, complete: ctx.req.complete };
    });
    const server = await listen(app);
    const before = sample();
    const response = await request(server, {
      method: 'POST',
      url: '/upload',
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.from(uploadChunks()),
      contentLength: BODY_BYTES,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ count: BODY_BYTES, complete: true });
    const after = sample();
    const growth = {
      rss: Math.max(peak.rss, after.rss) - before.rss,
      live: Math.max(peak.live, after.live) - before.live,
    };
    expect(growth.live).toBeLessThan(MAX_GROWTH_BYTES);
    expect(growth.rss).toBeLessThan(MAX_GROWTH_BYTES);
  });
});
