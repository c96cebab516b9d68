// Every connection reads into one shared buffer: whatever outlives a read (body chunks an app keeps, a
// head split over reads) must be the connection's own bytes, however the reads of connections interleave.

import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { listenScgi, nginxPairs, openSocket, splitResponse, wire } from '../test-support/raw-client.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Keeps every body chunk until the end, then answers with the digest of their concatenation. */
function digestOfKeptChunks(req: IncomingMessage, res: ServerResponse): void {
  const kept: Buffer[] = [];
  req.on('data', (chunk: Buffer) => kept.push(chunk));
  req.on('end', () => res.end(`${req.headers['x-name']} ${sha256(Buffer.concat(kept))}`));
}

describe('reads through the shared buffer', () => {
  it('keeps the body chunks an app holds and a head split over reads intact while other connections read', async () => {
    const server = await listenScgi(digestOfKeptChunks);
    const bodies = [randomBytes(300_000), randomBytes(5_000), randomBytes(200_000)];
    const requests = bodies.map((body, index) =>
      wire(nginxPairs('POST', '/', [['HTTP_X_NAME', `r${index}`]], body.length), body),
    );
    const sockets = await Promise.all(requests.map(() => openSocket(server)));
    const replies = sockets.map(async (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      await once(socket, 'close');
      return splitResponse(Buffer.concat(chunks)).body;
    });
    // Round-robin pieces of 7,001 bytes: heads end mid-read, bodies span many reads of each socket.
    const PIECE = 7_001;
    for (let offset = 0; requests.some((request) => offset < request.length); offset += PIECE) {
      for (const [index, request] of requests.entries()) {
        if (offset < request.length) sockets[index]!.write(request.subarray(offset, offset + PIECE));
      }
      await pause(1);
    }
    expect(await Promise.all(replies)).toEqual(bodies.map((body, index) => `r${index} ${sha256(body)}`));
  });

  it('decodes a head that arrived in pieces between other connections’ requests', async () => {
    const server = await listenScgi((req, res) => res.end(`${req.url} ${req.headers['x-name']}`));
    const slow = await openSocket(server);
    const request = wire(nginxPairs('GET', '/slow?q=1', [['HTTP_X_NAME', 'slow-one']]));
    const chunks: Buffer[] = [];
    slow.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = once(slow, 'close');
    for (let offset = 0; offset < request.length; offset += 40) {
      slow.write(request.subarray(offset, offset + 40));
      // Another connection's whole request is read into the same buffer in between.
      const other = await openSocket(server);
      other.resume();
      other.write(wire(nginxPairs('GET', `/other-${offset}`, [['HTTP_X_NAME', 'x'.repeat(60)]])));
      await once(other, 'close');
    }
    await closed;
    expect(splitResponse(Buffer.concat(chunks)).body).toBe('/slow?q=1 slow-one');
  });
});
