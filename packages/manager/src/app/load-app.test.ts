// loadApp with real app modules (fixtures/): each kind detected, served over real SCGI sockets, and every refusal.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { request } from '@scgi-node/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagerError } from '../errors.js';
import { type LoadedApp, loadApp } from './load-app.js';
import { type ServedApp, serveApp } from './serve-app.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const servers: ServedApp[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serveOnLoopback(app: LoadedApp): Promise<ServedApp> {
  const server = await serveApp(app, 0);
  servers.push(server);
  return server;
}

async function get(server: ServedApp, url: string): Promise<string> {
  const response = await request(server, { url, env: { REMOTE_ADDR: '203.0.113.9' } });
  return `${response.status} ${await response.text()}`;
}

async function loadError(path: string, exportName?: string): Promise<ManagerError> {
  const error = await loadApp(path, exportName).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ManagerError);
  return error as ManagerError;
}

describe('loadApp: each kind of app, detected and served', () => {
  it('an Express app: routing, JSON, req.ip from REMOTE_ADDR, a request body', async () => {
    const app = await loadApp(fixture('express-app.mjs'));
    expect(app.kind).toBe('express');
    const server = await serveOnLoopback(app);
    expect(await get(server, '/hello/ann')).toBe('200 {"hello":"ann","ip":"203.0.113.9","via":"express"}');
    const echo = await request(server, {
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'text/plain' },
      body: 'ping',
    });
    expect(await echo.text()).toBe('echo:ping');
  });

  it('a Koa app through app.callback()', async () => {
    const app = await loadApp(fixture('koa-app.mjs'));
    expect(app.kind).toBe('koa');
    const server = await serveOnLoopback(app);
    expect(await get(server, '/a/b?c=1')).toBe(
      '200 {"path":"/a/b","method":"GET","ip":"203.0.113.9","via":"koa"}',
    );
  });

  it('a Hono app through app.fetch, with the CGI variables in c.env', async () => {
    const app = await loadApp(fixture('hono-app.mjs'));
    expect(app.kind).toBe('hono');
    const server = await serveOnLoopback(app);
    expect(await get(server, '/hello/bo')).toBe('200 {"hello":"bo","remote":"203.0.113.9","via":"hono"}');
  });

  it('a { fetch } object, called as a method so `this` works', async () => {
    const app = await loadApp(fixture('fetch-object.mjs'));
    expect(app.kind).toBe('fetch');
    const server = await serveOnLoopback(app);
    expect(await get(server, '/x')).toBe('200 from a fetch object GET /x');
  });

  it('a (request) => Response function', async () => {
    const app = await loadApp(fixture('fetch-function.mjs'));
    expect(app.kind).toBe('fetch');
    expect(await get(await serveOnLoopback(app), '/f')).toBe('200 {"url":"/f","via":"fetch function"}');
  });

  it('a CommonJS module.exports (req, res) listener', async () => {
    const app = await loadApp(fixture('listener.cjs'));
    expect(app.kind).toBe('listener');
    expect(await get(await serveOnLoopback(app), '/l?q')).toBe('200 listener GET /l?q from 203.0.113.9');
  });

  it('a transpiled CommonJS module (exports.default with __esModule)', async () => {
    const app = await loadApp(fixture('transpiled.cjs'));
    expect(app.kind).toBe('listener');
    expect(await get(await serveOnLoopback(app), '/t')).toBe('200 transpiled /t');
  });

  it("an http.Server export, through its 'request' listener", async () => {
    const app = await loadApp(fixture('http-server.mjs'));
    expect(app.kind).toBe('listener');
    expect(await get(await serveOnLoopback(app), '/s')).toBe('200 server /s');
  });

  it('a named export chosen with exportName, and a promised default export', async () => {
    const named = await loadApp(fixture('named-export.mjs'), 'app');
    expect(await get(await serveOnLoopback(named), '/n')).toBe('200 named /n');
    const promised = await loadApp(fixture('promised.mjs'));
    expect(await get(await serveOnLoopback(promised), '/p')).toBe('200 promised /p');
  });

  it('accepts a file: URL, and a path without its extension', async () => {
    expect((await loadApp(pathToFileURL(fixture('koa-app.mjs')).href)).kind).toBe('koa');
    expect((await loadApp(fixture('listener'))).kind).toBe('listener');
  });
});

