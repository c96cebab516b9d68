// The SCGI head nginx sends for `GET /` when the client sends only a Host header (as wrk does), with
// Debian's scgi_params: its variables in nginx's order (as captured from nginx 1.22 in the project's
// front-server reference), CONTENT_LENGTH and SCGI put first by the encoder. 15 variables, 285 bytes.
import { encodeRequestHead } from '@scgi-node/core/protocol';

/** The variables, with the client's port (nginx's $remote_port: it differs between connections). */
export function nginxGetVariables(remotePort = 45076) {
  return [
    ['REQUEST_METHOD', 'GET'],
    ['REQUEST_URI', '/'],
    ['QUERY_STRING', ''],
    ['CONTENT_TYPE', ''],
    ['DOCUMENT_URI', '/'],
    ['DOCUMENT_ROOT', '/usr/share/nginx/html'],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['REQUEST_SCHEME', 'http'],
    ['REMOTE_ADDR', '127.0.0.1'],
    ['REMOTE_PORT', String(remotePort)],
    ['SERVER_PORT', '8080'],
    ['SERVER_NAME', 'localhost'],
    ['HTTP_HOST', 'localhost'],
  ];
}

let nextPort = 0;

/**
 * The next request's head: each from another port of the ephemeral range, as new client connections are;
 * `headers` (HTTP_* variables) are the client's others, after its Host.
 */
export function nextNginxGetHead(headers = []) {
  nextPort = (nextPort + 1) % 28232;
  return encodeRequestHead([...nginxGetVariables(32768 + nextPort), ...headers], 0);
}
