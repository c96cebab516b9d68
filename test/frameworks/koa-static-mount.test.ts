// Koa 2 and 3 over SCGI with koa-static, koa-mount, redirects, server-sent events and the cgi() middleware.
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { request } from '@scgi-node/core';
import { cgi } from '@scgi-node/koa';
import mount from 'koa-mount';
import serve from 'koa-static';
import { describe, expect, it } from 'vitest';
import { KOA_VERSIONS, listen, nginxVariables, rawExchange, tempDir } from './support/koa-harness.js';

describe.each(KOA_VERSIONS)('$name over SCGI: static files, mounts, redirects, SSE, cgi()', ({ Koa }) => {
  it('koa-static: files with their content type, index.html, 304 on If-Modified-Since, HEAD, 404', async () => {
    const root = await tempDir();
    const big = Buffer.alloc(150 * 1024, 'j'); // larger than a socket write: needs 'drain' (compat 15)
    await writeFile(join(root, 'hello.txt'), 'hello from disk\n');
    await writeFile(join(root, 'index.html'), '<!doctype html><title>home</title>');
    await writeFile(join(root, 'big.json'), big);
    const app = new Koa();
    app.use(async (ctx, next) => {
      await next();
      if (ctx.fresh) {
        ctx.status = 304; // koa-conditional-get, in three lines
        ctx.body = null;
      }
    });
    app.use(serve(root));
    const server = await listen(app);

    const text = await request(server, { url: '/hello.txt' });
    expect(text.status).toBe(200);
    expect(text.header('content-type')).toBe('text/plain; charset=utf-8');
    expect(text.header('content-length')).toBe('16');
    expect(await text.text()).toBe('hello from disk\n');
    const lastModified = text.header('last-modified');
    expect(lastModified).toBeDefined();

    const index = await request(server, { url: '/' });
    expect(index.header('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toBe('<!doctype html><title>home</title>');

    const large = await request(server, { url: '/big.json' });
    expect(large.header('content-type')).toBe('application/json; charset=utf-8');
    expect((await large.buffer()).equals(big)).toBe(true);

    const conditional = await rawExchange(
      server,
      nginxVariables('GET', '/hello.txt', [['HTTP_IF_MODIFIED_SINCE', lastModified!]]),
    );
    expect(conditional.head.startsWith('Status: 304 Not Modified\r\n')).toBe(true);
    expect(conditional.body.length).toBe(0);

    const head = await rawExchange(server, nginxVariables('HEAD', '/hello.txt'));
    expect(head.head.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(head.head).toMatch(/^content-length: 16$/im);
    expect(head.body.length).toBe(0);

    expect((await request(server, { url: '/missing.txt' })).status).toBe(404);
  });

  it('koa-mount: inside a mounted sub-app and a mounted middleware ctx.path is relative', async () => {
    const sub = new Koa();
    sub.use((ctx) => {
      ctx.body = { app: 'sub', path: ctx.path, url: ctx.url, originalUrl: ctx.originalUrl };
    });
    const app = new Koa();
    app.use(mount('/sub', sub));
    app.use(
      mount('/fn', (ctx) => {
        ctx.body = { app: 'fn', path: ctx.path };
      }),
    );
    app.use((ctx) => {
      ctx.body = { app: 'root', path: ctx.path };
    });
    const server = await listen(app);
    const ask = async (url: string) => (await request(server, { url })).json();
    expect(await ask('/sub/items/3?x=1')).toEqual({
      app: 'sub',
      path: '/items/3',
      url: '/items/3?x=1',
      originalUrl: '/sub/items/3?x=1',
    });
    expect(await ask('/sub')).toMatchObject({ app: 'sub', path: '/' });
    expect(await ask('/fn/a')).toEqual({ app: 'fn', path: '/a' });
    expect(await ask('/subway')).toEqual({ app: 'root', path: '/subway' });
  });

  it('ctx.redirect(): 302 with Location (301 when asked), absolute URLs kept', async () => {
    const app = new Koa();
    app.use((ctx) => {
      if (ctx.path === '/old') ctx.redirect('/new');
      else if (ctx.path === '/moved') {
        ctx.status = 301;
        ctx.redirect('/elsewhere?x=1');
      } else ctx.redirect('https://example.org/away');
    });
    const server = await listen(app);
    const old = await request(server, { url: '/old' });
    expect(old.rawHead.startsWith('Status: 302 Found\r\n')).toBe(true);
    expect(old.header('location')).toBe('/new');
    expect(await old.text()).toBe('Redirecting to /new.');
    const moved = await request(server, { url: '/moved' });
    expect(moved.status).toBe(301);
    expect(moved.header('location')).toBe('/elsewhere?x=1');
    expect((await request(server, { url: '/x' })).header('location')).toBe('https://example.org/away');
  });

  it('server-sent events: the first event arrives while the stream is still open', async () => {
    const app = new Koa();
    const stream = new PassThrough();
    app.use((ctx) => {
      ctx.req.socket.setTimeout(0);
      ctx.status = 200;
      ctx.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      ctx.body = stream;
      stream.write('event: tick\ndata: 1\n\n');
    });
    const server = await listen(app);
    const response = await request(server, { url: '/events' });
    expect(response.header('content-type')).toBe('text/event-stream');
    expect(response.header('cache-control')).toBe('no-cache');
    expect(response.header('transfer-encoding')).toBeUndefined();
    const [first] = (await once(response.body, 'data')) as [Buffer];
    response.body.pause();
    expect(first.toString()).toBe('event: tick\ndata: 1\n\n');
    expect(stream.writableEnded).toBe(false); // it came through before the end, not at it
    stream.end('event: tick\ndata: 2\n\n');
    expect(await response.text()).toBe('event: tick\ndata: 2\n\n');
  });

  it('cgi(): REMOTE_USER on ctx.state.remoteUser, every CGI variable on ctx.cgi', async () => {
    const app = new Koa();
    app.use(cgi());
    app.use((ctx) => {
      ctx.body = {
        remoteUser: ctx.state.remoteUser ?? null,
        documentRoot: ctx.cgi?.DOCUMENT_ROOT,
        scheme: ctx.cgi?.REQUEST_SCHEME,
        method: ctx.cgi?.REQUEST_METHOD,
      };
    });
    const server = await listen(app);
    const withUser = await request(server, {
      url: '/',
      env: { REMOTE_USER: 'ann', DOCUMENT_ROOT: '/srv/www', AUTH_TYPE: 'Basic' },
    });
    expect(await withUser.json()).toEqual({
      remoteUser: 'ann',
      documentRoot: '/srv/www',
      scheme: 'http',
      method: 'GET',
    });
    const anonymous = await request(server, { url: '/' });
    expect(await anonymous.json()).toMatchObject({ remoteUser: null });
  });
});
