// Test support: one Hono app with a route for each kind of response, to compare the ways of serving it.
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';

export function referenceApp(): Hono {
  const app = new Hono();
  app.get('/', (c) => c.text('Hello Hono!'));
  app.get('/json', (c) => c.json({ list: [1, 2, 3], nested: { ok: true } }));
  app.get('/html', (c) => c.html('<h1>héllo</h1>'));
  app.get('/redirect', (c) => c.redirect('/json'));
  app.get('/teapot', (c) => c.text('short and stout', 418));
  app.get('/binary', (c) => c.body(new Uint8Array([0, 1, 2, 255])));
  app.get('/typed-binary', (c) => c.body(new Uint8Array([9, 8, 7]), 200, { 'Content-Type': 'image/x-test' }));
  app.get('/headers', (c) => {
    c.header('X-Custom', 'value');
    c.header('Cache-Control', 'no-store');
    return c.text('with headers', 201);
  });
  app.get('/cookies', (c) => {
    setCookie(c, 'a', '1', { path: '/' });
    setCookie(c, 'b', '2', { httpOnly: true });
    return c.text('cookies');
  });
  app.get('/empty', (c) => c.body(null, 204));
  app.get('/query', (c) => c.json({ q: c.req.query('q'), all: c.req.queries('tag') }));
  app.get('/url', (c) => c.text(c.req.url));
  app.get('/request-headers', (c) =>
    c.json({ ua: c.req.header('user-agent'), cookie: c.req.header('cookie') }),
  );
  app.post('/echo', async (c) => c.json({ type: c.req.header('content-type'), body: await c.req.text() }));
  app.post('/form', async (c) => {
    const body = await c.req.parseBody();
    const file = body.file as File;
    return c.json({ name: body.name, file: file.name, size: file.size });
  });
  app.get('/sse', (c) =>
    streamSSE(c, async (stream) => {
      for (let i = 0; i < 3; i++) {
        await stream.writeSSE({ data: `event ${i}` });
        await stream.sleep(5);
      }
    }),
  );
  app.get('/error', () => {
    throw new Error('route failed');
  });
  return app;
}
