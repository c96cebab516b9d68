// Unix socket files: replace a stale one, refuse one with a live listener, apply the requested mode.
import cluster from 'node:cluster';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { ScgiError } from '../protocol/errors.js';

const PROBE_TIMEOUT_MS = 1_000;

/**
 * What is at `path` now, without waiting: `'free'` (nothing, bind at once, as net does) or `'socket'`
 * (a socket file that may be stale or live: only a connect probe can tell). Anything else is refused.
 */
export function socketPathState(path: string): 'free' | 'socket' {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'free';
    throw error;
  }
  if (!isSocket) {
    throw new ScgiError(
      'ERR_SCGI_SOCKET_IN_USE',
      `${path} exists and is not a socket; refusing to replace it`,
    );
  }
  return 'socket';
}

/** Make `path` free to bind: remove a socket file nobody listens on; fail if someone does. */
export async function prepareSocketPath(path: string): Promise<void> {
  if (socketPathState(path) === 'free') return;
  await replaceStaleSocket(path);
}

/**
 * The socket file at `path` is removed if nobody accepts on it; ERR_SCGI_SOCKET_IN_USE if someone does.
 * In a node:cluster worker (pm2's cluster mode too) a listener there is left alone: the primary binds a
 * path once and shares that socket with every worker that asks for it, so the listener is most likely
 * the primary's own; if it is not, the primary's bind fails with EADDRINUSE.
 */
export async function replaceStaleSocket(path: string): Promise<void> {
  if (await hasListener(path)) {
    if (cluster.isWorker) return;
    throw new ScgiError('ERR_SCGI_SOCKET_IN_USE', `${path} is in use by a running server`);
  }
  try {
    unlinkSync(path); // left behind by a process that died without closing
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function hasListener(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    const done = (alive: boolean) => {
      probe.destroy();
      resolve(alive);
    };
    probe.setTimeout(PROBE_TIMEOUT_MS, () => done(true)); // accepting slowly is still alive
    probe.once('connect', () => done(true));
    probe.once('error', (error: NodeJS.ErrnoException) =>
      done(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'),
    );
  });
}

export function applySocketMode(path: string, mode: number): void {
  chmodSync(path, mode);
}
