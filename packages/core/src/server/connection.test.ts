// The transport on plain node:http: request mapping, response framing, body flow, aborts, bad input.
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ScgiError } from '../protocol/errors.js';
import type { RequestHead } from '../protocol/request-head.js';
import { listenScgi, nginxPairs, openSocket, rawExchange, wire } from '../test-support/raw-client.js';
import { cgiVariables } from './cgi-variables.js';
import { createServer } from './create-server.js';
import { scgi } from './target.js';

function capture() {
  const seen: { req?: IncomingMessage; res?: ServerResponse; body?: string; sameSocket?: boolean } = {};
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    seen.req = req;
    seen.res = res;
    seen.sameSocket = req.socket === res.socket && req.connection === req.socket && req.socket.writable;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.body = Buffer.concat(chunks).toString();
      res.end('ok');
    });
  };
  return { seen, listener };
}

describe('request mapping', () => {
  it('presents method, url, version, headers and the client address from the CGI variables', async () => {
    const { seen, listener } = capture();
    const server = await listenScgi(listener);
    const pairs = nginxPairs('GET', '/a/b%20c?x=1&y=2', [
      ['HTTP_X_DUP', 'one'],
      ['HTTP_COOKIE', 'a=1'],
      ['HTTP_X_DUP', 'two'],
      ['HTTP_COOKIE', 'b=2'],
      ['HTTP_TRANSFER_ENCODING', 'chunked'],
      ['REMOTE_USER', 'ann'],
    ]);
    const result = await rawExchange(server, wire(pairs));
    expect(result.head).toMatch(/^Status: 200 OK\r\n/);
    const req = seen.req!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/a/b%20c?x=1&y=2');
    expect(req.httpVersion).toBe('1.1');
    expect(req.headers.host).toBe('example.test:8080');
    expect(req.headers['x-dup']).toBe('one, two');
    expect(req.headers.cookie).toBe('a=1; b=2');
    expect(req.headersDistinct['x-dup']).toEqual(['one', 'two']);
    expect(req.rawHeaders).toContain('x-dup');
    // nginx forwards Transfer-Encoding for a body it de-chunked: the app sees its real length instead.
    expect(req.headers['transfer-encoding']).toBeUndefined();
    expect(req.headers['content-length']).toBe('0');
    expect(seen.sameSocket).toBe(true);
    expect(req.socket.remoteAddress).toBe('203.0.113.7');
    expect(req.socket.remotePort).toBe(51000);
    expect(req.socket.remoteFamily).toBe('IPv4');
    expect(req.socket.localAddress).toBe('127.0.0.1');
    expect(req.socket.localPort).toBe(8080);
    expect(req.socket.localFamily).toBe('IPv4');
    expect(req.socket.address()).toEqual({ address: '127.0.0.1', port: 8080, family: 'IPv4' });
    expect((req.socket as { encrypted?: boolean }).encrypted).toBeUndefined();
    expect(cgiVariables(req)?.REMOTE_USER).toBe('ann');
    expect(cgiVariables(req)?.DOCUMENT_URI).toBe('/a/b%20c');
  });

  it('falls back to SCRIPT_NAME + PATH_INFO + QUERY_STRING without REQUEST_URI', async () => {
    const { seen, listener } = capture();
    const server = await listenScgi(listener);
    const pairs = nginxPairs('GET', '/ignored').filter(([name]) => name !== 'REQUEST_URI');
    pairs.push(['SCRIPT_NAME', '/app'], ['PATH_INFO', '/x/y']);
    pairs.find((pair) => pair[0] === 'QUERY_STRING')![1] = 'q=1';
    await rawExchange(server, wire(pairs));
    expect(seen.req!.url).toBe('/app/x/y?q=1');
  });

  it('marks HTTPS=on as encrypted, shows HTTP/2 as 1.1 and HTTP/1.0 as 1.0', async () => {
    const { seen, listener } = capture();
    const server = await listenScgi(listener);
    const https = nginxPairs('GET', '/', [['HTTPS', 'on']]);
    https.find((pair) => pair[0] === 'SERVER_PROTOCOL')![1] = 'HTTP/2.0';
    await rawExchange(server, wire(https));
    expect((seen.req!.socket as { encrypted?: boolean }).encrypted).toBe(true);
    expect(seen.req!.httpVersion).toBe('1.1');
    expect(seen.req!.httpVersionMajor).toBe(1);

    const http10 = nginxPairs('GET', '/');
    http10.find((pair) => pair[0] === 'SERVER_PROTOCOL')![1] = 'HTTP/1.0';
    await rawExchange(server, wire(http10));
    expect(seen.req!.httpVersion).toBe('1.0');
    expect(seen.req!.httpVersionMinor).toBe(0);
  });

  it('leaves remoteAddress undefined when the front server sends no REMOTE_ADDR', async () => {
    const { seen, listener } = capture();
    const server = await listenScgi(listener);
    const pairs = nginxPairs('GET', '/').filter(([name]) => !name.startsWith('REMOTE_'));
    await rawExchange(server, wire(pairs));
    expect(seen.req!.socket.remoteAddress).toBeUndefined();
    // A GET without a body shows no content-length, although every front server sends CONTENT_LENGTH=0.
    expect(seen.req!.headers['content-length']).toBeUndefined();
  });

  it('delivers exactly CONTENT_LENGTH bytes, with content-type/length from the CGI variables', async () => {
    const { seen, listener } = capture();
    let completeBeforeEnd = false;
    const server = await listenScgi((req, res) => {
      req.on('end', () => {
        completeBeforeEnd = req.complete;
      });
      listener(req, res);
    });
    const body = 'name=ann&x=1';
    const pairs = nginxPairs('POST', '/form', [['HTTP_CONTENT_LENGTH', String(body.length)]], body.length);
    pairs.find((pair) => pair[0] === 'CONTENT_TYPE')![1] = 'application/x-www-form-urlencoded';
    await rawExchange(server, wire(pairs, body));
    expect(seen.body).toBe(body);
    expect(completeBeforeEnd).toBe(true);
    expect(seen.req!.headers['content-length']).toBe(String(body.length));
    expect(seen.req!.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });
});

describe('response framing', () => {
  it('writes a Status line and never HTTP/1.1, chunking or connection headers', async () => {
    const server = await listenScgi((_req, res) => {
      res.setHeader('Transfer-Encoding', 'chunked');
      res.setHeader('Connection', 'keep-alive');
      res.setHeader('Keep-Alive', 'timeout=5');
      res.setHeader('Set-Cookie', ['a=1', 'b=2', 'c=3']);
      res.write('hello ');
      res.end('world');
    });
    const result = await rawExchange(server, wire(nginxPairs('GET', '/')));
    expect(result.head.split('\r\n')[0]).toBe('Status: 200 OK');
    expect(result.text).not.toMatch(/HTTP\/1\.1/);
    expect(result.head).not.toMatch(/transfer-encoding|connection|keep-alive/i);
    expect(result.head.match(/^Set-Cookie: /gm)).toHaveLength(3);
    expect(result.body).toBe('hello world');
  });

  it('drops each connection header the app sets alone, and streams a body of unknown length unframed', async () => {
    const cases: [string, string][] = [
      ['Transfer-Encoding', 'chunked'],
      ['Connection', 'keep-alive'],
      ['Keep-Alive', 'timeout=5'],
      ['X-None', 'streamed'],
    ];
    for (const [name, value] of cases) {
      const server = await listenScgi((_req, res) => {
        res.setHeader(name, value);
        res.write('hello ');
        setImmediate(() => res.end('world'));
      });
      const result = await rawExchange(server, wire(nginxPairs('GET', '/')));
      expect(result.head.split('\r\n')[0]).toBe('Status: 200 OK');
      expect(result.head).not.toMatch(/transfer-encoding|connection|keep-alive|content-length/i);
      expect(result.body).toBe('hello world');
    }
  });

  it('sends Content-Length when the whole body is known, also to HTTP/1.0 clients', async () => {
    const server = await listenScgi((_req, res) => res.end('hello'));
    for (const protocol of ['HTTP/1.1', 'HTTP/1.0']) {
      const pairs = nginxPairs('GET', '/');
      pairs.find((pair) => pair[0] === 'SERVER_PROTOCOL')![1] = protocol;
      const result = await rawExchange(server, wire(pairs));
      expect(result.head).toMatch(/\r\nContent-Length: 5(\r\n|$)/);
      expect(result.body).toBe('hello');
    }
  });

  it('honours writeHead(code, reason, headersArray) and sends no body for HEAD, 204 and 304', async () => {
    const server = await listenScgi((req, res) => {
      if (req.url === '/teapot') res.writeHead(418, 'Short And Stout', ['X-A', '1', 'X-A', '2']).end('tea');
      else if (req.url === '/204') res.writeHead(204).end('ignored');
      else if (req.url === '/304') res.writeHead(304, { ETag: '"x"' }).end('ignored');
      else res.end('body');
    });
    const teapot = await rawExchange(server, wire(nginxPairs('GET', '/teapot')));
    expect(teapot.head).toMatch(/^Status: 418 Short And Stout\r\n/);
    expect(teapot.head.match(/^X-A: /gm)).toHaveLength(2);
    expect(teapot.body).toBe('tea');
    for (const [method, url] of [
      ['HEAD', '/'],
      ['GET', '/204'],
      ['GET', '/304'],
    ] as const) {
      const result = await rawExchange(server, wire(nginxPairs(method, url)));
      expect(result.body).toBe('');
      expect(result.text.endsWith('\r\n\r\n')).toBe(true);
    }
  });

  it('sends nothing for writeContinue, writeProcessing and writeEarlyHints', async () => {
    const server = await listenScgi((_req, res) => {
      res.writeContinue();
      res.writeProcessing();
      res.writeEarlyHints({ link: '</style.css>; rel=preload' }, () => {
        res.end('done');
      });
    });
    const result = await rawExchange(server, wire(nginxPairs('GET', '/')));
    expect(result.text).toMatch(/^Status: 200 OK\r\n/);
    expect(result.text).not.toMatch(/100|102|103/);
    expect(result.body).toBe('done');
  });

  it('flushHeaders() sends the head before the body is written', async () => {
    let finish!: () => void;
    const server = await listenScgi((_req, res) => {
      res.setHeader('Content-Type', 'text/event-stream');
      res.flushHeaders();
      finish = () => res.end('data: 1\n\n');
    });
    const socket = await openSocket(server);
    socket.write(wire(nginxPairs('GET', '/events')));
    const [first] = (await once(socket, 'data')) as [Buffer];
    expect(first.toString()).toMatch(
      /^Status: 200 OK\r\n[\s\S]*Content-Type: text\/event-stream\r\n[\s\S]*\r\n\r\n$/,
    );
    finish();
    const [second] = (await once(socket, 'data')) as [Buffer];
    expect(second.toString()).toBe('data: 1\n\n');
    await once(socket, 'end');
  });

  it("emits 'drain' on the response, so piping a large body completes", async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 'x');
    let drains = 0;
    const server = await listenScgi((_req, res) => {
      res.on('drain', () => drains++);
      let offset = 0;
      const pump = () => {
        while (offset < big.length) {
          const ok = res.write(big.subarray(offset, offset + 65536));
          offset += 65536;
          if (!ok) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const socket = await openSocket(server);
    socket.write(wire(nginxPairs('GET', '/big')));
    socket.pause(); // a slow reader, so the server must wait for 'drain'
    await new Promise((resolve) => setTimeout(resolve, 100));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.resume();
    await once(socket, 'end');
    const all = Buffer.concat(chunks);
    expect(all.length - all.indexOf('\r\n\r\n') - 4).toBe(big.length);
    expect(drains).toBeGreaterThan(0);
  });
});

describe('lifecycle', () => {
  it("emits 'scgiRequest' (head, raw socket) once per parsed head, before the handler, not for bad input", async () => {
    const order: string[] = [];
    const sockets: Socket[] = [];
    const server = await listenScgi((req, res) => {
      order.push(`handler ${req.url}`);
      res.end('ok');
    });
    server.on('connection', (socket: Socket) => sockets.push(socket));
    server.on('scgiRequest', ({ known, env }: RequestHead, socket: Socket) => {
      order.push(`scgiRequest ${known.REQUEST_METHOD} ${known.REQUEST_URI} ${env.HTTP_X_DUP}`);
      expect(Object.getPrototypeOf(env)).toBeNull();
      expect(sockets).toContain(socket);
    });
    const pairs = nginxPairs(
      'POST',
      '/a?b=1',
      [
        ['HTTP_X_DUP', 'one'],
        ['HTTP_X_DUP', 'two'],
      ],
      4,
    );
    await rawExchange(server, [wire(pairs).subarray(0, 10), wire(pairs, 'body').subarray(10)], { gapMs: 20 });
    await rawExchange(server, Buffer.from('5:bogus,'));
    expect(order).toEqual(['scgiRequest POST /a?b=1 one, two', 'handler /a?b=1']);
  });

  it("emits 'finish' then 'close' and ends the connection after draining an unread body", async () => {
    const events: string[] = [];
    const server = await listenScgi((_req, res) => {
      res.on('finish', () => events.push('finish'));
      res.on('close', () => events.push(`close finished=${res.writableFinished}`));
      res.end('early');
    });
    const body = Buffer.alloc(256 * 1024, 'b');
    const result = await rawExchange(server, wire(nginxPairs('POST', '/upload', [], body.length), body));
    expect(result.body).toBe('early');
    expect(events).toEqual(['finish', 'close finished=true']);
  });

  it('aborts the request when the peer goes away before the response ends', async () => {
    const seen: string[] = [];
    let reqRef: IncomingMessage | undefined;
    const server = await listenScgi((req, res) => {
      reqRef = req;
      req.on('aborted', () => seen.push('aborted'));
      res.on('close', () => seen.push(`res close finished=${res.writableFinished}`));
      res.write('partial');
    });
    const socket = await openSocket(server);
    socket.write(wire(nginxPairs('GET', '/slow')));
    await once(socket, 'data');
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toContain('res close finished=false');
    expect(reqRef!.destroyed).toBe(true);
  });

  it('aborts a request whose body never fully arrives', async () => {
    let aborted = false;
    const server = await listenScgi((req) => {
      req.on('aborted', () => {
        aborted = true;
      });
      req.resume();
    });
    const socket = await openSocket(server);
    socket.write(wire(nginxPairs('POST', '/upload', [], 1000), 'only part'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.end();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(aborted).toBe(true);
  });

  it('answers after the peer half-closes once its request is sent, with allowHalfClose', async () => {
    const server = await listenScgi(
      (_req, res) => {
        setTimeout(() => res.end('late'), 50);
      },
      { allowHalfClose: true },
    );
    const result = await rawExchange(server, wire(nginxPairs('GET', '/')), { halfClose: true });
    expect(result.body).toBe('late');
  });

  it('treats a peer FIN before the response as an abort by default, like node:http', async () => {
    let closedEarly = false;
    const server = await listenScgi((_req, res) => {
      res.on('close', () => {
        closedEarly = !res.writableFinished;
      });
    });
    await rawExchange(server, wire(nginxPairs('GET', '/')), { halfClose: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closedEarly).toBe(true);
  });

  it('closeAllConnections() destroys SCGI connections; close() then completes', async () => {
    const server = await listenScgi(() => {});
    const socket = await openSocket(server);
    socket.write(wire(nginxPairs('GET', '/hang')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = once(socket, 'close');
    server.closeAllConnections();
    await closed;
    await new Promise((resolve) => server.close(resolve));
    expect(server.listening).toBe(false);
  });
});

describe('bad input and failures', () => {
  async function expectReply(bytes: Buffer, status: number, code: string, options = {}) {
    const errors: ScgiError[] = [];
    const server = await listenScgi((_req, res) => res.end('ok'), options);
    server.on('scgiError', (error: ScgiError) => errors.push(error));
    const result = await rawExchange(server, bytes);
    expect(result.head.split('\r\n')[0]).toMatch(new RegExp(`^Status: ${status} `));
    expect(result.body).toContain(code);
    expect(errors.map((error) => error.code)).toEqual([code]);
    // The server keeps serving.
    const next = await rawExchange(server, wire(nginxPairs('GET', '/')));
    expect(next.body).toBe('ok');
  }

  it('answers a malformed netstring with 400', () =>
    expectReply(Buffer.from('12x:garbage,'), 400, 'ERR_SCGI_BAD_NETSTRING_LENGTH'));
  it('answers a missing SCGI variable with 400', () =>
    expectReply(
      wire([
        ['CONTENT_LENGTH', '0'],
        ['REQUEST_METHOD', 'GET'],
      ]),
      400,
      'ERR_SCGI_MISSING_SCGI',
    ));
  it('answers a repeated CONTENT_LENGTH with 400 (smuggling)', () =>
    expectReply(
      wire([
        ['CONTENT_LENGTH', '0'],
        ['SCGI', '1'],
        ['CONTENT_LENGTH', '5'],
      ]),
      400,
      'ERR_SCGI_DUPLICATE_VARIABLE',
    ));
  it('answers an oversized header block with 431', () =>
    expectReply(
      wire(nginxPairs('GET', '/', [['HTTP_X_BIG', 'x'.repeat(2000)]])),
      431,
      'ERR_SCGI_HEADER_TOO_LARGE',
      {
        maxHeaderBytes: 1024,
      },
    ));
  it('answers an oversized body with 413 before reading it', () =>
    expectReply(wire(nginxPairs('POST', '/', [], 5000), 'x'.repeat(5000)), 413, 'ERR_SCGI_BODY_TOO_LARGE', {
      maxBodyBytes: 4096,
    }));

  it('answers 408 when the header block does not arrive in time', async () => {
    const server = await listenScgi((_req, res) => res.end('ok'), { headersTimeoutMs: 100 });
    const started = Date.now();
    const result = await rawExchange(server, Buffer.from('300:CONTENT_LENGTH\x000\x00'));
    expect(result.head).toMatch(/^Status: 408 /);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out connections handed over with emit("connection") to a server that does not listen', async () => {
    // A process manager may accept sockets itself and pass them on: the timeout sweep must still run.
    const scgiServer = createServer((_req, res) => res.end('ok'), { headersTimeoutMs: 100 });
    const front = createNetServer((socket) => scgiServer.emit('connection', socket));
    front.listen(0, '127.0.0.1');
    await once(front, 'listening');
    try {
      const result = await rawExchange(front, Buffer.from('300:CONTENT_LENGTH\x000\x00'));
      expect(result.head).toMatch(/^Status: 408 /);
    } finally {
      front.close();
    }
  });

  it('still times out after the server closed and listened again', async () => {
    const server = await listenScgi((_req, res) => res.end('ok'), { headersTimeoutMs: 100 });
    expect((await rawExchange(server, wire(nginxPairs('GET', '/')))).body).toBe('ok');
    server.close();
    await once(server, 'close');
    server.listen(scgi(0, { headersTimeoutMs: 100 }));
    await once(server, 'listening');
    const result = await rawExchange(server, Buffer.from('300:CONTENT_LENGTH\x000\x00'));
    expect(result.head).toMatch(/^Status: 408 /);
  });

  it('closes a connection whose body stalls past the idle timeout', async () => {
    const errors: string[] = [];
    let aborted = false;
    const server = await listenScgi(
      (req) => {
        req.on('aborted', () => {
          aborted = true;
        });
        req.resume();
      },
      { idleTimeoutMs: 100 },
    );
    server.on('scgiError', (error: ScgiError) => errors.push(error.code));
    await rawExchange(server, wire(nginxPairs('POST', '/', [], 100), 'partial'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors).toEqual(['ERR_SCGI_IDLE_TIMEOUT']);
    expect(aborted).toBe(true);
  });

  it('does not time out while the app is still working', async () => {
    const server = await listenScgi((_req, res) => setTimeout(() => res.end('slow but fine'), 300), {
      idleTimeoutMs: 100,
    });
    const result = await rawExchange(server, wire(nginxPairs('GET', '/')));
    expect(result.body).toBe('slow but fine');
  });

  it('tells an HTTP client that the port speaks SCGI', async () => {
    const server = await listenScgi((_req, res) => res.end('ok'));
    const result = await rawExchange(server, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(result.head).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(result.body).toMatch(/speaks SCGI, not HTTP/);
  });

  it('closes silently when a peer connects and leaves without a request', async () => {
    const errors: string[] = [];
    const server = await listenScgi((_req, res) => res.end('ok'));
    server.on('scgiError', (error: ScgiError) => errors.push(error.code));
    const result = await rawExchange(server, Buffer.alloc(0), { halfClose: true });
    expect(result.text).toBe('');
    expect(errors).toEqual([]);
  });

  it('answers 500 when the handler throws, reports it, and keeps serving', async () => {
    const errors: ScgiError[] = [];
    const server = await listenScgi((req, res) => {
      if (req.url === '/boom') {
        res.setHeader('X-Half-Done', '1');
        throw new Error('kaput');
      }
      res.end('fine');
    });
    server.on('scgiError', (error: ScgiError) => errors.push(error));
    const boom = await rawExchange(server, wire(nginxPairs('GET', '/boom')));
    expect(boom.head).toMatch(/^Status: 500 Internal Server Error/);
    expect(boom.head).not.toMatch(/X-Half-Done/);
    expect(errors[0]?.code).toBe('ERR_SCGI_HANDLER_FAILED');
    expect((errors[0]!.cause as Error).message).toBe('kaput');
    const fine = await rawExchange(server, wire(nginxPairs('GET', '/')));
    expect(fine.body).toBe('fine');
  });
});
