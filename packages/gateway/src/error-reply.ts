// The gateway's own replies: a short text body for a failure, and the error of a client that left.
import { type ServerResponse, STATUS_CODES } from 'node:http';

/** Answer `status` with `502 Bad Gateway\n`-style text, Content-Length framed (keep-alive survives). */
export function sendErrorReply(res: ServerResponse, status: number): void {
  const body = `${status} ${STATUS_CODES[status] ?? 'Error'}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** What a client leaving mid-exchange is logged as. */
export function clientAbortedError(): Error {
  return Object.assign(new Error('The HTTP client closed its connection before the response ended'), {
    code: 'ECONNRESET',
  });
}
