// Private: a fetch handler ((Request) => Response) as a node:http listener, until @scgi-node/hono exists.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** A web-standard handler: Hono's `app.fetch`, or any `(Request) => Response`. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

const BODYLESS_METHODS = new Set(['GET', 'HEAD']);

function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const target = req.url ?? '/';
  // An origin-form target is joined to the Host as text: `new URL('//x', base)` would read a host from it.
  const url = target.startsWith('/') ? `${scheme}://${req.headers.host ?? 'localhost'}${target}` : target;
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (!BODYLESS_METHODS.has(method)) {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = 'half'; // a streamed request body (undici requires saying so)
  }
  return new Request(url, init);
}

/** Resolves on 'drain', or on 'close' if the client leaves first (no listener is left behind). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function writeResponse(response: Response, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers: string[] = [];
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers.push(name, value);
  });
  // Headers joins Set-Cookie lines with ', ', which breaks cookies with dates: send each one.
  for (const cookie of response.headers.getSetCookie()) headers.push('set-cookie', cookie);
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (response.body === null || req.method === 'HEAD') {
    await response.body?.cancel();
    res.end();
    return;
  }
  for await (const chunk of response.body) {
    if (res.destroyed) break; // leaving the loop cancels the body stream
    if (!res.write(chunk)) await drained(res);
  }
  res.end();
}

/** Adapt `handler` to node:http: the client leaving aborts `request.signal`; a throw answers 500. */
export function fetchListener(handler: FetchHandler): RequestListener {
  return (req, res) => {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const respond = async () => writeResponse(await handler(toRequest(req, controller.signal)), req, res);
    respond().catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      console.error(error);
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Internal Server Error\n');
    });
  };
}
