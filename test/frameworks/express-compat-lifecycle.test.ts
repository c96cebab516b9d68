// Express 4 and 5 over SCGI, compat.md 16–20: aborts, the end of a response, the server object, odd input.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { isScgiError, request } from '@scgi-node/core';
import { scgi } from '@scgi-node/express';
import { describe, expect, it } from 'vitest';
import {
  nginxPairs,
  openSocket,
  rawExchange,
  splitResponse,
  wire,
} from '../../packages/core/src/test-support/raw-client.js';
import { deferred, EXPRESS_VERSIONS, listen, tempDir, track, within } from './support/express-harness.js';

describe.each(EXPRESS_VERSIONS)('$name over SCGI: lifecycle', ({ express }) => {
  it("compat 16: a peer that leaves mid-response gives res 'close' with writableFinished false", async () => {
    const app = express();
    const closed = deferred<Record<string, boolean>>();
    app.get('/slow', (req, res) => {
      res.on('close', () =>
        closed.resolve({
          writableFinished: res.writableFinished,
          writableEnded: res.writableEnded,
          reqDestroyed: req.destroyed,
          reqAborted: req.aborted,
        }),
      );
      res.type('text/plain');
      res.write('first part;');
      // The rest never comes: the client hangs up first.
    });
    app.get('/after', (_req, res) => res.send('still serving'));
    const server = await listen(app);
    const abort = new AbortController();
    const response = await request(server, { url: '/slow', signal: abort.signal });
    const [first] = (await once(response.body, 'data')) as [Buffer];
    expect(first.toString()).toBe('first part;');
    response.body.on('error', () => {});
    abort.abort();
    expect(await within(closed.promise, 15_000, "res 'close'")).toEqual({
      writableFinished: false,
      writableEnded: false,
      reqDestroyed: true,
      reqAborted: true,
    });
    expect(await (await request(server, { url: '/after' })).text()).toBe('still serving');
  });

  it("compat 17: res emits 'finish' then 'close', the connection ends, an unread body is drained", async () => {
    const app = express();
    const events: string[] = [];
    app.post('/quick', (_req, res) => {
      res.on('finish', () => events.push('finish'));
      res.on('close', () => events.push('close'));
      res.send('answered without reading');
    });
    const server = await listen(app);
    const body = Buffer.alloc(4 * 1024 * 1024, 0x63);
    const socket = await openSocket(server);
    const errors: Error[] = [];
    socket.on('error', (error) => errors.push(error));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = once(socket, 'end');
    const written = new Promise<void>((resolve, reject) =>
      socket.write(wire(nginxPairs('POST', '/quick', [], body.length), body), (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    // All of the body is taken off the wire (no reset), and the server ends its side (FIN).
    await within(written, 15_000, 'the whole body to be written');
    await within(ended, 15_000, 'the server to end the connection');
    socket.end();
    await once(socket, 'close');
    expect(errors).toEqual([]);
    expect(splitResponse(Buffer.concat(chunks)).body).toBe('answered without reading');
    expect(events).toEqual(['finish', 'close']);
  });

  it('compat 18: app.listen(scgi(0)) returns the http.Server; address(), request and close(cb) as usual', async () => {
    const app = express();
    app.get('/', (_req, res) => res.send('hi'));
    const listening = deferred();
    const server = app.listen(scgi(0), () => listening.resolve());
    track(server);
    expect(server).toBeInstanceOf(Server);
    await within(listening.promise, 15_000, 'the listen callback');
    const address = server.address() as AddressInfo;
    expect(address).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect(address.port).toBeGreaterThan(0);
    const seen: string[] = [];
    server.on('request', (req: { url?: string }) => seen.push(req.url ?? ''));
    expect(await (await request(address.port, { url: '/?x=1' })).text()).toBe('hi');
    expect(seen).toEqual(['/?x=1']);
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
    expect(server.listening).toBe(false);
    const refused = connect(address.port, '127.0.0.1');
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('compat 18: on a unix socket address() is the path and the file is removed on close', async () => {
    const app = express();
    app.get('/', (_req, res) => res.send('over a unix socket'));
    const path = join(tempDir(), 'express.sock');
    const server = await listen(app, scgi(path));
    expect(server.address()).toBe(path);
    expect(existsSync(path)).toBe(true);
    expect(await (await request(path)).text()).toBe('over a unix socket');
    await new Promise((resolve) => server.close(resolve));
    expect(existsSync(path)).toBe(false);
  });

  it("compat 19: no 'upgrade' or 'checkContinue'; bad input is a typed 'scgiError', not a crash", async () => {
    const app = express();
    app.all('/echo', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () =>
        res.json({
          upgrade: req.headers.upgrade,
          expect: req.headers.expect,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    const server = await listen(app);
    const unexpected: string[] = [];
    server.on('upgrade', () => unexpected.push('upgrade'));
    server.on('checkContinue', () => unexpected.push('checkContinue'));
    const scgiErrors: unknown[] = [];
    server.on('scgiError', (error: unknown) => scgiErrors.push(error));

    const upgrade = await rawExchange(
      server,
      wire(
        nginxPairs('GET', '/echo', [
          ['HTTP_UPGRADE', 'websocket'],
          ['HTTP_CONNECTION', 'Upgrade'],
        ]),
      ),
    );
    expect(JSON.parse(upgrade.body)).toEqual({ upgrade: 'websocket', body: '' });

    const expectContinue = await rawExchange(
      server,
      wire(nginxPairs('POST', '/echo', [['HTTP_EXPECT', '100-continue']], 3), 'abc'),
    );
    expect(expectContinue.text.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(expectContinue.text).not.toMatch(/100 Continue/);
    expect(JSON.parse(expectContinue.body)).toEqual({ expect: '100-continue', body: 'abc' });

    const garbage = await rawExchange(server, Buffer.from('this is not a netstring\r\n\r\n'));
    expect(garbage.head).toMatch(/^Status: 400 /);
    expect(scgiErrors).toHaveLength(1);
    expect(isScgiError(scgiErrors[0])).toBe(true);
    expect((scgiErrors[0] as { code: string }).code).toMatch(/^ERR_SCGI_/);
    expect(unexpected).toEqual([]);
    // And the server goes on serving.
    const after = await request(server, { url: '/echo' });
    expect(after.status).toBe(200);
    await after.text();
  });

  it('compat 20 (Express side): with no HTTP_HOST the app sees no Host, as on node:http; HEAD works', async () => {
    const app = express();
    app.get('/host', (req, res) =>
      res.json({ hostname: req.hostname ?? null, host: req.headers.host ?? null }),
    );
    const scgiServer = await listen(app);
    const overScgi = await request(scgiServer, { url: '/host', env: { SERVER_NAME: 'example.test' } });
    // The same app on plain node:http, asked by an HTTP/1.0 client that sends no Host either.
    const httpServer = track(createHttpServer(app));
    httpServer.listen(0, '127.0.0.1');
    await once(httpServer, 'listening');
    const socket = connect((httpServer.address() as AddressInfo).port, '127.0.0.1');
    socket.end('GET /host HTTP/1.0\r\n\r\n');
    const overHttp = splitResponse(Buffer.concat(await socket.toArray()));
    expect(await overScgi.json()).toEqual(JSON.parse(overHttp.body));

    const head = await rawExchange(
      scgiServer,
      wire(nginxPairs('HEAD', '/host').filter(([name]) => name !== 'HTTP_HOST')),
    );
    expect(head.head.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(head.head).toMatch(/^Content-Type: application\/json/im);
    expect(head.body).toBe('');
  });
});