describe('loadApp: refusals say what was found and what is accepted', () => {
  it('an Express Router needs an app around it', async () => {
    const error = await loadError(fixture('express-router.mjs'));
    expect(error.code).toBe('ERR_SCGI_NODE_BAD_APP');
    expect(error.message).toMatch(/is an Express Router; mount it on an app: .*app\.use\(router\)/);
  });

  it('the Koa class needs `new`', async () => {
    const error = await loadError(fixture('koa-class.mjs'));
    expect(error.code).toBe('ERR_SCGI_NODE_BAD_APP');
    expect(error.message).toContain('is the Koa class itself; export an instance');
  });

  it('a function with no declared parameters is ambiguous', async () => {
    const error = await loadError(fixture('ambiguous.mjs'));
    expect(error.code).toBe('ERR_SCGI_NODE_BAD_APP');
    // (Under vitest the function's name is the transform's; the CLI test sees real Node loading.)
    expect(error.message).toMatch(/is a function\b.* with 0 declared parameters, which is ambiguous/);
    expect(error.message).toContain('accepted: an Express app (express()), a Koa app');
  });

  it('an object that is no app', async () => {
    const error = await loadError(fixture('not-an-app.mjs'));
    expect(error.message).toMatch(
      /export "default" of .*not-an-app\.mjs is an object with keys port, name; accepted:/,
    );
  });

  it('a missing export lists the exports there are', async () => {
    const error = await loadError(fixture('named-export.mjs'));
    expect(error.code).toBe('ERR_SCGI_NODE_BAD_APP');
    expect(error.message).toMatch(
      /has no export "default": its exports are app, version \(choose one with --export NAME\)/,
    );
    expect((await loadError(fixture('named-export.mjs'), 'nope')).message).toContain('no export "nope"');
  });

  it('a module that throws while loading: ERR_SCGI_NODE_APP_LOAD with the cause', async () => {
    const error = await loadError(fixture('throws.mjs'));
    expect(error.code).toBe('ERR_SCGI_NODE_APP_LOAD');
    expect(error.message).toContain('failed to load: DATABASE_URL is not set');
    expect((error.cause as Error).message).toBe('DATABASE_URL is not set');
  });

  it('a module that does not exist, or a syntax error', async () => {
    const missing = await loadError(fixture('no-such-app.mjs'));
    expect(missing.code).toBe('ERR_SCGI_NODE_APP_LOAD');
    expect(missing.message).toContain('cannot find the app module');
    const dir = mkdtempSync(join(tmpdir(), 'scgi-load-'));
    writeFileSync(join(dir, 'broken.mjs'), 'export default (req, res) => {');
    const broken = await loadError(join(dir, 'broken.mjs'));
    expect(broken.code).toBe('ERR_SCGI_NODE_APP_LOAD');
    expect(broken.message).toMatch(/broken\.mjs failed to load: /);
    expect(broken.cause).toBeInstanceOf(Error);
  });

  it('an http.Server with two request listeners', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scgi-load-'));
    writeFileSync(
      join(dir, 'two.mjs'),
      "import { createServer } from 'node:http';\nconst s = createServer(() => {});\ns.on('request', () => {});\nexport default s;\n",
    );
    const error = await loadError(join(dir, 'two.mjs'));
    expect(error.message).toContain("an http.Server with 2 'request' listeners");
  });
});

describe('serveApp', () => {
  it('serves on a unix socket path, and rejects with ERR_SCGI_NODE_LISTEN when it cannot listen', async () => {
    const app = await loadApp(fixture('fetch-function.mjs'));
    const path = join(mkdtempSync(join(tmpdir(), 'scgi-serve-')), 'app.sock');
    const onSocket = await serveApp(app, path);
    servers.push(onSocket);
    expect(await (await request(path, { url: '/u' })).json()).toEqual({ url: '/u', via: 'fetch function' });

    const listener = await loadApp(fixture('listener.cjs'));
    const error = await serveApp(listener, path).then(
      () => undefined,
      (caught: unknown) => caught as ManagerError,
    );
    expect(error?.code).toBe('ERR_SCGI_NODE_LISTEN');
    expect(error?.message).toContain('in use by a running server');
    const badFd = await serveApp(listener, { fd: 987 }).catch((caught: unknown) => caught as ManagerError);
    expect((badFd as ManagerError).code).toBe('ERR_SCGI_NODE_LISTEN');
  });

  it("applies core's limits", async () => {
    const app = await loadApp(fixture('express-app.mjs'));
    const server = await serveApp(app, 0, { maxBodyBytes: 3 });
    servers.push(server);
    const response = await request(server, { method: 'POST', url: '/echo', body: 'four' });
    expect(response.status).toBe(413);
  });
});
