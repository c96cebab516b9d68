// The cgi() middleware's edge cases: off SCGI, no or empty REMOTE_USER, per-request values, awaiting next().
import { once } from 'node:events';
import type { Server } from 'node:http';
import { request } from '@scgi-node/core';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { cgi, createServer, scgi } from './index.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function started(server: Server): Promise<Server> {
  servers.push(server);
  if (!server.listening) await once(server, 'listening');
  return server;
}

/** An app whose body reports what cgi() left on the context. */
function reportingApp(): Koa {
  const app = new Koa();
  app.use(cgi());
  app.use((ctx) => {
    ctx.body = {
      hasCgi: ctx.cgi !== undefined,
      hasRemoteUser: 'remoteUser' in ctx.state,
      remoteUser: ctx.state.remoteUser ?? null,
      custom: ctx.cgi?.SSL_CLIENT_S_DN ?? null,
    };
  });
  return app;
}

describe('cgi() middleware', () => {
  it('off SCGI (plain node:http) it sets nothing and the request goes on', async () => {
    const server = await started(reportingApp().listen(0, '127.0.0.1'));
    const { port } = server.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.json()).toEqual({
      hasCgi: false,
      hasRemoteUser: false,
      remoteUser: null,
      custom: null,
    });
  });

  it('leaves ctx.state.remoteUser unset when REMOTE_USER is absent or empty, keeps other variables', async () => {
    const server = await started(reportingApp().listen(scgi(0)));
    const absent = await request(server, { url: '/', env: { SSL_CLIENT_S_DN: 'CN=ann' } });
    expect(await absent.json()).toEqual({
      hasCgi: true,
      hasRemoteUser: false,
      remoteUser: null,
      custom: 'CN=ann',
    });
    const empty = await request(server, { url: '/', env: { REMOTE_USER: '' } });
    expect(await empty.json()).toMatchObject({ hasCgi: true, hasRemoteUser: false });
  });

  it('gives each request its own variables, also on concurrent requests', async () => {
    const server = await started(reportingApp().listen(scgi(0)));
    const users = ['ann', 'bob', 'cy', 'dee', 'eve'];
    const answers = await Promise.all(
      users.map(async (user) => (await request(server, { url: '/', env: { REMOTE_USER: user } })).json()),
    );
    expect(answers.map((answer) => (answer as { remoteUser: string }).remoteUser)).toEqual(users);
  });

  it('awaits the rest of the chain: a late body and a downstream error both reach Koa', async () => {
    const app = new Koa();
    app.on('error', () => {});
    app.use(cgi());
    app.use(async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (ctx.path === '/fail') throw new Error('downstream');
      ctx.body = 'late body';
    });
    const server = await started(createServer(app.callback()).listen(0));
    expect(await (await request(server, { url: '/' })).text()).toBe('late body');
    const failed = await request(server, { url: '/fail' });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('Internal Server Error');
  });
});
