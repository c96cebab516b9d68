// The memory scenarios' clients, through nginx: one large download or upload while the worker's RSS is
// sampled, and many open server-sent event streams.
import { request } from 'node:http';
import { bigReadable } from '../compare/streams.mjs';
import { rssBytes } from '../support/proc.mjs';

const SAMPLE_MS = 20;
const MiB = 1024 * 1024;

/** Samples `pid`'s RSS every SAMPLE_MS while `work()` runs: { result, baseline, peak } in bytes. */
export async function withRssSampling(pid, work) {
  const baseline = rssBytes(pid);
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid) ?? 0);
  }, SAMPLE_MS);
  try {
    const result = await work();
    peak = Math.max(peak, rssBytes(pid) ?? 0);
    return { result, baseline, peak };
  } finally {
    clearInterval(timer);
  }
}

/** GET `url` and count the body: { status, bytes }. */
export function download(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => {
        bytes += chunk.length;
      });
      res.once('end', () => resolve({ status: res.statusCode, bytes }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

/** POST `mib` MiB to `url`, made chunk by chunk: { status, text } (the app answers the size it read). */
export function upload(url, mib) {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': mib * MiB },
    });
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.once('end', () => resolve({ status: res.statusCode, text }));
      res.once('error', reject);
    });
    req.once('error', reject);
    bigReadable(mib * MiB).pipe(req);
  });
}

/**
 * Opens `count` event streams on `url`, a few at a time, and resolves once each has had its first
 * event, with close() to end them all. Rejects if a stream is refused or has no event in `timeoutMs`.
 */
export async function openEventStreams(url, count, timeoutMs = 30_000) {
  const requests = [];
  const opened = [];
  const openOne = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no first event within ${timeoutMs} ms`)), timeoutMs);
      const req = request(url, { agent: false, headers: { Accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`event stream answered ${res.statusCode}`));
        res.setEncoding('utf8');
        res.once('data', () => {
          clearTimeout(timer);
          resolve();
        });
        res.on('error', () => {}); // closing the stream below ends it with an abort
      });
      req.once('error', reject);
      req.end();
      requests.push(req);
    });
  // Opened in batches, as a crowd arrives; nginx and the worker see 'count' connections at once in the end.
  for (let i = 0; i < count; i += 100) {
    const batch = Math.min(100, count - i);
    for (let j = 0; j < batch; j++) opened.push(openOne());
    await Promise.all(opened.slice(i, i + batch));
  }
  return {
    close() {
      for (const req of requests) req.destroy();
    },
  };
}
