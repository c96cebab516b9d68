// The workers every instruction bench measures (worker.mjs serves each), in the order of the tables.

/** [kind, label, the same app on node:http] */
export const KINDS = [
  ['trivial', 'trivial one-file SCGI responder (the ceiling)'],
  ['raw', '`createServer` raw listener over SCGI', 'node-http'],
  ['node-http', 'the same listener on `node:http`'],
  ['express', 'Express 5 hello over SCGI (`app.listen(scgi(...))`)', 'express-http'],
  ['express-http', 'Express 5 hello on `node:http`'],
  ['koa', 'Koa 3 hello over SCGI', 'koa-http'],
  ['koa-http', 'Koa 3 hello on `node:http`'],
  ['hono', 'Hono-style fetch handler over SCGI (`serve`)', 'hono-http'],
  ['hono-http', 'the same handler on `@hono/node-server`'],
];
