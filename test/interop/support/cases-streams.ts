// The big and the long-lived cases: 20 MB upload, 100 MB download, server-sent events, a client abort.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { InteropCase, Note } from './case.js';
import { abandon, firstEvent, send, sendStreamed } from './client.js';
import { expectEquivalent, headerOf, headers, json } from './differential.js';
import { peakResidentDuring } from './memory.js';
import type { Stack } from './stack.js';

const MiB = 1024 * 1024;
export const UPLOAD_BYTES = 20 * MiB;
export const DOWNLOAD_BYTES = 100 * MiB;
/**
 * How much the worker's resident memory may grow while it streams DOWNLOAD_BYTES: a streamed body is
 * held a few chunks at a time, so growth stays far below the body's size (documented in the README).
 */
export const MAX_RSS_GROWTH_BYTES = 64 * MiB;
const ABORT_WAIT_MS = 20_000;

/** A multipart/form-data body carrying `file` in the field `file` (filename big.bin), and its SHA-256. */
export function multipartBody(file: Buffer): { body: Buffer; contentType: string; sha256: string } {
  const boundary = 'interop-boundary-7d3f';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return {
    body,
    contentType: `multipart/form-data; boundary=${boundary}`,
    sha256: createHash('sha256').update(file).digest('hex'),
  };
}

let upload: ReturnType<typeof multipartBody> | undefined;

async function abortedCount(port: number): Promise<number> {
  const answer = await send(port, { path: '/aborts', headers: headers() });
  return json(answer).aborted as number;
}

/** Walk away from a download after 1 MiB, then wait until the app's /aborts shows it saw that. */
async function abortSeen(port: number): Promise<number> {
  const before = await abortedCount(port);
  await abandon(port, { path: `/download?bytes=${DOWNLOAD_BYTES}`, headers: headers() }, MiB);
  const deadline = Date.now() + ABORT_WAIT_MS;
  let now = before;
  while (Date.now() < deadline) {
    now = await abortedCount(port);
    if (now > before) break;
    await sleep(100);
  }
  return now - before;
}

export const STREAM_CASES: InteropCase[] = [
  {
    title: 'multipart upload 20 MB',
    timeoutMs: 120_000,
    async run(stack: Stack) {
      upload ??= multipartBody(randomBytes(UPLOAD_BYTES)); // made once per test file
      const { body, contentType, sha256 } = upload;
      const outgoing = {
        method: 'POST',
        path: '/upload',
        headers: headers({ 'Content-Type': contentType }),
        body,
      };
      const direct = await send(stack.direct.port, outgoing);
      const fronted = await send(stack.front.port, outgoing);
      expectEquivalent(stack.kind, direct, fronted);
      expect(json(fronted)).toMatchObject({ name: 'big.bin', size: UPLOAD_BYTES, sha256 });
    },
  },
  {
    title: 'download 100 MB streamed, worker memory flat',
    timeoutMs: 180_000,
    async run(stack: Stack, note: Note) {
      const outgoing = { path: `/download?bytes=${DOWNLOAD_BYTES}`, headers: headers() };
      const direct = await sendStreamed(stack.direct.port, outgoing);
      const {
        result: fronted,
        beforeBytes,
        peakBytes,
      } = await peakResidentDuring(stack.worker.pid, () => sendStreamed(stack.front.port, outgoing));
      expectEquivalent(stack.kind, direct, fronted);
      expect({ size: fronted.size, sha256: fronted.sha256 }).toEqual({
        size: DOWNLOAD_BYTES,
        sha256: direct.sha256,
      });
      note('workerRssGrowthMiB', Math.round(((peakBytes - beforeBytes) / MiB) * 10) / 10);
      expect(peakBytes - beforeBytes).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    },
  },
  {
    title: 'SSE with buffering off',
    timeoutMs: 60_000,
    async run(stack: Stack) {
      const outgoing = { path: '/stream', headers: headers({ Accept: 'text/event-stream' }) };
      const direct = await firstEvent(stack.direct.port, outgoing);
      const fronted = await firstEvent(stack.front.port, outgoing);
      expectEquivalent(stack.kind, direct, fronted);
      expect(headerOf(fronted, 'content-type')).toMatch(/^text\/event-stream/);
      // The first event came while the app still held the stream open (it ends after five 1 s ticks).
      expect({ direct: direct.stillOpen, fronted: fronted.stillOpen }).toEqual({
        direct: true,
        fronted: true,
      });
      expect(fronted.firstEvent).toBe(direct.firstEvent);
    },
  },
  {
    title: 'client abort mid-download reaches the app',
    timeoutMs: 120_000,
    async run(stack: Stack) {
      expect({
        direct: await abortSeen(stack.direct.port),
        fronted: await abortSeen(stack.front.port),
      }).toEqual({
        direct: 1,
        fronted: 1,
      });
    },
  },
];
