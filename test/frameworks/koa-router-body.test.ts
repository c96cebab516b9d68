// Koa 2 and 3 over SCGI with @koa/router and koa-body (JSON, urlencoded, multipart through formidable).
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import Router from '@koa/router';
import { request } from '@scgi-node/core';
import { koaBody } from 'koa-body';
import { describe, expect, it } from 'vitest';
import { KOA_VERSIONS, listen, tempDir } from './support/koa-harness.js';
import { multipartBody } from './support/koa-multipart.js';

describe.each(KOA_VERSIONS)('$name over SCGI: @koa/router and koa-body', ({ Koa }) => {
  it('@koa/router: routes, params, nested routers with a prefix, 404 and 405', async () => {
    const app = new Koa();
    const users = new Router({ prefix: '/users' });
    users.get('/', (ctx) => {
      ctx.body = { list: true };
    });
    users.get('/:id', (ctx) => {
      ctx.body = { user: ctx.params.id };
    });
    const posts = new Router();
    posts.get('/posts/:postId', (ctx) => {
      ctx.body = { user: ctx.params.id, post: ctx.params.postId, path: ctx.path };
    });
    users.use('/:id', posts.routes());
    const api = new Router({ prefix: '/api' });
    api.use(users.routes(), users.allowedMethods());
    api.get('/health', (ctx) => {
      ctx.body = 'ok';
    });
    app.use(api.routes()).use(api.allowedMethods());
    const server = await listen(app);

    const get = async (url: string, method = 'GET') => {
      const response = await request(server, { method, url });
      return { status: response.status, text: await response.text(), allow: response.header('allow') };
    };
    expect(await get('/api/health')).toMatchObject({ status: 200, text: 'ok' });
    expect(JSON.parse((await get('/api/users')).text)).toEqual({ list: true });
    expect(JSON.parse((await get('/api/users/ann%20lee')).text)).toEqual({ user: 'ann lee' });
    expect(JSON.parse((await get('/api/users/7/posts/42?x=1')).text)).toEqual({
      user: '7',
      post: '42',
      path: '/api/users/7/posts/42',
    });
    expect(await get('/api/nothing')).toMatchObject({ status: 404, text: 'Not Found' });
    const notAllowed = await get('/api/health', 'DELETE');
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.allow).toContain('GET');
  });

  it('koa-body: a JSON body, and a 400 from Koa for malformed JSON', async () => {
    const app = new Koa();
    app.on('error', () => {});
    app.use(koaBody());
    app.use((ctx) => {
      ctx.status = 201;
      ctx.body = { received: ctx.request.body, type: ctx.request.type };
    });
    const server = await listen(app);
    const payload = { name: 'widget', tags: ['a', 'ü'], nested: { n: 1 } };
    const response = await request(server, {
      method: 'POST',
      url: '/items',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ received: payload, type: 'application/json' });
    const broken = await request(server, {
      method: 'POST',
      url: '/items',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(broken.status).toBe(400);
  });

  it('koa-body: an urlencoded form with repeated fields', async () => {
    const app = new Koa();
    app.use(koaBody());
    app.use((ctx) => {
      ctx.body = ctx.request.body ?? null;
    });
    const server = await listen(app);
    const response = await request(server, {
      method: 'POST',
      url: '/form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Ann+Lee&city=S%C3%A3o+Paulo&tag=a&tag=b',
    });
    expect(await response.json()).toEqual({ name: 'Ann Lee', city: 'São Paulo', tag: ['a', 'b'] });
  });

  it('koa-body multipart (formidable): fields and a file with the right name, size and content', async () => {
    const uploadDir = await tempDir();
    const app = new Koa();
    app.use(koaBody({ multipart: true, formidable: { uploadDir } }));
    app.use(async (ctx) => {
      const upload = ctx.request.files?.upload;
      const file = Array.isArray(upload) ? upload[0] : upload;
      if (file === undefined) return ctx.throw(400, 'no file');
      const content = await readFile(file.filepath);
      ctx.body = {
        fields: ctx.request.body,
        name: file.originalFilename,
        type: file.mimetype,
        size: file.size,
        sha256: createHash('sha256').update(content).digest('hex'),
        inUploadDir: file.filepath.startsWith(uploadDir),
      };
    });
    const server = await listen(app);
    // Random bytes: CRLFs and boundary-like runs in the content must survive the parser.
    const content = Buffer.concat([randomBytes(700_000), Buffer.from('\r\n--not-the-boundary\r\n')]);
    const { body, contentType } = multipartBody([
      { name: 'title', value: 'holiday' },
      { name: 'upload', filename: 'photo.bin', contentType: 'application/octet-stream', content },
    ]);
    const response = await request(server, {
      method: 'POST',
      url: '/upload',
      headers: { 'content-type': contentType },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      fields: { title: 'holiday' },
      name: 'photo.bin',
      type: 'application/octet-stream',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      inUploadDir: true,
    });
  });
});
