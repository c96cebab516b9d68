// What each front server does on its own, shown on the real server: Apache's 411, nginx's $host, lighttpd's split.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from './support/cases-streams.js';
import { send } from './support/client.js';
import { HOST, headerOf, headers, json } from './support/differential.js';
import {
  backendValue,
  type FrontKind,
  type FrontOptions,
  startFrontServer,
} from './support/front-servers.js';
import { makeSandbox, writeHtpasswd, wwwData } from './support/sandbox.js';
import { describeFrontServer } from './support/suite.js';
import { type ScgiWorker, startScgiWorker } from './support/workers.js';

/** One express-app worker per server, and a way to run that server from examples/deploy, edited or not. */
function limitsOf(kind: FrontKind) {
  let sandbox: ReturnType<typeof makeSandbox> | undefined;
  let worker: ScgiWorker | undefined;
  let htpasswd = '';
  let runs = 0;
  beforeAll(async () => {
    sandbox = makeSandbox(`limits-${kind}`);
    htpasswd = writeHtpasswd(join(sandbox.dir, 'htpasswd'), wwwData());
    worker = await startScgiWorker('express', { socketPath: join(sandbox.dir, 'express.sock') }, wwwData());
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    sandbox?.remove();
  });
  /** Start the server (examples/deploy, optionally edited), run `check` against its port, stop it. */
  return async (check: (port: number) => Promise<void>, edit?: FrontOptions['edit']): Promise<void> => {
    runs += 1;
    const front = await startFrontServer(kind, {
      dir: join(sandbox!.dir, `${kind}-${runs}`),
      values: { BACKEND: backendValue(kind, worker!.backend), HTPASSWD: htpasswd },
      edit,
    });
    try {
      await check(front.port);
    } finally {
      await front.stop();
    }
  };
}

/** Take `line` out of the template that has it; fails if no template had it (the fix moved: update the test). */
function without(line: string): { edit: FrontOptions['edit']; removed: () => boolean } {
  let removed = false;
  return {
    edit: (_template, text) => {
      if (!text.includes(line)) return text;
      removed = true;
      return text.replace(line, `# (taken out by the test) ${line}`);
    },
    removed: () => removed,
  };
}

const small = multipartBody(randomBytes(256 * 1024));
const uploadRequest = (chunked: boolean) => ({
  method: 'POST',
  path: '/upload',
  headers: headers({ 'Content-Type': small.contentType }),
  body: small.body,
  chunked,
});

describeFrontServer('apache', () => {
  describe('limits', () => {
    const withApache = limitsOf('apache');

    it('chunked request body: 411 from Apache itself (mod_proxy_scgi needs a length); with one it works', async () => {
      await withApache(async (port) => {
        const chunked = await send(port, uploadRequest(true));
        expect(chunked.status).toBe(411);
        expect(chunked.body.toString()).toContain('Length Required'); // Apache's own page, not the app's
        const sized = await send(port, uploadRequest(false));
        expect(json(sized)).toMatchObject({ size: 256 * 1024, sha256: small.sha256 });
      });
    });

    it('without ap_trust_cgilike_cl, Apache drops the app’s Content-Length and re-chunks', async () => {
      // Large enough not to arrive in one piece: Apache computes a length itself for a body it has whole.
      const download = { path: '/download?bytes=1048576', headers: headers() };
      await withApache(async (port) => {
        expect(headerOf(await send(port, download), 'content-length')).toBe('1048576');
      });
      const fix = without('SetEnv ap_trust_cgilike_cl 1');
      await withApache(async (port) => {
        const answer = await send(port, download);
        expect(headerOf(answer, 'content-length')).toBeUndefined();
        expect(headerOf(answer, 'transfer-encoding')).toBe('chunked');
        expect(answer.body.length).toBe(1048576);
      }, fix.edit);
      expect(fix.removed()).toBe(true);
    });

    it('%2F in the path: 404 from Apache unless AllowEncodedSlashes NoDecode', async () => {
      const encoded = { path: '/echo/a%2Fb', headers: headers() };
      await withApache(async (port) => {
        const answer = await send(port, encoded);
        expect(json(answer)).toMatchObject({ url: '/echo/a%2Fb', path: '/echo/a/b' });
      });
      const fix = without('AllowEncodedSlashes NoDecode');
      await withApache(async (port) => {
        const answer = await send(port, encoded);
        expect(answer.status).toBe(404);
        expect(answer.body.toString()).toContain('<title>404 Not Found</title>'); // Apache's page
      }, fix.edit);
      expect(fix.removed()).toBe(true);
    });

    it('SCRIPT_NAME is the decoded path and PATH_INFO is unset; the app builds its URL from REQUEST_URI', async () => {
      await withApache(async (port) => {
        const answer = json(await send(port, { path: '/cgi/a/b%20c/d?x=1', headers: headers() }));
        expect(answer).toMatchObject({
          url: '/cgi/a/b%20c/d?x=1',
          cgi: { REQUEST_URI: '/cgi/a/b%20c/d?x=1', SCRIPT_NAME: '/cgi/a/b c/d', PATH_INFO: null },
        });
      });
    });
  });
});

