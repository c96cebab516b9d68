// A response of one write goes to the socket as one string or buffer, not as a vector of chunks.
import { Socket as NetSocket, type Socket } from 'node:net';

/** What Writable hands `_writev`: each queued chunk with its encoding. */
interface QueuedChunk {
  chunk: string | Buffer;
  encoding: BufferEncoding | 'buffer';
}

type WritableHooks = Socket & {
  _write(chunk: string | Buffer, encoding: string, callback: (error?: Error | null) => void): void;
  _writev(chunks: QueuedChunk[], callback: (error?: Error | null) => void): void;
};

const writeVector = (NetSocket.prototype as WritableHooks)._writev;

/**
 * node:http's `res.end(body)` corks the socket and queues the head with the body, then an empty chunk
 * (the one that carries 'finish'), so every small response went out through the vector write, whose
 * C++ side reads each chunk's encoding by name: 2% of a small request. With at most one chunk that is
 * not empty, this writes that chunk alone; anything else is written as a vector, as before.
 */
function writeSkippingEmpty(
  this: WritableHooks,
  chunks: QueuedChunk[],
  callback: (error?: Error | null) => void,
): void {
  const only = onlyNonEmpty(chunks);
  if (only === undefined) writeVector.call(this, chunks, callback);
  else this._write(only.chunk, only.encoding, callback);
}

/** The one chunk that is not empty, or undefined when there are none or several. */
function onlyNonEmpty(chunks: QueuedChunk[]): QueuedChunk | undefined {
  let only: QueuedChunk | undefined;
  for (const queued of chunks) {
    if (queued.chunk.length === 0) continue;
    if (only !== undefined) return undefined;
    only = queued;
  }
  return only;
}

/** Has the socket's corked writes skip empty chunks (see writeSkippingEmpty). */
export function writeCorkedAsOne(socket: Socket): void {
  if (typeof writeVector === 'function') (socket as WritableHooks)._writev = writeSkippingEmpty;
}
