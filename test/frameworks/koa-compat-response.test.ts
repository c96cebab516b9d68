// Koa 2 and 3 over SCGI, response side: compat.md requirements 10-15 on the wire.
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { request } from '@scgi-node/core';
import { describe, expect, it } from 'vitest';
import { headLines, KOA_VERSIONS, listen, nginxVariables, rawExchange } from './support/koa-harness.js';

describe.each(KOA_VERSIONS)('$name over SCGI: response side', ({ Koa }) => {
  it('compat 10: a Status line, never HTTP/1.1, no chunk framing or connection headers, even if the app sets them', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.set('Transfer-Encoding', 'chunked');
      ctx.set('Connection', 'keep-alive');
      ctx.set('Keep-Alive', 'timeout=5');
      ctx.type = 'text/plain';
      ctx.body = Readable.from(['hello ', 'chunked ', 'world']); // no length: node:http would chunk it
    });
    const server = await listen(app);
    const raw = await rawExchange(server, nginxVariables('GET', '/'));
    expect(raw.head.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(raw.bytes.toString('latin1')).not.toContain('HTTP/1.1');
    const names = headLines(raw.head).map(([name]) => name);
    expect(names).not.toContain('transfer-encoding');
    expect(names).not.toContain('connection');
    expect(names).not.toContain('keep-alive');
    expect(names).toContain('content-type');
    expect(raw.body.toString('latin1')).toBe('hello chunked world');
  });

  it('compat 10: ctx.body = Buffer goes out with its Content-Length, byte for byte', async () => {
    const payload = Buffer.concat([randomBytes(100_000), Buffer.from('\r\n\r\n0\r\n\r\n')]);
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = payload;
    });
    const server = await listen(app);
    const raw = await rawExchange(server, nginxVariables('GET', '/bin'));
    expect(raw.head.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(headLines(raw.head)).toEqual(
      expect.arrayContaining([
        ['content-type', 'application/octet-stream'],
        ['content-length', String(payload.length)],
      ]),
    );
    expect(raw.body.equals(payload)).toBe(true);
  });

  it('compat 11: several ctx.cookies.set() go out as separate Set-Cookie lines (secure ones under HTTPS=on)', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.cookies.set('a', '1');
      ctx.cookies.set('b', '2', { httpOnly: false, path: '/b' });
      // Koa refuses a secure cookie on a connection it believes is plain HTTP.
      ctx.cookies.set('s', '3', { secure: true, sameSite: 'strict' });
      ctx.body = 'cookies';
    });
    const server = await listen(app);
    const raw = await rawExchange(server, nginxVariables('GET', '/', [['HTTPS', 'on']]));
    const cookies = headLines(raw.head)
      .filter(([name]) => name === 'set-cookie')
      .map(([, value]) => value);
    expect(cookies).toHaveLength(3);
    // Over HTTPS the cookies module marks every cookie secure by default: it saw the connection as TLS.
    expect(cookies[0]).toMatch(/^a=1; path=\/; secure; httponly$/);
    expect(cookies[1]).toMatch(/^b=2; path=\/b; secure$/);
    expect(cookies[2]).toMatch(/^s=3; path=\/; samesite=strict; secure; httponly$/);
    const response = await request(server, { url: '/', env: { HTTPS: 'on' } });
    expect(response.headers.filter(([name]) => name.toLowerCase() === 'set-cookie')).toHaveLength(3);
  });

  it('compat 12: HEAD, 204 and 304 carry no body; writeHead(code, reason, headersArray) is honoured', async () => {
    const app = new Koa();
    app.use(async (ctx, next) => {
      await next();
      if (ctx.fresh) {
        ctx.status = 304; // what koa-conditional-get does
        ctx.body = null;
      }
    });
    app.use((ctx) => {
      if (ctx.path === '/empty') ctx.status = 204;
      else if (ctx.path === '/not-modified') {
        ctx.body = 'would be dropped';
        ctx.status = 304;
      } else if (ctx.path === '/etag') {
        ctx.etag = 'v1';
        ctx.body = 'tagged payload';
      } else if (ctx.path === '/raw') {
        ctx.respond = false;
        ctx.res.writeHead(202, 'Queued Up', ['X-One', '1', 'X-Two', '2', 'Content-Length', '2']);
        ctx.res.end('ok');
      } else ctx.body = 'hello head';
    });
    const server = await listen(app);

    const head = await rawExchange(server, nginxVariables('HEAD', '/'));
    expect(head.head.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(headLines(head.head)).toContainEqual(['content-length', '10']);
    expect(head.body.length).toBe(0);

    const empty = await rawExchange(server, nginxVariables('GET', '/empty'));
    expect(empty.head.startsWith('Status: 204 No Content\r\n')).toBe(true);
    expect(empty.body.length).toBe(0);

    const notModified = await rawExchange(server, nginxVariables('GET', '/not-modified'));
    expect(notModified.head.startsWith('Status: 304 Not Modified\r\n')).toBe(true);
    expect(notModified.body.length).toBe(0);

    const fresh = await rawExchange(server, nginxVariables('GET', '/etag', [['HTTP_IF_NONE_MATCH', '"v1"']]));
    expect(fresh.head.startsWith('Status: 304 Not Modified\r\n')).toBe(true);
    expect(fresh.body.length).toBe(0);
    const stale = await rawExchange(server, nginxVariables('GET', '/etag', [['HTTP_IF_NONE_MATCH', '"v0"']]));
    expect(stale.head.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(stale.body.toString()).toBe('tagged payload');

    const raw = await rawExchange(server, nginxVariables('GET', '/raw'));
    expect(raw.head.startsWith('Status: 202 Queued Up\r\n')).toBe(true);
    expect(headLines(raw.head)).toEqual(
      expect.arrayContaining([
        ['x-one', '1'],
        ['x-two', '2'],
      ]),
    );
    expect(raw.body.toString()).toBe('ok');
  });

  it('compat 13: writeContinue, writeProcessing and writeEarlyHints send nothing and do not throw', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.res.writeContinue();
      ctx.res.writeProcessing();
      ctx.res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      ctx.body = 'final';
    });
    const server = await listen(app);
    const raw = await rawExchange(
      server,
      nginxVariables('POST', '/', [['HTTP_EXPECT', '100-continue']]),
      'x',
    );
    const text = raw.bytes.toString('latin1');
    expect(text.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(text.match(/Status:/g)).toHaveLength(1);
    expect(text).not.toMatch(/\b10[023]\b/);
    expect(raw.body.toString()).toBe('final');
  });

  it('compat 14: ctx.flushHeaders() sends the head at once, before any body (server-sent events)', async () => {
    const app = new Koa();
    const stream = new PassThrough();
    app.use((ctx) => {
      ctx.req.socket.setTimeout(0);
      ctx.status = 200;
      ctx.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      ctx.flushHeaders();
      ctx.body = stream;
    });
    const server = await listen(app);
    // request() resolves on the head: nothing has been written to the stream yet.
    const response = await request(server, { url: '/events', headTimeoutMs: 10_000 });
    expect(response.status).toBe(200);
    expect(response.header('content-type')).toBe('text/event-stream');
    expect(stream.writableLength + stream.readableLength).toBe(0);
    stream.end('data: one\n\n');
    expect(await response.text()).toBe('data: one\n\n');
  });

  it("compat 15: 'drain' reaches res, so a large streamed body to a slow reader completes", async () => {
    const app = new Koa();
    const size = 8 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'd');
    let drains = 0;
    app.use((ctx) => {
      ctx.res.on('drain', () => drains++);
      ctx.type = 'application/octet-stream';
      ctx.body = Readable.from(
        (function* generate() {
          for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
        })(),
      );
    });
    const server = await listen(app);
    const response = await request(server, { url: '/big' });
    // Read nothing for a while: the socket fills and res.write() returns false.
    response.body.pause();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const hash = createHash('sha256');
    let received = 0;
    for await (const part of response.body) {
      hash.update(part as Buffer);
      received += (part as Buffer).length;
    }
    expect(received).toBe(size);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(Buffer.alloc(size, 'd')).digest('hex'));
    expect(drains).toBeGreaterThan(0);
  });
});
