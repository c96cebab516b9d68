// `serve` with real Hono apps: routing, JSON, uploads, cookies, conninfo, HEAD, c.env, the request URL, sockets.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { request } from '@scgi-node/core';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { etag } from 'hono/etag';
import { ipRestriction } from 'hono/ip-restriction';
import { describe, expect, it } from 'vitest';
import { getConnInfo } from './conn-info.js';
import type { ScgiEnv } from './env.js';
import { serve } from './serve.js';
import {
  listenServe,
  nginxPairs,
  rawExchange,
  tempDir,
  wire,
  withVariable,
} from './test-support/scgi-wire.js';

describe('a Hono app served over SCGI', () => {
  it('routes by method and path, with params, query and a 404', async () => {
    const app = new Hono();
    app.get('/', (c) => c.text('home'));
    app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), sort: c.req.query('sort') }));
    app.delete('/users/:id', (c) => c.body(null, 204));
    app.post('/users', (c) => c.text('created', 201, { Location: '/users/9' }));
    const server = await listenServe({ fetch: app.fetch });

    const home = await request(server, { url: '/' });
    expect(home.rawHead).toBe(
      'Status: 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: 4\r\n\r\n',
    );
    expect(await home.text()).toBe('home');
    const user = await request(server, { url: '/users/42?sort=desc' });
    expect(user.header('content-type')).toBe('application/json');
    expect(await user.json()).toEqual({ id: '42', sort: 'desc' });
    const removed = await request(server, { method: 'DELETE', url: '/users/42' });
    expect(removed.status).toBe(204);
    expect(removed.rawHead).not.toMatch(/content-length/i);
    expect(await removed.text()).toBe('');
    const created = await request(server, { method: 'POST', url: '/users', body: 'x' });
    expect(created.rawHead.split('\r\n')[0]).toBe('Status: 201 Created');
    expect(created.header('location')).toBe('/users/9');
    const missing = await request(server, { url: '/nope' });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('404 Not Found');
  });

  it('reads JSON and text bodies and answers JSON', async () => {
    const app = new Hono();
    app.post('/sum', async (c) => {
      const { numbers } = await c.req.json<{ numbers: number[] }>();
      return c.json({ sum: numbers.reduce((a, b) => a + b, 0) });
    });
    app.put('/echo', async (c) => c.text(await c.req.text()));
    const server = await listenServe({ fetch: app.fetch });
    const sum = await request(server, {
      method: 'POST',
      url: '/sum',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ numbers: [1, 2, 39] }),
    });
    expect(await sum.json()).toEqual({ sum: 42 });
    const text = 'héllo wörld, ünïcode ✓';
    const echo = await request(server, { method: 'PUT', url: '/echo', body: text });
    expect(echo.header('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(await echo.text()).toBe(text);
  });

  it('parses a multipart upload with c.req.formData() and parseBody()', async () => {
    const app = new Hono();
    app.post('/upload', async (c) => {
      const form = await c.req.formData();
      const file = form.get('file') as File;
      const bytes = new Uint8Array(await file.arrayBuffer());
      return c.json({
        name: form.get('name'),
        file: file.name,
        type: file.type,
        size: file.size,
        last: bytes.at(-1),
      });
    });
    app.post('/parse', async (c) => {
      const body = await c.req.parseBody();
      return c.json({ name: body.name, size: (body.file as File).size });
    });
    const server = await listenServe({ fetch: app.fetch });
    const content = Buffer.alloc(300_000, 7);
    content[content.length - 1] = 99;
    const form = new FormData();
    form.append('name', 'ann');
    form.append('file', new Blob([content], { type: 'application/octet-stream' }), 'data.bin');
    // Encoded by the runtime's own multipart writer, sent as nginx would (CONTENT_TYPE, CONTENT_LENGTH).
    const encoded = new Response(form);
    const body = Buffer.from(await encoded.arrayBuffer());
    const headers = { 'content-type': encoded.headers.get('content-type')! };
    const upload = await request(server, { method: 'POST', url: '/upload', headers, body });
    expect(await upload.json()).toEqual({
      name: 'ann',
      file: 'data.bin',
      type: 'application/octet-stream',
      size: 300_000,
      last: 99,
    });
    const parsed = await request(server, { method: 'POST', url: '/parse', headers, body });
    expect(await parsed.json()).toEqual({ name: 'ann', size: 300_000 });
  });

  it('reads repeated Cookie variables as one cookie header and writes each Set-Cookie on its own line', async () => {
    const app = new Hono();
    app.get('/cookies', (c) => {
      setCookie(c, 'session', 'abc', { httpOnly: true, path: '/' });
      setCookie(c, 'theme', 'dark');
      deleteCookie(c, 'old');
      return c.json(getCookie(c));
    });
    const server = await listenServe({ fetch: app.fetch });
    // nginx 1.22 repeats HTTP_COOKIE when the client sent several Cookie headers (HTTP/2 does).
    const pairs = nginxPairs('GET', '/cookies', [
      ['HTTP_COOKIE', 'a=1; b=2'],
      ['HTTP_COOKIE', 'c=3'],
    ]);
    const result = await rawExchange(server, wire(pairs));
    const cookies = result.lines.filter((line) => line.startsWith('set-cookie: '));
    expect(cookies).toEqual([
      'set-cookie: session=abc; Path=/; HttpOnly',
      'set-cookie: theme=dark; Path=/',
      'set-cookie: old=; Max-Age=0; Path=/',
    ]);
    expect(JSON.parse(result.body.toString())).toEqual({ a: '1', b: '2', c: '3' });
  });

  it('gives getConnInfo the client address from REMOTE_ADDR/REMOTE_PORT, also for ipRestriction', async () => {
    const app = new Hono();
    app.get('/me', (c) => c.json(getConnInfo(c)));
    app.get('/admin', ipRestriction(getConnInfo, { allowList: ['203.0.113.0/24'] }), (c) =>
      c.text('welcome'),
    );
    const server = await listenServe({ fetch: app.fetch });
    const me = await rawExchange(server, wire(nginxPairs('GET', '/me')));
    expect(JSON.parse(me.body.toString())).toEqual({
      remote: { address: '203.0.113.7', port: 51000, addressType: 'IPv4' },
    });
    const v6 = withVariable(nginxPairs('GET', '/me'), 'REMOTE_ADDR', '2001:db8::1');
    expect(JSON.parse((await rawExchange(server, wire(v6))).body.toString()).remote.addressType).toBe('IPv6');
    expect((await rawExchange(server, wire(nginxPairs('GET', '/admin')))).head).toMatch(/^Status: 200/);
    const outsider = withVariable(nginxPairs('GET', '/admin'), 'REMOTE_ADDR', '198.51.100.1');
    expect((await rawExchange(server, wire(outsider))).head).toMatch(/^Status: 403/);
  });

  it('answers HEAD with the GET headers and no body', async () => {
    const app = new Hono();
    app.get('/doc', (c) => c.json({ big: 'x'.repeat(1000) }, 200, { 'X-Doc': '1' }));
    const server = await listenServe({ fetch: app.fetch });
    const result = await rawExchange(server, wire(nginxPairs('HEAD', '/doc')));
    expect(result.head).toMatch(/^Status: 200 OK\r\n/);
    expect(result.head).toMatch(/x-doc: 1/i);
    expect(result.head).toMatch(/content-type: application\/json/i);
    expect(result.body.length).toBe(0);
    // A handler that returns a body for HEAD anyway: the body is not sent, its length is announced.
    const plain = await listenServe({ fetch: () => new Response('twelve bytes') });
    const head = await rawExchange(plain, wire(nginxPairs('HEAD', '/')));
    expect(head.lines).toContain('Content-Length: 12');
    expect(head.body.length).toBe(0);
  });

  it('answers a matching If-None-Match with a bodiless 304 (hono/etag)', async () => {
    const app = new Hono();
    app.use('/doc', etag());
    app.get('/doc', (c) => c.text('cacheable document'));
    const server = await listenServe({ fetch: app.fetch });
    const first = await rawExchange(server, wire(nginxPairs('GET', '/doc')));
    const tag = first.lines.find((line) => line.toLowerCase().startsWith('etag: '))!.slice(6);
    expect(first.body.toString()).toBe('cacheable document');
    const again = await rawExchange(server, wire(nginxPairs('GET', '/doc', [['HTTP_IF_NONE_MATCH', tag]])));
    expect(again.head.split('\r\n')[0]).toBe('Status: 304 Not Modified');
    expect(again.lines).toContain(`etag: ${tag}`);
    expect(again.head).not.toMatch(/content-length/i);
    expect(again.body.length).toBe(0);
  });

  it('puts the CGI variables on c.env, with bindings merged (the variables win a name clash)', async () => {
    const app = new Hono<{ Bindings: ScgiEnv<{ db: { name: string }; REMOTE_USER: string }> }>();
    app.get('/env', (c) =>
      c.json({
        user: c.env.REMOTE_USER,
        root: c.env.DOCUMENT_ROOT,
        db: c.env.db.name,
        ua: c.env.HTTP_USER_AGENT,
      }),
    );
    const server = await listenServe({
      fetch: app.fetch,
      bindings: { db: { name: 'main' }, REMOTE_USER: 'binding' },
    });
    const pairs = nginxPairs('GET', '/env', [['REMOTE_USER', 'ann']]);
    expect(JSON.parse((await rawExchange(server, wire(pairs))).body.toString())).toEqual({
      user: 'ann',
      root: '/usr/share/nginx/html',
      db: 'main',
      ua: 'curl/7.88.1',
    });
  });

  it('builds the URL from HTTPS/REQUEST_SCHEME, HTTP_HOST or SERVER_NAME:SERVER_PORT, and REQUEST_URI', async () => {
    const server = await listenServe({ fetch: (request: Request) => new Response(request.url) });
    const url = async (pairs: Array<[string, string]>) =>
      (await rawExchange(server, wire(pairs))).body.toString();
    const base = nginxPairs('GET', '/a/b?x=1');
    expect(await url(base)).toBe('http://example.test/a/b?x=1');
    expect(await url(withVariable(base, 'HTTPS', 'on'))).toBe('https://example.test/a/b?x=1');
    expect(await url(withVariable(base, 'REQUEST_SCHEME', 'https'))).toBe('https://example.test/a/b?x=1');
    const noHost = withVariable(base, 'HTTP_HOST', undefined);
    expect(await url(noHost)).toBe('http://example.test:8080/a/b?x=1');
    expect(await url(withVariable(noHost, 'SERVER_PORT', '80'))).toBe('http://example.test/a/b?x=1');
    const fromParts = withVariable(withVariable(base, 'REQUEST_URI', undefined), 'SCRIPT_NAME', '/app');
    expect(await url(withVariable(fromParts, 'PATH_INFO', '/x'))).toBe('http://example.test/app/x?x=1');
    // Dot segments and odd hosts go through the URL parser, as `new Request()` would see them.
    expect(await url(withVariable(base, 'REQUEST_URI', '/a/../b/./c'))).toBe('http://example.test/b/c');
    expect(await url(withVariable(base, 'HTTP_HOST', 'Example.TEST:443'))).toBe(
      'http://example.test:443/a/b?x=1',
    );
    const bad = await rawExchange(server, wire(withVariable(base, 'HTTP_HOST', 'evil.test/x?')));
    expect(bad.head).toMatch(/^Status: 400 /);
  });

  it('listens on a unix socket with the given mode', async () => {
    const path = `${tempDir()}/app.sock`;
    const app = new Hono().get('/', (c) => c.text('over unix'));
    const server = await listenServe({ fetch: app.fetch, listen: { path, mode: 0o666 } });
    expect(statSync(path).mode & 0o777).toBe(0o666);
    expect(await (await request(path, { url: '/' })).text()).toBe('over unix');
    expect(server.address()).toBe(path);
  });

  it('binds a free unix socket path in the same tick: address() right after serve() (issue 14)', async () => {
    const path = `${tempDir()}/same-tick.sock`;
    let listened = 0;
    const server = serve({ fetch: new Hono().get('/', (c) => c.text('now')).fetch, listen: path }, () => {
      listened++;
    });
    try {
      expect(server.address()).toBe(path);
      expect(server.listening).toBe(true);
      expect(await (await request(path, { url: '/' })).text()).toBe('now');
      expect(listened).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('replaces a stale unix socket file left by a dead process, as core does', async () => {
    const path = `${tempDir()}/stale.sock`;
    // A listener killed before it could unlink leaves a socket file nobody accepts on.
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    await once(child, 'exit');
    expect(statSync(path).isSocket()).toBe(true);
    const app = new Hono().get('/', (c) => c.text('fresh'));
    await listenServe({ fetch: app.fetch, listen: `unix:${path}` });
    expect(await (await request(path, { url: '/' })).text()).toBe('fresh');
  });

  it('refuses a unix socket path a live server listens on (ERR_SCGI_SOCKET_IN_USE)', async () => {
    const path = `${tempDir()}/live.sock`;
    const live = new Hono().get('/', (c) => c.text('live'));
    await listenServe({ fetch: live.fetch, listen: path });
    const second = serve({ fetch: new Hono().fetch, listen: path });
    const [error] = (await once(second, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ERR_SCGI_SOCKET_IN_USE');
    expect(second.listening).toBe(false);
    expect(await (await request(path, { url: '/' })).text()).toBe('live');
  });
});
