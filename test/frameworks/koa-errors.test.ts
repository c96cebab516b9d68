// Koa 2 and 3 over SCGI: errors go through Koa's own handler and the 'error' event; the worker keeps serving.
import { request, SCGI_ERROR_EVENT } from '@scgi-node/core';
import { describe, expect, it } from 'vitest';
import { KOA_VERSIONS, listen } from './support/koa-harness.js';

describe.each(KOA_VERSIONS)('$name over SCGI: errors', ({ Koa }) => {
  it("a throw in middleware: Koa's handler answers 500, app 'error' fires, the next request is served", async () => {
    const app = new Koa();
    const appErrors: Array<{ message: string; url: string | undefined }> = [];
    app.on('error', (error: Error, ctx?: { url: string }) =>
      appErrors.push({ message: error.message, url: ctx?.url }),
    );
    app.use(async (ctx) => {
      if (ctx.path === '/sync') throw new Error('sync failure');
      if (ctx.path === '/async') {
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('async failure');
      }
      ctx.body = 'still serving';
    });
    const server = await listen(app);
    const transportErrors: unknown[] = [];
    server.on(SCGI_ERROR_EVENT, (error: unknown) => transportErrors.push(error));

    for (const path of ['/sync', '/async']) {
      const response = await request(server, { url: path });
      expect(response.status).toBe(500);
      expect(response.rawHead.startsWith('Status: 500 Internal Server Error\r\n')).toBe(true);
      expect(response.header('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toBe('Internal Server Error');
    }
    expect(appErrors).toEqual([
      { message: 'sync failure', url: '/sync' },
      { message: 'async failure', url: '/async' },
    ]);
    // Koa caught them: nothing reached the transport's handler-failure path.
    expect(transportErrors).toEqual([]);
    const after = await request(server, { url: '/' });
    expect(await after.text()).toBe('still serving');
  });

  it("ctx.throw(400, 'msg') is exposed as the body; a 500 message is not", async () => {
    const app = new Koa();
    app.on('error', () => {});
    app.use((ctx) => {
      if (ctx.path === '/bad') ctx.throw(400, 'name is required');
      ctx.throw(500, 'database password is hunter2');
    });
    const server = await listen(app);
    const bad = await request(server, { url: '/bad' });
    expect(bad.status).toBe(400);
    expect(bad.rawHead.startsWith('Status: 400 Bad Request\r\n')).toBe(true);
    expect(await bad.text()).toBe('name is required');
    const hidden = await request(server, { url: '/secret' });
    expect(hidden.status).toBe(500);
    expect(await hidden.text()).toBe('Internal Server Error');
  });

  it("an app-level error middleware renders its own page instead of Koa's", async () => {
    const app = new Koa();
    app.on('error', () => {});
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        ctx.status = 503;
        ctx.type = 'html';
        ctx.body = `<h1>Sorry</h1><p>${(error as Error).message}</p>`;
        ctx.app.emit('error', error, ctx);
      }
    });
    app.use(() => {
      throw new Error('maintenance');
    });
    const server = await listen(app);
    const response = await request(server, { url: '/' });
    expect(response.status).toBe(503);
    expect(response.header('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toBe('<h1>Sorry</h1><p>maintenance</p>');
  });
});
