// Reads through the one shared buffer: every connection gets its own bytes, kept intact after later
// reads; pause/resume stop and start reading; EOF still ends the socket; sockets it cannot take say so.
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedBufferReader } from './shared-read-buffer.js';

const received = new Map<Socket, Buffer[]>();
/** The memory each delivered chunk is a view of. */
const deliveredFrom = new Set<ArrayBufferLike>();
const readThroughShared = sharedBufferReader(function collect(this: Socket, chunk: Buffer) {
  deliveredFrom.add(chunk.buffer);
  // A chunk is valid only during the call: what is kept is copied.
  received.get(this)?.push(Buffer.from(chunk));
});

let server: Server | undefined;
afterEach(async () => {
  received.clear();
  deliveredFrom.clear();
  server?.close();
  server = undefined;
});

/** A server whose connections read through the shared buffer; resolves with its port and the accepted sockets. */
async function listen(): Promise<{ port: number; accepted: Socket[]; taken: boolean[] }> {
  const accepted: Socket[] = [];
  const taken: boolean[] = [];
  server = createServer((socket) => {
    received.set(socket, []);
    accepted.push(socket);
    taken.push(readThroughShared(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, accepted, taken };
}

async function client(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};
const bytesOf = (socket: Socket) => Buffer.concat(received.get(socket) ?? []);

describe('sharedBufferReader', () => {
  it('reads two interleaved connections into one buffer, each chunk holding its own bytes', async () => {
    const { port, accepted, taken } = await listen();
    const [a, b] = [await client(port), await client(port)];
    await until(() => accepted.length === 2);
    expect(taken).toEqual([true, true]);
    const expected = [Buffer.alloc(0), Buffer.alloc(0)];
    for (let round = 0; round < 20; round++) {
      for (const [index, socket] of [a, b].entries()) {
        const part = Buffer.alloc(1000 + round * 300, String.fromCharCode(97 + index * 13 + (round % 13)));
        expected[index] = Buffer.concat([expected[index]!, part]);
        socket.write(part);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await until(() => accepted.every((socket, i) => bytesOf(socket).length === expected[i]!.length));
    expect(bytesOf(accepted[0]!).equals(expected[0]!)).toBe(true);
    expect(bytesOf(accepted[1]!).equals(expected[1]!)).toBe(true);
    expect(deliveredFrom.size).toBe(1);
    a.destroy();
    b.destroy();
  });

  it('reads nothing while paused, everything after resume, then ends on EOF', async () => {
    const { port, accepted } = await listen();
    const sender = await client(port);
    await until(() => accepted.length === 1);
    const socket = accepted[0]!;
    sender.write('first');
    await until(() => bytesOf(socket).length === 5);
    socket.pause();
    sender.write(Buffer.alloc(200_000, 'x'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const whilePaused = bytesOf(socket).length;
    expect(whilePaused).toBe(5);
    const ended = once(socket, 'end');
    socket.resume();
    sender.end();
    await ended;
    expect(bytesOf(socket).length).toBe(200_005);
    socket.destroy();
  });

  it('declines a socket with no stream handle, or with bytes already buffered', async () => {
    expect(readThroughShared(new PassThrough() as unknown as Socket)).toBe(false);
    const accepted: Socket[] = [];
    server = createServer((socket) => {
      socket.pause(); // a plain socket goes on reading into its own buffer
      accepted.push(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const sender = await client((server.address() as { port: number }).port);
    sender.write('early');
    await until(() => accepted[0] !== undefined && accepted[0].readableLength === 5);
    expect(accepted[0]!.readableLength).toBe(5);
    expect(readThroughShared(accepted[0]!)).toBe(false);
    sender.destroy();
    accepted[0]!.destroy();
  });
});
