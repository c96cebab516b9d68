// Bench support: the processes under test, a private nginx in front of them, wrk runs and CPU time from /proc.
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePorts } from '../support/ports.mjs';

export { cpuUs } from '../support/proc.mjs';
export { median } from '../support/stats.mjs';
export { wrk } from '../support/wrk.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const CLI = fileURLToPath(new URL('../../packages/manager/dist/cli.js', import.meta.url));
export const app = (name) => join(HERE, 'apps', `${name}.mjs`);

/** Start one design serving `appPath` on `socket`; resolves with its root process once it accepts. */
export async function startDesign(design, appPath, socket, workers, extraArgs = []) {
  if (design === 'direct' || design === 'cluster') {
    const count = design === 'cluster' ? workers : 1;
    const child = fork(join(HERE, 'direct-server.mjs'), [appPath, socket, String(count)], {
      stdio: 'inherit',
    });
    await once(child, 'message');
    return child;
  }
  if (design === 'pass') {
    const child = fork(join(HERE, 'pass-primary.mjs'), [appPath, socket, String(workers)], {
      stdio: 'inherit',
    });
    await once(child, 'message');
    return child;
  }
  // design === 'shared': the real manager (shared accept), as `scgi-node serve` runs it.
  const args = ['serve', appPath, '--listen', `unix:${socket}`, '--workers', String(workers)];
  const child = spawn(
    process.execPath,
    [CLI, ...args, '--socket-mode', '666', '--log-level', 'warn', ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('scgi-node: ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`scgi-node exited ${code}`)));
  });
  return child;
}

export async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await once(child, 'exit');
  clearTimeout(timer);
}

/** nginx (one process, foreground) with one `scgi_pass` server block per named socket; resolves with the ports. */
export async function startNginx(dir, sockets) {
  const names = Object.keys(sockets);
  const picked = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((name, index) => [name, picked[index]]));
  for (const temp of ['body', 'proxy', 'scgi', 'fastcgi', 'uwsgi'])
    mkdirSync(join(dir, temp), { recursive: true });
  const servers = Object.entries(sockets).map(
    ([name, socket]) =>
      `  server {\n    listen 127.0.0.1:${ports[name]};\n    location / {\n      include /etc/nginx/scgi_params;\n      scgi_pass unix:${socket};\n    }\n  }`,
  );
  const config = [
    // One nginx process (no master/worker split): it runs as the bench's user, and costs the same for every design.
    'master_process off;',
    'daemon off;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    ...['body', 'proxy', 'scgi', 'fastcgi', 'uwsgi'].map(
      (t) => `  ${t === 'body' ? 'client_body' : t}_temp_path ${join(dir, t)};`,
    ),
    ...servers,
    '}',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), config);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: 'inherit',
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (child.exitCode !== null) throw new Error('nginx did not start');
  return { child, ports };
}
