// Test support: SCGI requests as the front servers send them, raw exchanges, servers closed after each test.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:net';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type ScgiFetchServer, type ServeOptions, serve } from '../serve.js';

/** Encode a request the way the front servers do: netstring of NUL-terminated pairs, then the body. */
export function wire(pairs: Array<[string, string]>, body: string | Buffer = ''): Buffer {
  const block = Buffer.from(pairs.map(([name, value]) => `${name}\0${value}\0`).join(''), 'latin1');
  return Buffer.concat([Buffer.from(`${block.length}:`), block, Buffer.from(','), Buffer.from(body)]);
}

/** The variables nginx 1.22 sends (Debian's scgi_params) for `method url`, plus `extra`. */
export function nginxPairs(
  method: string,
  url: string,
  extra: Array<[string, string]> = [],
  contentLength = 0,
): Array<[string, string]> {
  const [path = '/', query = ''] = url.split('?');
  return [
    ['CONTENT_LENGTH', String(contentLength)],
    ['REQUEST_METHOD', method],
    ['REQUEST_URI', url],
    ['QUERY_STRING', query],
    ['CONTENT_TYPE', ''],
    ['DOCUMENT_URI', path],
    ['DOCUMENT_ROOT', '/usr/share/nginx/html'],
    ['SCGI', '1'],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['REQUEST_SCHEME', 'http'],
    ['GATEWAY_INTERFACE', 'CGI/1.1'],
    ['SERVER_SOFTWARE', 'nginx/1.22.1'],
    ['REMOTE_ADDR', '203.0.113.7'],
    ['REMOTE_PORT', '51000'],
    ['SERVER_ADDR', '127.0.0.1'],
    ['SERVER_PORT', '8080'],
    ['SERVER_NAME', 'example.test'],
    ['HTTP_HOST', 'example.test'],
    ['HTTP_USER_AGENT', 'curl/7.88.1'],
    ['HTTP_ACCEPT', '*/*'],
    ...extra,
  ];
}

/** Replace (or add) one variable in a pair list. */
export function withVariable(pairs: Array<[string, string]>, name: string, value: string | undefined) {
  const rest = pairs.filter(([key]) => key !== name);
  return value === undefined ? rest : [...rest, [name, value] as [string, string]];
}

export interface RawResult {
  bytes: Buffer;
  head: string;
  body: Buffer;
  /** Header lines after the Status line, as written. */
  lines: string[];
}

export function splitResponse(bytes: Buffer): RawResult {
  const end = bytes.indexOf('\r\n\r\n');
  const head = end === -1 ? bytes.toString('latin1') : bytes.toString('latin1', 0, end);
  return {
    bytes,
    head,
    body: end === -1 ? Buffer.alloc(0) : bytes.subarray(end + 4),
    lines: head.split('\r\n').slice(1),
  };
}

/** Connect to a listening server and keep the socket open (abort and timeout tests). */
export async function openSocket(server: Pick<Server, 'address'>, allowHalfOpen = false): Promise<Socket> {
  const address = server.address();
  const socket =
    typeof address === 'string'
      ? connect({ path: address, allowHalfOpen })
      : connect({ port: address!.port, host: '127.0.0.1', allowHalfOpen });
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

/** Send `bytes` (optionally in pieces), read until the server closes. */
export async function rawExchange(
  server: Pick<Server, 'address'>,
  bytes: Buffer | Buffer[],
): Promise<RawResult> {
  const socket = await openSocket(server);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = once(socket, 'close');
  for (const piece of Array.isArray(bytes) ? bytes : [bytes]) socket.write(piece);
  await closed;
  return splitResponse(Buffer.concat(chunks));
}

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    (server as Partial<ScgiFetchServer>).closeAllConnections?.();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Keep `server` to be closed after the test. */
export function track<T extends Server>(server: T): T {
  servers.push(server);
  return server;
}

/** A fresh temp dir, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scgi-hono-'));
  dirs.push(dir);
  return dir;
}

/** `serve` on an ephemeral loopback port (unless told otherwise), listening, closed after the test. */
export async function listenServe<B extends object = {}>(options: ServeOptions<B>): Promise<ScgiFetchServer> {
  const server = track(serve({ listen: 0, ...options }));
  await once(server, 'listening');
  return server;
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs` (a liveness bound, not a speed check). */
export async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
