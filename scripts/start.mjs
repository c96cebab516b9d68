#!/usr/bin/env node
// `npm start`: the embedded default. examples/express-app runs as an SCGI worker on a private unix socket,
// the built-in HTTP gateway serves it on 127.0.0.1:8080 (PORT / HOST override). Both are stopped by pid.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.PORT ?? '8080';
const host = process.env.HOST ?? '127.0.0.1';
const socketDir = mkdtempSync(join(tmpdir(), 'scgi-node-start-'));
const socketPath = join(socketDir, 'express-app.sock');
const WORKER_READY_TIMEOUT_MS = 15_000;

const children = new Set();
let stopping = false;

function start(name, args, env = {}) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.stdout.on('data', (chunk) => process.stdout.write(chunk));
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping) {
      console.error(`[scgi-node] ${name} exited (${signal ?? code}); stopping`);
      stop(1);
    } else if (children.size === 0) {
      rmSync(socketDir, { recursive: true, force: true });
      process.exit(process.exitCode ?? 0);
    }
  });
  return child;
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  for (const child of children) process.kill(child.pid, 'SIGTERM');
  if (children.size === 0) process.exit(code);
}

/** Resolve when the child prints a line matching `pattern`. */
async function waitForLine(child, pattern, timeoutMs) {
  const timer = setTimeout(
    () => child.stdout.emit('error', new Error(`not ready after ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    let seen = '';
    while (!pattern.test(seen)) {
      const [chunk] = await once(child.stdout, 'data');
      seen += chunk;
    }
  } finally {
    clearTimeout(timer);
  }
}

process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));

const worker = start('SCGI worker', [join(root, 'examples/express-app/dist/scgi.js')], {
  SCGI_LISTEN: socketPath,
});
try {
  await waitForLine(worker, /SCGI worker listening/, WORKER_READY_TIMEOUT_MS);
} catch (error) {
  console.error(`[scgi-node] the SCGI worker did not start: ${error.message}`);
  stop(1);
}
if (!stopping) {
  const gateway = start('HTTP gateway', [
    join(root, 'packages/gateway/dist/cli.js'),
    '--target',
    `unix:${socketPath}`,
    '--listen',
    `${host}:${port}`,
  ]);
  await waitForLine(gateway, /scgi-gateway: http/, WORKER_READY_TIMEOUT_MS).catch(() => {});
  if (!stopping) {
    console.log(`\n  scgi-node: examples/express-app is an SCGI worker on ${socketPath}`);
    console.log(`  behind the HTTP gateway. Open http://${host}:${port}/  (Ctrl-C stops both)\n`);
  }
}
