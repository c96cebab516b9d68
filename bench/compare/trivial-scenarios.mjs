// Path (e) for every scenario: a one-file SCGI responder that parses only what it must (the netstring
// length, CONTENT_LENGTH, the path's first letter, the page's query), does the scenario's own work as
// the apps do, answers and closes. No IncomingMessage, no framework: what any SCGI worker behind this
// nginx could reach, so (e) / (b) says how much of the goal (a) / (b) >= 1.1 SCGI itself allows.
import { createServer } from 'node:net';
import { DOWNLOAD, HELLO, renderPage } from './content.mjs';

const COLON = 0x3a;
// CONTENT_LENGTH is the first variable (the SCGI spec requires it): "CONTENT_LENGTH\0<digits>\0".
const CONTENT_LENGTH_VALUE = 'CONTENT_LENGTH\0'.length;
const DOCUMENT_URI = Buffer.from('\0DOCUMENT_URI\0');
const QUERY_STRING = Buffer.from('\0QUERY_STRING\0');

const head = (type, length) => `Status: 200 OK\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`;
const HELLO_RESPONSE = Buffer.from(head('text/plain', HELLO.length) + HELLO);
const DOWNLOAD_HEAD = Buffer.from(head('application/octet-stream', DOWNLOAD.length));

/** The value of the variable `name` (`\0NAME\0`) within the head (before `end`), as latin1; '' if absent. */
function valueAfter(block, name, end) {
  const at = block.indexOf(name);
  if (at === -1 || at >= end) return '';
  const start = at + name.length;
  return block.toString('latin1', start, block.indexOf(0, start));
}

/** The answer to one request, by the first letter of its path: /hello, /page, /download, /upload. */
function answer(socket, block, headEnd, bodyBytes) {
  const uriAt = block.indexOf(DOCUMENT_URI);
  const letter = uriAt === -1 || uriAt >= headEnd ? 0 : block[uriAt + DOCUMENT_URI.length + 1];
  if (letter === 0x70 /* p */) {
    const query = valueAfter(block, QUERY_STRING, headEnd);
    const page = renderPage(new URLSearchParams(query).get('q'));
    socket.end(head('text/html; charset=utf-8', Buffer.byteLength(page)) + page);
  } else if (letter === 0x64 /* d */) {
    socket.cork();
    socket.write(DOWNLOAD_HEAD);
    socket.end(DOWNLOAD);
  } else if (letter === 0x75 /* u */) {
    const count = String(bodyBytes);
    socket.end(head('text/plain', count.length) + count);
  } else {
    socket.end(HELLO_RESPONSE);
  }
}

export function createTrivialScenarioResponder() {
  return createServer((socket) => {
    let block = Buffer.alloc(0);
    let bodyLeft = -1; // -1 until the head is whole; then the body's bytes still to come
    let bodyBytes = 0;
    let headEnd = 0;
    socket.on('data', (chunk) => {
      if (bodyLeft === -1) {
        block = block.length === 0 ? chunk : Buffer.concat([block, chunk]);
        const colon = block.indexOf(COLON);
        if (colon === -1) return;
        headEnd = colon + 1 + Number(block.toString('latin1', 0, colon));
        if (block.length <= headEnd) return;
        const valueStart = colon + 1 + CONTENT_LENGTH_VALUE;
        const contentLength = Number(block.toString('latin1', valueStart, block.indexOf(0, valueStart)));
        bodyBytes = block.length - headEnd - 1; // after the netstring's closing comma
        bodyLeft = contentLength - bodyBytes;
      } else {
        bodyBytes += chunk.length;
        bodyLeft -= chunk.length;
      }
      if (bodyLeft <= 0) {
        bodyLeft = Number.POSITIVE_INFINITY; // answered once
        answer(socket, block, headEnd, bodyBytes);
      }
    });
    socket.on('error', () => {});
  });
}
