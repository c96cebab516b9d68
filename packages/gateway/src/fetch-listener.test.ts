// The private fetch-handler adapter on a plain node:http server: aborts, errors, absolute URLs.
import { once } from 'node:events';
import { createServer, type IncomingMessage, request } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { type FetchHandler, fetchListener } from './fetch-listener.js';
import { waitFor } from './test-support/leaks.js';
import { trackServer } from './test-support/servers.js';

async function serve(handler: FetchHandler): Promise<string> {
  const server = trackServer(createServer(fetchListener(handler)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('fetchListener', () => {
  it('aborts request.signal and cancels the response body when the client leaves', async () => {
    let signal: AbortSignal | undefined;
    let cancelled = false;
    const url = await serve((req) => {
      signal = req.signal;
      const body = new ReadableStream<Uint8Array>({
        pull: (controller) => controller.enqueue(new Uint8Array(16 * 1024)),
        cancel: () => {
          cancelled = true;
        },
      });
      return new Response(body);
    });
    const req = request(`${url}/stream`, { agent: false });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    await once(res, 'data');
    req.destroy();
    expect(await waitFor(() => signal?.aborted === true && cancelled)).toBe(true);
  });

  it('answers 500 when the handler throws (and says why on stderr), and builds the URL from Host', async () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: string[] = [];
    const url = await serve((req) => {
      seen.push(req.url);
      throw new Error('handler bug (expected by this test)');
    });
    const req = request(`${url}/a//b?x=1`, { agent: false, headers: { Host: 'example.test:8080' } });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    expect(res.statusCode).toBe(500);
    await res.toArray();
    expect(seen).toEqual(['http://example.test:8080/a//b?x=1']);
    expect(stderr).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'handler bug (expected by this test)' }),
    );
    stderr.mockRestore();
  });
});