describeFrontServer('nginx', () => {
  describe('limits', () => {
    const withNginx = limitsOf('nginx');

    it('Debian’s scgi_params send HTTP_HOST as $host, without the port; HTTP_HOST $http_host keeps it', async () => {
      const request = { path: '/cgi/host', headers: headers() };
      await withNginx(async (port) => {
        expect(json(await send(port, request)).cgi).toMatchObject({ HTTP_HOST: HOST }); // interop.test:8080
      });
      let replaced = false;
      // The snippet's own scgi_param lines swapped for Debian's file, as a site that includes it has them.
      const stock = (template: string, text: string) => {
        if (!template.endsWith('snippets/scgi-app.conf')) return text;
        replaced = true;
        return `include /etc/nginx/scgi_params;\n${text.replace(/^scgi_param .*$/gm, '')}`;
      };
      await withNginx(async (port) => {
        const answer = json(await send(port, request));
        expect(answer.cgi).toMatchObject({ HTTP_HOST: 'interop.test' });
      }, stock);
      expect(replaced).toBe(true);
    });

    it('chunked request body: nginx de-chunks it and sends a CONTENT_LENGTH', async () => {
      await withNginx(async (port) => {
        expect(json(await send(port, uploadRequest(true)))).toMatchObject({ sha256: small.sha256 });
      });
    });
  });
});

describeFrontServer('lighttpd', () => {
  describe('limits', () => {
    const withLighttpd = limitsOf('lighttpd');

    it('mounted at "/", lighttpd splits SCRIPT_NAME at the first segment; the app builds its URL from REQUEST_URI', async () => {
      const request = { path: '/cgi/a/b%20c/d?x=1', headers: headers() };
      const url = '/cgi/a/b%20c/d?x=1';
      await withLighttpd(async (port) => {
        expect(json(await send(port, request))).toMatchObject({
          url,
          cgi: { REQUEST_URI: url, SCRIPT_NAME: '', PATH_INFO: '/cgi/a/b c/d' },
        });
      });
      const fix = without('"fix-root-scriptname" => "enable",');
      await withLighttpd(async (port) => {
        expect(json(await send(port, request))).toMatchObject({
          url,
          cgi: { REQUEST_URI: url, SCRIPT_NAME: '/cgi', PATH_INFO: '/a/b c/d' },
        });
      }, fix.edit);
      expect(fix.removed()).toBe(true);
    });

    it('chunked request body: lighttpd de-chunks it and sends a CONTENT_LENGTH', async () => {
      await withLighttpd(async (port) => {
        expect(json(await send(port, uploadRequest(true)))).toMatchObject({ sha256: small.sha256 });
      });
    });
  });
});
