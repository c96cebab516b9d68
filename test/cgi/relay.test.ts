// Requests through lighttpd mod_cgi -> the bridge -> a long-running Express worker, and the responses back.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CgiHost, startCgiHost } from './support/cgi-host.js';
import { multipart, send } from './support/http.js';
import {
  killWorkers,
  PROBE_WORKER,
  readText,
  type WorkerPlace,
  waitFor,
  workerInfo,
  workerPlace,
  writeInfo,
} from './support/workers.js';

const MiB = 1024 * 1024;
/** The Express example's download body: this line, repeated and cut to length. */
const PATTERN = 'scgi-node streams this body in chunks, never holding all of it.\n';

let root: string;
let host: CgiHost;
let app: WorkerPlace;
let probe: WorkerPlace;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'scgi-cgi-relay-'));
  // Streamed responses (with backpressure) rather than lighttpd's default of buffering them whole, so a
  // slow client reaches back to the bridge and the worker, as it does behind most servers.
  host = await startCgiHost(join(root, 'lighttpd'), {
    streamResponses: true,
    env: { APP_TENANT: 'blue', SERVER_SECRET: 'not-for-the-app' },
  });
  app = workerPlace(root, 'express');
  probe = workerPlace(root, 'probe');
});

afterAll(async () => {
  killWorkers([app, probe]);
  await host?.stop();
  rmSync(root, { recursive: true, force: true });
});

function useExpressApp(): void {
  writeInfo(host.docroot, workerInfo(app));
}

function useProbe(extra: Record<string, unknown> = {}): void {
  writeInfo(host.docroot, {
    ...workerInfo(probe, extra, PROBE_WORKER),
    env: { SCGI_LISTEN: probe.socket, PROBE_MARKER: join(probe.dir, 'marker') },
  });
}

