// Test support: plain HTTP clients (node:http with its own connection, and raw bytes on a socket).
import { once } from 'node:events';
import { type IncomingHttpHeaders, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';

export interface HttpResult {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

export interface HttpInit {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer | Readable;
}

/** One request on its own connection (`agent: false`, so nothing is pooled after the test). */
export async function httpRequest(url: string, init: HttpInit = {}): Promise<HttpResult> {
  const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false });
  const body = init.body;
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
  else body.pipe(req);
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return {
    status: res.statusCode ?? 0,
    statusMessage: res.statusMessage ?? '',
    headers: res.headers,
    rawHeaders: res.rawHeaders,
    body: Buffer.concat(chunks),
  };
}

/** Connect to 127.0.0.1:`port` and keep the socket open (the caller writes and destroys it). */
export async function openClient(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

/** Send raw HTTP bytes and read until the gateway closes the connection. */
export async function rawHttp(port: number, bytes: Buffer | string): Promise<string> {
  const socket = await openClient(port);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = once(socket, 'close');
  socket.write(bytes);
  await closed;
  return Buffer.concat(chunks).toString('latin1');
}
