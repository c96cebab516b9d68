// The JSON API: an in-memory item list (GET/POST /api/items, GET /api/items/:id), parsed by express.json().
import express, { type Router } from 'express';

/** One entry of the in-memory list. */
export interface Item {
  id: number;
  name: string;
  createdAt: string;
}

/** Routes under /api. Each app instance keeps its own list, so tests and processes do not share state. */
export function apiRoutes(): Router {
  const items: Item[] = [];
  const router = express.Router();
  router.use(express.json({ limit: '100kb' }));

  router.get('/items', (_req, res) => {
    res.json({ items });
  });

  router.post('/items', (req, res) => {
    const name = (req.body as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || name.trim() === '') {
      res.status(400).json({ error: 'body must be JSON with a non-empty "name" string' });
      return;
    }
    const item: Item = { id: items.length + 1, name: name.trim(), createdAt: new Date().toISOString() };
    items.push(item);
    res.status(201).location(`/api/items/${item.id}`).json(item);
  });

  router.get('/items/:id', (req, res) => {
    const item = items.find((candidate) => String(candidate.id) === req.params.id);
    if (item === undefined) res.status(404).json({ error: `no item ${req.params.id}` });
    else res.json(item);
  });

  return router;
}
