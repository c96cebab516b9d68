// Express 4 and 5 over SCGI: error handling, routers and mounted sub-apps, and trust proxy.
import { request } from '@scgi-node/core';
import { describe, expect, it } from 'vitest';
import {
  EXPRESS_VERSIONS,
  listen,
  type NextFunction,
  type Request,
  type Response,
} from './support/express-harness.js';

describe.each(EXPRESS_VERSIONS)('$name over SCGI: routing and errors', ({ express, major }) => {
  it("next(err) and a thrown error reach the app's error handler as 500; the server keeps serving", async () => {
    const app = express();
    app.get('/next', (_req, _res, next) => next(new Error('passed to next')));
    app.get('/throw', () => {
      throw new Error('thrown in route');
    });
    app.get('/ok', (_req, res) => res.send('fine'));
    app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).json({ error: error.message });
    });
    const server = await listen(app);
    for (const [url, message] of [
      ['/next', 'passed to next'],
      ['/throw', 'thrown in route'],
    ]) {
      const response = await request(server, { url });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: message });
    }
    expect(await (await request(server, { url: '/ok' })).text()).toBe('fine');
  });

  it("without an error handler, finalhandler's 500 page is written and the server goes on", async () => {
    const app = express();
    app.get('/throw', () => {
      throw new Error('unhandled in route');
    });
    app.get('/ok', (_req, res) => res.send('fine'));
    const server = await listen(app);
    const response = await request(server, { url: '/throw' });
    expect(response.rawHead.startsWith('Status: 500 Internal Server Error\r\n')).toBe(true);
    expect(await response.text()).toContain('unhandled in route');
    expect(await (await request(server, { url: '/ok' })).text()).toBe('fine');
  });

  if (major === 5) {
    it('a rejected async route handler becomes a 500 (Express 5)', async () => {
      const app = express();
      app.get('/async', async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('rejected later');
      });
      app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
        res.status(500).send(`handled: ${error.message}`);
      });
      const server = await listen(app);
      const response = await request(server, { url: '/async' });
      expect(response.status).toBe(500);
      expect(await response.text()).toBe('handled: rejected later');
    });
  }

  it('express.Router and a sub-app mounted with app.use see the right baseUrl, originalUrl and path', async () => {
    const app = express();
    const router = express.Router();
    router.get('/items/:id', (req, res) => {
      const { baseUrl, originalUrl, path, url } = req;
      res.json({ baseUrl, originalUrl, path, url, id: req.params.id });
    });
    const subApp = express();
    subApp.get('/hello', (req, res) => {
      const { baseUrl, originalUrl, path, url } = req;
      res.json({ baseUrl, originalUrl, path, url, mountpath: subApp.mountpath });
    });
    app.use('/api', router);
    app.use('/sub', subApp);
    const server = await listen(app);
    const routed = await request(server, { url: '/api/items/9?x=1' });
    expect(await routed.json()).toEqual({
      baseUrl: '/api',
      originalUrl: '/api/items/9?x=1',
      path: '/items/9',
      url: '/items/9?x=1',
      id: '9',
    });
    const mounted = await request(server, { url: '/sub/hello?y=2' });
    expect(await mounted.json()).toEqual({
      baseUrl: '/sub',
      originalUrl: '/sub/hello?y=2',
      path: '/hello',
      url: '/hello?y=2',
      mountpath: '/sub',
    });
  });

  it('req.ip, req.protocol, req.secure, req.hostname: X-Forwarded-* honoured only with trust proxy', async () => {
    const app = express();
    app.get('/who', (req, res) => {
      res.json({ ip: req.ip, protocol: req.protocol, secure: req.secure, hostname: req.hostname });
    });
    const server = await listen(app);
    const ask = async (env: Record<string, string> = {}) => {
      const response = await request(server, {
        url: '/who',
        headers: {
          Host: 'internal.test:8080',
          'X-Forwarded-For': '198.51.100.1',
          'X-Forwarded-Proto': 'https',
          'X-Forwarded-Host': 'public.example',
        },
        env: { REMOTE_ADDR: '203.0.113.5', ...env },
      });
      return response.json();
    };
    const direct = { ip: '203.0.113.5', protocol: 'http', secure: false, hostname: 'internal.test' };
    expect(await ask()).toEqual(direct);
    expect(await ask({ HTTPS: 'on' })).toEqual({ ...direct, protocol: 'https', secure: true });
    app.set('trust proxy', true);
    expect(await ask()).toEqual({
      ip: '198.51.100.1',
      protocol: 'https',
      secure: true,
      hostname: 'public.example',
    });
    app.set('trust proxy', '10.0.0.0/8');
    expect(await ask()).toEqual(direct);
    expect(await ask({ REMOTE_ADDR: '10.1.2.3' })).toEqual({
      ip: '198.51.100.1',
      protocol: 'https',
      secure: true,
      hostname: 'public.example',
    });
  });
});
