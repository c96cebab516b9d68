// runCgiBridge in-process against real SCGI servers: the relay's framing, streaming, buffering and faults.
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startBackend, startRawBackend } from '../test-support/servers.js';
import { type CgiBridgeIo, runCgiBridge } from './bridge.js';

interface Run {
  code: number;
  /** Everything written to stdout, as latin1 (byte per char). */
  out: string;
  head: string;
  body: Buffer;
  err: string;
}

/** Run the bridge for one request against the worker at `socket` (SCGI_NODE_* configuration). */
async function bridge(
  socket: string,
  env: Record<string, string>,
  stdin: Readable = Readable.from([]),
): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  let err = '';
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const io: CgiBridgeIo = {
    env: { REQUEST_METHOD: 'GET', REQUEST_URI: '/', SCGI_NODE_SOCKET: `unix:${socket}`, ...env },
    stdin: () => stdin,
    stdout,
    stderr,
  };
  const code = await runCgiBridge(io);
  const all = Buffer.concat(chunks);
  const end = all.indexOf('\r\n\r\n');
  return {
    code,
    out: all.toString('latin1'),
    head: all.subarray(0, end).toString('latin1'),
    body: all.subarray(end + 4),
    err,
  };
}

function address(server: { address(): unknown }): string {
  return server.address() as string;
}

describe('relaying a response', () => {
  it('writes Status first, then the worker’s headers in order, then the body', async () => {
    const worker = await startBackend((req, res) => {
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.writeHead(201, 'Made', { 'Content-Type': 'text/plain', 'X-Url': req.url! });
      res.end('done');
    });
    const run = await bridge(address(worker), { REQUEST_URI: '/items?x=1' });
    expect(run.code).toBe(0);
    expect(run.head.split('\r\n')).toEqual([
      'Status: 201 Made',
      'Set-Cookie: a=1',
      'Set-Cookie: b=2',
      'Content-Type: text/plain',
      'X-Url: /items?x=1',
      expect.stringMatching(/^Date: /),
    ]);
    expect(run.body.toString()).toBe('done');
    expect(run.err).toBe('');
  });

  it('streams CONTENT_LENGTH bytes of stdin to the worker, no more', async () => {
    const worker = await startBackend(async (req, res) => {
      const body = Buffer.concat(await req.toArray());
      res.end(`${req.method} ${body.length} ${body.subarray(-5).toString()}`);
    });
    const payload = Buffer.alloc(3 * 1024 * 1024, 'x');
    const stdin = Readable.from([payload.subarray(0, 1000), payload.subarray(1000), Buffer.from('EXTRA')]);
    const run = await bridge(
      address(worker),
      { REQUEST_METHOD: 'PUT', CONTENT_LENGTH: String(payload.length) },
      stdin,
    );
    expect(run.body.toString()).toBe(`PUT ${payload.length} xxxxx`);
  });

  it('a body without CONTENT_LENGTH (passed on chunked) is read whole to learn its length', async () => {
    const worker = await startBackend(async (req, res) => {
      res.end(`${req.headers['content-length']}:${Buffer.concat(await req.toArray()).toString()}`);
    });
    const stdin = Readable.from([Buffer.from('hello '), Buffer.from('world')]);
    const run = await bridge(
      address(worker),
      { REQUEST_METHOD: 'POST', HTTP_TRANSFER_ENCODING: 'chunked' },
      stdin,
    );
    expect(run.body.toString()).toBe('11:hello world');
  });

  it('HEAD: the head only, even if the worker sends a body', async () => {
    const worker = await startRawBackend((socket) => {
      socket.end('Status: 200 OK\r\nContent-Length: 5\r\n\r\nhello');
    });
    const run = await bridge(address(worker), { REQUEST_METHOD: 'HEAD' });
    expect(run.out).toBe('Status: 200 OK\r\nContent-Length: 5\r\n\r\n');
  });

  it('buffered: the head waits for the whole body and gains a Content-Length; X-Accel-Buffering: no streams', async () => {
    const worker = await startBackend((req, res) => {
      if (req.url === '/stream') res.setHeader('X-Accel-Buffering', 'no');
      res.write('part one, ');
      setTimeout(() => res.end('part two'), 20);
    });
    const buffered = await bridge(address(worker), { SCGI_NODE_BUFFER_RESPONSE: '1' });
    expect(buffered.head).toContain('\r\nContent-Length: 18');
    expect(buffered.body.toString()).toBe('part one, part two');
    const streamed = await bridge(address(worker), {
      SCGI_NODE_BUFFER_RESPONSE: '1',
      REQUEST_URI: '/stream',
    });
    expect(streamed.head).not.toContain('Content-Length');
    expect(streamed.head).not.toContain('X-Accel');
    expect(streamed.body.toString()).toBe('part one, part two');
  });

  it('buffered past the memory limit: spilled to a temp file and replayed whole', async () => {
    const size = 300_000;
    const worker = await startBackend((_req, res) => res.end(Buffer.alloc(size, 'z')));
    const run = await bridge(address(worker), {
      SCGI_NODE_BUFFER_RESPONSE: 'true',
      SCGI_NODE_BUFFER_MEMORY_LIMIT_BYTES: '1000',
    });
    expect(run.body.equals(Buffer.alloc(size, 'z'))).toBe(true);
  });
});

