// The example apps tested the way users test theirs: supertest through @scgi-node/gateway/testing, so every
// request travels HTTP -> gateway -> SCGI -> app, exactly as it will behind nginx.
import { request } from '@scgi-node/gateway/testing';
import { describe, expect, it } from 'vitest';
import { createApp as createExpressApp } from '../../examples/express-app/src/app.js';
import { createApp as createKoaApp } from '../../examples/koa-app/src/app.js';

const apps = [
  ['express-app', () => createExpressApp({ log: () => {} })],
  ['koa-app', () => createKoaApp()],
] as const;

describe.each(apps)('%s with supertest over SCGI', (_name, createApp) => {
  it('serves the JSON API: create then read an item', async () => {
    const api = request(createApp());
    const created = await api
      .post('/api/items')
      .send({ name: 'pen' })
      .expect(201)
      .expect('Content-Type', /json/);
    expect(created.body).toMatchObject({ name: 'pen' });
    const list = await api.get('/api/items').expect(200);
    expect(JSON.stringify(list.body)).toContain('pen');
  });

  it('keeps cookies on the agent between requests', async () => {
    const api = request(createApp());
    const set = await api.get('/cookies/set');
    expect(set.headers['set-cookie']?.length).toBeGreaterThanOrEqual(2);
    // Sent back by the agent: the app only sees them if the Set-Cookie lines survived SCGI and the gateway.
    const shown = await api.get('/cookies').set('Accept', 'application/json').expect(200);
    expect(JSON.stringify(shown.body)).toContain('"theme":"dark"');
  });

  it('redirects /old and reports what the app saw through SCGI on /whoami', async () => {
    const api = request(createApp());
    const moved = await api.get('/old');
    expect([301, 302]).toContain(moved.status);
    expect(moved.headers.location).toMatch(/\/new$/);
    const who = await api.get('/whoami').set('Accept', 'application/json').expect(200);
    expect(JSON.stringify(who.body)).toContain('127.0.0.1');
  });
});
