// Corked writes with one non-empty chunk go out as a single write; any other mix still as a vector.
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { writeCorkedAsOne } from './single-write.js';

type CountedSocket = Socket & { _write: (...args: unknown[]) => void; singleWrites: number };

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** A connected pair: `sender` (server side, set up as connections are) and what the peer receives. */
async function pair(): Promise<{ sender: CountedSocket; received: Promise<Buffer> }> {
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const peer = connect((server.address() as { port: number }).port, '127.0.0.1');
  const [accepted] = (await once(server, 'connection')) as [CountedSocket];
  writeCorkedAsOne(accepted);
  accepted.singleWrites = 0;
  const write = accepted._write;
  accepted._write = function counted(this: CountedSocket, ...args: unknown[]) {
    this.singleWrites++;
    write.apply(this, args);
  };
  const chunks: Buffer[] = [];
  peer.on('data', (chunk: Buffer) => chunks.push(chunk));
  const received = once(peer, 'end').then(() => Buffer.concat(chunks));
  return { sender: accepted, received };
}

const written = (socket: Socket, chunk: string | Buffer, encoding?: BufferEncoding) =>
  new Promise<void>((resolve, reject) =>
    socket.write(chunk, encoding ?? 'utf8', (error) => (error ? reject(error) : resolve())),
  );

describe('writeCorkedAsOne', () => {
  it('sends a corked response and the empty chunk after it as one write, calling back both', async () => {
    const { sender, received } = await pair();
    sender.cork();
    const done = [written(sender, 'Status: 200 OK\r\n\r\nhé', 'utf8'), written(sender, '', 'latin1')];
    sender.uncork();
    await Promise.all(done);
    sender.end();
    expect((await received).toString('utf8')).toBe('Status: 200 OK\r\n\r\nhé');
    expect(sender.singleWrites).toBe(1);
  });

  it('still writes several non-empty chunks, strings in their encodings and buffers, whole and in order', async () => {
    const { sender, received } = await pair();
    sender.cork();
    const done = [
      written(sender, 'ab\xe9', 'latin1'),
      written(sender, Buffer.from('cd')),
      written(sender, '', 'latin1'),
      written(sender, 'é', 'utf8'),
    ];
    sender.uncork();
    await Promise.all(done);
    sender.end();
    expect((await received).equals(Buffer.from([0x61, 0x62, 0xe9, 0x63, 0x64, 0xc3, 0xa9]))).toBe(true);
    expect(sender.singleWrites).toBe(0);
  });

  it('calls back corked writes that are all empty', async () => {
    const { sender, received } = await pair();
    sender.cork();
    const done = [written(sender, ''), written(sender, '')];
    sender.uncork();
    await Promise.all(done);
    sender.end();
    expect((await received).length).toBe(0);
  });
});
