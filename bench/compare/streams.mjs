// What the memory scenarios stream: a large body made chunk by chunk (each chunk new memory, as a file
// read would be, so a transport that ignores backpressure shows it in RSS), and server-sent events.
import { Readable } from 'node:stream';

const CHUNK = 64 * 1024;
const FILL = 'scgi-node 0123456789 ';

/** How many bytes /stream sends: `?mib=N`, 1 GiB by default. */
export function streamBytes(query) {
  const mib = Number(new URLSearchParams(query).get('mib') ?? 1024);
  return Number.isInteger(mib) && mib > 0 ? mib * 1024 * 1024 : 1024 * 1024 * 1024;
}

/** A Node stream of `bytes` bytes, produced only as fast as it is read. */
export function bigReadable(bytes) {
  let left = bytes;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      const size = Math.min(CHUNK, left);
      left -= size;
      this.push(size > 0 ? Buffer.alloc(size, FILL) : null);
    },
  });
}

/** The same as a web ReadableStream (pull-based, so it respects backpressure too). */
export function bigWebStream(bytes) {
  let left = bytes;
  return new ReadableStream({
    pull(controller) {
      const size = Math.min(CHUNK, left);
      left -= size;
      if (size > 0) controller.enqueue(new Uint8Array(Buffer.alloc(size, FILL)));
      else controller.close();
    },
  });
}

/** Open event streams, counted so the bench can see every one closed when its client left. */
export const openStreams = { count: 0 };
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  // nginx passes the stream through unbuffered when the upstream asks (the way SSE apps ask).
  'X-Accel-Buffering': 'no',
};
export const SSE_INTERVAL_MS = 1000;
/** One event: the first is sent at once, so a client knows its stream is open. */
export const sseEvent = (n) => `id: ${n}\ndata: tick ${n}\n\n`;

/** Calls `send(n)` now and every SSE_INTERVAL_MS until the returned stop() is called. */
export function tick(send) {
  openStreams.count++;
  let n = 0;
  send(n++);
  const timer = setInterval(() => send(n++), SSE_INTERVAL_MS);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    openStreams.count--;
    clearInterval(timer);
  };
}
