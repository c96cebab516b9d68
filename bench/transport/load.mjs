// One-connection-per-request load generator: the same client for HTTP and SCGI, only the request bytes differ.
import { connect } from 'node:net';

/**
 * Keep `concurrency` requests in flight against the unix socket `path` for `durationMs`; each request opens a
 * connection, writes `payload`, reads until the server closes. Resolves with completed requests and errors.
 */
export function load({ path, payload, concurrency, durationMs, expect }) {
  return new Promise((resolve) => {
    const deadline = performance.now() + durationMs;
    let completed = 0;
    let errors = 0;
    let active = 0;
    const start = performance.now();
    const one = () => {
      if (performance.now() >= deadline) {
        if (--active === 0) resolve({ completed, errors, seconds: (performance.now() - start) / 1000 });
        return;
      }
      const socket = connect(path);
      let first = '';
      socket.on('connect', () => socket.write(payload));
      socket.on('data', (chunk) => {
        if (first.length < 16) first += chunk.toString('latin1', 0, 16);
      });
      socket.on('error', () => {});
      socket.on('close', (hadError) => {
        if (!hadError && first.startsWith(expect)) completed++;
        else errors++;
        one();
      });
    };
    for (; active < concurrency; active++) one();
  });
}
