// The JSON API: an in-memory item list (GET/POST /api/items, GET /api/items/:id).
import { Hono } from 'hono';

/** One entry of the in-memory list. */
export interface Item {
  id: number;
  name: string;
  createdAt: string;
}

/** Routes under /api. Each app instance keeps its own list, so tests and processes do not share state. */
export function apiRoutes(): Hono {
  const items: Item[] = [];
  const api = new Hono();

  api.get('/items', (c) => c.json({ items }));
  api.post('/items', async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined);
    const name = typeof body === 'object' && body !== null ? (body as { name?: unknown }).name : undefined;
    if (typeof name !== 'string' || name.trim() === '') {
      return c.json({ error: 'body must be JSON with a non-empty "name" string' }, 400);
    }
    const item: Item = { id: items.length + 1, name: name.trim(), createdAt: new Date().toISOString() };
    items.push(item);
    c.header('Location', `/api/items/${item.id}`);
    return c.json(item, 201);
  });
  api.get('/items/:id', (c) => {
    const item = items.find((candidate) => String(candidate.id) === c.req.param('id'));
    return item === undefined ? c.json({ error: `no item ${c.req.param('id')}` }, 404) : c.json(item);
  });
  return api;
}
