// The reply a request gets when it passes `--timeout` before the app has written anything.

/**
 * `Status: 504` with a short plain-text body. The front server passes it to the client as a 504
 * (nginx, Apache and lighttpd all read the CGI `Status:` line); the connection closes after it.
 */
export function timeoutReply(timeoutMs: number): Buffer {
  const body = `The application did not answer within ${timeoutMs / 1000} s.\n`;
  return Buffer.from(
    `Status: 504 Gateway Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    'latin1',
  );
}
