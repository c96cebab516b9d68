// Streaming: server-sent events (/stream) and a generated download of any size (/download?bytes=N).
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AbortLog } from './protocol.js';

/** How /stream paces its events, and where /download counts the clients that left early. */
export interface StreamOptions {
  tickMs: number;
  aborts: AbortLog;
}

const DEFAULT_TICKS = 5;
const MAX_TICKS = 100;
const DEFAULT_DOWNLOAD_BYTES = 1024 * 1024;
const MAX_DOWNLOAD_BYTES = 1024 ** 3;
/** Byte i of a download is i % 256; 64 KiB is a multiple of 256, so every chunk starts at 0. */
const PATTERN = Uint8Array.from({ length: 64 * 1024 }, (_, i) => i % 256);

/** GET /stream?ticks=N (text/event-stream) and GET /download?bytes=N (application/octet-stream). */
export function streamRoutes(options: StreamOptions): Hono {
  const streams = new Hono();

  streams.get('/stream', (c) => {
    const ticks = boundedInteger(c.req.query('ticks'), DEFAULT_TICKS, 1, MAX_TICKS);
    if (ticks === undefined) return c.json({ error: `ticks must be an integer from 1 to ${MAX_TICKS}` }, 400);
    return streamSSE(c, async (stream) => {
      await stream.writeSSE({ data: JSON.stringify({ ticks, everyMs: options.tickMs }), retry: 10_000 });
      for (let n = 1; n <= ticks && !stream.aborted; n += 1) {
        await stream.sleep(options.tickMs);
        await stream.writeSSE({ event: 'tick', data: JSON.stringify({ n, at: new Date().toISOString() }) });
      }
      await stream.writeSSE({ event: 'end', data: 'done' });
    });
  });

  streams.get('/download', (c) => {
    const total = boundedInteger(c.req.query('bytes'), DEFAULT_DOWNLOAD_BYTES, 0, MAX_DOWNLOAD_BYTES);
    if (total === undefined) {
      return c.json({ error: `bytes must be an integer from 0 to ${MAX_DOWNLOAD_BYTES}` }, 400);
    }
    let left = total;
    // Pulled chunk by chunk as the socket drains: memory stays flat whatever the size.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const size = Math.min(left, PATTERN.length);
        left -= size;
        if (size > 0) controller.enqueue(PATTERN.subarray(0, size));
        if (left === 0) controller.close();
      },
      cancel() {
        options.aborts.aborted += 1; // the client went away before the end (both adapters cancel)
      },
    });
    return c.body(body, 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(total),
      'Content-Disposition': `attachment; filename="bytes-${total}.bin"`,
    });
  });
  return streams;
}

/** The query value as an integer in [min, max], `fallback` when absent, undefined when invalid. */
function boundedInteger(
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return fallback;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(number) && number >= min && number <= max ? number : undefined;
}
