// Failures: handler errors (500, keep serving), body-limit, unread bodies, and core's limits and timeouts.
import { once } from 'node:events';
import { request, SCGI_ERROR_EVENT, type ScgiError } from '@scgi-node/core';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { describe, expect, it } from 'vitest';
import type { ScgiFetchServer } from './serve.js';
import {
  listenServe,
  nginxPairs,
  openSocket,
  rawExchange,
  splitResponse,
  until,
  wire,
} from './test-support/scgi-wire.js';

function errorsOf(server: ScgiFetchServer): ScgiError[] {
  const errors: ScgiError[] = [];
  server.on(SCGI_ERROR_EVENT, (error: ScgiError) => errors.push(error));
  return errors;
}

const INTERNAL_ERROR =
  'Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 22\r\n\r\nInternal Server Error\n';

describe('handler failures', () => {
  it('answers 500 for a throw, a rejection or a non-Response, reports each, and keeps serving', async () => {
    const server = await listenServe({
      fetch: (request: Request) => {
        const path = new URL(request.url).pathname;
        if (path === '/throw') throw new Error('sync boom');
        if (path === '/reject') return Promise.reject(new Error('async boom'));
        if (path === '/nothing') return undefined;
        if (path === '/bad-header') return new Response('x', { headers: { 'X-Bad': 'a\r\nInjected: 1' } });
        return new Response('fine');
      },
    });
    const errors = errorsOf(server);
    for (const path of ['/throw', '/reject', '/nothing', '/bad-header']) {
      expect((await rawExchange(server, wire(nginxPairs('GET', path)))).bytes.toString()).toBe(
        INTERNAL_ERROR,
      );
    }
    expect(errors.map((error) => error.code)).toEqual(Array(4).fill('ERR_SCGI_HANDLER_FAILED'));
    expect((errors[0]!.cause as Error).message).toBe('sync boom');
    expect((errors[1]!.cause as Error).message).toBe('async boom');
    expect(String(errors[2]!.cause)).toMatch(/returned undefined instead of a Response/);
    expect(await (await request(server, { url: '/' })).text()).toBe('fine');
  });

  it('cuts the connection when a streamed body fails after the head went out', async () => {
    const server = await listenServe({
      fetch: () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('partial'));
              setTimeout(() => controller.error(new Error('stream broke')), 10);
            },
          }),
        ),
    });
    const errors = errorsOf(server);
    const result = await rawExchange(server, wire(nginxPairs('GET', '/')));
    expect(result.head).toMatch(/^Status: 200 OK/);
    expect(result.body.toString()).toBe('partial');
    expect((errors[0]!.cause as Error).message).toBe('stream broke');
  });

  it("lets Hono's onError answer errors thrown in routes", async () => {
    const app = new Hono();
    app.get('/', () => {
      throw new Error('route failed');
    });
    app.onError((error, c) => c.text(`handled: ${error.message}`, 503));
    const server = await listenServe({ fetch: app.fetch });
    const result = await rawExchange(server, wire(nginxPairs('GET', '/')));
    expect(result.head).toMatch(/^Status: 503 Service Unavailable/);
    expect(result.body.toString()).toBe('handled: route failed');
  });
});

describe('request bodies nobody reads', () => {
  it('rejects an oversized upload with hono/body-limit, drains it and keeps serving', async () => {
    const app = new Hono();
    app.post('/upload', bodyLimit({ maxSize: 1024, onError: (c) => c.text('too big', 413) }), async (c) =>
      c.text(`got ${(await c.req.arrayBuffer()).byteLength}`),
    );
    const server = await listenServe({ fetch: app.fetch });
    const small = await request(server, { method: 'POST', url: '/upload', body: Buffer.alloc(1000) });
    expect(await small.text()).toBe('got 1000');
    // Sent in pieces after the reply is under way: the rest must be read, not reset.
    const big = Buffer.alloc(2 * 1024 * 1024, 1);
    const pairs = nginxPairs('POST', '/upload', [], big.length);
    const pieces = [
      wire(pairs),
      ...Array.from({ length: 32 }, (_, i) => big.subarray(i * 65536, (i + 1) * 65536)),
    ];
    const result = await rawExchange(server, pieces);
    expect(result.head).toMatch(/^Status: 413 Payload Too Large/);
    expect(result.body.toString()).toBe('too big');
    expect(await (await request(server, { method: 'POST', url: '/upload', body: 'ok' })).text()).toBe(
      'got 2',
    );
  });

  it('answers before an ignored body has arrived and still reads all of it', async () => {
    let answered = false;
    const server = await listenServe({
      fetch: () => {
        answered = true;
        return new Response('ignored your body');
      },
    });
    // Like nginx, the peer goes on sending the body after our FIN (it does not half-close in return).
    const socket = await openSocket(server, true);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const BODY_BYTES = 1024 * 1024;
    socket.write(wire(nginxPairs('POST', '/', [], BODY_BYTES)));
    await until(() => answered && chunks.length > 0);
    const piece = Buffer.alloc(64 * 1024);
    for (let sent = 0; sent < BODY_BYTES; sent += piece.length) {
      if (!socket.write(piece)) await once(socket, 'drain');
    }
    socket.end();
    // A body left unread would make the server's close a reset (ECONNRESET/EPIPE here).
    const [hadError] = (await once(socket, 'close')) as [boolean];
    expect(hadError).toBe(false);
    expect(splitResponse(Buffer.concat(chunks)).body.toString()).toBe('ignored your body');
  });
});

