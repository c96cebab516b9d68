// The tools the CGI bench drives (wrk, lighttpd, nginx): checked, never installed; wrk's summary parsed.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const HOW_TO_GET = {
  wrk: 'apt-get install wrk',
  lighttpd: 'apt-get install lighttpd (mod_cgi is in the base package; the bench runs its own instance)',
  nginx: 'apt-get install nginx (the bench runs its own instance with its own config)',
};

function has(tool) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Exit with a message naming each missing tool and how to get it: the bench installs nothing itself. */
export function requireTools(tools) {
  const missing = tools.filter((tool) => !has(tool));
  if (missing.length === 0) return;
  for (const tool of missing)
    console.error(`bench:cgi: ${tool} not found; install it with: ${HOW_TO_GET[tool]}`);
  process.exit(1);
}

/** `wrk 4.1.0, lighttpd 1.4.69, nginx 1.22.1`, for the report. */
export function toolVersions() {
  // nginx -v and wrk --version print on stderr (and wrk exits 1): read both streams.
  const version = (command, args, pattern) => {
    const result = spawnSync(command, args, { encoding: 'utf8' });
    return pattern.exec(`${result.stdout ?? ''}${result.stderr ?? ''}`)?.[1] ?? '?';
  };
  return [
    `wrk ${version('wrk', ['--version'], /wrk (?:debian\/)?([\d.]+)/)}`,
    `lighttpd ${version('lighttpd', ['-v'], /lighttpd\/([\d.]+)/)}`,
    `nginx ${version('nginx', ['-v'], /nginx\/([\d.]+)/)}`,
  ].join(', ');
}

const run = promisify(execFile);
const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function percentile(stdout, which) {
  const match = new RegExp(`^\\s+${which}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(stdout);
  return match ? Number(match[1]) * UNIT_MS[match[2]] : Number.NaN;
}

/** `wrk -t2 -cN -dSs --latency --timeout 30s url`: rate, counts, errors, p50/p99 in ms. */
export async function wrk(url, seconds, connections) {
  const args = ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '30s', url];
  const { stdout } = await run('wrk', args, { maxBuffer: 1 << 20 });
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const total = /(\d+) requests in/.exec(stdout);
  if (!rate || !total) throw new Error(`cannot read wrk output:\n${stdout}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    requestsPerSecond: Number(rate[1]),
    requests: Number(total[1]),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: errors ? errors.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0,
    p50Ms: percentile(stdout, '50'),
    p99Ms: percentile(stdout, '99'),
  };
}
