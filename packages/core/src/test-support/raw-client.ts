// Test support: raw SCGI wire exchanges and servers that are closed after each test.
import { once } from 'node:events';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { type ConnectTarget, connectOptions } from '../client/connect-target.js';
import { type ScgiServerOptions, scgi } from '../server/target.js';
import '../index.js';

/** Encode a request the way the front servers do: netstring of NUL-terminated pairs, then the body. */
export function wire(pairs: Array<[string, string]>, body: string | Buffer = ''): Buffer {
  const block = Buffer.from(pairs.map(([name, value]) => `${name}\0${value}\0`).join(''), 'latin1');
  return Buffer.concat([Buffer.from(`${block.length}:`), block, Buffer.from(','), Buffer.from(body)]);
}

/** A minimal nginx-like variable list for `method url`. */
export function nginxPairs(
  method: string,
  url: string,
  extra: Array<[string, string]> = [],
  contentLength = 0,
) {
  const [path = '/', query = ''] = url.split('?');
  return [
    ['CONTENT_LENGTH', String(contentLength)],
    ['REQUEST_METHOD', method],
    ['REQUEST_URI', url],
    ['QUERY_STRING', query],
    ['CONTENT_TYPE', ''],
    ['DOCUMENT_URI', path],
    ['SCGI', '1'],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['REQUEST_SCHEME', 'http'],
    ['REMOTE_ADDR', '203.0.113.7'],
    ['REMOTE_PORT', '51000'],
    ['SERVER_ADDR', '127.0.0.1'],
    ['SERVER_PORT', '8080'],
    ['SERVER_NAME', 'example.test'],
    ['HTTP_HOST', 'example.test:8080'],
    ...extra,
  ] as Array<[string, string]>;
}

export interface RawResult {
  text: string;
  bytes: Buffer;
  head: string;
  body: string;
}

/** Send `bytes` (optionally in pieces), read until the server closes. */
export async function rawExchange(
  target: ConnectTarget,
  bytes: Buffer | Buffer[],
  options: { gapMs?: number; halfClose?: boolean } = {},
): Promise<RawResult> {
  const socket = connect(connectOptions(target));
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = once(socket, 'close');
  socket.on('error', () => {});
  for (const piece of Array.isArray(bytes) ? bytes : [bytes]) {
    socket.write(piece);
    if (options.gapMs) await new Promise((resolve) => setTimeout(resolve, options.gapMs));
  }
  if (options.halfClose) socket.end();
  await closed;
  return splitResponse(Buffer.concat(chunks));
}

export function splitResponse(bytes: Buffer): RawResult {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  return {
    text,
    bytes,
    head: end === -1 ? text : text.slice(0, end),
    body: end === -1 ? '' : text.slice(end + 4),
  };
}

/** Connect and hold the socket open, for abort and timeout tests. */
export async function openSocket(target: ConnectTarget): Promise<Socket> {
  const socket = connect(connectOptions(target));
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
});

/** An http.Server listening on scgi(0); closed after the test. */
export async function listenScgi(
  listener: RequestListener,
  options: ScgiServerOptions = {},
): Promise<Server> {
  const server = createHttpServer(listener);
  servers.push(server);
  server.listen(scgi(0, options));
  await once(server, 'listening');
  return server;
}

export function track(server: Server): Server {
  servers.push(server);
  return server;
}
