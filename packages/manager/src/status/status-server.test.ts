// The status socket for real: a unix socket round trip, its mode, other methods and paths, stale and live files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ManagerError } from '../errors.js';
import { fetchStatus, type StatusView } from './status-client.js';
import { type StatusServer, startStatusServer } from './status-server.js';

const servers: StatusServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function socketPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'scgi-status-')), 'status.sock');
}

async function start(path: string, snapshot: () => unknown, mode?: number): Promise<StatusServer> {
  const server = await startStatusServer(path, snapshot, mode === undefined ? {} : { mode });
  servers.push(server);
  return server;
}

function raw(
  path: string,
  method: string,
  url: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: path, method, path: url }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A process that dies with SIGKILL while listening leaves its socket file behind, with nobody on it. */
function leaveStaleSocket(path: string): void {
  const script = `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
  expect(spawnSync(process.execPath, ['-e', script]).signal).toBe('SIGKILL');
}

const view = (requests: number): StatusView => ({
  pid: 4242,
  state: 'running',
  listen: 'unix /run/app.sock',
  generation: 1,
  totals: { requests, restarts: 0 },
  workers: [{ id: 1, pid: 4243, state: 'ready', requests, inFlight: 0, rssBytes: 50_000_000 }],
});

describe('status server and client', () => {
  it('round trip: the client gets a fresh snapshot per request', async () => {
    const path = socketPath();
    let requests = 0;
    await start(path, () => view(++requests));
    expect(await fetchStatus(path)).toEqual(view(1));
    expect((await fetchStatus(path)).totals?.requests).toBe(2);
  });

  it('the socket is owner-only (0600) by default, or the given mode; close removes it', async () => {
    const path = socketPath();
    const server = await start(path, () => view(0));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await server.close();
    expect(existsSync(path)).toBe(false);
    const other = socketPath();
    await start(other, () => view(0), 0o660);
    expect(statSync(other).mode & 0o777).toBe(0o660);
  });

  it('answers HEAD without a body, 405 to other methods, 404 elsewhere, 500 when the snapshot throws', async () => {
    const path = socketPath();
    let broken = false;
    await start(path, () => {
      if (broken) throw new Error('pool gone');
      return view(0);
    });
    const head = await raw(path, 'HEAD', '/');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(await raw(path, 'GET', '/status')).toMatchObject({ status: 200 });
    const post = await raw(path, 'POST', '/');
    expect(post).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD' } });
    expect(await raw(path, 'GET', '/metrics')).toMatchObject({ status: 404 });
    broken = true;
    expect(await raw(path, 'GET', '/')).toMatchObject({
      status: 500,
      body: '{"error":"the status could not be taken: pool gone"}\n',
    });
    const error = await fetchStatus(path).catch((caught: unknown) => caught as ManagerError);
    expect(error).toMatchObject({ code: 'ERR_SCGI_NODE_STATUS' });
    expect((error as ManagerError).message).toContain('answered 500');
  });

  it('replaces a stale socket file and refuses a live one or a regular file', async () => {
    const path = socketPath();
    // A manager killed with SIGKILL leaves its status socket behind.
    leaveStaleSocket(path);
    expect(statSync(path).isSocket()).toBe(true);
    await start(path, () => view(7));
    expect((await fetchStatus(path)).totals?.requests).toBe(7);
    const second = await startStatusServer(path, () => view(0)).catch(
      (caught: unknown) => caught as ManagerError,
    );
    expect(second).toMatchObject({ code: 'ERR_SCGI_NODE_STATUS' });
    expect((second as ManagerError).message).toContain('in use by a running server');
    const file = join(mkdtempSync(join(tmpdir(), 'scgi-status-')), 'file');
    writeFileSync(file, 'x');
    await expect(startStatusServer(file, () => view(0))).rejects.toMatchObject({
      code: 'ERR_SCGI_NODE_STATUS',
    });
  });
});

describe('status client errors', () => {
  it('no socket file, a stale socket, something that is not a status socket', async () => {
    const missing = socketPath();
    await expect(fetchStatus(missing)).rejects.toThrow(
      /there is no status socket at .* \(is the manager running with --status-socket/,
    );
    const stale = socketPath();
    leaveStaleSocket(stale);
    await expect(fetchStatus(stale)).rejects.toThrow(/nobody listens on .*: the manager is not running/);
    const other = socketPath();
    await start(other, () => ({ hello: 'world' }));
    await expect(fetchStatus(other)).rejects.toThrow(/is not a scgi-node status socket/);
  });

  it('gives up after the timeout when the socket never answers', async () => {
    const path = socketPath();
    const { createServer } = await import('node:net');
    const silent = createServer(() => {}).listen(path);
    try {
      await expect(fetchStatus(path, 200)).rejects.toThrow(/cannot query .*: no answer within 200ms/);
    } finally {
      silent.close();
    }
  });
});
