// The CGI variables the gateway sends, against what nginx 1.22 (Debian scgi_params) sent for the same requests.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { scgiRequest } from '@scgi-node/core';
import { describe, expect, it } from 'vitest';
import { openClient } from './test-support/http-client.js';
import { bodyBytes, type NginxCase, nginxCase, requestBytes } from './test-support/nginx-cases.js';
import { startBackend, startGateway } from './test-support/servers.js';

// The nginx under test had `server_name localhost; root /tmp/fe-matrix/nginx/htdocs;`: the gateway is
// given the same two values through its options.
const NGINX_OPTIONS = { serverName: 'localhost', documentRoot: '/tmp/fe-matrix/nginx/htdocs' };
const NGINX_PORT = '18080';

/**
 * The documented differences (README, "Differences from nginx"), applied to nginx's variables to give
 * what the gateway must send: the rest must be identical, in the same order.
 */
const NOT_FORWARDED = new Set(['HTTP_CONNECTION', 'HTTP_CONTENT_LENGTH', 'HTTP_TRANSFER_ENCODING']);
function expectedFromNginx(pairs: Array<[string, string]>, overrides: Record<string, string> = {}) {
  return pairs
    .filter(([name]) => name !== 'SCGI' && !NOT_FORWARDED.has(name))
    .map(([name, value]): [string, string] => {
      if (name in overrides) return [name, overrides[name]!];
      // Raw Host, port kept (nginx's Debian scgi_params sends $host, which drops it).
      if (name === 'HTTP_HOST') return [name, `${value}:${NGINX_PORT}`];
      return [name, value];
    });
}

interface Seen {
  pairs: Array<[string, string]>;
  bodyLength: number;
  sha256: string;
  firstMiBSha256: string;
}

async function replay(testCase: NginxCase, body: Buffer) {
  let resolveSeen: (seen: Seen) => void;
  const seen = new Promise<Seen>((resolve) => {
    resolveSeen = resolve;
  });
  const backend = await startBackend(async (req, res) => {
    const received = Buffer.concat(await req.toArray());
    const flat = scgiRequest(req)!.pairs;
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    resolveSeen({
      pairs,
      bodyLength: received.length,
      sha256: sha(received),
      firstMiBSha256: sha(received.subarray(0, 1024 * 1024)),
    });
    res.end('ok');
  });
  const gateway = await startGateway({ target: backend, ...NGINX_OPTIONS });
  const client = await openClient(gateway.port);
  const clientPort = String(client.localPort);
  // The app's whole reply: the head, then no body for HEAD, else "ok" (chunked, or to the close for 1.0).
  const complete = testCase.request.method === 'HEAD' ? /\r\n\r\n$/ : /\r\n\r\n(?:2\r\nok\r\n0\r\n\r\n|ok)$/;
  let text = '';
  const replied = new Promise<void>((resolve) => {
    client.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (complete.test(text)) resolve();
    });
    client.on('close', () => resolve());
  });
  client.write(requestBytes(testCase.request, body));
  const result = await seen;
  await replied;
  client.destroy();
  expect(text).toMatch(/^HTTP\/1\.[01] 200 OK\r\n/);
  expect(text).toMatch(complete);
  return { ...result, gatewayPort: String(gateway.port), clientPort };
}

function checkAgainstNginx(
  seen: Awaited<ReturnType<typeof replay>>,
  testCase: NginxCase,
  overrides: Record<string, string> = {},
) {
  // SCGI=1 comes second (encodeRequestHead; Apache does the same), nginx puts it eighth.
  expect(seen.pairs.slice(0, 2)).toEqual([
    ['CONTENT_LENGTH', overrides.CONTENT_LENGTH ?? testCase.nginx.pairs[0]![1]],
    ['SCGI', '1'],
  ]);
  const ours = seen.pairs.filter(([name]) => name !== 'SCGI');
  const expected = expectedFromNginx(testCase.nginx.pairs, {
    // Per connection: the client's port, and the port the gateway listens on.
    REMOTE_PORT: seen.clientPort,
    SERVER_PORT: seen.gatewayPort,
    ...overrides,
  });
  expect(ours.map(([name]) => name)).toEqual(expected.map(([name]) => name));
  expect(ours).toEqual(expected);
}

describe('the gateway sends what nginx sends', () => {
  const same = ['get', 'get_paths', 'get_root', 'head', 'underscore', 'underscore_collide', 'dups', 'http10'];
  for (const name of [...same, 'post_small', 'post_1m', 'chunked', 'chunked_raw']) {
    it(`${name}: same variables in the same order, same body`, async () => {
      const testCase = nginxCase(name);
      const seen = await replay(testCase, bodyBytes(testCase.request.body));
      checkAgainstNginx(seen, testCase);
      expect([seen.bodyLength, seen.sha256]).toEqual([testCase.nginx.body_len, testCase.nginx.body_sha256]);
    });
  }

  it('a 5 MB upload: the variables of nginx post_1m with the new length, and every byte', async () => {
    const testCase = nginxCase('post_1m');
    const size = 5 * 1024 * 1024;
    const headers = testCase.request.headers.map(([name, value]): [string, string] =>
      name === 'Content-Length' ? [name, String(size)] : [name, value],
    );
    const seen = await replay(
      { ...testCase, request: { ...testCase.request, headers } },
      bodyBytes(testCase.request.body, size),
    );
    checkAgainstNginx(seen, testCase, { CONTENT_LENGTH: String(size) });
    expect(seen.bodyLength).toBe(size);
    // The body is i % 256, so its first MiB is exactly the body nginx forwarded in the capture.
    expect(seen.firstMiBSha256).toBe(testCase.nginx.body_sha256);
  });

  it('get_dotdot: DOCUMENT_URI keeps `//` and `..` (nginx normalises them; documented difference)', async () => {
    const testCase = nginxCase('get_dotdot');
    const seen = await replay(testCase, Buffer.alloc(0));
    expect(testCase.nginx.pairs).toContainEqual(['DOCUMENT_URI', '/x/z']);
    checkAgainstNginx(seen, testCase, { DOCUMENT_URI: '/x//y/../z' });
  });

  it('without serverName and documentRoot: SERVER_NAME from Host, no DOCUMENT_ROOT', async () => {
    const backend = await startBackend((req, res) => res.end(JSON.stringify(scgiRequest(req)!.env)));
    const gateway = await startGateway({ target: backend });
    const client = await openClient(gateway.port);
    const chunks: Buffer[] = [];
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.write('GET / HTTP/1.1\r\nHost: example.test:8080\r\nConnection: close\r\n\r\n');
    await once(client, 'close');
    const text = Buffer.concat(chunks).toString();
    const env = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as Record<
      string,
      string
    >;
    expect(env).toMatchObject({ SERVER_NAME: 'example.test', HTTP_HOST: 'example.test:8080' });
    expect(env.DOCUMENT_ROOT).toBeUndefined();
    expect(env.SERVER_ADDR).toBeUndefined();
  });
});
