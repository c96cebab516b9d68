// createGateway end to end: real HTTP clients -> gateway -> real SCGI workers (core) or raw SCGI peers.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent, type IncomingMessage, request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { createServer as createScgiServer, scgiRequest } from '@scgi-node/core';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createGateway } from './gateway.js';
import { httpRequest, rawHttp } from './test-support/http-client.js';
import { startBackend, startGateway, startRawBackend, tempDir, trackServer } from './test-support/servers.js';

/** A raw SCGI peer that reads the request head and answers with `response` bytes, then closes. */
async function cannedBackend(response: string) {
  return startRawBackend((socket) => {
    socket.once('data', () => socket.end(Buffer.from(response, 'latin1')));
  });
}

describe('createGateway: forwarding', () => {
  it('answers with the backend app, keeping the client connection alive between requests', async () => {
    const backend = await startBackend((req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(`hello ${req.method} ${req.url} from ${req.socket.remoteAddress}`);
    });
    const gateway = await startGateway({ target: backend });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const get = async (path: string) => {
        const req = request(`${gateway.url}${path}`, { agent });
        req.end();
        const [res] = (await once(req, 'response')) as [IncomingMessage];
        const body = Buffer.concat(await res.toArray()).toString();
        return { status: res.statusCode, body, reused: req.reusedSocket };
      };
      expect(await get('/a?x=1')).toEqual({
        status: 200,
        body: 'hello GET /a?x=1 from 127.0.0.1',
        reused: false,
      });
      expect(await get('/b')).toEqual({ status: 200, body: 'hello GET /b from 127.0.0.1', reused: true });
    } finally {
      agent.destroy();
    }
  });

  it('sends HTTPS=on and REQUEST_SCHEME=https when it serves TLS, so Express sees req.secure', async () => {
    const app = express();
    app.get('/', (req, res) => {
      const env = scgiRequest(req)!.env;
      res.json({
        scheme: env.REQUEST_SCHEME,
        https: env.HTTPS ?? null,
        protocol: req.protocol,
        secure: req.secure,
      });
    });
    const backend = await startBackend(app);
    const cert = readFileSync(new URL('./fixtures/tls-cert.pem', import.meta.url));
    const key = readFileSync(new URL('./fixtures/tls-key.pem', import.meta.url));
    const plain = await startGateway({ target: backend });
    const tls = await startGateway({ target: backend, tls: { key, cert } });
    expect(JSON.parse((await httpRequest(`${plain.url}/`)).body.toString())).toEqual({
      scheme: 'http',
      https: null,
      protocol: 'http',
      secure: false,
    });
    const req = httpsRequest(`https://localhost:${tls.port}/`, { ca: cert, agent: false });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    expect(JSON.parse(Buffer.concat(await res.toArray()).toString())).toEqual({
      scheme: 'https',
      https: 'on',
      protocol: 'https',
      secure: true,
    });
  });

  it('streams a request body with Content-Length to the app, and gives a chunked one its CONTENT_LENGTH', async () => {
    const backend = await startBackend(async (req, res) => {
      const body = Buffer.concat(await req.toArray());
      const env = scgiRequest(req)!.env;
      res.end(
        JSON.stringify({
          length: env.CONTENT_LENGTH,
          te: env.HTTP_TRANSFER_ENCODING ?? null,
          body: body.toString(),
        }),
      );
    });
    const gateway = await startGateway({ target: backend });
    const fixed = await httpRequest(`${gateway.url}/p`, { method: 'POST', body: 'a=1&b=2' });
    expect(JSON.parse(fixed.body.toString())).toEqual({ length: '7', te: null, body: 'a=1&b=2' });
    const chunked = await rawHttp(
      gateway.port,
      'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    );
    expect(chunked).toContain('{"length":"11","te":null,"body":"hello world"}');
  });

  it('answers 413 to a chunked body over maxBufferedRequestBytes, without calling the backend', async () => {
    let calls = 0;
    const backend = await startBackend((_req, res) => {
      calls++;
      res.end();
    });
    const gateway = await startGateway({ target: backend, maxBufferedRequestBytes: 1000 });
    const body = `${(2000).toString(16)}\r\n${'x'.repeat(2000)}\r\n0\r\n\r\n`;
    const reply = await rawHttp(
      gateway.port,
      `POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(calls).toBe(0);
    expect(gateway.logs.map((entry) => [entry.level, entry.code, entry.status])).toEqual([
      ['warn', 'ERR_SCGI_BODY_TOO_LARGE', 413],
    ]);
  });
});

describe('createGateway: the CGI response head, read as nginx reads it', () => {
  // Expectations follow what nginx 1.22 made of the same backend replies (frontend-responses captures),
  // except where the README's table says otherwise (an empty reason gets the standard phrase).
  const cases: Array<{ name: string; reply: string; status: number; reason: string; body: string }> = [
    {
      name: 'Status with reason',
      reply: 'Status: 404 Not Found\r\n\r\nnot found\n',
      status: 404,
      reason: 'Not Found',
      body: 'not found\n',
    },
    {
      name: 'Status without reason',
      reply: 'Status: 404\r\n\r\nnot found\n',
      status: 404,
      reason: 'Not Found',
      body: 'not found\n',
    },
    {
      name: 'custom reason',
      reply: 'Status: 404 Gone Fishing\r\n\r\ncustom\n',
      status: 404,
      reason: 'Gone Fishing',
      body: 'custom\n',
    },
    {
      name: 'HTTP/1.1 first line',
      reply: 'HTTP/1.1 404 Nope\r\nX-Was: httpline\r\n\r\nhttp\n',
      status: 404,
      reason: 'Nope',
      body: 'http\n',
    },
    {
      name: 'no Status',
      reply: 'Content-Type: text/plain\r\n\r\nno status\n',
      status: 200,
      reason: 'OK',
      body: 'no status\n',
    },
    {
      name: 'Location without Status',
      reply: 'Location: /x\r\n\r\nmoved\n',
      status: 302,
      reason: 'Found',
      body: 'moved\n',
    },
    {
      name: 'Location with Status',
      reply: 'Status: 301 Moved Permanently\r\nLocation: /x\r\n\r\n',
      status: 301,
      reason: 'Moved Permanently',
      body: '',
    },
    {
      name: 'bare LF lines',
      reply: 'Status: 201 Created\nX-Was: lf\n\nlf only\n',
      status: 201,
      reason: 'Created',
      body: 'lf only\n',
    },
    {
      name: 'Content-Length shorter than the body',
      reply: 'Content-Length: 5\r\n\r\n0123456789abcdefghi\n',
      status: 200,
      reason: 'OK',
      body: '01234',
    },
    {
      name: 'chunked framing from the backend',
      reply: 'Transfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n0\r\n\r\n',
      status: 200,
      reason: 'OK',
      body: '6\r\nhello \r\n0\r\n\r\n',
    },
  ];
  for (const { name, reply, status, reason, body } of cases) {
    it(`${name} -> ${status} ${reason}`, async () => {
      const gateway = await startGateway({ target: await cannedBackend(reply) });
      const result = await httpRequest(`${gateway.url}/`);
      expect([result.status, result.statusMessage, result.body.toString('latin1')]).toEqual([
        status,
        reason,
        body,
      ]);
      expect(gateway.logs).toEqual([]);
    });
  }

  it('keeps repeated Set-Cookie and other repeats in order, and drops hop-by-hop and X-Accel-* fields', async () => {
    const reply =
      'Status: 200 OK\r\nSet-Cookie: a=1; Path=/\r\nConnection: close, X-Private\r\nX-Private: 1\r\nKeep-Alive: timeout=5\r\n' +
      'Set-Cookie: b=2; Path=/\r\nX-Accel-Buffering: no\r\nSet-Cookie: c=3\r\nX-Multi: one\r\nX-Multi: two\r\n\r\nok\n';
    const gateway = await startGateway({ target: await cannedBackend(reply) });
    const result = await httpRequest(`${gateway.url}/`);
    const pairs: string[][] = [];
    for (let i = 0; i < result.rawHeaders.length; i += 2)
      pairs.push([result.rawHeaders[i]!, result.rawHeaders[i + 1]!]);
    const names = pairs.map(([name]) => name!.toLowerCase());
    expect(pairs.filter(([name]) => /^(set-cookie|x-multi)$/i.test(name!))).toEqual([
      ['Set-Cookie', 'a=1; Path=/'],
      ['Set-Cookie', 'b=2; Path=/'],
      ['Set-Cookie', 'c=3'],
      ['X-Multi', 'one'],
      ['X-Multi', 'two'],
    ]);
    expect(names).not.toContain('x-private');
    expect(names).not.toContain('x-accel-buffering');
    // The backend's Keep-Alive and Connection are gone (node adds no Keep-Alive to a closing exchange).
    expect(result.headers['keep-alive']).toBeUndefined();
    expect(result.headers.connection).toBe('close');
    expect(result.body.toString()).toBe('ok\n');
  });

  it('sends no body for HEAD, 204 and 304, keeping the Content-Length of HEAD', async () => {
    const backend = await startBackend((req, res) => {
      if (req.url === '/204') res.writeHead(204).end();
      else if (req.url === '/304') res.writeHead(304).end();
      else res.setHeader('Content-Length', '5').end(req.method === 'HEAD' ? undefined : 'hello');
    });
    const gateway = await startGateway({ target: backend });
    const head = await rawHttp(gateway.port, 'HEAD /h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toMatch(/\r\nContent-Length: 5\r\n/i);
    expect(head.endsWith('\r\n\r\n')).toBe(true);
    for (const path of ['/204', '/304']) {
      const reply = await rawHttp(
        gateway.port,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect(reply.startsWith(`HTTP/1.1 ${path.slice(1)} `)).toBe(true);
      expect(reply.endsWith('\r\n\r\n')).toBe(true);
    }
  });
});

describe('createGateway: options and targets', () => {
  it('refuses an fd target and a negative limit at once', () => {
    expect(() => createGateway({ target: 'fd:3' })).toThrow(
      expect.objectContaining({ code: 'ERR_SCGI_BAD_TARGET' }),
    );
    expect(() => createGateway({ target: 4000, backendTimeoutMs: -1 })).toThrow(/backendTimeoutMs/);
  });

  it('waits for a server target that is not listening yet', async () => {
    const backend = trackServer(createScgiServer((req, res) => res.end(`late ${req.url}`)));
    const gateway = await startGateway({ target: backend });
    const pending = httpRequest(`${gateway.url}/x`);
    // The request is at the gateway before the backend listens.
    await new Promise((resolve) => gateway.server.once('request', resolve));
    backend.listen(join(tempDir(), 'late.sock'));
    const result = await pending;
    expect([result.status, result.body.toString()]).toEqual([200, 'late /x']);
  });
});
