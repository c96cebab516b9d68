// A real lighttpd with mod_cgi, started from a config in a fresh temp dir, running the bridge for every URL.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bridge as the web server runs it: the `scgi-cgi` bin of @scgi-node/gateway (the bundled build). */
export const BRIDGE_CLI = fileURLToPath(
  new URL('../../../packages/gateway/dist/scgi-cgi/cli.js', import.meta.url),
);

/** The same bridge through the manager's CLI: `scgi-node cgi`. */
export const MANAGER_CLI = fileURLToPath(new URL('../../../packages/manager/dist/cli.js', import.meta.url));

export interface CgiHost {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The document root: `app.cgi` (the bridge) and its info file `app.scgi.json` live here. */
  docroot: string;
  /** Where lighttpd writes what CGI programs print on stderr (`server.breakagelog`). */
  stderrLog: string;
  /** Every line the bridges wrote to stderr so far. */
  stderrLines(): string[];
  stop(): Promise<void>;
}

export interface CgiHostOptions {
  /** `server.stream-response-body = 2`: pass the CGI's output on as it comes, with backpressure. */
  streamResponses?: boolean;
  /** Variables lighttpd adds to every CGI environment (mod_setenv). */
  env?: Record<string, string>;
  /** Which program app.cgi is: `scgi-cgi` (default) or `scgi-node cgi` (a shell script running it). */
  bridge?: 'scgi-cgi' | 'scgi-node cgi';
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function config(dir: string, port: number, options: CgiHostOptions): string {
  const env = Object.entries(options.env ?? {})
    .map(([name, value]) => `"${name}" => "${value}"`)
    .join(', ');
  return `server.document-root = "${dir}/www"
server.bind = "127.0.0.1"
server.port = ${port}
server.pid-file = "${dir}/lighttpd.pid"
server.errorlog = "${dir}/error.log"
server.breakagelog = "${dir}/cgi-stderr.log"
server.modules += ("mod_cgi", "mod_rewrite", "mod_setenv")
setenv.add-environment = (${env})
server.range-requests = "disable"
${options.streamResponses ? 'server.stream-response-body = 2' : ''}
# Every URL goes to the bridge; REQUEST_URI stays the one the client asked for.
url.rewrite-once = ("^(/.*)$" => "/app.cgi$1")
${
  options.bridge === 'scgi-node cgi'
    ? '# The script runs `scgi-node cgi` itself (#!/bin/sh).\ncgi.assign = (".cgi" => "")'
    : "# The script is a symlink to the bridge's cli.js, run by this Node (no PATH needed in the CGI environment).\n" +
      `cgi.assign = (".cgi" => "${process.execPath}")`
}
`;
}

/** Start lighttpd in `dir` (www/app.cgi -> the bridge), on a free port, in the foreground (-D). */
export async function startCgiHost(dir: string, options: CgiHostOptions = {}): Promise<CgiHost> {
  mkdirSync(join(dir, 'www'), { recursive: true });
  const script = join(dir, 'www', 'app.cgi');
  if (options.bridge === 'scgi-node cgi') {
    writeFileSync(script, `#!/bin/sh\nexec "${process.execPath}" "${MANAGER_CLI}" cgi "$@"\n`, {
      mode: 0o755,
    });
  } else {
    symlinkSync(BRIDGE_CLI, script);
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, 'lighttpd.conf'), config(dir, port, options));
    const child = spawn('/usr/sbin/lighttpd', ['-D', '-f', join(dir, 'lighttpd.conf')], { stdio: 'ignore' });
    const up = await waitForPort(child, port);
    if (up) return host(dir, port, child);
    // The port was taken between our probe and lighttpd's bind: try another.
    if (attempt === 3) throw new Error(`lighttpd did not start:\n${readOr(join(dir, 'error.log'))}`);
  }
}

async function waitForPort(child: ChildProcess, port: number): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (await accepts(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  return false;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function host(dir: string, port: number, child: ChildProcess): CgiHost {
  const stderrLog = join(dir, 'cgi-stderr.log');
  return {
    url: `http://127.0.0.1:${port}`,
    docroot: join(dir, 'www'),
    stderrLog,
    stderrLines: () =>
      readOr(stderrLog)
        .split('\n')
        .filter((line) => line !== ''),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      // Stopped by its pid (lighttpd also wrote it to lighttpd.pid).
      process.kill(child.pid!, 'SIGTERM');
      await exited;
    },
  };
}
