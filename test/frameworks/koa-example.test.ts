// examples/koa-app over SCGI: every route in-process, then the built entry points as real processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from '@scgi-node/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/koa-app/src/app.js';
import { listen, nginxVariables, rawExchange, tempDir } from './support/koa-harness.js';
import { multipartBody } from './support/koa-multipart.js';

const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/koa-app/', import.meta.url));

describe('examples/koa-app over SCGI', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  let uploadDir: string;
  const appErrors: string[] = [];

  beforeEach(async () => {
    uploadDir = await tempDir();
    appErrors.length = 0;
    const app = createApp({ uploadDir, tickMs: 10, logErrors: false });
    app.on('error', (error: Error) => appErrors.push(error.message));
    server = await listen(app);
  });

  it('GET / serves public/index.html linking to the routes; style.css; 304 when unchanged', async () => {
    const index = await request(server, { url: '/' });
    expect(index.header('content-type')).toBe('text/html; charset=utf-8');
    const html = await index.text();
    for (const route of [
      '/api/items',
      '/form',
      '/upload',
      '/cookies/set',
      '/old',
      '/stream',
      '/download',
      '/whoami',
      '/boom',
    ]) {
      expect(html).toContain(`"${route}`);
    }
    const css = await request(server, { url: '/style.css' });
    expect(css.header('content-type')).toBe('text/css; charset=utf-8');
    const again = await rawExchange(
      server,
      nginxVariables('GET', '/style.css', [['HTTP_IF_MODIFIED_SINCE', css.header('last-modified')!]]),
    );
    expect(again.head.startsWith('Status: 304 Not Modified\r\n')).toBe(true);
    expect(again.body.length).toBe(0);
  });

  it('JSON API: list, create (201 + Location), fetch, 400 with the exposed message, 404', async () => {
    const list = (await (await request(server, { url: '/api/items' })).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(2);
    const created = await request(server, {
      method: 'POST',
      url: '/api/items',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '  third  ' }),
    });
    expect(created.status).toBe(201);
    expect(created.header('location')).toBe('/api/items/3');
    expect(await created.json()).toMatchObject({ id: 3, name: 'third' });
    expect(await (await request(server, { url: '/api/items/3' })).json()).toMatchObject({ name: 'third' });
    const invalid = await request(server, {
      method: 'POST',
      url: '/api/items',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nom: 'x' }),
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toBe('name is required');
    const missing = await request(server, { url: '/api/items/99' });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('no item 99');
  });

  it('POST /form echoes an urlencoded form', async () => {
    const response = await request(server, {
      method: 'POST',
      url: '/form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Ann+Lee&city=S%C3%A3o+Paulo',
    });
    expect(await response.json()).toEqual({ received: { name: 'Ann Lee', city: 'São Paulo' } });
  });

  it('POST /upload answers name, size and SHA-256 of the file, and removes every temp file', async () => {
    const content = randomBytes(300_000);
    const { body, contentType } = multipartBody([
      { name: 'note', value: 'holiday' },
      { name: 'file', filename: 'report.pdf', contentType: 'application/pdf', content },
      { name: 'extra', filename: 'notes.txt', contentType: 'text/plain', content: Buffer.from('notes') },
    ]);
    const response = await request(server, {
      method: 'POST',
      url: '/upload',
      headers: { 'content-type': contentType },
      body,
    });
    expect(await response.json()).toEqual({
      name: 'report.pdf',
      type: 'application/pdf',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    expect(await readdir(uploadDir)).toEqual([]); // both temp files
    const noFile = multipartBody([
      { name: 'other', filename: 'a.txt', contentType: 'text/plain', content: Buffer.from('a') },
    ]);
    const missing = await request(server, {
      method: 'POST',
      url: '/upload',
      headers: { 'content-type': noFile.contentType },
      body: noFile.body,
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toBe('send the file in a multipart field named "file"');
    expect(await readdir(uploadDir)).toEqual([]);
  });

  it('/cookies/set sets two cookies and redirects; /cookies reads them back', async () => {
    const set = await request(server, { url: '/cookies/set?theme=light' });
    expect(set.status).toBe(302);
    expect(set.header('location')).toBe('/cookies');
    const cookies = set.headers
      .filter(([name]) => name.toLowerCase() === 'set-cookie')
      .map(([, value]) => value);
    expect(cookies).toHaveLength(2);
    expect(cookies[0]).toMatch(/^theme=light; path=\/; expires=.+; samesite=lax$/);
    expect(cookies[1]).toMatch(/^greeting=hello; path=\/; samesite=lax; httponly$/);
    const jar = cookies.map((cookie) => cookie.split(';')[0]).join('; ');
    const read = await request(server, { url: '/cookies', headers: { cookie: jar } });
    expect(await read.json()).toEqual({ theme: 'light', greeting: 'hello' });
  });

  it('/old is a 301 to /new', async () => {
    const old = await request(server, { url: '/old' });
    expect(old.rawHead.startsWith('Status: 301 Moved Permanently\r\n')).toBe(true);
    expect(old.header('location')).toBe('/new');
    expect(await (await request(server, { url: '/new' })).text()).toContain('This is /new');
  });

  it('/stream sends its ticks as server-sent events, then an end event, and ends', async () => {
    const response = await request(server, { url: '/stream?ticks=3' });
    expect(response.header('content-type')).toBe('text/event-stream');
    const events = (await response.text()).trim().split('\n\n');
    expect(events).toHaveLength(5);
    expect(events[0]).toBe('retry: 10000\ndata: {"ticks":3,"everyMs":10}');
    expect(events.slice(1, 4).map((event) => JSON.parse(event.split('data: ')[1]!).n)).toEqual([1, 2, 3]);
    expect(events[4]).toBe('event: end\ndata: done');
    expect((await request(server, { url: '/stream?ticks=0' })).status).toBe(400);
  });

  it('/download streams N generated bytes with a Content-Length', async () => {
    const bytes = 200_003;
    const response = await request(server, { url: `/download?bytes=${bytes}` });
    expect(response.header('content-type')).toBe('application/octet-stream');
    expect(response.header('content-length')).toBe(String(bytes));
    expect(response.header('content-disposition')).toBe(`attachment; filename="bytes-${bytes}.bin"`);
    const body = await response.buffer();
    expect(body.length).toBe(bytes);
    expect(body.every((byte, i) => byte === i % 256)).toBe(true);
    expect((await request(server, { url: '/download?bytes=-1' })).status).toBe(400);
  });

  it('/whoami shows the client as the web server saw it, REMOTE_USER included', async () => {
    const response = await request(server, {
      url: '/whoami',
      headers: { host: 'app.example.com' },
      env: { REMOTE_ADDR: '198.51.100.80', HTTPS: 'on', REMOTE_USER: 'ann', SERVER_PROTOCOL: 'HTTP/2.0' },
    });
    expect(await response.json()).toEqual({
      ip: '198.51.100.80',
      protocol: 'https',
      secure: true,
      host: 'app.example.com',
      httpVersion: '1.1',
      remoteUser: 'ann',
      viaScgi: true,
    });
  });

  it("/boom: Koa's own 500 for an API client, the friendly page for a browser; 'error' fires each time", async () => {
    const api = await request(server, { url: '/boom' });
    expect(api.status).toBe(500);
    expect(await api.text()).toBe('Internal Server Error');
    const browser = await request(server, { url: '/boom', headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(browser.status).toBe(500);
    expect(browser.header('content-type')).toBe('text/html; charset=utf-8');
    expect(await browser.text()).toContain('<h1>Something went wrong</h1>');
    expect(appErrors).toEqual(['boom: this route always fails', 'boom: this route always fails']);
    expect((await request(server, { url: '/api/items' })).status).toBe(200);
  });
});

describe('examples/koa-app built entry points (after a build)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  /** Start `dist/<entry>` and resolve with the first line it logs. */
  async function start(
    entry: string,
    env: Record<string, string>,
  ): Promise<{ line: string; proc: ChildProcess }> {
    const proc = spawn(process.execPath, [join(EXAMPLE_DIR, 'dist', entry)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = proc;
    const [line] = (await Promise.race([
      once(proc.stdout!.setEncoding('utf8'), 'data'),
      once(proc, 'exit').then(() => {
        throw new Error(`${entry} exited before listening (did the build run?)`);
      }),
    ])) as [string];
    return { line, proc };
  }

  it('dist/scgi.js listens on SCGI_LISTEN (a unix socket), serves, and exits 0 on SIGTERM', async () => {
    const path = join(await tempDir(), 'koa-app.sock');
    const { line, proc } = await start('scgi.js', { SCGI_LISTEN: path });
    expect(line).toContain(`koa-app: SCGI worker listening on unix:${path}`);
    const response = await request(path, { url: '/whoami', env: { REMOTE_USER: 'ann' } });
    expect(await response.json()).toMatchObject({ remoteUser: 'ann', viaScgi: true });
    proc.kill('SIGTERM');
    const [code] = await once(proc, 'exit');
    expect(code).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it('dist/http.js serves the same app on plain HTTP (PORT=0) and exits 0 on SIGINT', async () => {
    const { line, proc } = await start('http.js', { PORT: '0' });
    const url = /http:\/\/[^ ]+\//.exec(line)?.[0];
    expect(url).toBeDefined();
    const response = await fetch(new URL('/whoami', url));
    expect(await response.json()).toMatchObject({ ip: '127.0.0.1', protocol: 'http', viaScgi: false });
    proc.kill('SIGINT');
    const [code] = await once(proc, 'exit');
    expect(code).toBe(0);
  });
});