describe('the Express example through the CGI host', () => {
  beforeAll(useExpressApp);

  it('GET: the app sees the client, not the bridge', async () => {
    const reply = await send(`${host.url}/whoami`, {
      headers: { Accept: 'application/json', Host: 'example.test' },
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toMatchObject({ ip: '127.0.0.1', hostname: 'example.test', scgi: true });
  });

  it('POST: a urlencoded form', async () => {
    const reply = await send(`${host.url}/form`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: 'name=Ann+Lee&note=caf%C3%A9',
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ fields: { name: 'Ann Lee', note: 'café' } });
  });

  it('upload: a 3 MiB multipart file arrives intact', async () => {
    const content = Buffer.alloc(3 * MiB);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7 + (i >> 12)) & 0xff;
    const { body, type } = multipart('file', 'data.bin', content);
    const reply = await send(`${host.url}/upload`, {
      method: 'POST',
      headers: { 'Content-Type': type, Accept: 'application/json' },
      body,
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({
      name: 'data.bin',
      size: content.length,
      type: 'application/octet-stream',
      sha256: createHash('sha256').update(content).digest('hex'),
    });
  });

  it('download: 20 MiB streamed back byte for byte', async () => {
    const size = 20 * MiB;
    const reply = await send(`${host.url}/download?bytes=${size}`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-length']).toBe(String(size));
    const expected = Buffer.alloc(size, PATTERN);
    expect(reply.body.length).toBe(size);
    expect(reply.body.equals(expected)).toBe(true);
  });

  it('HEAD: the head only', async () => {
    const reply = await send(`${host.url}/download?bytes=1000`, { method: 'HEAD' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-length']).toBe('1000');
    expect(reply.body.length).toBe(0);
  });

  it('status, redirects and repeated Set-Cookie pass through', async () => {
    const redirect = await send(`${host.url}/old`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/new');
    const cookies = await send(`${host.url}/cookies/set`);
    expect(cookies.headers['set-cookie']).toHaveLength(2);
    expect((await send(`${host.url}/no/such/page`)).status).toBe(404);
  });
});

describe('what the worker receives', () => {
  beforeAll(() => useProbe({ passEnv: ['APP_*'] }));

  it('the request variables, and none of the server environment', async () => {
    const reply = await send(`${host.url}/echo?x=1&y=%20z`, {
      headers: {
        // node:http sends header strings as latin1: one byte E9 here, and C3 A9 (UTF-8) in X-Utf8.
        'X-Latin1': 'café',
        'X-Utf8': Buffer.from('café').toString('latin1'),
        Proxy: 'http://evil.example',
        'X-Trace': 'abc',
      },
    });
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.text) as {
      url: string;
      headers: Record<string, string>;
      cgi: Record<string, string>;
    };
    expect(seen.url).toBe('/echo?x=1&y=%20z'); // REQUEST_URI: what the client asked for, not /app.cgi/echo
    expect(seen.cgi).toMatchObject({
      REQUEST_METHOD: 'GET',
      QUERY_STRING: 'x=1&y=%20z',
      SCRIPT_NAME: '/app.cgi',
      PATH_INFO: '/echo',
      SERVER_SOFTWARE: expect.stringMatching(/^lighttpd/),
      REMOTE_ADDR: '127.0.0.1',
      HTTP_X_TRACE: 'abc',
      APP_TENANT: 'blue', // passEnv: APP_*
    });
    // Left out: the process environment, HTTP_PROXY (httpoxy), and server variables not in passEnv.
    for (const name of ['PATH', 'PWD', 'HTTP_PROXY', 'SERVER_SECRET', 'NODE_OPTIONS', 'SCGI_NODE_INFO']) {
      expect(seen.cgi).not.toHaveProperty(name);
    }
    // Header bytes survive the trip through the environment, UTF-8 or not (node:http decodes latin1).
    expect(seen.headers['x-latin1']).toBe('café');
    expect(Buffer.from(seen.headers['x-utf8']!, 'latin1').toString('utf8')).toBe('café');
  });

  it('a 5 MiB body is streamed to the worker as CONTENT_LENGTH bytes', async () => {
    const body = Buffer.alloc(5 * MiB, 'b');
    const reply = await send(`${host.url}/echo`, { method: 'PUT', body, headers: { 'Content-Type': 'x/y' } });
    const seen = JSON.parse(reply.text) as { method: string; bodyBytes: number; cgi: Record<string, string> };
    expect(seen).toMatchObject({ method: 'PUT', bodyBytes: body.length });
    expect(seen.cgi).toMatchObject({ CONTENT_LENGTH: String(body.length), CONTENT_TYPE: 'x/y' });
  });
});

/**
 * GET /big through the host with a client that reads the head, then stops reading until told. With
 * buffering on, the head can arrive after `resume()` is called (the bridge holds it until the worker is
 * done), so a resume that comes first is remembered.
 */
function slowClient(url: string) {
  let resumeWanted = false;
  let startReading: (() => void) | undefined;
  const done = new Promise<{ status: number; bytes: number }>((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.pause();
      let received = 0;
      startReading = () => {
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
        });
        res.once('end', () => resolve({ status: res.statusCode!, bytes: received }));
        res.once('error', reject);
        res.resume();
      };
      if (resumeWanted) startReading();
    });
    req.once('error', reject);
    req.end();
  });
  const resume = () => {
    resumeWanted = true;
    startReading?.();
  };
  return { done, resume };
}

describe('response buffering frees the worker from a slow client', () => {
  const size = 32 * MiB;
  const marker = () => readText(join(probe.dir, 'marker'));

  it('bufferResponse on: the worker is done while the client has read nothing', async () => {
    useProbe({ bufferResponse: true, bufferMemoryLimitBytes: MiB });
    const client = slowClient(`${host.url}/big?bytes=${size}&id=buffered`);
    await waitFor(() => marker().includes('finished buffered'), 20_000, 'the worker to finish its response');
    client.resume();
    expect(await client.done).toEqual({ status: 200, bytes: size });
  });

  it('bufferResponse off: the worker waits on the client (the difference buffering makes)', async () => {
    useProbe({ bufferResponse: false });
    const client = slowClient(`${host.url}/big?bytes=${size}&id=streamed`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(marker()).not.toContain('streamed');
    client.resume();
    expect(await client.done).toEqual({ status: 200, bytes: size });
    // The worker's own verdict on the response: 'finished' (every byte handed to the socket) or
    // 'aborted'. A failure shows what the worker and the bridge logged, so a rare one can be read.
    const settled = () => /(finished|aborted) streamed/.test(marker());
    await waitFor(settled, 20_000, 'the worker to finish').catch(() => undefined);
    const story = `marker: ${JSON.stringify(marker())}\nworker log:\n${readText(probe.logFile).slice(-2000)}\nbridge stderr:\n${host.stderrLines().join('\n')}`;
    expect(marker(), story).toContain('finished streamed');
  });
});

describe('scgi-node cgi: the same bridge through the manager CLI', () => {
  let managerHost: CgiHost;
  beforeAll(async () => {
    managerHost = await startCgiHost(join(root, 'lighttpd-manager'), { bridge: 'scgi-node cgi' });
    writeInfo(managerHost.docroot, workerInfo(app));
  });
  afterAll(async () => {
    await managerHost?.stop();
  });

  it('relays GET and POST to the same worker, as scgi-cgi does', async () => {
    const get = await send(`${managerHost.url}/whoami`, {
      headers: { Accept: 'application/json', Host: 'example.test' },
    });
    expect(get.status).toBe(200);
    expect(JSON.parse(get.text)).toMatchObject({ ip: '127.0.0.1', hostname: 'example.test', scgi: true });
    const post = await send(`${managerHost.url}/form`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: 'name=Ann+Lee',
    });
    expect(JSON.parse(post.text)).toEqual({ fields: { name: 'Ann Lee' } });
    expect(managerHost.stderrLines()).toEqual([]);
  });
});
