// Issue 18: apps written for @hono/node-server (its HttpBindings: c.env.incoming/outgoing, its getConnInfo,
// serveStatic, RESPONSE_ALREADY_SENT) run unchanged under `serve`, and answer as they do on node-server.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type HttpBindings, serve as nodeServe } from '@hono/node-server';
import { getConnInfo as nodeGetConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { createServer, request, type ScgiRequestInit, scgi } from '@scgi-node/core';
import { Hono } from 'hono';
import { ipRestriction } from 'hono/ip-restriction';
import { describe, expect, it } from 'vitest';
import { getConnInfo } from './conn-info.js';
import type { ScgiEnv } from './env.js';
import { createFetchHandler } from './fetch-handler.js';
import { listenServe, tempDir, track } from './test-support/scgi-wire.js';

/** An app as written for @hono/node-server: it reads the Node objects in c.env. */
function nodeServerApp(staticRoot: string) {
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.get('/conn', (c) => c.json(nodeGetConnInfo(c).remote));
  app.get('/incoming', (c) => {
    const { incoming } = c.env;
    return c.json({
      httpVersion: incoming.httpVersion,
      method: incoming.method,
      url: incoming.url,
      host: incoming.headers.host,
      custom: incoming.headers['x-custom'],
      // Names lower-cased: CGI variables (HTTP_X_CUSTOM) do not keep the client's spelling.
      rawHeaders: incoming.rawHeaders
        .filter((_, i, all) => /^x-/i.test(all[i - (i % 2)]!))
        .map((item, i) => (i % 2 === 0 ? item.toLowerCase() : item)),
      encrypted: Boolean((incoming.socket as { encrypted?: boolean }).encrypted),
    });
  });
  app.use('/static/*', serveStatic({ root: staticRoot }));
  app.get('/outgoing', (c) => {
    c.env.outgoing.writeHead(201, { 'content-type': 'text/plain', 'x-low-level': 'yes' });
    c.env.outgoing.end('written through outgoing\n');
    return RESPONSE_ALREADY_SENT;
  });
  app.post('/incoming-body', async (c) => {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of c.env.incoming) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    return c.json({ bytes, sha256: hash.digest('hex') });
  });
  // Middleware that reads incoming.socket must not take the body from a handler that reads c.req.
  app.post('/json', ipRestriction(nodeGetConnInfo, { denyList: ['192.0.2.1'] }), async (c) =>
    c.json({ got: await c.req.json() }),
  );
  return app;
}

function staticRoot(): string {
  const root = tempDir();
  mkdirSync(join(root, 'static'));
  writeFileSync(join(root, 'static', 'hello.txt'), 'static hello\n');
  return root;
}

const BODY = Buffer.alloc(1024 * 1024 + 17, 7);
const SHA = createHash('sha256').update(BODY).digest('hex');
const CASES: Array<[string, ScgiRequestInit]> = [
  ['incoming', { url: '/incoming?a=1', headers: { 'X-Custom': 'one', Host: 'example.test:8080' } }],
  ['static file', { url: '/static/hello.txt' }],
  ['outgoing', { url: '/outgoing' }],
  ['incoming as the body stream', { method: 'POST', url: '/incoming-body', body: BODY }],
  [
    'JSON after middleware read incoming.socket',
    { method: 'POST', url: '/json', headers: { 'Content-Type': 'application/json' }, body: '{"a":[1,2]}' },
  ],
];

/** The same request over HTTP to @hono/node-server (node:http: it may set Host, which fetch may not). */
function httpExchange(port: number, init: ScgiRequestInit) {
  const headers = { Host: 'example.test', ...(init.headers as Record<string, string>) };
  return new Promise<{ status: number; type?: string; lowLevel?: string; body: string }>(
    (resolve, reject) => {
      const req = httpRequest({
        port,
        host: '127.0.0.1',
        path: init.url,
        method: init.method ?? 'GET',
        headers,
      });
      req.on('response', async (res) => {
        let body = '';
        for await (const chunk of res) body += chunk;
        resolve({
          status: res.statusCode!,
          type: res.headers['content-type'],
          lowLevel: res.headers['x-low-level'] as string | undefined,
          body,
        });
      });
      req.on('error', reject);
      req.end(init.body as string | Buffer | undefined);
    },
  );
}

