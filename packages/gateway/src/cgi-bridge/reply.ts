// What the bridge writes to stdout: a CGI response head (Status first), and its own short error pages.
import type { HttpHead } from '../response-head.js';

// node:http's STATUS_CODES would cost start-up time for the handful of statuses the bridge answers itself.
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

const EXPLANATIONS: Record<number, string> = {
  400: 'The request could not be passed on to the application.',
  413: 'The request body is too large.',
  500: 'The application gateway is misconfigured.',
  502: 'The application sent an invalid response.',
  503: 'The application is not available right now. Please try again shortly.',
};

/**
 * The CGI head for the worker's response: `Status:` first (RFC 3875 §6.3.3; Apache refuses an HTTP
 * status line), then the header lines in the worker's order, `Content-Length` appended when given.
 * Latin1, as the response-head parser decoded the bytes.
 */
export function cgiHead(head: HttpHead, contentLength?: number): Buffer {
  // No reason phrase when the worker sent none: Apache and lighttpd supply the standard one.
  let text = `Status: ${head.status}${head.statusText === undefined ? '' : ` ${head.statusText}`}\r\n`;
  for (let i = 0; i < head.headers.length; i += 2) text += `${head.headers[i]}: ${head.headers[i + 1]}\r\n`;
  if (contentLength !== undefined) text += `Content-Length: ${contentLength}\r\n`;
  return Buffer.from(`${text}\r\n`, 'latin1');
}

/**
 * The bridge's own answer to a failure: `503 Service Unavailable`, one sentence, and the error code (the
 * details are in the server's log, not shown to the client). No body for HEAD.
 */
export function errorPage(status: number, code: string, method: string): Buffer {
  const reason = REASONS[status] ?? 'Error';
  const body = `${status} ${reason}\n${EXPLANATIONS[status] ?? ''}\n(${code})\n`;
  const head =
    `Status: ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n\r\n`;
  return Buffer.from(method === 'HEAD' ? head : head + body, 'utf8');
}
