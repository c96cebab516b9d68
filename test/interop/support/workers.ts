// The example apps as real processes: dist/scgi.js behind a front server, dist/http.js as the baseline.
import { existsSync } from 'node:fs';
import type { Backend } from './front-servers.js';
import { exampleEntry, type Framework } from './paths.js';
import { type Child, startChild, stopChild, waitForOutput } from './processes.js';
import type { Account } from './sandbox.js';

/** A running example app and where it listens. */
export interface AppProcess {
  readonly child: Child;
  readonly pid: number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ScgiWorker extends AppProcess {
  readonly backend: Backend;
}

export interface HttpApp extends AppProcess {
  readonly port: number;
}

const LISTEN_TIMEOUT_MS = 30_000;

function entryOrThrow(framework: Framework, entry: 'scgi' | 'http'): string {
  const script = exampleEntry(framework, entry);
  if (!existsSync(script)) {
    throw new Error(`${script} is missing: build first (node scripts/run.mjs turbo run build)`);
  }
  return script;
}

/**
 * Start `examples/<framework>-app/dist/scgi.js` with SCGI_LISTEN = a socket path or `127.0.0.1:0`. As a
 * deployment would (systemd `Group=www-data` + `UMask=0007`, see examples/deploy/README.md), it runs with
 * www-data as its group and umask 007, so its socket is `srwxrwx--- root:www-data`: the front servers'
 * workers (www-data) may connect, nobody else.
 */
export async function startScgiWorker(
  framework: Framework,
  listen: { socketPath: string } | 'tcp',
  account: Account,
): Promise<ScgiWorker> {
  const script = entryOrThrow(framework, 'scgi');
  const target = listen === 'tcp' ? '127.0.0.1:0' : listen.socketPath;
  const child = startChild(
    `${framework} SCGI worker`,
    '/bin/sh',
    ['-c', 'umask 0007 && exec "$0" "$@"', process.execPath, script],
    { gid: account.gid, env: { ...process.env, SCGI_LISTEN: target, NODE_ENV: 'production' } },
  );
  const match = await waitForOutput(child, /SCGI worker listening on (?:unix:)?(\S+)/, LISTEN_TIMEOUT_MS);
  const where = match[1]!;
  const backend: Backend =
    listen === 'tcp'
      ? { kind: 'tcp', port: Number(/:(\d+)$/.exec(where)?.[1]) }
      : { kind: 'unix', path: where };
  return { child, pid: child.pid, backend, stop: (signal) => stopChild(child, signal) };
}

/** Start `examples/<framework>-app/dist/http.js` on a free port (PORT=0): the same app on plain node:http. */
export async function startHttpApp(framework: Framework): Promise<HttpApp> {
  const script = entryOrThrow(framework, 'http');
  const child = startChild(`${framework} node:http`, process.execPath, [script], {
    env: { ...process.env, PORT: '0', NODE_ENV: 'production' },
  });
  const match = await waitForOutput(child, /listening on http:\/\/\S*:(\d+)\//, LISTEN_TIMEOUT_MS);
  return { child, pid: child.pid, port: Number(match[1]), stop: (signal) => stopChild(child, signal) };
}
