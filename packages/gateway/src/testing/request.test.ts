// request(app) from @scgi-node/gateway/testing: supertest through a real gateway and a real SCGI server.
import { cgiVariables } from '@scgi-node/core';
import express from 'express';
import { Hono } from 'hono';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { openFds, settledState, waitFor } from '../test-support/leaks.js';
import { type GatewayTestAgent, request } from './index.js';

/** What the app saw of the transport: its request came over SCGI, from the gateway. */
function transport(req: Parameters<typeof cgiVariables>[0]) {
  const env = cgiVariables(req);
  return { scgi: env?.SCGI ?? null, remoteAddr: env?.REMOTE_ADDR ?? null };
}

/** Both servers closed, with no connection and no descriptor left since `before`. */
async function expectClosed(api: GatewayTestAgent, before: Set<string>) {
  expect([api.gateway.listening, api.backend.listening]).toEqual([false, false]);
  expect(await settledState(before, [api.gateway, api.backend])).toEqual({ newFds: [], connections: [0, 0] });
}

describe('request(app) with Express', () => {
  const app = express();
  app.use(express.json());
  app.get('/users/:id', (req, res) => {
    res.json({ id: req.params.id, q: req.query.q, ip: req.ip, via: transport(req) });
  });
  app.post('/echo', (req, res) => {
    res.status(201).json(req.body);
  });
  app.post('/login', (_req, res) => {
    res.cookie('session', 'abc', { httpOnly: true }).cookie('theme', 'dark').send('ok');
  });
  app.get('/me', (req, res) => {
    res.send(req.headers.cookie ?? 'anonymous');
  });
  app.get('/old', (_req, res) => res.redirect(301, '/new'));
  let hanging = 0;
  app.get('/hang', () => {
    hanging++; // never answers
  });

  it('GET with params and query, over SCGI from 127.0.0.1', async () => {
    const before = openFds();
    const api = request(app);
    const res = await api.get('/users/7?q=x').expect(200).expect('Content-Type', /json/);
    expect(res.body).toEqual({
      id: '7',
      q: 'x',
      ip: '127.0.0.1',
      via: { scgi: '1', remoteAddr: '127.0.0.1' },
    });
    // supertest closed the gateway after the request, and the SCGI server went with it.
    await expectClosed(api, before);
  });

  it('POST JSON, redirects left to the test, and cookies kept by the agent across requests', async () => {
    const before = openFds();
    const api = request(app);
    await api
      .post('/echo')
      .send({ a: [1, 2] })
      .expect(201, { a: [1, 2] });
    await api.get('/old').expect(301).expect('Location', '/new');
    const login = await api.post('/login').expect(200);
    expect(login.headers['set-cookie']).toEqual(['session=abc; Path=/; HttpOnly', 'theme=dark; Path=/']);
    await api.get('/me').expect(200, 'session=abc; theme=dark');
    await expectClosed(api, before);
  });

  it('requests in parallel share one gateway, closed after the last', async () => {
    const before = openFds();
    const api = request(app);
    const results = await Promise.all([1, 2, 3].map((id) => api.get(`/users/${id}`).expect(200)));
    expect(results.map((res) => res.body.id)).toEqual(['1', '2', '3']);
    await expectClosed(api, before);
  });

  it('`await using` closes both servers at the end of the block, cutting a request still in flight', async () => {
    const before = openFds();
    let api: GatewayTestAgent | undefined;
    let pending: Promise<string> | undefined;
    {
      await using scoped = request(app);
      api = scoped;
      pending = scoped.get('/hang').then(
        () => 'answered',
        (error: { status?: number }) => (error.status === undefined ? 'cut' : `status ${error.status}`),
      );
      expect(await waitFor(() => hanging > 0)).toBe(true);
    }
    expect(await pending).toBe('cut');
    await expectClosed(api, before);
  });

  it('close() stops the servers; a later request starts them again', async () => {
    const before = openFds();
    const api = request(app);
    await api.get('/users/1').expect(200);
    await api.close();
    await api.get('/users/2').expect(200);
    await api.close();
    await expectClosed(api, before);
  });
});

describe('request(app) with Koa', () => {
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path === '/missing') return; // Koa's default 404
    const body = ctx.method === 'POST' ? Buffer.concat(await ctx.req.toArray()).toString() : '';
    ctx.body = { method: ctx.method, path: ctx.path, body, protocol: ctx.protocol, via: transport(ctx.req) };
  });

  it('takes the Koa app itself', async () => {
    const res = await request(app).post('/k').send('raw text').set('Content-Type', 'text/plain').expect(200);
    expect(res.body).toEqual({
      method: 'POST',
      path: '/k',
      body: 'raw text',
      protocol: 'http',
      via: { scgi: '1', remoteAddr: '127.0.0.1' },
    });
  });

  it('takes app.callback()', async () => {
    await request(app.callback()).get('/missing').expect(404);
    const res = await request(app.callback()).get('/k').expect(200);
    expect(res.body.via).toEqual({ scgi: '1', remoteAddr: '127.0.0.1' });
  });
});

describe('request(app) with node:http listeners and fetch handlers', () => {
  it('a plain (req, res) listener', async () => {
    const api = request((req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(`${req.method} ${req.url} ${JSON.stringify(transport(req))}`);
    });
    await api.get('/plain?x=1').expect(200, 'GET /plain?x=1 {"scgi":"1","remoteAddr":"127.0.0.1"}');
  });

  const hono = new Hono();
  hono.get('/hello/:name', (c) => c.json({ hello: c.req.param('name'), url: c.req.url }));
  hono.post('/upper', async (c) => c.text((await c.req.text()).toUpperCase()));
  hono.get('/cookies', (c) => {
    c.header('Set-Cookie', 'a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT', { append: true });
    c.header('Set-Cookie', 'b=2', { append: true });
    return c.text('ok');
  });

  it('a Hono app object', async () => {
    const api = request(hono);
    const res = await api.get('/hello/ann').expect(200);
    // The URL Hono sees is built from the Host the client sent to the gateway.
    expect(res.body.hello).toBe('ann');
    expect(res.body.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hello\/ann$/);
    await api.post('/upper').send('shout').set('Content-Type', 'text/plain').expect(200, 'SHOUT');
  });

  it("Hono's app.fetch, with repeated Set-Cookie kept apart", async () => {
    const res = await request(hono.fetch).get('/cookies').expect(200, 'ok');
    expect(res.headers['set-cookie']).toEqual(['a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT', 'b=2']);
  });

  it('a bare (request) => Response handler, streaming its body; HEAD gets no body', async () => {
    const handler = (req: Request) => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of ['a', 'b', 'c']) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      });
      return new Response(stream, { status: 200, headers: { 'X-Method': req.method } });
    };
    await request(handler).get('/s').expect('X-Method', 'GET').expect(200, 'abc');
    const head = await request(handler).head('/s').expect(200).expect('X-Method', 'HEAD');
    expect(head.text).toBeUndefined();
  });

  it('kind overrides the guess: a rest-parameter listener is a node listener', async () => {
    const listener = (...args: Parameters<import('node:http').RequestListener>) => args[1].end('node');
    await request(listener, { kind: 'node' }).get('/').expect(200, 'node');
  });
});
