// The lightweight Request/Response behave as the runtime's own where apps look, and every body kind is sent.
import { request } from '@scgi-node/core';
import { describe, expect, it } from 'vitest';
import { NativeRequest } from './request.js';
import { NativeResponse } from './response.js';
import { listenServe, nginxPairs, rawExchange, wire } from './test-support/scgi-wire.js';

describe('the lightweight Response (installed as the global one by serve)', () => {
  it('is a Response to instanceof, validates like one and has its members', async () => {
    await listenServe({ fetch: () => new Response('x') });
    expect(globalThis.Response).not.toBe(NativeResponse);
    const response = new Response('hello', { status: 201, headers: { 'X-A': '1' } });
    expect(response).toBeInstanceOf(Response);
    expect(response).toBeInstanceOf(NativeResponse);
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-a')).toBe('1');
    expect(response.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    expect(await response.clone().text()).toBe('hello');
    expect(response.bodyUsed).toBe(false);
    expect(await response.text()).toBe('hello');
    expect(() => new Response('x', { status: 99 })).toThrow(RangeError);
    expect(() => new Response('x', { status: 204 })).toThrow(TypeError);
    expect(() => new Response(null, { statusText: 'a\nb' })).toThrow(TypeError);
    // Hono answers HEAD with new Response(null, getResponse): status and headers carry over.
    const head = new Response(null, response);
    expect(head.status).toBe(201);
    expect(head.headers.get('x-a')).toBe('1');
    const json = Response.json({ a: 1 }, { status: 202 });
    expect(json.status).toBe(202);
    expect(await json.json()).toEqual({ a: 1 });
    expect(Response.redirect('http://example.test/x', 301).headers.get('location')).toBe(
      'http://example.test/x',
    );
    expect(Response.error().type).toBe('error');
  });

  it('sends every body kind with the right length and type', async () => {
    const bodies: Record<string, () => Response> = {
      '/string': () => new Response('text ✓'),
      '/bytes': () => new Response(new Uint8Array([1, 2, 3])),
      '/blob': () => new Response(new Blob(['<p>x</p>'], { type: 'text/html' })),
      '/params': () => new Response(new URLSearchParams({ a: '1', b: 'two' })),
      '/arraybuffer': () => new Response(new Uint8Array([4, 5]).buffer),
      '/native': () => new NativeResponse('from the runtime', { headers: { 'X-N': '1' } }),
      '/native-json': () => NativeResponse.json({ ok: true }),
      '/reason': () => new Response('odd', { status: 299, statusText: 'Fine Enough' }),
      '/hop': () =>
        new Response('x', {
          headers: { 'Transfer-Encoding': 'chunked', Connection: 'keep-alive', 'Keep-Alive': '5' },
        }),
      '/length': () =>
        new Response('12345', { headers: { 'Content-Length': '5', 'Content-Type': 'text/x' } }),
    };
    const server = await listenServe({ fetch: (req: Request) => bodies[new URL(req.url).pathname]!() });
    const get = async (path: string) => {
      const result = await rawExchange(server, wire(nginxPairs('GET', path)));
      return { lines: result.lines, status: result.head.split('\r\n')[0], body: result.body };
    };
    const string = await get('/string');
    expect(string.lines).toEqual(['Content-Type: text/plain; charset=UTF-8', 'Content-Length: 8']);
    expect(string.body.toString()).toBe('text ✓');
    expect((await get('/bytes')).lines).toEqual([
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Length: 3',
    ]);
    const blob = await get('/blob');
    expect(blob.lines).toEqual(['Content-Type: text/html', 'Content-Length: 8']);
    const params = await get('/params');
    expect(params.lines).toEqual([
      'content-type: application/x-www-form-urlencoded;charset=UTF-8',
      'Content-Length: 9',
    ]);
    expect(params.body.toString()).toBe('a=1&b=two');
    expect([...(await get('/arraybuffer')).body]).toEqual([4, 5]);
    // A runtime Response has only a stream; a short one still gets its Content-Length.
    const native = await get('/native');
    expect(native.lines).toEqual(['content-type: text/plain;charset=UTF-8', 'x-n: 1', 'Content-Length: 16']);
    expect((await get('/native-json')).body.toString()).toBe('{"ok":true}');
    expect((await get('/reason')).status).toBe('Status: 299 Fine Enough');
    expect((await get('/hop')).lines).toEqual([
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Length: 1',
    ]);
    expect((await get('/length')).lines).toEqual(['Content-Length: 5', 'Content-Type: text/x']);
  });

  it('serves runtime Responses when the globals are left alone', async () => {
    const server = await listenServe({
      fetch: () => new NativeResponse('plain runtime response', { status: 202 }),
      overrideGlobalObjects: false,
    });
    const response = await request(server, { url: '/' });
    expect(response.status).toBe(202);
    expect(response.header('content-length')).toBe('22');
    expect(await response.text()).toBe('plain runtime response');
  });
});

describe('the lightweight Request', () => {
  it('is a Request to instanceof, reads its body once, and becomes a real one where needed', async () => {
    const seen: Record<string, unknown> = {};
    const server = await listenServe({
      fetch: async (req: Request) => {
        seen.instance = req instanceof Request && req instanceof NativeRequest;
        seen.method = req.method;
        seen.cache = req.cache;
        seen.type = req.headers.get('content-type');
        if (new URL(req.url).pathname === '/copy') {
          // Middleware rebuilds requests: the runtime's constructor takes the lightweight one as input.
          const copy = new Request(req, { headers: { 'x-copied': 'yes' } });
          return new Response(`${copy.headers.get('x-copied')} ${await copy.text()}`);
        }
        if (new URL(req.url).pathname === '/clone') {
          const clone = req.clone();
          return new Response(`${await clone.text()}|${await req.text()}`);
        }
        const text = await req.text();
        seen.used = req.bodyUsed;
        seen.again = await req.text().catch((error: Error) => error.name);
        seen.form = await req.formData().catch((error: Error) => error.name);
        return new Response(text);
      },
    });
    const pairs = (path: string) => {
      const list = nginxPairs('delete', path, [], 4);
      list.find((pair) => pair[0] === 'CONTENT_TYPE')![1] = 'text/plain';
      return list;
    };
    expect((await rawExchange(server, wire(pairs('/'), 'body'))).body.toString()).toBe('body');
    expect(seen).toEqual({
      instance: true,
      method: 'DELETE',
      cache: 'default',
      type: 'text/plain',
      used: true,
      again: 'TypeError',
      form: 'TypeError',
    });
    expect((await rawExchange(server, wire(pairs('/copy'), 'data'))).body.toString()).toBe('yes data');
    expect((await rawExchange(server, wire(pairs('/clone'), 'twin'))).body.toString()).toBe('twin|twin');
  });

  it('gives GET and empty bodies as null, and the raw bytes through arrayBuffer/blob', async () => {
    const server = await listenServe({
      fetch: async (req: Request) => {
        if (req.method === 'GET') return Response.json({ body: req.body, text: await req.text() });
        const bytes = new Uint8Array(await req.arrayBuffer());
        return Response.json({ size: bytes.length, last: bytes.at(-1) });
      },
    });
    expect(JSON.parse((await rawExchange(server, wire(nginxPairs('GET', '/')))).body.toString())).toEqual({
      body: null,
      text: '',
    });
    const data = Buffer.alloc(200_000, 2);
    data[data.length - 1] = 42;
    const posted = await request(server, { method: 'POST', url: '/', body: data });
    expect(await posted.json()).toEqual({ size: 200_000, last: 42 });
  });
});
