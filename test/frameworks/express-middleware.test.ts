// Express 4 and 5 over SCGI with their common middleware: body parsers, multer, cookies, static, redirects.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from '@scgi-node/core';
import cookieParser from 'cookie-parser';
import multer from 'multer';
import { describe, expect, it } from 'vitest';
import { EXPRESS_VERSIONS, listen, tempDir } from './support/express-harness.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A multipart/form-data body built by hand: one text field and one file. */
function multipartBody(boundary: string, field: string, fileName: string, file: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${field}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="${fileName}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

describe.each(EXPRESS_VERSIONS)('$name over SCGI: middleware', ({ express }) => {
  it('express.json parses a JSON body and rejects a malformed one with 400', async () => {
    const app = express();
    app.post('/api', express.json(), (req, res) => res.status(201).json({ got: req.body as unknown }));
    const server = await listen(app);
    const payload = { name: 'widget', tags: ['a', 'ü'], nested: { n: 3 } };
    const ok = await request(server, {
      method: 'POST',
      url: '/api',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ got: payload });
    const bad = await request(server, {
      method: 'POST',
      url: '/api',
      headers: { 'Content-Type': 'application/json' },
      body: '{"oops":',
    });
    expect(bad.status).toBe(400);
    await bad.text();
  });

  it('express.urlencoded parses a form post', async () => {
    const app = express();
    app.post('/form', express.urlencoded({ extended: true }), (req, res) => res.json(req.body as unknown));
    const server = await listen(app);
    const response = await request(server, {
      method: 'POST',
      url: '/form',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'name=Ann+Lee&city=K%C3%B6ln&pet[kind]=cat',
    });
    expect(await response.json()).toEqual({ name: 'Ann Lee', city: 'Köln', pet: { kind: 'cat' } });
  });

  it('multer receives a multipart file upload and its fields', async () => {
    const app = express();
    const upload = multer({ storage: multer.memoryStorage() });
    app.post('/upload', upload.single('photo'), (req, res) => {
      const body = req.body as { title?: string };
      res.json({
        title: body.title,
        name: req.file?.originalname,
        size: req.file?.size,
        sha: req.file && sha256(req.file.buffer),
      });
    });
    const server = await listen(app);
    const file = randomBytes(200 * 1024 + 5);
    const boundary = '----scgi-node-boundary-7d1a';
    const response = await request(server, {
      method: 'POST',
      url: '/upload',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body: multipartBody(boundary, 'holiday', 'pic.bin', file),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      title: 'holiday',
      name: 'pic.bin',
      size: file.length,
      sha: sha256(file),
    });
  });

  it('cookie-parser reads Cookie headers; res.cookie sends several Set-Cookie lines', async () => {
    const app = express();
    app.use(cookieParser('s3cret'));
    app.get('/set', (_req, res) => {
      res.cookie('plain', 'one');
      res.cookie('signed', 'two', { signed: true, httpOnly: true });
      res.cookie('old', '', { expires: new Date(0) });
      res.send('set');
    });
    app.get('/read', (req, res) => res.json({ cookies: req.cookies, signed: req.signedCookies }));
    const server = await listen(app);
    const set = await request(server, { url: '/set' });
    const setCookies = set.headers.filter(([name]) => name.toLowerCase() === 'set-cookie').map(([, v]) => v);
    expect(setCookies).toHaveLength(3);
    expect(setCookies[0]).toBe('plain=one; Path=/');
    expect(setCookies[1]).toMatch(/^signed=s%3Atwo\.[^;]+; Path=\/; HttpOnly$/);
    expect(setCookies[2]).toMatch(/^old=; Path=\/; Expires=Thu, 01 Jan 1970/);
    // Sent back as two Cookie lines, the way a browser behind HTTP/2 does; Node joins them with '; '.
    const [plain, signed] = setCookies.map((line) => line.split(';')[0]!);
    const read = await request(server, {
      url: '/read',
      headers: [
        ['Cookie', plain!],
        ['Cookie', signed!],
      ],
    });
    expect(await read.json()).toEqual({ cookies: { plain: 'one' }, signed: { signed: 'two' } });
  });

  it('express.static serves a folder (index.html at /, types, 404 falls through)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>home</title>');
    writeFileSync(join(dir, 'style.css'), 'body { color: teal }');
    const app = express();
    app.use(express.static(dir));
    const server = await listen(app);
    const index = await request(server, { url: '/' });
    expect(index.header('content-type')).toMatch(/^text\/html/);
    expect(await index.text()).toBe('<!doctype html><title>home</title>');
    const css = await request(server, { url: '/style.css' });
    expect(css.header('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toBe('body { color: teal }');
    const missing = await request(server, { url: '/nope.txt' });
    expect(missing.status).toBe(404);
    await missing.text();
  });

  it('res.redirect answers Status 302 (or the code given) with a Location', async () => {
    const app = express();
    app.get('/old', (_req, res) => res.redirect('/new'));
    app.get('/moved', (_req, res) => res.redirect(301, 'https://example.test/elsewhere'));
    const server = await listen(app);
    const found = await request(server, { url: '/old' });
    expect(found.rawHead.startsWith('Status: 302 Found\r\n')).toBe(true);
    expect(found.header('location')).toBe('/new');
    expect(await found.text()).toContain('/new');
    const moved = await request(server, { url: '/moved' });
    expect(moved.status).toBe(301);
    expect(moved.header('location')).toBe('https://example.test/elsewhere');
    await moved.text();
  });
});
