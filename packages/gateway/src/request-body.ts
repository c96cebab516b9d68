// The request body's length for CONTENT_LENGTH: declared by the client, or learnt by buffering a chunked one.
import type { IncomingMessage } from 'node:http';
import { ScgiError } from '@scgi-node/core/protocol';

/**
 * True when the client framed the body with Transfer-Encoding (chunked). SCGI needs CONTENT_LENGTH up
 * front, so such a body is read whole first, as nginx does (Apache answers 411 instead).
 */
export function hasUnknownLength(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined;
}

/** The declared body length (node:http has already checked Content-Length's syntax); 0 when absent. */
export function declaredLength(req: IncomingMessage): number {
  const header = req.headers['content-length'];
  return header === undefined ? 0 : Number(header);
}

/**
 * Read a whole body of unknown length, up to `limitBytes`. Rejects with ScgiError
 * `ERR_SCGI_BODY_TOO_LARGE` (413) past the limit, and with the stream's error if the client aborts.
 */
export function bufferBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      reject(
        new ScgiError(
          'ERR_SCGI_BODY_TOO_LARGE',
          `Chunked request body is over maxBufferedRequestBytes (${limitBytes} bytes)`,
        ),
      );
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(Object.assign(new Error('The client closed the connection mid-body'), { code: 'ECONNRESET' }));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