describe("core's limits and timeouts", () => {
  const fetch = () => new Response('ok');

  it('answers 431 over maxHeaderBytes, 413 over maxBodyBytes, 400 for a bad netstring', async () => {
    const server = await listenServe({ fetch, maxHeaderBytes: 512, maxBodyBytes: 100 });
    const errors = errorsOf(server);
    const big = await rawExchange(server, wire(nginxPairs('GET', '/', [['HTTP_X_BIG', 'x'.repeat(600)]])));
    expect(big.head).toMatch(/^Status: 431 Request Header Fields Too Large\r\n/);
    const body = await rawExchange(server, wire(nginxPairs('POST', '/', [], 101), 'x'.repeat(101)));
    expect(body.head).toMatch(/^Status: 413 Payload Too Large\r\n/);
    const garbage = await rawExchange(server, Buffer.from('12x:whatever'));
    expect(garbage.head).toMatch(/^Status: 400 Bad Request\r\n/);
    expect(errors.map((error) => error.code)).toEqual([
      'ERR_SCGI_HEADER_TOO_LARGE',
      'ERR_SCGI_BODY_TOO_LARGE',
      'ERR_SCGI_BAD_NETSTRING_LENGTH',
    ]);
  });

  it('drops bytes past CONTENT_LENGTH that come with the head, as core does, and answers the request', async () => {
    const app = new Hono().post('/', async (c) => c.text(`got ${await c.req.text()}`));
    const server = await listenServe({ fetch: app.fetch });
    const errors = errorsOf(server);
    const result = await rawExchange(server, wire(nginxPairs('POST', '/', [], 3), 'abcEXTRA'));
    expect(result.head).toMatch(/^Status: 200 OK\r\n/);
    expect(result.body.toString()).toBe('got abc');
    expect(errors.map((error) => error.code)).toEqual(['ERR_SCGI_UNEXPECTED_DATA']);
  });

  it('answers an HTTP request on the SCGI port in HTTP, with a hint', async () => {
    const server = await listenServe({ fetch });
    const result = await rawExchange(server, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(result.head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(result.body.toString()).toMatch(/speaks SCGI, not HTTP/);
  });

  it('answers 408 when the header block does not arrive within headersTimeoutMs', async () => {
    const server = await listenServe({ fetch, headersTimeoutMs: 100 });
    const errors = errorsOf(server);
    const result = await rawExchange(server, Buffer.from('70:CONTENT_LENGTH'));
    expect(result.head).toMatch(/^Status: 408 Request Timeout\r\n/);
    expect(errors[0]?.code).toBe('ERR_SCGI_HEADER_TIMEOUT');
  });

  it('closes a connection whose peer stops sending the body for idleTimeoutMs, aborting the request', async () => {
    let aborted = false;
    const server = await listenServe({
      fetch: async (request: Request) => {
        request.signal.addEventListener('abort', () => {
          aborted = true;
        });
        await request.text().catch(() => {});
        return new Response('never');
      },
      idleTimeoutMs: 100,
    });
    const errors = errorsOf(server);
    const socket = await openSocket(server);
    socket.write(wire(nginxPairs('POST', '/', [], 10), 'part'));
    await once(socket, 'close');
    await until(() => aborted);
    expect(errors.map((error) => error.code)).toEqual(['ERR_SCGI_IDLE_TIMEOUT']);
  });

  it('does not time out a slow handler whose peer is waiting', async () => {
    const server = await listenServe({
      fetch: async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return new Response('slow but fine');
      },
      idleTimeoutMs: 100,
    });
    expect(await (await request(server, { url: '/' })).text()).toBe('slow but fine');
  });

  it('takes a FIN after the request as an abort, unless allowHalfClose is set', async () => {
    const halfClosing = async (server: ScgiFetchServer) => {
      const socket = await openSocket(server, true);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.end(wire(nginxPairs('GET', '/')));
      await once(socket, 'close');
      return Buffer.concat(chunks).toString();
    };
    const slow = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return new Response('answered');
    };
    expect(await halfClosing(await listenServe({ fetch: slow }))).toBe('');
    expect(await halfClosing(await listenServe({ fetch: slow, allowHalfClose: true }))).toMatch(/answered$/);
  });

  it('closes idle connections on closeIdleConnections() and all on closeAllConnections()', async () => {
    const server = await listenServe({ fetch: () => new Promise<Response>(() => {}) });
    const idle = await openSocket(server);
    const busy = await openSocket(server);
    busy.write(wire(nginxPairs('GET', '/')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const idleClosed = once(idle, 'close');
    server.closeIdleConnections();
    await idleClosed;
    expect(busy.destroyed).toBe(false);
    const busyClosed = once(busy, 'close');
    server.closeAllConnections();
    await busyClosed;
  });
});
