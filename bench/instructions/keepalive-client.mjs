// A client as wrk is one: `GET <path>` with only a Host header, the next request on the same connection
// once the last response is read whole (Content-Length or chunked framing), and on a new one when nginx
// closes it (after its keepalive_requests, 1,000 by default).
import { connect } from 'node:net';

const HEAD_END = '\r\n\r\n';

/** Where the response that starts `text` ends, or -1 while it is incomplete. */
function responseEnd(text) {
  const headEnd = text.indexOf(HEAD_END);
  if (headEnd === -1) return -1;
  const head = text.slice(0, headEnd).toLowerCase();
  const bodyStart = headEnd + HEAD_END.length;
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (length !== null) {
    const end = bodyStart + Number(length[1]);
    return text.length >= end ? end : -1;
  }
  if (/\r\ntransfer-encoding:\s*chunked/.test(head)) {
    const last = text.indexOf('\r\n0\r\n\r\n', bodyStart - 2);
    return last === -1 ? -1 : last + '\r\n0\r\n\r\n'.length;
  }
  throw new Error(`a response with no length: ${JSON.stringify(head)}`);
}

/** Sends `count` requests one after another; rejects on any status but 200. */
export function sendSequentially(port, path, count) {
  const request = `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
  let answered = 0;
  return new Promise((resolve, reject) => {
    const open = () => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      let pending = '';
      let closing = false;
      socket.setEncoding('latin1');
      socket.on('data', (chunk) => {
        pending += chunk;
        const end = responseEnd(pending);
        if (end === -1) return;
        if (!pending.startsWith('HTTP/1.1 200 ')) {
          socket.destroy();
          reject(new Error(`unexpected response: ${JSON.stringify(pending.slice(0, 120))}`));
          return;
        }
        closing = /\r\nconnection:\s*close/i.test(pending.slice(0, pending.indexOf(HEAD_END)));
        pending = pending.slice(end);
        if (++answered === count) {
          socket.end();
          resolve();
        } else if (closing) socket.end();
        else socket.write(request);
      });
      socket.on('error', reject);
      socket.on('close', () => {
        if (closing && answered < count) open();
        else if (answered < count) reject(new Error(`the connection closed after ${answered} of ${count}`));
      });
    };
    open();
  });
}
