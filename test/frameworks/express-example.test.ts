// The Express example app (examples/express-app) over SCGI: every route it offers, through app.listen(scgi(0)).
import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { request } from '@scgi-node/core';
import { describe, expect, it } from 'vitest';
import { type AppOptions, createApp } from '../../examples/express-app/src/app.js';
import { DOWNLOAD_PATTERN } from '../../examples/express-app/src/routes/streams.js';
import { accumulate, listen, within } from './support/express-harness.js';

const JSON_ACCEPT = { Accept: 'application/json' };
const HTML_ACCEPT = { Accept: 'text/html' };

async function start(options: AppOptions = {}): Promise<{ server: Server; logged: unknown[] }> {
  const logged: unknown[] = [];
  const server = await listen(createApp({ log: (_message, error) => logged.push(error), ...options }));
  return { server, logged };
}

function multipart(boundary: string, name: string, content: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
        'Content-Type: text/plain\r\n\r\n',
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

describe('examples/express-app over SCGI', () => {
  it('serves the static index page at / with links to every route, and its stylesheet', async () => {
    const { server } = await start();
    const index = await request(server, { url: '/', headers: HTML_ACCEPT });
    expect(index.status).toBe(200);
    expect(index.header('content-type')).toMatch(/^text\/html/);
    const html = await index.text();
    for (const route of [
      '/whoami',
      '/api/items',
      '/form',
      '/upload',
      '/cookies/set',
      '/old',
      '/stream',
      '/download',
      '/boom',
    ]) {
      expect(html).toContain(route);
    }
    const css = await request(server, { url: '/style.css' });
    expect(css.header('content-type')).toMatch(/^text\/css/);
    await css.text();
  });

  it('JSON API: list, create (201 + Location), fetch one, 404 and 400 as JSON', async () => {
    const { server } = await start();
    const list = async () => (await request(server, { url: '/api/items' })).json();
    expect(await list()).toEqual({ items: [] });
    const post = (body: string) =>
      request(server, {
        method: 'POST',
        url: '/api/items',
        headers: { 'Content-Type': 'application/json', ...JSON_ACCEPT },
        body,
      });
    const created = await post(JSON.stringify({ name: '  teapot ' }));
    expect(created.status).toBe(201);
    expect(created.header('location')).toBe('/api/items/1');
    const item = (await created.json()) as { id: number; name: string; createdAt: string };
    expect(item).toMatchObject({ id: 1, name: 'teapot' });
    expect(await list()).toEqual({ items: [item] });
    expect(await (await request(server, { url: '/api/items/1' })).json()).toEqual(item);
    const missing = await request(server, { url: '/api/items/9' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no item 9' });
    const invalid = await post(JSON.stringify({ title: 'no name' }));
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toHaveProperty('error');
    // Malformed JSON goes through the app's error handler: a 400 it may explain.
    const malformed = await post('{"name":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toHaveProperty('error');
  });

  it('form post: the urlencoded fields are echoed on an escaped page, or as JSON', async () => {
    const { server } = await start();
    const send = (accept: Record<string, string>) =>
      request(server, {
        method: 'POST',
        url: '/form',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...accept },
        body: 'name=Ann&city=%3Cscript%3EK%C3%B6ln',
      });
    const page = await (await send(HTML_ACCEPT)).text();
    expect(page).toContain('<h1>Form received</h1>');
    expect(page).toContain('&lt;script&gt;Köln');
    expect(page).not.toContain('<script>Köln');
    expect(await (await send(JSON_ACCEPT)).json()).toEqual({ fields: { name: 'Ann', city: '<script>Köln' } });
  });

  it('upload: answers name, size, type and sha256; too large is 413', async () => {
    const { server } = await start({ maxUploadBytes: 64 * 1024 });
    const boundary = 'example-boundary-42';
    const upload = (content: Buffer) =>
      request(server, {
        method: 'POST',
        url: '/upload',
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, ...JSON_ACCEPT },
        body: multipart(boundary, 'notes.txt', content),
      });
    const content = randomBytes(40 * 1024);
    const ok = await upload(content);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      name: 'notes.txt',
      size: content.length,
      type: 'text/plain',
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    const tooLarge = await upload(randomBytes(100 * 1024));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toHaveProperty('error');
  });

  it('cookies: /cookies/set sets two cookies and redirects; /cookies shows them, signed ones verified', async () => {
    const { server } = await start({ cookieSecret: 'test-secret' });
    const set = await request(server, { url: '/cookies/set' });
    expect(set.status).toBe(302);
    expect(set.header('location')).toBe('/cookies');
    const lines = set.headers
      .filter(([name]) => name.toLowerCase() === 'set-cookie')
      .map(([, value]) => value);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^theme=dark; Max-Age=86400; Path=\/; Expires=.+; SameSite=Lax$/);
    expect(lines[1]).toMatch(/^session=s%3Avisitor-42\..+; HttpOnly; SameSite=Lax$/);
    await set.text();
    const cookie = lines.map((line) => line.split(';')[0]).join('; ');
    const shown = await request(server, { url: '/cookies', headers: { Cookie: cookie, ...JSON_ACCEPT } });
    expect(await shown.json()).toEqual({
      cookies: { theme: 'dark' },
      signedCookies: { session: 'visitor-42' },
    });
    const forged = await request(server, {
      url: '/cookies',
      headers: { Cookie: cookie.replace('visitor-42', 'admin-1'), ...JSON_ACCEPT },
    });
    expect(await forged.json()).toEqual({ cookies: { theme: 'dark' }, signedCookies: { session: false } });
  });

  it('redirect: /old answers Status 302 with Location /new, which renders', async () => {
    const { server } = await start();
    const old = await request(server, { url: '/old' });
    expect(old.rawHead.startsWith('Status: 302 Found\r\n')).toBe(true);
    expect(old.header('location')).toBe('/new');
    await old.text();
    const moved = await request(server, { url: '/new' });
    expect(moved.status).toBe(200);
    expect(await moved.text()).toContain('redirected here');
  });

  it('/stream: an SSE stream of ticks and a done event, then the end', async () => {
    const { server } = await start({ ticks: 3, tickMs: 20 });
    const response = await request(server, { url: '/stream' });
    expect(response.header('content-type')).toMatch(/^text\/event-stream/);
    expect(response.header('cache-control')).toBe('no-cache');
    const body = accumulate(response.body);
    await within(body.ended, 15_000, 'the end of the event stream');
    expect(body.text().startsWith(': connected\n\n')).toBe(true);
    const events = body
      .text()
      .split('\n\n')
      .filter((block) => block.startsWith('event:'));
    expect(events.map((block) => block.split('\n')[0])).toEqual([
      'event: tick',
      'event: tick',
      'event: tick',
      'event: done',
    ]);
    expect(events.slice(0, 3).map((block) => JSON.parse(block.split('data: ')[1]!).n)).toEqual([1, 2, 3]);
  });

  it('/download streams exactly the bytes asked for; a bad size is 400', async () => {
    const { server } = await start();
    const total = 2 * 1024 * 1024 + 7;
    const response = await request(server, { url: `/download?bytes=${total}` });
    expect(response.header('content-length')).toBe(String(total));
    expect(response.header('content-disposition')).toBe('attachment; filename="download.bin"');
    const body = await within(response.buffer(), 30_000, 'the download');
    const expected = Buffer.from(
      DOWNLOAD_PATTERN.repeat(Math.ceil(total / DOWNLOAD_PATTERN.length)),
    ).subarray(0, total);
    expect(body.equals(expected)).toBe(true);
    const bad = await request(server, { url: '/download?bytes=-1' });
    expect(bad.status).toBe(400);
    await bad.text();
  });

  it("/boom: the app's own error handler renders a 500 page, logs the error, and the app goes on", async () => {
    const { server, logged } = await start();
    const boom = await request(server, { url: '/boom', headers: HTML_ACCEPT });
    expect(boom.rawHead.startsWith('Status: 500 Internal Server Error\r\n')).toBe(true);
    const page = await boom.text();
    expect(page).toContain('<h1>Error 500</h1>');
    expect(page).not.toContain('Boom: this route fails on purpose');
    expect(logged).toHaveLength(1);
    expect((logged[0] as Error).message).toBe('Boom: this route fails on purpose');
    const notFound = await request(server, { url: '/nowhere', headers: JSON_ACCEPT });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ error: 'nothing at GET /nowhere' });
  });

  it('/whoami: ip, protocol, hostname and REMOTE_USER come from the CGI variables', async () => {
    const { server } = await start();
    const response = await request(server, {
      url: '/whoami',
      headers: { Host: 'shop.example:8443', ...JSON_ACCEPT },
      env: { REMOTE_ADDR: '198.51.100.77', HTTPS: 'on', REMOTE_USER: 'ann', SERVER_SOFTWARE: 'nginx/1.26.0' },
    });
    expect(await response.json()).toEqual({
      ip: '198.51.100.77',
      protocol: 'https',
      secure: true,
      hostname: 'shop.example',
      remoteUser: 'ann',
      scgi: true,
      serverSoftware: 'nginx/1.26.0',
    });
  });
});
