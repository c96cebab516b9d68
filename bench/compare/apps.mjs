// The same four routes in each framework, written the way its users write them:
// GET /hello, GET /page?q= (a ~20 KB HTML page built per request), GET /download (1 MiB), POST /upload
// (the body counted as it streams in; answers its size). For the memory scenarios: GET /stream?mib=N
// (N MiB streamed, 1 GiB by default), POST /sink (the body counted as it streams, in every framework),
// GET /events (server-sent events, one a second).
import { PassThrough, pipeline } from 'node:stream';
import express from 'express';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import Koa from 'koa';
import { DOWNLOAD, HELLO, renderPage } from './content.mjs';
import { bigReadable, bigWebStream, SSE_HEADERS, sseEvent, streamBytes, tick } from './streams.mjs';

const OCTETS = 'application/octet-stream';
const ignore = () => {};

/** Counts a request body's bytes as they arrive. */
function countBody(stream) {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    stream.on('data', (chunk) => {
      bytes += chunk.length;
    });
    stream.on('end', () => resolve(bytes));
    stream.on('error', reject);
  });
}

/** node:http's own listener, no framework. */
export function rawListener(req, res) {
  const queryAt = req.url.indexOf('?');
  const path = queryAt === -1 ? req.url : req.url.slice(0, queryAt);
  if (req.method === 'GET' && path === '/hello') {
    res.setHeader('Content-Type', 'text/plain');
    res.end(HELLO);
  } else if (req.method === 'GET' && path === '/page') {
    const query = new URLSearchParams(queryAt === -1 ? '' : req.url.slice(queryAt + 1)).get('q');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(renderPage(query));
  } else if (req.method === 'GET' && path === '/download') {
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', DOWNLOAD.length);
    res.end(DOWNLOAD);
  } else if (req.method === 'GET' && path === '/stream') {
    const bytes = streamBytes(req.url.slice(queryAt + 1));
    res.writeHead(200, { 'Content-Type': OCTETS, 'Content-Length': bytes });
    pipeline(bigReadable(bytes), res, ignore);
  } else if (req.method === 'GET' && path === '/events') {
    res.writeHead(200, SSE_HEADERS);
    res.on(
      'close',
      tick((n) => res.write(sseEvent(n))),
    );
  } else if (req.method === 'POST' && (path === '/upload' || path === '/sink')) {
    // A client that goes away mid-upload (wrk does at the end of a run) ends the exchange quietly.
    countBody(req).then(
      (bytes) => res.end(String(bytes)),
      () => res.destroy(),
    );
  } else {
    res.statusCode = 404;
    res.end('Not found\n');
  }
}

export function expressApp() {
  const app = express();
  app.get('/hello', (_req, res) => res.type('text/plain').send(HELLO));
  app.get('/page', (req, res) => res.type('html').send(renderPage(req.query.q)));
  app.get('/download', (_req, res) => res.type('application/octet-stream').send(DOWNLOAD));
  app.post(['/upload', '/sink'], async (req, res) => res.send(String(await countBody(req))));
  app.get('/stream', (req, res) => {
    const bytes = streamBytes(req.url.slice(req.url.indexOf('?') + 1));
    res.type(OCTETS).set('Content-Length', String(bytes));
    pipeline(bigReadable(bytes), res, ignore);
  });
  app.get('/events', (_req, res) => {
    res.set(SSE_HEADERS).flushHeaders();
    res.on(
      'close',
      tick((n) => res.write(sseEvent(n))),
    );
  });
  return app;
}

export function koaApp() {
  const app = new Koa();
  // A client that leaves an event stream ends its body with a premature close, which Koa would print as
  // an error, once per stream.
  app.silent = true;
  app.use(async (ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/hello') {
      ctx.type = 'text/plain';
      ctx.body = HELLO;
    } else if (ctx.method === 'GET' && ctx.path === '/page') {
      ctx.type = 'html';
      ctx.body = renderPage(ctx.query.q);
    } else if (ctx.method === 'GET' && ctx.path === '/download') {
      ctx.type = 'application/octet-stream';
      ctx.body = DOWNLOAD;
    } else if (ctx.method === 'POST' && (ctx.path === '/upload' || ctx.path === '/sink')) {
      ctx.body = String(await countBody(ctx.req));
    } else if (ctx.method === 'GET' && ctx.path === '/stream') {
      const bytes = streamBytes(ctx.querystring);
      ctx.type = OCTETS;
      ctx.length = bytes;
      ctx.body = bigReadable(bytes);
    } else if (ctx.method === 'GET' && ctx.path === '/events') {
      ctx.set(SSE_HEADERS);
      const events = new PassThrough();
      ctx.body = events;
      const stop = tick((n) => events.write(sseEvent(n)));
      ctx.res.on('close', () => {
        stop();
        events.end();
      });
    }
  });
  return app;
}

export function honoApp() {
  const app = new Hono();
  app.get('/hello', (c) => c.text(HELLO));
  app.get('/page', (c) => c.html(renderPage(c.req.query('q'))));
  app.get('/download', (c) => c.body(DOWNLOAD, 200, { 'Content-Type': 'application/octet-stream' }));
  app.post('/upload', async (c) => c.text(String((await c.req.arrayBuffer()).byteLength)));
  app.post('/sink', async (c) => {
    let bytes = 0;
    for await (const chunk of c.req.raw.body ?? []) bytes += chunk.byteLength;
    return c.text(String(bytes));
  });
  app.get('/stream', (c) => {
    const bytes = streamBytes(new URL(c.req.url).search);
    return c.body(bigWebStream(bytes), 200, { 'Content-Type': OCTETS, 'Content-Length': String(bytes) });
  });
  app.get('/events', (c) => {
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const stop = tick((n) => stream.write(sseEvent(n)).catch(ignore));
      await new Promise((resolve) => stream.onAbort(resolve));
      stop();
    });
  });
  return app;
}

export const FRAMEWORKS = ['raw', 'express', 'koa', 'hono'];

/** The framework's app as a node:http request listener (what node:http and node-fastcgi take). */
export async function nodeListener(framework) {
  if (framework === 'raw') return rawListener;
  if (framework === 'express') return expressApp();
  if (framework === 'koa') return koaApp().callback();
  const { getRequestListener } = await import('@hono/node-server');
  return getRequestListener(honoApp().fetch);
}
