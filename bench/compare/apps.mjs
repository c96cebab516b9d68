// The same four routes in each framework, written the way its users write them:
// GET /hello, GET /page?q= (a ~20 KB HTML page built per request), GET /download (1 MiB), POST /upload
// (the body counted as it streams in; answers its size).
import express from 'express';
import { Hono } from 'hono';
import Koa from 'koa';
import { DOWNLOAD, HELLO, renderPage } from './content.mjs';

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
  } else if (req.method === 'POST' && path === '/upload') {
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
  app.post('/upload', async (req, res) => res.send(String(await countBody(req))));
  return app;
}

export function koaApp() {
  const app = new Koa();
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
    } else if (ctx.method === 'POST' && ctx.path === '/upload') {
      ctx.body = String(await countBody(ctx.req));
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
