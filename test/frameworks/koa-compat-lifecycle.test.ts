// Koa 2 and 3 over SCGI, connection life: compat.md requirements 16-20 (abort, finish, listen, events).
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { IncomingMessage, Server } from 'node:http';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { isScgiError, request, SCGI_ERROR_EVENT, type ScgiError } from '@scgi-node/core';
import { cgi, scgi } from '@scgi-node/koa';
import { describe, expect, it } from 'vitest';
import {
  KOA_VERSIONS,
  listen,
  nginxVariables,
  rawBytes,
  rawExchange,
  tempDir,
  waitFor,
} from './support/koa-harness.js';

describe.each(KOA_VERSIONS)('$name over SCGI: connection life', ({ Koa }) => {
  it("compat 16: a client that leaves mid-response: res 'close' unfinished, ctx.req 'aborted' and 'close'", async () => {
    const app = new Koa();
    const events: string[] = [];
    let finishedAtClose: boolean | undefined;
    const body = new PassThrough();
    // Koa 3 pipes with stream.pipeline, which reports the cut as ERR_STREAM_PREMATURE_CLOSE (as on node:http).
    app.on('error', () => {});
    app.use((ctx) => {
      ctx.req.on('aborted', () => events.push('req aborted'));
      ctx.req.on('close', () => events.push('req close'));
      ctx.res.on('close', () => {
        finishedAtClose = ctx.res.writableFinished;
        events.push('res close');
      });
      ctx.type = 'text/plain';
      ctx.body = body;
      body.write('first chunk\n');
    });
    const server = await listen(app);
    const controller = new AbortController();
    const response = await request(server, { url: '/slow', signal: controller.signal });
    response.body.on('error', () => {}); // the abort below destroys it; that is the point
    const [first] = (await once(response.body, 'data')) as [Buffer];
    expect(first.toString()).toBe('first chunk\n');
    controller.abort();
    await waitFor(
      () => ['res close', 'req close', 'req aborted'].every((event) => events.includes(event)),
      'the abort to reach req and res',
    );
    expect(finishedAtClose).toBe(false);
    // Koa's own cleanup (on-finished) destroys the body stream once the response is closed.
    await waitFor(() => body.destroyed, 'Koa to destroy the body stream');
  });

  it("compat 17: after the response res emits 'finish' and 'close', the connection ends, an unread body is drained", async () => {
    const app = new Koa();
    const events: string[] = [];
    app.use((ctx) => {
      ctx.res.on('finish', () => events.push('finish'));
      ctx.res.on('close', () => events.push('close'));
      ctx.body = 'answered before the body was read';
    });
    const server = await listen(app);
    const body = Buffer.alloc(2 * 1024 * 1024, 'p');
    const raw = await rawExchange(server, nginxVariables('POST', '/'), body);
    expect(raw.head.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(raw.body.toString()).toBe('answered before the body was read');
    expect(raw.ended).toBe(true); // FIN, then our own side closed cleanly
    expect(raw.error).toBeUndefined(); // no ECONNRESET: the 2 MB we sent were read and dropped
    await waitFor(() => events.length === 2, "res 'finish' and 'close'");
    expect(events).toEqual(['finish', 'close']);
  });

  it("compat 18: app.listen(scgi(...)) returns the http.Server; address(), close(cb) and 'request' behave as usual", async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = 'listening';
    });
    const server = await listen(app);
    expect(server).toBeInstanceOf(Server);
    const address = server.address();
    expect(typeof address === 'object' && address !== null && address.port > 0).toBe(true);
    expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
    const seen: unknown[] = [];
    server.on('request', (req: unknown) => seen.push(req));
    expect(await (await request(server, { url: '/' })).text()).toBe('listening');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(IncomingMessage);
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
    await expect(request(address as never, { url: '/' })).rejects.toMatchObject({ code: 'ERR_SCGI_CONNECT' });

    // A unix socket, with the listen callback: the file exists while listening and is removed on close.
    const path = join(await tempDir(), 'app.sock');
    let called = false;
    const onUnix = app.listen(scgi(path), () => {
      called = true;
    });
    await once(onUnix, 'listening');
    expect(called).toBe(true);
    expect(onUnix.address()).toBe(path);
    expect(await (await request(path, { url: '/' })).text()).toBe('listening');
    await new Promise<void>((resolve) => onUnix.close(() => resolve()));
    expect(existsSync(path)).toBe(false);
  });

  it("compat 19: no 'upgrade' or 'checkContinue'; bad input is a typed 'scgiError' and serving goes on", async () => {
    const app = new Koa();
    app.use(cgi());
    app.use((ctx) => {
      ctx.body = {
        upgrade: ctx.get('Upgrade'),
        expect: ctx.get('Expect'),
        contentLength: ctx.cgi?.CONTENT_LENGTH,
      };
    });
    const server = await listen(app);
    const unexpected: string[] = [];
    server.on('upgrade', () => unexpected.push('upgrade'));
    server.on('checkContinue', () => unexpected.push('checkContinue'));
    const errors: ScgiError[] = [];
    server.on(SCGI_ERROR_EVENT, (error: ScgiError) => errors.push(error));

    const upgrade = await rawExchange(
      server,
      nginxVariables('GET', '/ws', [
        ['HTTP_UPGRADE', 'websocket'],
        ['HTTP_CONNECTION', 'Upgrade'],
      ]),
    );
    expect(upgrade.head.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(JSON.parse(upgrade.body.toString())).toMatchObject({ upgrade: 'websocket' });
    const expectContinue = await rawExchange(
      server,
      nginxVariables('POST', '/', [['HTTP_EXPECT', '100-continue']]),
      'abc',
    );
    expect(JSON.parse(expectContinue.body.toString())).toEqual({
      upgrade: '',
      expect: '100-continue',
      contentLength: '3',
    });
    expect(unexpected).toEqual([]);

    // Not a netstring at all, and a smuggling attempt (two REQUEST_METHODs): typed errors, 400 replies.
    const garbage = await rawBytes(server, Buffer.from('hello there\r\n\r\n'));
    expect(garbage.head).toMatch(/^Status: 400 /);
    const smuggled = await rawExchange(server, [...nginxVariables('GET', '/'), ['REQUEST_METHOD', 'POST']]);
    expect(smuggled.head).toMatch(/^Status: 400 /);
    expect(errors.map((error) => error.code)).toEqual([
      'ERR_SCGI_BAD_NETSTRING_LENGTH',
      'ERR_SCGI_DUPLICATE_VARIABLE',
    ]);
    expect(errors.every((error) => isScgiError(error))).toBe(true);
    expect(await (await request(server, { url: '/after' })).json()).toMatchObject({ upgrade: '' });
  });

  it('compat 20 (Host fallback is Hono-specific): without HTTP_HOST Koa sees no Host; SERVER_NAME/PORT stay on ctx.cgi', async () => {
    const app = new Koa();
    app.use(cgi());
    app.use((ctx) => {
      ctx.body = {
        host: ctx.host,
        hostHeader: ctx.get('Host'),
        serverName: ctx.cgi?.SERVER_NAME,
        serverPort: ctx.cgi?.SERVER_PORT,
      };
    });
    const server = await listen(app);
    const variables = nginxVariables('GET', '/').filter(([name]) => name !== 'HTTP_HOST');
    const raw = await rawExchange(server, variables);
    expect(JSON.parse(raw.body.toString())).toEqual({
      host: '',
      hostHeader: '',
      serverName: 'example.test',
      serverPort: '8080',
    });
    // HEAD (the other half of requirement 20) through Koa: headers, no body.
    const head = await rawExchange(server, nginxVariables('HEAD', '/'));
    expect(head.head.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(head.body.length).toBe(0);
  });
});
