// The Hono app every bench worker serves: hello world and a 64 KB JSON document.
import { Hono } from 'hono';

/** 64 KB of JSON (65,563 bytes), rebuilt by c.json() on every request as an app would. */
export const document = {
  items: Array.from({ length: 725 }, (_, i) => ({
    id: i,
    name: `item-${i}`,
    tags: ['alpha', 'beta', 'gamma'],
    price: Math.round(i * 137.5) / 100,
    inStock: i % 3 !== 0,
  })),
};

export function createApp(): Hono {
  const app = new Hono();
  app.get('/', (c) => c.text('Hello World!'));
  app.get('/json', (c) => c.json(document));
  return app;
}
