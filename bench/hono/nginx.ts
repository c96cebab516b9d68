// A private nginx for the bench: own config, logs and temp paths in a temp dir; one server block per path.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../support/ports.mjs';

export interface Upstream {
  /** Name of the compared path. */
  name: string;
  /** `scgi` (scgi_pass) or `http` (proxy_pass, HTTP/1.0, a new connection per request). */
  protocol: 'scgi' | 'http';
  socketPath: string;
}

export interface Nginx {
  process: ChildProcess;
  /** Port nginx listens on for each upstream, by name. */
  ports: Record<string, number>;
  errorLog: string;
}

function serverBlock(upstream: Upstream, port: number): string {
  const pass =
    upstream.protocol === 'scgi'
      ? `include /etc/nginx/scgi_params;\n      scgi_pass unix:${upstream.socketPath};`
      : // proxy_http_version defaults to 1.0 and no upstream keepalive: one connection per request, as SCGI.
        `proxy_set_header Host $host;\n      proxy_pass http://unix:${upstream.socketPath}:;`;
  return `  server {\n    listen 127.0.0.1:${port};\n    location / {\n      ${pass}\n    }\n  }\n`;
}

/** Write the config and start nginx in the foreground (`daemon off`); resolves once it accepts. */
export async function startNginx(dir: string, upstreams: Upstream[]): Promise<Nginx> {
  const picked: number[] = await freePorts(upstreams.length);
  const ports: Record<string, number> = Object.fromEntries(
    upstreams.map((upstream, index) => [upstream.name, picked[index]]),
  );
  for (const temp of ['body', 'proxy', 'scgi', 'fastcgi', 'uwsgi'])
    mkdirSync(join(dir, temp), { recursive: true });
  const errorLog = join(dir, 'error.log');
  const config = [
    // Workers of an nginx started as root run as nobody; the sockets' dir and modes allow it.
    process.getuid?.() === 0 ? 'user nobody nogroup;' : '',
    'worker_processes 1;',
    'daemon off;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${errorLog} warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    ...['body', 'proxy', 'scgi', 'fastcgi', 'uwsgi'].map(
      (temp) => `  ${temp === 'body' ? 'client_body' : temp}_temp_path ${join(dir, temp)};`,
    ),
    // Room for the 64 KB response in memory on both kinds of upstream alike.
    '  scgi_buffer_size 16k; scgi_buffers 16 16k;',
    '  proxy_buffer_size 16k; proxy_buffers 16 16k;',
    ...upstreams.map((upstream) => serverBlock(upstream, ports[upstream.name]!)),
    '}',
    '',
  ].join('\n');
  const configPath = join(dir, 'nginx.conf');
  writeFileSync(configPath, config);
  const child = spawn('nginx', ['-p', dir, '-c', configPath, '-e', errorLog], { stdio: 'inherit' });
  for (const port of Object.values(ports)) await waitForPort(port, child);
  return { process: child, ports, errorLog };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      (response) => response.arrayBuffer().then(() => response.ok),
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nginx did not answer on port ${port}`);
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time (user + system, µs) used so far by nginx's worker processes (children of the master). */
export function nginxWorkerCpuMicros(nginx: Nginx): number {
  const master = nginx.process.pid!;
  const children = readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/);
  let ticks = 0;
  for (const pid of children.filter(Boolean)) {
    // Fields after the command name: state is field 3, utime 14, stime 15 (proc(5)).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1e6;
}

export function readErrorLog(nginx: Nginx): string {
  try {
    return readFileSync(nginx.errorLog, 'utf8');
  } catch {
    return '';
  }
}
