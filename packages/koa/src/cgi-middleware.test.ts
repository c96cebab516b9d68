import type { Server } from 'node:http';
import { request } from '@scgi-node/core';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { cgi, scgi } from './index.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('@scgi-node/koa', () => {
  it('app.listen(scgi(0)) returns the http.Server and cgi() exposes the CGI variables', async () => {
    const app = new Koa();
    app.use(cgi());
    app.use((ctx) => {
      ctx.body = { user: ctx.state.remoteUser, https: ctx.cgi?.HTTPS, protocol: ctx.protocol, ip: ctx.ip };
    });
    server = await new Promise<Server>((resolve) => {
      const listening: Server = app.listen(scgi(0), () => resolve(listening));
    });
    const response = await request(server, {
      url: '/',
      env: { REMOTE_USER: 'bob', HTTPS: 'on', REMOTE_ADDR: '198.51.100.9' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      user: 'bob',
      https: 'on',
      protocol: 'https',
      ip: '198.51.100.9',
    });
  });
});
