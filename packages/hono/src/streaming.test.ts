// Streams both ways: streamSSE, backpressure on response and request bodies, and a peer that goes away.
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { describe, expect, it } from 'vitest';
import {
  listenServe,
  nginxPairs,
  openSocket,
  splitResponse,
  tempDir,
  until,
  wire,
} from './test-support/scgi-wire.js';

function collect(socket: Socket): { chunks: Buffer[]; text(): string } {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { chunks, text: () => Buffer.concat(chunks).toString('latin1') };
}

describe('streaming', () => {
  it('sends streamSSE events as they are written, without chunked framing or connection headers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = new Hono();
    app.get('/events', (c) =>
      streamSSE(c, async (stream) => {
        await stream.writeSSE({ event: 'tick', data: 'one', id: '1' });
        await gate;
        await stream.writeSSE({ data: 'two\nlines', id: '2' });
      }),
    );
    const server = await listenServe({ fetch: app.fetch });
    const socket = await openSocket(server);
    const received = collect(socket);
    socket.write(wire(nginxPairs('GET', '/events')));
    await until(() => received.text().includes('data: one\n'));
    expect(received.text()).not.toContain('two');
    release();
    await once(socket, 'close');
    const { head, lines, body } = splitResponse(Buffer.concat(received.chunks));
    expect(head).toMatch(/^Status: 200 OK\r\n/);
    expect(lines).toContain('content-type: text/event-stream');
    expect(lines).toContain('cache-control: no-cache');
    expect(head).not.toMatch(/transfer-encoding|connection|keep-alive|content-length/i);
    expect(body.toString()).toBe('event: tick\ndata: one\nid: 1\n\ndata: two\ndata: lines\nid: 2\n\n');
  });

  it('stops pulling a response stream while the peer does not read, and sends all of it when it does', async () => {
    const CHUNK_BYTES = 64 * 1024;
    const CHUNKS = 100;
    let produced = 0;
    const fetch = () =>
      new Response(
        new ReadableStream<Uint8Array>(
          {
            pull(controller) {
              controller.enqueue(new Uint8Array(CHUNK_BYTES).fill(produced % 251));
              if (++produced === CHUNKS) controller.close();
            },
          },
          { highWaterMark: 1 },
        ),
      );
    // A unix socket: its kernel buffers are small and fixed (loopback TCP autotunes to megabytes).
    const server = await listenServe({ fetch, listen: `${tempDir()}/app.sock` });
    const socket = await openSocket(server);
    socket.pause();
    socket.write(wire(nginxPairs('GET', '/stream')));
    await until(() => produced > 0);
    let settled = -1;
    await until(() => {
      const stable = settled === produced;
      settled = produced;
      return stable && produced > 0;
    });
    // Kernel buffers plus the socket's high-water mark: a few hundred KB, not the 6.4 MB on offer.
    expect(produced).toBeLessThan(CHUNKS / 2);
    const received = collect(socket);
    socket.resume();
    await once(socket, 'close');
    const { body } = splitResponse(Buffer.concat(received.chunks));
    expect(produced).toBe(CHUNKS);
    expect(body.length).toBe(CHUNK_BYTES * CHUNKS);
    expect(body[CHUNK_BYTES * (CHUNKS - 1)]).toBe((CHUNKS - 1) % 251);
  });

  it('pauses the connection while the handler does not read the request body stream', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = new Hono();
    app.post('/upload', async (c) => {
      const reader = c.req.raw.body!.getReader();
      let total = 0;
      const first = await reader.read();
      total += first.value?.length ?? 0;
      await gate;
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
        total += chunk.value.length;
      return c.json({ total });
    });
    const server = await listenServe({ fetch: app.fetch, listen: `${tempDir()}/app.sock` });
    const BODY_BYTES = 8 * 1024 * 1024;
    const socket = await openSocket(server);
    const received = collect(socket);
    socket.write(wire(nginxPairs('POST', '/upload', [], BODY_BYTES)));
    let written = 0;
    let blocked = false;
    const piece = Buffer.alloc(64 * 1024, 1);
    const writeAll = async () => {
      while (written < BODY_BYTES) {
        written += piece.length;
        if (!socket.write(piece)) {
          blocked = true;
          await once(socket, 'drain');
        }
      }
    };
    const writing = writeAll();
    await until(() => blocked);
    let settled = -1;
    await until(() => {
      const stable = settled === written;
      settled = written;
      return stable;
    });
    expect(written).toBeLessThan(BODY_BYTES / 2);
    release();
    await writing;
    await once(socket, 'close');
    expect(JSON.parse(splitResponse(Buffer.concat(received.chunks)).body.toString())).toEqual({
      total: BODY_BYTES,
    });
  });

  it("aborts the request's signal when the peer goes away, also when the signal is first read after", async () => {
    const seen: { early?: boolean; late?: boolean; reason?: unknown } = {};
    let closedOnServer!: () => void;
    const serverSawClose = new Promise<void>((resolve) => {
      closedOnServer = resolve;
    });
    const app = new Hono();
    app.get('/early', async (c) => {
      const { signal } = c.req.raw;
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      seen.early = signal.aborted;
      seen.reason = signal.reason;
      return c.text('too late');
    });
    app.get('/late', async (c) => {
      await serverSawClose;
      seen.late = c.req.raw.signal.aborted;
      return c.text('too late');
    });
    const server = await listenServe({ fetch: app.fetch });

    const early = await openSocket(server);
    early.write(wire(nginxPairs('GET', '/early')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    early.destroy();
    await until(() => seen.early !== undefined);
    expect(seen.early).toBe(true);
    expect(seen.reason).toBeInstanceOf(DOMException);
    expect((seen.reason as DOMException).name).toBe('AbortError');

    server.once('connection', (socket: Socket) => socket.once('close', () => closedOnServer()));
    const late = await openSocket(server);
    late.write(wire(nginxPairs('GET', '/late')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    late.destroy();
    await until(() => seen.late !== undefined);
    expect(seen.late).toBe(true);
  });

  it('cancels a streamSSE stream when the peer goes away (stream.onAbort runs, the loop ends)', async () => {
    const state = { aborted: false, writes: 0, done: false };
    const app = new Hono();
    app.get('/ticks', (c) =>
      streamSSE(c, async (stream) => {
        stream.onAbort(() => {
          state.aborted = true;
        });
        while (!stream.aborted) {
          await stream.writeSSE({ data: `tick ${state.writes++}` });
          await stream.sleep(5);
        }
        state.done = true;
      }),
    );
    const server = await listenServe({ fetch: app.fetch });
    const socket = await openSocket(server);
    const received = collect(socket);
    socket.write(wire(nginxPairs('GET', '/ticks')));
    await until(() => received.text().includes('tick 2'));
    socket.destroy();
    await until(() => state.done);
    expect(state.aborted).toBe(true);
  });
});
