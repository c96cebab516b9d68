// Shared by the Koa framework tests: both Koa majors, apps listening on scgi(), raw SCGI exchanges.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScgiTarget } from '@scgi-node/core';
import { encodeRequestHead } from '@scgi-node/core/protocol';
import { scgi } from '@scgi-node/koa';
import Koa2 from 'koa2';
import Koa3 from 'koa3';
import { afterEach } from 'vitest';

/** The Koa application class (both majors share one type declaration). */
export type KoaClass = typeof Koa3;
/** What the harness needs of an app, whatever its state and context types. */
export type KoaApp = Pick<InstanceType<KoaClass>, 'listen'>;

/** Every test runs once per major: `describe.each(KOA_VERSIONS)('$name', ({ Koa }) => ...)`. */
export const KOA_VERSIONS: ReadonlyArray<{ name: string; major: number; Koa: KoaClass }> = [
  { name: 'Koa 2', major: 2, Koa: Koa2 },
  { name: 'Koa 3', major: 3, Koa: Koa3 },
];

/** Bound on waits for a response head: a Koa 2 app that never answers fails here, not at the test timeout. */
export const HEAD_TIMEOUT_MS = 10_000;

const servers = new Set<Server>();
const tempDirs: string[] = [];

afterEach(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  servers.clear();
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** `app.listen(scgi(0))` exactly as an app would write it; resolves once listening, closed after the test. */
export async function listen(app: KoaApp, target: ScgiTarget = scgi(0)): Promise<Server> {
  const server = app.listen(target);
  servers.add(server);
  await once(server, 'listening');
  return server;
}

/** A fresh temp folder, removed after the test. */
export async function tempDir(prefix = 'scgi-koa-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** What a raw SCGI exchange produced: the head and body bytes as received, and how the connection ended. */
export interface RawReply {
  head: string;
  body: Buffer;
  bytes: Buffer;
  /** The server sent FIN (rather than the connection being reset). */
  ended: boolean;
  error: NodeJS.ErrnoException | undefined;
}

/** nginx-like CGI variables for `method url`, then `extra` (later names are sent as given, repeats kept). */
export function nginxVariables(
  method: string,
  url: string,
  extra: Array<[string, string]> = [],
): Array<[string, string]> {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  return [
    ['REQUEST_METHOD', method],
    ['REQUEST_URI', url],
    ['QUERY_STRING', query],
    ['CONTENT_TYPE', ''],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['REQUEST_SCHEME', 'http'],
    ['REMOTE_ADDR', '203.0.113.7'],
    ['REMOTE_PORT', '51000'],
    ['SERVER_ADDR', '127.0.0.1'],
    ['SERVER_PORT', '8080'],
    ['SERVER_NAME', 'example.test'],
    ['HTTP_HOST', 'example.test:8080'],
    ...extra,
  ];
}

/**
 * Send one SCGI request on a plain socket (`contentLength` defaults to the body's length; extra bytes are
 * sent as given) and read until the server closes.
 */
export function rawExchange(
  server: Server,
  variables: Array<[string, string]>,
  body: Buffer | string = '',
  contentLength = Buffer.byteLength(body),
): Promise<RawReply> {
  return rawBytes(server, Buffer.concat([encodeRequestHead(variables, contentLength), Buffer.from(body)]));
}

/** Write `bytes` as they are (valid SCGI or not) and read until the server closes. */
export async function rawBytes(server: Server, bytes: Buffer): Promise<RawReply> {
  const address = server.address();
  if (address === null) throw new Error('rawBytes: the server is not listening');
  const socket = connect(
    typeof address === 'string' ? { path: address } : { port: address.port, host: address.address },
  );
  const chunks: Buffer[] = [];
  let ended = false;
  let error: NodeJS.ErrnoException | undefined;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('end', () => {
    ended = true;
  });
  socket.on('error', (cause: NodeJS.ErrnoException) => {
    error = cause;
  });
  socket.write(bytes);
  await once(socket, 'close');
  const received = Buffer.concat(chunks);
  const split = received.indexOf('\r\n\r\n');
  return {
    head: received.toString('latin1', 0, split === -1 ? received.length : split),
    body: split === -1 ? Buffer.alloc(0) : received.subarray(split + 4),
    bytes: received,
    ended,
    error,
  };
}

/** Header lines of a raw CGI head, names lower-cased, in order. */
export function headLines(head: string): Array<[string, string]> {
  return head
    .split('\r\n')
    .slice(1)
    .map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as [string, string];
    });
}

/** Resolve when `condition()` holds, polling each turn of the event loop; reject after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