describe('an app written for @hono/node-server, under serve() over SCGI', () => {
  it("node-server's getConnInfo gives REMOTE_ADDR and REMOTE_PORT, as ours does", async () => {
    const app = nodeServerApp(staticRoot());
    app.get('/ours', (c) => c.json(getConnInfo(c).remote));
    const server = await listenServe({ fetch: app.fetch });
    const env = { REMOTE_ADDR: '198.51.100.23', REMOTE_PORT: '40123' };
    const theirs = await (await request(server, { url: '/conn', env })).json();
    const ours = await (await request(server, { url: '/ours', env })).json();
    expect(theirs).toEqual({ address: '198.51.100.23', port: 40123, addressType: 'IPv4' });
    expect(ours).toEqual(theirs);
    const v6 = await (await request(server, { url: '/conn', env: { REMOTE_ADDR: '2001:db8::5' } })).json();
    expect(v6).toMatchObject({ address: '2001:db8::5', addressType: 'IPv6' });
  });

  it('c.env.incoming reports HTTPS=on as an encrypted socket', async () => {
    const server = await listenServe({ fetch: nodeServerApp(staticRoot()).fetch });
    const plain = (await (await request(server, { url: '/incoming' })).json()) as { encrypted: boolean };
    const tls = (await (await request(server, { url: '/incoming', env: { HTTPS: 'on' } })).json()) as {
      encrypted: boolean;
    };
    expect([plain.encrypted, tls.encrypted]).toEqual([false, true]);
  });

  it.each(CASES)('%s: the same status, headers and body as on @hono/node-server', async (_name, init) => {
    const root = staticRoot();
    const viaScgi = await listenServe({ fetch: nodeServerApp(root).fetch });
    // Its own Request/Response classes off: one process cannot have two sets of globals.
    const viaHttp = nodeServe({ fetch: nodeServerApp(root).fetch, port: 0, overrideGlobalObjects: false });
    track(viaHttp as never);
    if (!viaHttp.listening) await once(viaHttp, 'listening');
    const port = (viaHttp.address() as AddressInfo).port;

    const scgiResponse = await request(viaScgi, init);
    const scgiAnswer = {
      status: scgiResponse.status,
      type: scgiResponse.header('content-type'),
      lowLevel: scgiResponse.header('x-low-level'),
      body: (await scgiResponse.buffer()).toString(),
    };
    const httpAnswer = await httpExchange(port, init);
    expect(scgiAnswer).toEqual(httpAnswer);
    expect(scgiAnswer.status).toBeLessThan(300);
    if (init.url === '/incoming-body')
      expect(JSON.parse(scgiAnswer.body)).toEqual({ bytes: BODY.length, sha256: SHA });
  });

  it('a body read through c.req first leaves c.env.incoming empty (a stream is read once)', async () => {
    const app = new Hono<{ Bindings: HttpBindings }>();
    app.post('/', async (c) => {
      const text = await c.req.text();
      let rest = 0;
      for await (const chunk of c.env.incoming) rest += (chunk as Buffer).length;
      return c.json({ text, rest });
    });
    const server = await listenServe({ fetch: app.fetch });
    const answer = await (await request(server, { method: 'POST', url: '/', body: 'hello' })).json();
    expect(answer).toEqual({ text: 'hello', rest: 0 });
  });

  it('the bindings are not own properties: spreading or logging c.env builds nothing', async () => {
    const app = new Hono<{ Bindings: ScgiEnv }>();
    app.get('/', (c) =>
      c.json({ keys: Object.keys(c.env).filter((k) => !/^[A-Z_]+$/.test(k)), has: 'incoming' in c.env }),
    );
    const server = await listenServe({ fetch: app.fetch });
    expect(await (await request(server, { url: '/' })).json()).toEqual({ keys: [], has: true });
  });

  it('a CGI variable named incoming masks the Node object, and the request still parses', async () => {
    const app = new Hono<{ Bindings: ScgiEnv }>();
    app.get('/', (c) => c.json({ incoming: c.env.incoming as unknown, method: c.env.outgoing.req.method }));
    const server = await listenServe({ fetch: app.fetch });
    const answer = await (
      await request(server, { url: '/', env: { incoming: 'from the web server' } })
    ).json();
    expect(answer).toEqual({ incoming: 'from the web server', method: 'GET' });
  });

  it('with bindings given to serve, both the bindings and incoming are in c.env', async () => {
    const app = new Hono<{ Bindings: ScgiEnv<{ db: string }> }>();
    app.get('/', (c) => c.json({ db: c.env.db, method: c.env.incoming.method }));
    const server = await listenServe({ fetch: app.fetch, bindings: { db: 'primary' } });
    expect(await (await request(server, { url: '/' })).json()).toEqual({ db: 'primary', method: 'GET' });
  });
});

describe('createFetchHandler: c.env.incoming/outgoing are the real req and res', () => {
  it('serves the node-server app: incoming, outgoing with RESPONSE_ALREADY_SENT, conninfo', async () => {
    const server = track(createServer(createFetchHandler(nodeServerApp(staticRoot()).fetch)).listen(scgi(0)));
    await once(server, 'listening');
    const direct = await request(server, { url: '/outgoing' });
    expect([direct.status, direct.header('x-low-level'), await direct.text()]).toEqual([
      201,
      'yes',
      'written through outgoing\n',
    ]);
    const conn = await (await request(server, { url: '/conn', env: { REMOTE_ADDR: '198.51.100.9' } })).json();
    expect(conn).toMatchObject({ address: '198.51.100.9' });
    const incoming = await (await request(server, { url: '/incoming', headers: { 'X-Custom': 'c' } })).json();
    expect(incoming).toMatchObject({ method: 'GET', url: '/incoming', custom: 'c', httpVersion: '1.1' });
  });
});
