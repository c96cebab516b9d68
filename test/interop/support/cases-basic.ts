// The small differential cases: the same request straight to the app and through the front server.
import { expect } from 'vitest';
import type { InteropCase } from './case.js';
import { HOST, headerOf, headers, headersOf, json, sendBoth } from './differential.js';

const UNICODE_PATH = '/echo/caf%C3%A9/%E2%82%AC%20%F0%9F%A6%8A/x';
const QUERY = '?q=a+b&city=S%C3%A3o%20Paulo&empty=&flag';

/** GET/HEAD/POST/form, redirect, cookies, 204, 304, 404 and 500: each compared direct vs fronted. */
export const BASIC_CASES: InteropCase[] = [
  {
    title: 'GET with query and unicode path',
    async run(stack) {
      const { direct } = await sendBoth(stack, { path: UNICODE_PATH + QUERY, headers: headers() });
      expect(direct.status).toBe(200);
      expect(json(direct)).toMatchObject({
        method: 'GET',
        path: '/echo/café/€ 🦊/x',
        query: { q: 'a b', city: 'São Paulo', empty: '', flag: '' },
        host: HOST, // the port too: through nginx that takes `HTTP_HOST $http_host`
      });
    },
  },
  {
    title: 'HEAD',
    async run(stack) {
      const { direct, fronted } = await sendBoth(stack, {
        method: 'HEAD',
        path: UNICODE_PATH + QUERY,
        headers: headers(),
      });
      expect(direct.status).toBe(200);
      expect(headerOf(direct, 'content-type')).toMatch(/^application\/json/);
      expect([direct.body.length, fronted.body.length]).toEqual([0, 0]);
    },
  },
  {
    title: 'POST JSON',
    async run(stack) {
      const sent = { name: 'Zoë', tags: ['a', 'ü'], n: 1.5 };
      const { direct } = await sendBoth(stack, {
        method: 'POST',
        path: '/echo',
        headers: headers({ 'Content-Type': 'application/json' }),
        body: Buffer.from(JSON.stringify(sent)),
      });
      expect(direct.status).toBe(200);
      expect(json(direct)).toEqual({ contentType: 'application/json', body: sent });
    },
  },
  {
    title: 'urlencoded form',
    async run(stack) {
      const { direct } = await sendBoth(stack, {
        method: 'POST',
        path: '/form',
        headers: headers({ 'Content-Type': 'application/x-www-form-urlencoded' }),
        body: Buffer.from('name=Ann+Lee&city=S%C3%A3o+Paulo&note=a%26b%3Dc'),
      });
      expect(direct.status).toBe(200);
      // express-app answers { fields }, koa-app { received }, hono-app { fields }.
      expect(Object.values(json(direct))[0]).toEqual({ name: 'Ann Lee', city: 'São Paulo', note: 'a&b=c' });
    },
  },
  {
    title: 'redirect',
    async run(stack) {
      const { direct } = await sendBoth(stack, { path: '/old', headers: headers() });
      expect([301, 302]).toContain(direct.status);
      expect(headerOf(direct, 'location')).toBe('/new');
    },
  },
  {
    title: 'several Set-Cookie',
    async run(stack) {
      const { direct } = await sendBoth(stack, { path: '/cookies/many', headers: headers() });
      expect(headersOf(direct, 'set-cookie').map((cookie) => cookie.split(';')[0])).toEqual([
        'flavour=oatmeal',
        'size=large',
        'tray=3',
      ]);
    },
  },
  {
    title: '204 No Content',
    async run(stack) {
      const { direct } = await sendBoth(stack, { path: '/empty', headers: headers() });
      expect(direct.status).toBe(204);
      expect(direct.body.length).toBe(0);
    },
  },
  {
    title: '304 with ETag',
    async run(stack) {
      const first = await sendBoth(stack, { path: '/cached', headers: headers() });
      const etag = headerOf(first.direct, 'etag');
      expect(etag).toBeDefined();
      const again = await sendBoth(stack, { path: '/cached', headers: headers({ 'If-None-Match': etag! }) });
      expect(again.direct.status).toBe(304);
      expect(headerOf(again.fronted, 'etag')).toBe(etag);
      expect(again.fronted.body.length).toBe(0);
    },
  },
  {
    title: '404 Not Found',
    async run(stack) {
      const { direct } = await sendBoth(stack, { path: '/nowhere', headers: headers() });
      expect(direct.status).toBe(404);
    },
  },
  {
    title: 'app error 500',
    async run(stack) {
      const { direct } = await sendBoth(stack, { path: '/boom', headers: headers() });
      expect(direct.status).toBe(500);
    },
  },
];
