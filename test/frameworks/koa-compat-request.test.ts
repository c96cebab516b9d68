// Koa 2 and 3 over SCGI, request side: compat.md requirements 1-9 as Koa apps rely on them.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { request } from '@scgi-node/core';
import { scgi } from '@scgi-node/koa';
import { describe, expect, it } from 'vitest';
import {
  HEAD_TIMEOUT_MS,
  KOA_VERSIONS,
  listen,
  nginxVariables,
  rawExchange,
  tempDir,
  waitFor,
} from './support/koa-harness.js';

const requirePackage = createRequire(import.meta.url);

describe.each(KOA_VERSIONS)('$name over SCGI: request side', ({ Koa, major }) => {
  it(`runs Koa ${major}.x`, () => {
    const { version } = requirePackage(`koa${major}/package.json`) as { version: string };
    expect(version.startsWith(`${major}.`)).toBe(true);
  });

  it('compat 1: req.socket === req.connection === res.socket, and ctx.writable is true', async () => {
    const app = new Koa();
    app.use(async (ctx) => {
      const early = ctx.req.socket === ctx.req.connection && ctx.req.socket === ctx.res.socket;
      await new Promise((resolve) => setTimeout(resolve, 10));
      const later = ctx.req.socket === ctx.req.connection && ctx.req.socket === ctx.res.socket;
      ctx.body = { early, later, writable: ctx.writable, socketWritable: ctx.res.socket?.writable };
    });
    const server = await listen(app);
    // Koa 2 skips respond() when ctx.writable is false: the head would never come.
    const response = await request(server, { url: '/', headTimeoutMs: HEAD_TIMEOUT_MS });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ early: true, later: true, writable: true, socketWritable: true });
  });

  it('compat 2: ctx.ip is REMOTE_ADDR; X-Forwarded-For counts only with app.proxy', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = { ip: ctx.ip, ips: ctx.ips, proxy: ctx.app.proxy };
    });
    const server = await listen(app);
    const ask = async () =>
      (
        await request(server, {
          url: '/',
          headers: { 'x-forwarded-for': '10.9.8.7' },
          env: { REMOTE_ADDR: '198.51.100.23' },
        })
      ).json();
    expect(await ask()).toEqual({ ip: '198.51.100.23', ips: [], proxy: false });
    app.proxy = true;
    expect(await ask()).toEqual({ ip: '10.9.8.7', ips: ['10.9.8.7'], proxy: true });

    // On a unix socket there is no peer address at all: only REMOTE_ADDR can give one.
    app.proxy = false;
    const onUnix = await listen(app, scgi(join(await tempDir(), 'koa.sock')));
    const viaUnix = await request(onUnix, { url: '/', env: { REMOTE_ADDR: '192.0.2.44' } });
    expect(await viaUnix.json()).toEqual({ ip: '192.0.2.44', ips: [], proxy: false });
  });

  it('compat 3: ctx.protocol is https and ctx.secure true iff HTTPS=on/1 or REQUEST_SCHEME=https', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = {
        protocol: ctx.protocol,
        secure: ctx.secure,
        href: ctx.href,
        encrypted: (ctx.req.socket as { encrypted?: boolean }).encrypted === true,
      };
    });
    const server = await listen(app);
    const ask = async (env: Record<string, string>) =>
      (await request(server, { url: '/p', headers: { host: 'example.test' }, env })).json();
    const https = { protocol: 'https', secure: true, href: 'https://example.test/p', encrypted: true };
    const http = { protocol: 'http', secure: false, href: 'http://example.test/p', encrypted: false };
    expect(await ask({ HTTPS: 'on' })).toEqual(https);
    expect(await ask({ HTTPS: '1' })).toEqual(https);
    expect(await ask({ REQUEST_SCHEME: 'https' })).toEqual(https);
    expect(await ask({})).toEqual(http);
    expect(await ask({ HTTPS: 'off' })).toEqual(http);
  });

  it('compat 4: socket remotePort/remoteFamily/localAddress/localPort come from the CGI variables', async () => {
    const app = new Koa();
    app.use((ctx) => {
      const { remoteAddress, remotePort, remoteFamily, localAddress, localPort } = ctx.req.socket;
      ctx.body = { ip: ctx.ip, remoteAddress, remotePort, remoteFamily, localAddress, localPort };
    });
    const server = await listen(app);
    const response = await request(server, {
      url: '/',
      env: {
        REMOTE_ADDR: '2001:db8::7',
        REMOTE_PORT: '51234',
        SERVER_ADDR: '192.0.2.10',
        SERVER_PORT: '8443',
      },
    });
    expect(await response.json()).toEqual({
      ip: '2001:db8::7',
      remoteAddress: '2001:db8::7',
      remotePort: 51234,
      remoteFamily: 'IPv6',
      localAddress: '192.0.2.10',
      localPort: 8443,
    });
  });

  it('compat 5: ctx.url is REQUEST_URI, else SCRIPT_NAME + PATH_INFO + ?QUERY_STRING; method from REQUEST_METHOD', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = { method: ctx.method, url: ctx.url, path: ctx.path, query: { ...ctx.query } };
    });
    const server = await listen(app);
    const direct = await request(server, { method: 'PATCH', url: '/a%20b/c?x=1&y=%2F' });
    expect(await direct.json()).toEqual({
      method: 'PATCH',
      url: '/a%20b/c?x=1&y=%2F',
      path: '/a%20b/c',
      query: { x: '1', y: '/' },
    });

    // Apache-style: no REQUEST_URI, the URL is rebuilt from its parts (RFC 3875 §4.1).
    const variables = nginxVariables('DELETE', '/ignored').filter(([name]) => name !== 'REQUEST_URI');
    const withoutUri = variables
      .filter(([name]) => name !== 'QUERY_STRING')
      .concat([
        ['SCRIPT_NAME', '/app'],
        ['PATH_INFO', '/items/7'],
        ['QUERY_STRING', 'q=1'],
      ]);
    const rebuilt = await rawExchange(server, withoutUri);
    expect(JSON.parse(rebuilt.body.toString())).toEqual({
      method: 'DELETE',
      url: '/app/items/7?q=1',
      path: '/app/items/7',
      query: { q: '1' },
    });
  });

  it('compat 6: headers, rawHeaders and headersDistinct are populated; repeats follow Node join rules', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = {
        cookieHeader: ctx.headers.cookie,
        cookieB: ctx.cookies.get('b'),
        accept: ctx.get('Accept'),
        custom: ctx.get('X-Custom'),
        rawHeaders: ctx.req.rawHeaders,
        distinctAccept: ctx.req.headersDistinct.accept,
      };
    });
    const server = await listen(app);
    const response = await request(server, {
      url: '/',
      headers: [
        ['Cookie', 'a=1'],
        ['Cookie', 'b=2'],
        ['Accept', 'text/html'],
        ['Accept', 'application/json'],
        ['X-Custom', 'one'],
      ],
    });
    const seen = (await response.json()) as Record<string, unknown>;
    expect(seen).toMatchObject({
      cookieHeader: 'a=1; b=2',
      cookieB: '2',
      accept: 'text/html, application/json',
      custom: 'one',
      distinctAccept: ['text/html', 'application/json'],
    });
    expect(seen.rawHeaders).toEqual(
      expect.arrayContaining(['cookie', 'a=1', 'cookie', 'b=2', 'accept', 'text/html', 'x-custom', 'one']),
    );
  });

  it('compat 7: HTTP/2 and HTTP/3 are shown as 1.1, so ctx.host reads Host (no :authority); 1.0 stays 1.0', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = {
        version: ctx.req.httpVersion,
        major: ctx.req.httpVersionMajor,
        host: ctx.host,
        href: ctx.href,
      };
    });
    const server = await listen(app);
    for (const [protocol, version] of [
      ['HTTP/2.0', '1.1'],
      ['HTTP/3.0', '1.1'],
      ['HTTP/1.0', '1.0'],
    ] as const) {
      const response = await request(server, {
        url: '/h?x=1',
        headers: { host: 'example.test:8443' },
        env: { SERVER_PROTOCOL: protocol },
      });
      expect(response.rawHead.startsWith('Status: 200 OK\r\n')).toBe(true);
      expect(await response.json()).toEqual({
        version,
        major: 1,
        host: 'example.test:8443',
        href: 'http://example.test:8443/h?x=1',
      });
    }
  });

  it('compat 8: the body is exactly CONTENT_LENGTH bytes and req.complete is true before it ends', async () => {
    const app = new Koa();
    app.use(async (ctx) => {
      const hash = createHash('sha256');
      let length = 0;
      let completeAtEnd = false;
      ctx.req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        length += chunk.length;
      });
      await new Promise<void>((resolve, reject) => {
        ctx.req.on('end', () => {
          completeAtEnd = ctx.req.complete;
          resolve();
        });
        ctx.req.on('error', reject);
      });
      ctx.body = { length, completeAtEnd, sha256: hash.digest('hex') };
    });
    const server = await listen(app);
    const body = Buffer.alloc(300_000, 'koa-');
    const response = await request(server, { method: 'POST', url: '/', body });
    expect(await response.json()).toEqual({
      length: body.length,
      completeAtEnd: true,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    // Bytes past CONTENT_LENGTH are not part of the body.
    const raw = await rawExchange(server, nginxVariables('POST', '/'), 'helloEXTRA', 5);
    expect(JSON.parse(raw.body.toString())).toMatchObject({ length: 5 });
  });

  it('compat 8: backpressure pauses reading from the connection while the app does not read', async () => {
    const app = new Koa();
    let state: { paused: boolean; buffered: number } | undefined;
    app.use(async (ctx) => {
      const { req } = ctx;
      await waitFor(() => req.readableLength >= req.readableHighWaterMark, 'the request buffer to fill');
      // Give the connection a chance to over-read if it ignored push() returning false.
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = { paused: req.socket.isPaused(), buffered: req.readableLength };
      let length = 0;
      for await (const chunk of req) length += (chunk as Buffer).length;
      ctx.body = { length };
    });
    const server = await listen(app);
    const body = Buffer.alloc(8 * 1024 * 1024, 'b');
    const response = await request(server, { method: 'POST', url: '/', body });
    expect(await response.json()).toEqual({ length: body.length });
    expect(state?.paused).toBe(true);
    expect(state?.buffered).toBeLessThan(1024 * 1024);
  });

  it("compat 9: a POST whose body the app never reads still gets Koa's 404, complete", async () => {
    const app = new Koa();
    const server = await listen(app);
    const body = Buffer.alloc(512 * 1024, 'u');
    const raw = await rawExchange(server, nginxVariables('POST', '/nowhere'), body);
    expect(raw.head.startsWith('Status: 404 Not Found\r\n')).toBe(true);
    expect(raw.body.toString()).toBe('Not Found');
    expect(raw.ended).toBe(true);
    expect(raw.error).toBeUndefined();
  });
});
