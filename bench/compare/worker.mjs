// One app on one transport, listening on a unix socket; says 'ready' to its parent (fork IPC). With a
// pool size above 1, a node:cluster primary forks that many copies and says 'ready' once all listen (SCGI
// pools run under our manager instead: workers.mjs).
// Usage: node worker.mjs <raw|express|koa|hono|trivial> <scgi|http|fastcgi> <socket-path> [pool-size]
import cluster from 'node:cluster';
import { createServer as createHttpServer } from 'node:http';
import { createRequire } from 'node:module';
import { createServer, scgi } from '@scgi-node/core';
import { serve } from '@scgi-node/hono';
import { startCopies } from '../support/cluster-copies.mjs';
import { expressApp, honoApp, koaApp, nodeListener, rawListener } from './apps.mjs';
import { openStreams } from './streams.mjs';
import { createTrivialScenarioResponder } from './trivial-scenarios.mjs';

const [framework, transport, socket, poolText = '1'] = process.argv.slice(2);
const ready = () => process.send?.('ready');

if (Number(poolText) > 1 && cluster.isPrimary) {
  await startCopies(Number(poolText));
  ready();
} else {
  await listen();
}

async function listen() {
  /** Each framework's own way onto SCGI: what the READMEs tell its users to write. */
  const overScgi = {
    raw: () => createServer(rawListener).listen(socket, ready),
    express: () => expressApp().listen(scgi(socket), ready),
    koa: () => koaApp().listen(scgi(socket), ready),
    hono: () => serve({ fetch: honoApp().fetch, listen: socket }, ready),
    trivial: () => createTrivialScenarioResponder().listen(socket, ready),
  };

  if (transport === 'scgi') {
    overScgi[framework]();
  } else if (transport === 'http') {
    const server = createHttpServer(await nodeListener(framework));
    // Longer than nginx's upstream keepalive_timeout (60 s), so nginx never reuses a connection node closed.
    server.keepAliveTimeout = 65_000;
    server.listen(socket, ready);
  } else if (transport === 'fastcgi') {
    const requireHere = createRequire(import.meta.url);
    const fastcgi = requireHere('node-fastcgi');
    // node-fastcgi 2.0.0 reads FCGI_KEEP_CONN from `flags.KEEP_CONN`, which its record library names
    // KEEPCONN, so it closes every connection and nginx (fastcgi_keep_conn on) fails and retries each
    // reuse. Naming the flag gives the peer the kept connections its users configure.
    const { BeginRequest } = createRequire(requireHere.resolve('node-fastcgi'))('fastcgi-stream').records;
    BeginRequest.flags.KEEP_CONN ??= BeginRequest.flags.KEEPCONN;
    fastcgi.createServer(await nodeListener(framework)).listen(socket, ready);
  } else {
    throw new Error(`unknown transport ${transport}`);
  }
}

// The memory bench asks how many event streams are still open (none should be, once clients leave), and
// for the heap after a full collection (when started with --expose-gc).
process.on('message', (message) => {
  if (message === 'open-streams') process.send?.({ openStreams: openStreams.count });
  if (message === 'memory') {
    // Twice, apart: buffers' memory is given back after the first collection's sweep has run.
    globalThis.gc?.();
    setTimeout(() => {
      globalThis.gc?.();
      process.send?.({ memory: process.memoryUsage() });
    }, 100);
  }
});
