// A private nginx for a benchmark: its own config, logs and temp paths in a directory, one server block
// (own port) per compared path, started in the foreground as one process and stopped by pid.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts, waitUntilAccepting } from './ports.mjs';

const TEMP_PATHS = ['client_body', 'proxy', 'scgi', 'fastcgi', 'uwsgi'];

/**
 * How nginx reaches the app on each compared path, as users configure it. Each returns the server
 * block's `location /` body and, when the path needs one, an `upstream` block.
 */
export const paths = {
  /** scgi_pass over a unix socket (a new connection per request: SCGI has no other way). */
  scgi: (socket) => ({ location: `include /etc/nginx/scgi_params;\n      scgi_pass unix:${socket};` }),
  /** proxy_pass as configured by default: HTTP/1.0, a new connection per request. */
  http: (socket) => ({
    location: `proxy_set_header Host $host;\n      proxy_pass http://unix:${socket}:;`,
  }),
  /** proxy_pass tuned: HTTP/1.1 with 32 idle upstream connections kept. */
  httpKeepalive: (socket, name) => ({
    upstream: `upstream ${name} { server unix:${socket}; keepalive 32; }`,
    location:
      'proxy_http_version 1.1;\n      proxy_set_header Connection "";\n      ' +
      `proxy_set_header Host $host;\n      proxy_pass http://${name};`,
  }),
  /** fastcgi_pass with the connection kept (fastcgi_keep_conn on, 32 idle upstream connections). */
  fastcgi: (socket, name) => ({
    upstream: `upstream ${name} { server unix:${socket}; keepalive 32; }`,
    location: `include /etc/nginx/fastcgi_params;\n      fastcgi_keep_conn on;\n      fastcgi_pass ${name};`,
  }),
  /** nginx answers itself: the front server's own ceiling. */
  nginxReturn: () => ({ location: 'default_type text/plain;\n      return 200 "Hello, world!\\n";' }),
};

// The same room on every kind of upstream: request bodies up to 2 MB and responses up to 2 MB are held
// in memory, so no path pays for temp files the others do not.
const BUFFERS = [
  'client_max_body_size 2m; client_body_buffer_size 2m;',
  ...['scgi', 'proxy', 'fastcgi'].map(
    (kind) => `${kind}_buffer_size 16k; ${kind}_buffers 128 16k; ${kind}_busy_buffers_size 64k;`,
  ),
];

/**
 * Starts nginx with one server block per entry of `servers` ({ name, location, upstream? }); resolves
 * with { child, ports (by name), errorLog } once every port accepts. `wrap`: a command nginx runs under
 * (valgrind's, for an instruction count).
 */
export async function startNginx(dir, servers, { wrap = [] } = {}) {
  const picked = await freePorts(servers.length);
  const ports = Object.fromEntries(servers.map(({ name }, index) => [name, picked[index]]));
  for (const temp of TEMP_PATHS) mkdirSync(join(dir, temp), { recursive: true });
  const errorLog = join(dir, 'error.log');
  const config = [
    // One process, no master/worker split: it runs as the bench's user and is easy to measure and stop.
    'master_process off;',
    'daemon off;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${errorLog} warn;`,
    'worker_rlimit_nofile 16384;',
    'events { worker_connections 8192; }',
    'http {',
    '  access_log off;',
    ...TEMP_PATHS.map((temp) => `  ${temp}_temp_path ${join(dir, temp)};`),
    ...BUFFERS.map((line) => `  ${line}`),
    ...servers.filter((server) => server.upstream).map((server) => `  ${server.upstream}`),
    ...servers.map(
      ({ name, location }) =>
        `  server {\n    listen 127.0.0.1:${ports[name]} backlog=4096;\n    location / {\n      ${location}\n    }\n  }`,
    ),
    '}',
    '',
  ].join('\n');
  const configPath = join(dir, 'nginx.conf');
  writeFileSync(configPath, config);
  const [command, ...args] = [...wrap, 'nginx', '-p', dir, '-c', configPath, '-e', errorLog];
  const child = spawn(command, args, { stdio: 'inherit' });
  // Up to 20 s each: under valgrind nginx takes seconds to start.
  for (const port of Object.values(ports)) {
    await waitUntilAccepting({ port, host: '127.0.0.1' }, child, 'nginx', 400);
  }
  return { child, ports, errorLog };
}

export function readErrorLog(nginx) {
  try {
    return readFileSync(nginx.errorLog, 'utf8');
  } catch {
    return '';
  }
}
