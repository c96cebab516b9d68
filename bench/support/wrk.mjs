// One wrk run and its summary.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const UNIT_US = { us: 1, ms: 1000, s: 1e6, m: 6e7 };

function duration(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  return match ? Number(match[1]) * UNIT_US[match[2]] : Number.NaN;
}

/**
 * `wrk -tT -cC -dDs --latency [-s script] url`: requests/s, total, non-2xx, socket errors and latency
 * avg/p50/p99 (µs). Throws when wrk fails or prints no rate.
 */
export async function wrk(url, { threads, connections, seconds, script }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency'];
  if (script !== undefined) args.push('-s', script);
  const { stdout } = await run('wrk', [...args, url], { maxBuffer: 1 << 20 });
  const number = (re) => Number(re.exec(stdout)?.[1] ?? Number.NaN);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const rps = number(/Requests\/sec:\s+([\d.]+)/);
  if (Number.isNaN(rps)) throw new Error(`cannot read wrk output:\n${stdout}`);
  return {
    rps,
    requests: number(/(\d+) requests in/),
    non2xx: number(/Non-2xx or 3xx responses:\s+(\d+)/) || 0,
    socketErrors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    avgUs: duration(/Latency\s+([\d.]+\w+)/.exec(stdout)?.[1]),
    p50Us: duration(/^\s+50%\s+([\d.]+\w+)/m.exec(stdout)?.[1]),
    p99Us: duration(/^\s+99%\s+([\d.]+\w+)/m.exec(stdout)?.[1]),
  };
}
