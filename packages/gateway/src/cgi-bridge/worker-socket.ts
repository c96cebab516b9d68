// One connection attempt to the worker, bounded in time, telling "nobody listens" from other failures.
import { connect, type Socket } from 'node:net';
import { describeAddress, type WorkerAddress } from './config.js';

/** The connection attempt took longer than connectTimeoutMs (a TCP peer that drops SYNs, a full backlog). */
export class ConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** Connect to the worker; rejects with the socket's errno error, or ConnectTimeoutError. */
export function connectWorker(address: WorkerAddress, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(address);
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            socket.destroy();
            reject(
              new ConnectTimeoutError(
                `connecting to ${describeAddress(address)} took over ${timeoutMs} ms (connectTimeoutMs)`,
              ),
            );
          }, timeoutMs)
        : undefined;
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/**
 * ENOENT (no socket file) or ECONNREFUSED (a file or port with no listener): no worker is running, so
 * one may be started. Anything else (EACCES, a timeout) means something is there and must not be doubled.
 */
export function isNotListening(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}
