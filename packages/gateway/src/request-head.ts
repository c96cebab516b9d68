// The SCGI request head for one HTTP request: core's nginx mapping of the request, then core's encoder.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { encodeRequestHead, envFromRequest } from '@scgi-node/core/protocol';
import type { ResolvedGatewayOptions } from './options.js';

/**
 * The netstring head nginx's scgi_params would give this request (CONTENT_LENGTH, SCGI, then
 * REQUEST_METHOD … SERVER_NAME, then HTTP_*). Throws ScgiError `ERR_SCGI_BAD_VARIABLE` (500) for a
 * value that cannot go on the wire.
 */
export function scgiRequestHead(
  req: IncomingMessage,
  options: Pick<ResolvedGatewayOptions, 'serverName' | 'documentRoot'>,
  contentLength: number,
): Buffer {
  const socket = req.socket as TLSSocket;
  const env = envFromRequest({
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    httpVersion: req.httpVersion,
    rawHeaders: req.rawHeaders,
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    // No localAddress: Debian's scgi_params has no SERVER_ADDR (its fastcgi_params has).
    localPort: socket.localPort,
    serverName: options.serverName,
    https: socket.encrypted === true,
    documentRoot: options.documentRoot,
  });
  return encodeRequestHead(env, contentLength);
}
