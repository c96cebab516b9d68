// Express 4 and 5 over SCGI, compat.md 10–15: the response framing an app produces, checked on the wire.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from '@scgi-node/core';
import { describe, expect, it } from 'vitest';
import { nginxPairs, rawExchange, wire } from '../../packages/core/src/test-support/raw-client.js';
import {
  accumulate,
  deferred,
  EXPRESS_VERSIONS,
  listen,
  tempDir,
  waitFor,
  within,
} from './support/express-harness.js';

const HTTP_STATUS_LINE = /HTTP\/\d/;

describe.each(EXPRESS_VERSIONS)('$name over SCGI: response side', ({ express }) => {
  it('compat 10: Status line first, no HTTP/1.1, no chunk framing or connection headers', async () => {
    const app = express();
    app.get('/chunky', (_req, res) => {
      // An app that asks for chunking and keep-alive explicitly must still get CGI framing.
      res.setHeader('Transfer-Encoding', 'chunked');
      res.setHeader('Connection', 'keep-alive');
      res.setHeader('Keep-Alive', 'timeout=5');
      res.setHeader('Content-Type', 'text/plain');
      res.write('one');
      res.write('two');
      res.end('three');
    });
    app.get('/plain', (_req, res) => res.send('plain body'));
    const server = await listen(app);
    for (const [url, body] of [
      ['/chunky', 'onetwothree'],
      ['/plain', 'plain body'],
    ]) {
      const raw = await rawExchange(server, wire(nginxPairs('GET', url!)));
      expect(raw.head.startsWith('Status: 200 OK\r\n')).toBe(true);
      expect(raw.text).not.toMatch(HTTP_STATUS_LINE);
      expect(raw.head).not.toMatch(/^(transfer-encoding|connection|keep-alive):/im);
      expect(raw.body).toBe(body);
    }
    const missing = await rawExchange(server, wire(nginxPairs('GET', '/nope')));
    expect(missing.head.startsWith('Status: 404 Not Found\r\n')).toBe(true);
  });

  it('compat 11: several Set-Cookie values go out as separate lines', async () => {
    const app = express();
    app.get('/cookies', (_req, res) => {
      res.cookie('a', '1');
      res.cookie('b', '2', { httpOnly: true });
      res.append('Set-Cookie', 'c=3; Path=/x');
      res.send('ok');
    });
    const server = await listen(app);
    const raw = await rawExchange(server, wire(nginxPairs('GET', '/cookies')));
    const lines = raw.head.split('\r\n').filter((line) => /^set-cookie:/i.test(line));
    expect(lines).toEqual([
      'Set-Cookie: a=1; Path=/',
      'Set-Cookie: b=2; Path=/; HttpOnly',
      'Set-Cookie: c=3; Path=/x',
    ]);
    const parsed = await request(server, { url: '/cookies' });
    expect(parsed.headers.filter(([name]) => name.toLowerCase() === 'set-cookie')).toHaveLength(3);
  });

  it('compat 12: HEAD, 204 and 304 carry no body; writeHead(code, reason, array) is honoured', async () => {
    const app = express();
    app.get('/text', (_req, res) => res.send('hello world'));
    app.delete('/thing', (_req, res) => res.status(204).send('ignored'));
    app.get('/custom', (_req, res) => {
      res.writeHead(299, 'Made It', ['X-One', '1', 'X-Two', '2']);
      res.end('custom');
    });
    const server = await listen(app);

    const head = await rawExchange(server, wire(nginxPairs('HEAD', '/text')));
    expect(head.head.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(head.head).toMatch(/^Content-Length: 11$/im);
    expect(head.body).toBe('');

    const noContent = await rawExchange(server, wire(nginxPairs('DELETE', '/thing')));
    expect(noContent.head.startsWith('Status: 204 No Content\r\n')).toBe(true);
    expect(noContent.body).toBe('');

    const first = await request(server, { url: '/text' });
    const etag = first.header('etag');
    expect(etag).toBeTruthy();
    expect(await first.text()).toBe('hello world');
    const notModified = await rawExchange(
      server,
      wire(nginxPairs('GET', '/text', [['HTTP_IF_NONE_MATCH', etag!]])),
    );
    expect(notModified.head.startsWith('Status: 304 Not Modified\r\n')).toBe(true);
    expect(notModified.body).toBe('');

    const custom = await rawExchange(server, wire(nginxPairs('GET', '/custom')));
    expect(custom.head.split('\r\n')).toEqual(
      expect.arrayContaining(['Status: 299 Made It', 'X-One: 1', 'X-Two: 2']),
    );
    expect(custom.body).toBe('custom');
  });

  it('compat 13: writeContinue, writeProcessing and writeEarlyHints send nothing and do not throw', async () => {
    const app = express();
    app.get('/interim', (_req, res) => {
      res.writeContinue();
      res.writeProcessing();
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' }, () => res.send('final'));
    });
    const server = await listen(app);
    const raw = await rawExchange(server, wire(nginxPairs('GET', '/interim')));
    expect(raw.text.startsWith('Status: 200 OK\r\n')).toBe(true);
    expect(raw.text.match(/Status:/g)).toHaveLength(1);
    expect(raw.text).not.toMatch(HTTP_STATUS_LINE);
    expect(raw.head).not.toMatch(/^link:/im);
    expect(raw.body).toBe('final');
  });

  it('compat 14: res.flushHeaders() sends the head at once; events arrive as they are written', async () => {
    const app = express();
    const gates = [deferred(), deferred(), deferred()];
    let written = 0;
    app.get('/events', async (_req, res) => {
      res.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.flushHeaders();
      for (const [index, gate] of gates.entries()) {
        await gate.promise;
        res.write(`id: ${index}\ndata: tick ${index}\n\n`);
        written += 1;
      }
      res.end();
    });
    const server = await listen(app);
    // request() resolves when the head arrives: that must happen while no event has been written.
    const response = await request(server, { url: '/events', headTimeoutMs: 15_000 });
    expect(written).toBe(0);
    expect(response.status).toBe(200);
    expect(response.header('content-type')).toMatch(/^text\/event-stream/);
    const body = accumulate(response.body);
    let expected = '';
    for (const [index, gate] of gates.entries()) {
      gate.resolve();
      expected += `id: ${index}\ndata: tick ${index}\n\n`;
      await waitFor(() => body.text().length >= expected.length, 15_000, `event ${index}`);
      expect(body.text()).toBe(expected);
    }
    await within(body.ended, 15_000, 'the end of the stream');
    expect(body.text()).toBe(expected);
  });

  it('compat 15: res.sendFile and express.static of ~100 KB complete (drain reaches res)', async () => {
    const dir = tempDir();
    const content = randomBytes(100 * 1024 + 3);
    writeFileSync(join(dir, 'blob.bin'), content);
    const app = express();
    app.get('/send', (_req, res) => res.sendFile(join(dir, 'blob.bin')));
    app.use('/static', express.static(dir));
    const server = await listen(app);
    for (const url of ['/send', '/static/blob.bin']) {
      const response = await request(server, { url, headTimeoutMs: 15_000 });
      expect(response.status).toBe(200);
      expect(response.header('content-length')).toBe(String(content.length));
      const received = await within(response.buffer(), 15_000, `${url} body`);
      expect(received.equals(content)).toBe(true);
    }
  });

  it("compat 15: a route that waits for 'drain' after write() returns false finishes", async () => {
    const app = express();
    let drains = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    const chunks = 64;
    app.get('/big', async (_req, res) => {
      res.type('application/octet-stream');
      for (let i = 0; i < chunks; i += 1) {
        if (!res.write(chunk)) {
          await new Promise((resolve) => res.once('drain', resolve));
          drains += 1;
        }
      }
      res.end();
    });
    const server = await listen(app);
    const response = await request(server, { url: '/big' });
    const received = await within(response.buffer(), 15_000, 'the streamed body');
    expect(received.length).toBe(chunk.length * chunks);
    expect(drains).toBeGreaterThan(0);
  });
});