describe('faults', () => {
  it('garbage instead of a CGI head: 502', async () => {
    const worker = await startRawBackend((socket) => socket.end('not a head\r\n\r\n'));
    const run = await bridge(address(worker), {});
    expect(run.head).toMatch(/^Status: 502 Bad Gateway\r\n/);
    expect(run.body.toString()).toContain('(ERR_SCGI_BAD_RESPONSE_HEAD)');
    expect(run.err).toMatch(/^scgi-cgi: GET \/ -> 502: .* \[ERR_SCGI_BAD_RESPONSE_HEAD\]\n$/);
  });

  it('the worker closes short of its Content-Length: the response is cut (exit 1), or a 502 when buffered', async () => {
    const worker = await startRawBackend((socket) =>
      socket.end('Status: 200 OK\r\nContent-Length: 10\r\n\r\nhalf'),
    );
    const streamed = await bridge(address(worker), {});
    expect(streamed.code).toBe(1);
    expect(streamed.out).toBe('Status: 200 OK\r\nContent-Length: 10\r\n\r\nhalf');
    expect(streamed.err).toContain('-> response cut: the worker closed the connection 6 bytes short');
    const buffered = await bridge(address(worker), { SCGI_NODE_BUFFER_RESPONSE: 'on' });
    expect(buffered.code).toBe(0);
    expect(buffered.head).toMatch(/^Status: 502 /);
  });

  it('no response head within responseTimeoutMs: 503', async () => {
    const worker = await startRawBackend(() => {});
    const run = await bridge(address(worker), { SCGI_NODE_RESPONSE_TIMEOUT_MS: '200' });
    expect(run.head).toMatch(/^Status: 503 Service Unavailable\r\n/);
    expect(run.err).toContain('the worker sent no response head within 200 ms (responseTimeoutMs)');
  });

  it('stdin ends short of CONTENT_LENGTH: 400', async () => {
    const worker = await startBackend((req) => {
      req.resume();
    });
    const run = await bridge(
      address(worker),
      { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '100' },
      Readable.from([Buffer.from('only this')]),
    );
    expect(run.head).toMatch(/^Status: 400 Bad Request\r\n/);
    expect(run.err).toContain('stdin ended 91 bytes short of CONTENT_LENGTH 100');
  });

  it('nothing listens and no command: 503 worker down', async () => {
    const run = await bridge('/nonexistent/dir/app.sock', {});
    expect(run.head).toMatch(/^Status: 503 /);
    expect(run.err).toContain(
      'no worker listens on unix:/nonexistent/dir/app.sock and no command starts one',
    );
    expect(run.err).toContain('ENOENT');
  });

  it('not run as CGI: exit 2 and a usage text, nothing on stdout', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const code = await runCgiBridge({ env: {}, stdin: Readable.from([]), stdout, stderr });
    expect(code).toBe(2);
    expect(stdout.read()).toBeNull();
    expect(String(stderr.read())).toContain('REQUEST_METHOD is not set');
  });
});
