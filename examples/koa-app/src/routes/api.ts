// The JSON API: a small in-memory item list (GET/POST /api/items, GET /api/items/:id).
import Router from '@koa/router';
import { koaBody } from 'koa-body';

/** One item of the list. */
export interface Item {
  id: number;
  name: string;
  createdAt: string;
}

/** `/api/items`: list, create (JSON body via koa-body) and fetch one. Each app has its own list. */
export function apiRouter(): Router {
  const items = new Map<number, Item>();
  let nextId = 1;
  const add = (name: string): Item => {
    const item = { id: nextId++, name, createdAt: new Date().toISOString() };
    items.set(item.id, item);
    return item;
  };
  add('first item');
  add('second item');

  const router = new Router({ prefix: '/api' });
  router.get('/items', (ctx) => {
    ctx.body = { items: [...items.values()] };
  });
  router.post('/items', koaBody({ jsonLimit: '100kb' }), (ctx) => {
    const name = fieldOf(ctx.request.body, 'name');
    // A 4xx from ctx.throw is exposed: the client sees this message as the body.
    if (typeof name !== 'string' || name.trim() === '') return ctx.throw(400, 'name is required');
    const item = add(name.trim());
    ctx.status = 201;
    ctx.set('Location', `/api/items/${item.id}`);
    ctx.body = item;
  });
  router.get('/items/:id', (ctx) => {
    const item = items.get(Number(ctx.params.id));
    if (item === undefined) return ctx.throw(404, `no item ${ctx.params.id}`);
    ctx.body = item;
  });
  return router;
}

/** A field of a JSON object body; undefined for anything else (arrays, strings, no body). */
function fieldOf(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return (body as Record<string, unknown>)[name];
}
