// One worker for the instruction count: serve `count` requests on a unix socket, then exit.
// Usage: node worker.mjs <kind> <socket-path> <count>. Every kind answers `GET /` with the same 14 bytes.
import { createServer as createHttpServer } from 'node:http';
import express from 'express';
import Koa from 'koa';
import { createTrivialResponder } from '../transport/trivial-responder.mjs';

// SCGI_BENCH_CORE: another build of @scgi-node/core (its dist/index.js), for a before/after comparison.
const { createServer, scgi } = await import(process.env.SCGI_BENCH_CORE ?? '@scgi-node/core');

const [kind, path, countText] = process.argv.slice(2);
const count = Number(countText);
const HELLO = 'Hello, world!\n';
let served = 0;

/** Counted when the response is done, so the last one is flushed before the process exits. */
function served1() {
  if (++served === count) setImmediate(() => process.exit(0));
}

const listener = (_req, res) => {
  res.on('finish', served1);
  res.setHeader('Content-Type', 'text/plain');
  res.end(HELLO);
};

function expressApp() {
  const app = express();
  app.get('/', (_req, res) => {
    res.on('finish', served1);
    res.type('text/plain').send(HELLO);
  });
  return app;
}

function koaApp() {
  const app = new Koa();
  app.use((ctx) => {
    ctx.res.on('finish', served1);
    ctx.type = 'text/plain';
    ctx.body = HELLO;
  });
  return app;
}

function honoFetch() {
  served1();
  return new Response(HELLO, { headers: { 'content-type': 'text/plain' } });
}

const workers = {
  trivial() {
    const server = createTrivialResponder();
    server.on('connection', (socket) => socket.on('close', served1));
    server.listen(path);
  },
  raw: () => createServer(listener).listen(path),
  'node-http': () => createHttpServer(listener).listen(path),
  async 'raw-tracked'() {
    // The raw listener with what a worker of `scgi-node serve` adds per request: its request tracker
    // with the default --timeout (a slot in the watchdog's shared table, guarded socket writes).
    const manager = new URL('../../packages/manager/dist/worker/', import.meta.url);
    const { RequestTracker } = await import(new URL('request-tracker.js', manager).href);
    const { SlotTable } = await import(new URL('slot-table.js', manager).href);
    const server = createServer(listener).listen(path);
    new RequestTracker(server, {
      timeoutMs: Number(process.env.SCGI_BENCH_TRACKER_TIMEOUT ?? 60_000),
      slots: new SlotTable(),
      onTimeout() {},
    });
  },
  express: () => expressApp().listen(scgi(path)),
  'express-http': () => createHttpServer(expressApp()).listen(path),
  koa: () => koaApp().listen(scgi(path)),
  'koa-http': () => createHttpServer(koaApp().callback()).listen(path),
  async hono() {
    // SCGI_BENCH_HONO: another build of @scgi-node/hono, for a before/after comparison.
    const { serve } = await import(process.env.SCGI_BENCH_HONO ?? '@scgi-node/hono');
    serve({ fetch: honoFetch, listen: path });
  },
  async 'hono-http'() {
    const { createAdaptorServer } = await import('@hono/node-server');
    createAdaptorServer({ fetch: honoFetch }).listen(path);
  },
};

const start = workers[kind];
if (start === undefined)
  throw new Error(`unknown worker kind ${kind}; one of ${Object.keys(workers).join(', ')}`);
await start();
