// createGateway: an HTTP/1.1 server (keep-alive to its clients) that forwards every request to an SCGI backend.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { forward } from './forward.js';
import { type GatewayOptions, resolveGatewayOptions } from './options.js';

/**
 * An HTTP server in front of an SCGI backend, doing what nginx's `scgi_pass` does: each request becomes
 * one SCGI request on its own connection (nginx's scgi_params variables plus HTTP_*), and the backend's
 * CGI response becomes the HTTP response. Call `listen()` on it as on any `http.Server`; `close()` stops
 * it (add `closeAllConnections()` to drop keep-alive clients at once).
 *
 * @example
 * const gateway = createGateway({ target: 'unix:/run/app.sock' });
 * gateway.listen(8080, '127.0.0.1');
 *
 * @throws ScgiError `ERR_SCGI_BAD_TARGET` for an unusable target or option.
 */
export function createGateway(
  options: GatewayOptions & { tls: NonNullable<GatewayOptions['tls']> },
): HttpsServer;
export function createGateway(options: GatewayOptions): HttpServer;
export function createGateway(options: GatewayOptions): HttpServer | HttpsServer {
  const resolved = resolveGatewayOptions(options);
  const handler = (req: Parameters<typeof forward>[0], res: Parameters<typeof forward>[1]) =>
    forward(req, res, resolved);
  return resolved.tls === undefined ? createHttpServer(handler) : createHttpsServer(resolved.tls, handler);
}
