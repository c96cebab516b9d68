import type { Server } from 'node:http';
import { request } from '@scgi-node/core';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { cgi, scgi } from './index.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('@scgi-node/express', () => {
  it('app.listen(scgi(0)) returns the http.Server and cgi() exposes REMOTE_USER', async () => {
    const app = express();
    app.use(cgi());
    app.get('/me', (req, res) => {
      res.json({ user: req.remoteUser, root: req.cgi?.DOCUMENT_ROOT, ip: req.ip });
    });
    server = await new Promise<Server>((resolve) => {
      const listening: Server = app.listen(scgi(0), () => resolve(listening));
    });
    expect(server.address()).toMatchObject({ address: '127.0.0.1' });
    const response = await request(server, {
      url: '/me',
      env: { REMOTE_USER: 'ann', DOCUMENT_ROOT: '/srv/www', REMOTE_ADDR: '198.51.100.4' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user: 'ann', root: '/srv/www', ip: '198.51.100.4' });
  });
});
