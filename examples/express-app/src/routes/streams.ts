// Streaming: server-sent events (/stream) and a generated download of any size (/download?bytes=N).
import { Readable } from 'node:stream';
import express, { type Router } from 'express';
import type { AbortLog } from './protocol.js';

/** How /stream paces its events and how large /download may be. */
export interface StreamOptions {
  /** Number of SSE ticks before the stream ends. */
  ticks: number;
  /** Time between two ticks (ms). */
  tickMs: number;
  /** Largest `bytes` accepted by /download. */
  maxDownloadBytes: number;
  /** Where a download the client abandoned is counted (shown by /aborts). */
  aborts?: AbortLog;
}

/** The download's content: this line, repeated and cut to length (easy to check by eye or by test). */
export const DOWNLOAD_PATTERN = 'scgi-node streams this body in chunks, never holding all of it.\n';
const DEFAULT_DOWNLOAD_BYTES = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

/** `total` bytes of DOWNLOAD_PATTERN, produced on demand so backpressure keeps memory flat. */
export function patternStream(total: number): Readable {
  const line = Buffer.from(DOWNLOAD_PATTERN);
  const chunk = Buffer.alloc(CHUNK_BYTES - (CHUNK_BYTES % line.length), DOWNLOAD_PATTERN);
  let left = total;
  return new Readable({
    read() {
      const size = Math.min(left, chunk.length);
      left -= size;
      this.push(size === 0 ? null : chunk.subarray(0, size));
    },
  });
}

/** GET /stream (server-sent events) and GET /download?bytes=N (a generated body). */
export function streamRoutes(options: StreamOptions): Router {
  const router = express.Router();

  router.get('/stream', (req, res) => {
    // X-Accel-Buffering: nginx passes each event on at once instead of buffering the response.
    res.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    // The head goes out now: the browser's EventSource opens before the first tick is due.
    res.flushHeaders();
    res.write(': connected\n\n');
    let sent = 0;
    const timer = setInterval(() => {
      sent += 1;
      res.write(
        `event: tick\nid: ${sent}\ndata: ${JSON.stringify({ n: sent, at: new Date().toISOString() })}\n\n`,
      );
      if (sent >= options.ticks) {
        clearInterval(timer);
        res.end('event: done\ndata: bye\n\n');
      }
    }, options.tickMs);
    // A visitor who leaves early stops the ticks (SCGI reports it like node:http does).
    req.on('close', () => clearInterval(timer));
  });

  router.get('/download', (req, res) => {
    const asked = req.query.bytes === undefined ? DEFAULT_DOWNLOAD_BYTES : Number(req.query.bytes);
    if (!Number.isSafeInteger(asked) || asked < 0 || asked > options.maxDownloadBytes) {
      res.status(400).json({ error: `bytes must be an integer from 0 to ${options.maxDownloadBytes}` });
      return;
    }
    res.set({
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(asked),
      'Content-Disposition': 'attachment; filename="download.bin"',
    });
    const body = patternStream(asked);
    body.pipe(res);
    res.on('close', () => {
      // 'close' before the last byte was handed on: the client went away (over SCGI as over node:http).
      if (!res.writableFinished && options.aborts !== undefined) options.aborts.aborted += 1;
      body.destroy();
    });
  });

  return router;
}
