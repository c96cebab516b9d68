// Reads of every SCGI connection into one buffer (net.Socket's `onread` mechanism), instead of a fresh
// 64 KiB allocation per read: node:http's own parser reads into a shared buffer the same way.
import { Socket as NetSocket, type Socket } from 'node:net';

/** The largest read; a request head and a small body come in one. */
export const READ_BUFFER_BYTES = 64 * 1024;

/** net.Socket's slots for the `onread` option, found once by description on a socket made with it. */
const [kBuffer, kBufferCb] = (() => {
  // (`onread` is a documented option of net.Socket that @types/node 20 leaves out of the constructor's.)
  const options = { onread: { buffer: Buffer.alloc(1), callback: () => true } };
  const probe = new NetSocket(options as ConstructorParameters<typeof NetSocket>[0]);
  const symbols = Object.getOwnPropertySymbols(probe);
  const find = (description: string) => symbols.find((symbol) => symbol.description === description);
  const found = [find('kBuffer'), find('kBufferCb')];
  probe.destroy();
  return found;
})();

type ReadSocket = Socket & {
  _handle?: { useUserBuffer?(buffer: Uint8Array): void } | null;
  [key: symbol]: unknown;
};

/** Reads land here, one socket at a time; a read is handed over before the next can come. */
let shared: Buffer | undefined;

/**
 * A function that has a socket's reads delivered to `onRead` (called with the socket as `this`)
 * instead of as 'data' events. The chunk is a view of the one buffer every connection reads into: it
 * is valid only during the call, so `onRead` copies what it keeps. Pausing and resuming the socket
 * still stop and start reading, and EOF still ends it ('end'). It returns false for a socket that
 * cannot (no stream handle, bytes already buffered, a Node without the mechanism): listen for 'data',
 * whose chunks are the socket's own.
 */
export function sharedBufferReader<S extends Socket>(
  onRead: (this: S, chunk: Buffer) => void,
): (socket: S) => boolean {
  // One callback for every socket (net.Socket calls it with the socket as `this`).
  function deliver(this: S, bytes: number, buffer: Buffer): void {
    onRead.call(this, buffer.subarray(0, bytes));
  }
  return (socket) => {
    const readable = socket as unknown as ReadSocket;
    const handle = readable._handle;
    if (kBuffer === undefined || kBufferCb === undefined || typeof handle?.useUserBuffer !== 'function') {
      return false;
    }
    if (readable[kBuffer] || socket.readableLength > 0) return false;
    shared ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
    handle.useUserBuffer(shared);
    readable[kBuffer] = shared;
    readable[kBufferCb] = deliver;
    return true;
  };
}
