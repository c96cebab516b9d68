// The manager's app detection across framework versions: Express 4 and 5, Koa 2 and 3, Hono, served over real SCGI sockets.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '@scgi-node/core';
import { type LoadedApp, loadApp, type ServedApp, serveApp } from '@scgi-node/manager';
import { afterEach, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const servers: ServedApp[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** An app module in a temp dir, importing the framework by its resolved path (as a deployed app imports its own copy). */
function appModule(name: string, source: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'scgi-edges-')), name);
  writeFileSync(path, source);
  return path;
}

async function serveAndGet(app: LoadedApp, url: string): Promise<unknown> {
  const socket = join(mkdtempSync(join(tmpdir(), 'scgi-edges-')), 'app.sock');
  const server = await serveApp(app, { path: socket });
  servers.push(server);
  const response = await request(socket, { url, env: { REMOTE_ADDR: '198.51.100.4', HTTPS: 'on' } });
  expect(response.status).toBe(200);
  return response.json();
}

const express = (pkg: string) => `
import express from ${JSON.stringify(require.resolve(pkg))};
const app = express();
app.get('/who/:name', (req, res) => res.json({ name: req.params.name, q: req.query.q, ip: req.ip, secure: req.secure }));
export default app;
`;

const koa = (pkg: string) => `
import Koa from ${JSON.stringify(require.resolve(pkg))};
const app = new Koa();
app.use((ctx) => { ctx.body = { path: ctx.path, q: ctx.query.q, ip: ctx.ip, protocol: ctx.protocol }; });
export default app;
`;

describe('detection across framework versions', () => {
  it.each(['express4', 'express5'])(
    '%s: an Express app, with req.ip and req.secure from the CGI variables',
    async (pkg) => {
      const app = await loadApp(appModule('app.mjs', express(pkg)));
      expect(app.kind).toBe('express');
      expect(await serveAndGet(app, '/who/ann?q=1')).toEqual({
        name: 'ann',
        q: '1',
        ip: '198.51.100.4',
        secure: true,
      });
    },
  );

  it.each(['koa2', 'koa3'])('%s: a Koa app through app.callback()', async (pkg) => {
    const app = await loadApp(appModule('app.mjs', koa(pkg)));
    expect(app.kind).toBe('koa');
    expect(await serveAndGet(app, '/k?q=2')).toEqual({
      path: '/k',
      q: '2',
      ip: '198.51.100.4',
      protocol: 'https',
    });
  });

  it('an Express 4 app exported from CommonJS (module.exports = app)', async () => {
    const source = `const express = require(${JSON.stringify(require.resolve('express4'))});
const app = express();
app.get('/', (req, res) => res.json({ cjs: true, ip: req.ip }));
module.exports = app;`;
    const app = await loadApp(appModule('app.cjs', source));
    expect(app.kind).toBe('express');
    expect(await serveAndGet(app, '/')).toEqual({ cjs: true, ip: '198.51.100.4' });
  });

  it('an Express 4 Router is refused with the way to mount it', async () => {
    const source = `import express from ${JSON.stringify(require.resolve('express4'))};
export default express.Router();`;
    await expect(loadApp(appModule('router.mjs', source))).rejects.toMatchObject({
      code: 'ERR_SCGI_NODE_BAD_APP',
      message: expect.stringContaining('is an Express Router; mount it on an app'),
    });
  });

  it('a Hono app, with the CGI variables in c.env', async () => {
    const source = `import { Hono } from ${JSON.stringify(require.resolve('hono'))};
const app = new Hono();
app.get('/h', (c) => c.json({ remote: c.env.REMOTE_ADDR, url: c.req.url }));
export default app;`;
    const app = await loadApp(appModule('hono.mjs', source));
    expect(app.kind).toBe('hono');
    expect(await serveAndGet(app, '/h')).toEqual({ remote: '198.51.100.4', url: 'https://localhost/h' });
  });
});
