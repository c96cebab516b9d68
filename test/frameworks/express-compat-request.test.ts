// Express 4 and 5 over SCGI, compat.md 1–9: what the request side (req, socket, body) must look like.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { request } from '@scgi-node/core';
import { scgi } from '@scgi-node/express';
import { describe, expect, it } from 'vitest';
import { nginxPairs, rawExchange, wire } from '../../packages/core/src/test-support/raw-client.js';
import { deferred, EXPRESS_VERSIONS, listen, tempDir, waitFor, within } from './support/express-harness.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.each(EXPRESS_VERSIONS)('$name over SCGI: request side', ({ express, major, version }) => {
  it(`runs the installed Express ${major}`, () => {
    expect(version.split('.')[0]).toBe(String(major));
  });

  it('compat 1: req.socket === req.connection === res.socket and socket.writable for the whole request', async () => {
    const app = express();
    app.get('/sock', (req, res) => {
      const check = () => ({
        same: req.socket === req.connection && req.socket === res.socket,
        writable: req.socket.writable,
      });
      const atStart = check();
      // Later in the request too: Koa and others read it long after dispatch.
      setTimeout(() => res.json({ atStart, later: check() }), 20);
    });
    const server = await listen(app);
    const response = await request(server, { url: '/sock' });
    const result = { same: true, writable: true };
    expect(await response.json()).toEqual({ atStart: result, later: result });
  });

  it('compat 2: req.ip is REMOTE_ADDR; X-Forwarded-For counts only when trust proxy says so', async () => {
    const app = express();
    app.get('/ip', (req, res) => res.json({ ip: req.ip, ips: req.ips }));
    const server = await listen(app);
    const ask = async (remote: string) => {
      const response = await request(server, {
        url: '/ip',
        headers: { 'X-Forwarded-For': '203.0.113.9' },
        env: { REMOTE_ADDR: remote },
      });
      return response.json();
    };
    expect(await ask('198.51.100.23')).toEqual({ ip: '198.51.100.23', ips: [] });
    app.set('trust proxy', 'loopback');
    // The trust decision is made on REMOTE_ADDR, the real peer, not on the front server's socket.
    expect(await ask('198.51.100.23')).toEqual({ ip: '198.51.100.23', ips: [] });
    expect(await ask('127.0.0.1')).toEqual({ ip: '203.0.113.9', ips: ['203.0.113.9'] });
    app.set('trust proxy', true);
    expect(await ask('198.51.100.23')).toEqual({ ip: '203.0.113.9', ips: ['203.0.113.9'] });
  });

  it('compat 2: on a unix socket req.ip is REMOTE_ADDR, and undefined without it', async () => {
    const app = express();
    app.get('/ip', (req, res) => res.json({ ip: req.ip ?? null }));
    const path = join(tempDir(), 'app.sock');
    const server = await listen(app, scgi(path));
    const withAddr = await request(path, { url: '/ip', env: { REMOTE_ADDR: '192.0.2.44' } });
    expect(await withAddr.json()).toEqual({ ip: '192.0.2.44' });
    const pairs = nginxPairs('GET', '/ip').filter(([name]) => name !== 'REMOTE_ADDR');
    const bare = await rawExchange(server, wire(pairs));
    expect(JSON.parse(bare.body)).toEqual({ ip: null });
  });

  it.each([
    [{ HTTPS: 'on' }, 'https', true],
    [{ HTTPS: '1' }, 'https', true],
    [{ REQUEST_SCHEME: 'https' }, 'https', true],
    [{ HTTPS: 'off', REQUEST_SCHEME: 'http' }, 'http', false],
    [{}, 'http', false],
  ] as const)('compat 3: CGI %j gives req.protocol %s, req.secure %s', async (env, protocol, secure) => {
    const app = express();
    app.get('/proto', (req, res) => {
      const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
      res.json({ protocol: req.protocol, secure: req.secure, encrypted });
    });
    const server = await listen(app);
    const response = await request(server, { url: '/proto', env: { ...env } });
    expect(await response.json()).toEqual({ protocol, secure, encrypted: secure });
  });

  it.each([
    ['198.51.100.7', 'IPv4'],
    ['2001:db8::7', 'IPv6'],
  ])(
    'compat 4: remote/local address, port and family come from the CGI variables (%s)',
    async (remote, family) => {
      const app = express();
      app.get('/conn', (req, res) => {
        const { remoteAddress, remotePort, remoteFamily, localAddress, localPort } = req.socket;
        res.json({ remoteAddress, remotePort, remoteFamily, localAddress, localPort });
      });
      const server = await listen(app);
      const env = { REMOTE_ADDR: remote, REMOTE_PORT: '51234', SERVER_ADDR: '10.0.0.5', SERVER_PORT: '8443' };
      const response = await request(server, { url: '/conn', env });
      expect(await response.json()).toEqual({
        remoteAddress: remote,
        remotePort: 51234,
        remoteFamily: family,
        localAddress: '10.0.0.5',
        localPort: 8443,
      });
    },
  );

  it('compat 5: req.url is REQUEST_URI and req.method is REQUEST_METHOD, so routing works', async () => {
    const app = express();
    app.all('/items/:id', (req, res) => {
      res.json({ method: req.method, url: req.url, path: req.path, id: req.params.id, query: req.query });
    });
    const server = await listen(app);
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const response = await request(server, { method, url: '/items/42?sort=asc&q=a%20b' });
      expect(await response.json()).toEqual({
        method,
        url: '/items/42?sort=asc&q=a%20b',
        path: '/items/42',
        id: '42',
        query: { sort: 'asc', q: 'a b' },
      });
    }
  });

  it('compat 5: without REQUEST_URI the URL is SCRIPT_NAME + PATH_INFO + ?QUERY_STRING', async () => {
    const app = express();
    app.get('/app/items/:id', (req, res) => res.json({ url: req.url, id: req.params.id }));
    const server = await listen(app);
    const pairs = (query: string) =>
      nginxPairs('GET', '/ignored')
        .filter(([name]) => !['REQUEST_URI', 'QUERY_STRING'].includes(name))
        .concat([
          ['SCRIPT_NAME', '/app'],
          ['PATH_INFO', '/items/7'],
          ['QUERY_STRING', query],
        ]);
    const withQuery = await rawExchange(server, wire(pairs('a=1&b=2')));
    expect(JSON.parse(withQuery.body)).toEqual({ url: '/app/items/7?a=1&b=2', id: '7' });
    const noQuery = await rawExchange(server, wire(pairs('')));
    expect(JSON.parse(noQuery.body)).toEqual({ url: '/app/items/7', id: '7' });
  });

  it("compat 6: headers, rawHeaders and headersDistinct are populated; repeats follow Node's join rules", async () => {
    const app = express();
    app.get('/headers', (req, res) => {
      res.json({
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        distinct: req.headersDistinct,
        viaGet: req.get('x-multi'),
        accepts: req.accepts(['json', 'html']),
      });
    });
    const server = await listen(app);
    const headers: Array<[string, string]> = [
      ['Host', 'example.test'],
      ['Accept', 'text/html'],
      ['X-Multi', 'a'],
      ['X-Multi', 'b'],
      ['Cookie', 'a=1'],
      ['Cookie', 'b=2'],
      ['Set-Cookie', 'x=1'],
      ['Set-Cookie', 'y=2'],
    ];
    const body = (await (await request(server, { url: '/headers', headers })).json()) as Record<
      string,
      Record<string, unknown>
    >;
    expect(body.headers).toMatchObject({
      host: 'example.test',
      accept: 'text/html',
      'x-multi': 'a, b',
      cookie: 'a=1; b=2',
      'set-cookie': ['x=1', 'y=2'],
    });
    expect(body.rawHeaders).toEqual(expect.arrayContaining(['x-multi', 'a', 'b', 'cookie', 'a=1', 'b=2']));
    expect(body.distinct).toMatchObject({ 'x-multi': ['a', 'b'], cookie: ['a=1', 'b=2'] });
    expect(body.viaGet).toBe('a, b');
    expect(body.accepts).toBe('html');
  });

  it.each([
    ['HTTP/1.0', '1.0'],
    ['HTTP/1.1', '1.1'],
    ['HTTP/2.0', '1.1'],
    ['HTTP/3.0', '1.1'],
  ])('compat 7: SERVER_PROTOCOL %s is shown as HTTP/%s (no HTTP/2 code paths)', async (protocol, shown) => {
    const app = express();
    app.get('/version', (req, res) => {
      res.json({ httpVersion: req.httpVersion, major: req.httpVersionMajor, hostname: req.hostname });
    });
    const server = await listen(app);
    const env = { SERVER_PROTOCOL: protocol };
    const headers = { Host: 'example.test:8080' };
    const response = await request(server, { url: '/version', env, headers });
    expect(await response.json()).toEqual({ httpVersion: shown, major: 1, hostname: 'example.test' });
    // finalhandler leaves the status message out on HTTP/2; here it must be there.
    const missing = await request(server, { url: '/missing', env, headers });
    expect(missing.rawHead.startsWith('Status: 404 Not Found\r\n')).toBe(true);
    await missing.text();
  });

  it('compat 8: the body is exactly CONTENT_LENGTH bytes and req.complete is true before it ends', async () => {
    const app = express();
    app.post('/upload', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        res.json({ length: body.length, sha: sha256(body), complete: req.complete });
      });
    });
    const server = await listen(app);
    const body = randomBytes(1024 * 1024 + 17);
    const response = await request(server, { method: 'POST', url: '/upload', body });
    expect(await response.json()).toEqual({ length: body.length, sha: sha256(body), complete: true });
    // Bytes past CONTENT_LENGTH are not part of the body.
    const pairs = nginxPairs('POST', '/upload', [], 5);
    const raw = await rawExchange(server, wire(pairs, 'helloEXTRA'));
    expect(JSON.parse(raw.body)).toEqual({ length: 5, sha: sha256(Buffer.from('hello')), complete: true });
  });

  it('compat 8: backpressure: an unread body pauses reading from the connection', async () => {
    const app = express();
    const release = deferred();
    let held: { socketPaused(): boolean; buffered(): number } | undefined;
    app.post('/slow', async (req, res) => {
      held = { socketPaused: () => req.socket.isPaused(), buffered: () => req.readableLength };
      await release.promise;
      let length = 0;
      req.on('data', (chunk: Buffer) => {
        length += chunk.length;
      });
      req.on('end', () => res.json({ length }));
    });
    const server = await listen(app);
    const size = 32 * 1024 * 1024;
    const body = Buffer.alloc(size, 0x61);
    const pending = request(server, { method: 'POST', url: '/slow', body });
    await waitFor(() => held?.socketPaused() === true, 15_000, 'the connection to be paused');
    const bufferedWhilePaused = held!.buffered();
    release.resolve();
    const response = await within(pending, 30_000, 'the response');
    expect(await response.json()).toEqual({ length: size });
    // The whole body was not pulled into memory while the app was not reading.
    expect(bufferedWhilePaused).toBeLessThan(1024 * 1024);
  });

  it('compat 9: 404 and 500 pages are written for a POST whose body was never read', async () => {
    const app = express();
    app.post('/fails', (_req, _res, next) => next(new Error('nope')));
    const server = await listen(app);
    const body = randomBytes(2 * 1024 * 1024);
    const notFound = await request(server, { method: 'POST', url: '/nowhere', body, headTimeoutMs: 15_000 });
    expect(notFound.status).toBe(404);
    expect(await within(notFound.text(), 15_000, '404 body')).toContain('Cannot POST /nowhere');
    const failed = await request(server, { method: 'POST', url: '/fails', body, headTimeoutMs: 15_000 });
    expect(failed.status).toBe(500);
    expect(await within(failed.text(), 15_000, '500 body')).toContain('Error: nope');
  });
});
