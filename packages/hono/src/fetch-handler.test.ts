// One Hono app three ways — `serve`, core + createFetchHandler, core + @hono/node-server's listener — same answers.
import { once } from 'node:events';
import type { Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { createServer, request, type ScgiRequestInit, type ScgiResponse, scgi } from '@scgi-node/core';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { getConnInfo } from './conn-info.js';
import { createFetchHandler } from './fetch-handler.js';
import { referenceApp } from './test-support/reference-app.js';
import {
  listenServe,
  nginxPairs,
  openSocket,
  rawExchange,
  track,
  until,
  wire,
} from './test-support/scgi-wire.js';

async function listenCore(listener: Parameters<typeof createServer>[0]): Promise<Server> {
  const server = track(createServer(listener).listen(scgi(0)));
  await once(server, 'listening');
  return server;
}

/** Status, headers (names lower-cased, sorted; node:http's Date left out) and body of one answer. */
async function answer(response: ScgiResponse) {
  const headers = response.headers
    .filter(([name]) => name.toLowerCase() !== 'date')
    .map(([name, value]) => `${name.toLowerCase()}: ${value}`)
    .sort();
  return {
    status: `${response.status} ${response.statusText}`,
    headers,
    body: (await response.buffer()).toString('latin1'),
  };
}

async function multipart() {
  const form = new FormData();
  form.append('name', 'ann');
  form.append('file', new Blob([Buffer.alloc(50_000, 3)]), 'blob.bin');
  const encoded = new Response(form);
  return {
    body: Buffer.from(await encoded.arrayBuffer()),
    contentType: encoded.headers.get('content-type')!,
  };
}

describe('the same Hono app on the fetch path and through IncomingMessage', () => {
  it('gives identical responses from serve, createFetchHandler and getRequestListener', async () => {
    const app = referenceApp();
    app.onError((error, c) => c.text(`failed: ${error.message}`, 500));
    const servers = {
      serve: await listenServe({ fetch: app.fetch }),
      fetchHandler: await listenCore(createFetchHandler(app.fetch)),
      // Its own Request/Response classes off: one process cannot have two sets of globals.
      nodeServer: await listenCore(getRequestListener(app.fetch, { overrideGlobalObjects: false })),
    };
    const upload = await multipart();
    const requests: ScgiRequestInit[] = [
      ...[
        '/',
        '/json',
        '/html',
        '/redirect',
        '/teapot',
        '/binary',
        '/typed-binary',
        '/headers',
        '/cookies',
        '/empty',
        '/query?q=1&tag=a&tag=b',
        '/url',
        '/request-headers',
        '/sse',
        '/error',
        '/missing',
      ].map((url) => ({ url })),
      { method: 'HEAD', url: '/json' },
      { method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, body: '{"a":"ü"}' },
      { method: 'POST', url: '/form', headers: { 'content-type': upload.contentType }, body: upload.body },
    ];
    for (const init of requests) {
      const headers = { host: 'example.test', 'user-agent': 'test/1', cookie: 'a=1', ...init.headers };
      const [viaServe, viaFetchHandler, viaNodeServer] = await Promise.all(
        Object.values(servers).map(async (server) => answer(await request(server, { ...init, headers }))),
      );
      expect(viaFetchHandler, `${init.method ?? 'GET'} ${init.url}`).toEqual(viaServe);
      expect(viaNodeServer, `${init.method ?? 'GET'} ${init.url}`).toEqual(viaServe);
    }
    const form = await answer(await request(servers.serve, requests.at(-1)!));
    expect(JSON.parse(form.body)).toEqual({ name: 'ann', file: 'blob.bin', size: 50_000 });
  });
});

describe('createFetchHandler on core', () => {
  it('puts CGI variables and bindings on c.env and the client address in getConnInfo', async () => {
    const app = new Hono<{ Bindings: { REMOTE_USER?: string; app: string } }>();
    app.get('/', (c) => c.json({ user: c.env.REMOTE_USER, app: c.env.app, remote: getConnInfo(c).remote }));
    const server = await listenCore(createFetchHandler(app.fetch, { bindings: { app: 'demo' } }));
    const result = await rawExchange(server, wire(nginxPairs('GET', '/', [['REMOTE_USER', 'ann']])));
    expect(JSON.parse(result.body.toString())).toEqual({
      user: 'ann',
      app: 'demo',
      remote: { address: '203.0.113.7', port: 51000, addressType: 'IPv4' },
    });
  });

  it("aborts the request's signal when the peer goes away", async () => {
    let aborted: boolean | undefined;
    const server = await listenCore(
      createFetchHandler(async (request: Request) => {
        await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
        aborted = request.signal.aborted;
        return new Response('late');
      }),
    );
    const socket = await openSocket(server);
    socket.write(wire(nginxPairs('GET', '/')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.destroy();
    await until(() => aborted !== undefined);
    expect(aborted).toBe(true);
  });

  it('answers 500 when the handler rejects, and streams a request body to the handler', async () => {
    const server = await listenCore(
      createFetchHandler(async (request: Request) => {
        if (request.method === 'GET') throw new Error('boom');
        let total = 0;
        for await (const chunk of request.body!) total += chunk.length;
        return Response.json({ total });
      }),
    );
    server.on('scgiError', () => {});
    const failed = await rawExchange(server, wire(nginxPairs('GET', '/')));
    expect(failed.head).toMatch(/^Status: 500 Internal Server Error/);
    const body = Buffer.alloc(1_000_000, 1);
    const posted = await request(server, { method: 'POST', url: '/', body });
    expect(await posted.json()).toEqual({ total: 1_000_000 });
    expect(posted.header('content-length')).toBe('17');
  });
});
