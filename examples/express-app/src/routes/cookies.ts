// Cookies: /cookies/set sets a plain and a signed cookie, /cookies shows what the browser sent back.
import express, { type Router } from 'express';
import { page, table } from '../html.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Routes under /cookies; cookie-parser (with the app's secret) runs before them. */
export function cookieRoutes(): Router {
  const router = express.Router();

  router.get('/set', (_req, res) => {
    res.cookie('theme', 'dark', { maxAge: DAY_MS, sameSite: 'lax' });
    res.cookie('session', 'visitor-42', { maxAge: DAY_MS, sameSite: 'lax', httpOnly: true, signed: true });
    res.redirect('/cookies');
  });

  router.get('/clear', (_req, res) => {
    res.clearCookie('theme').clearCookie('session');
    res.redirect('/cookies');
  });

  router.get('/', (req, res) => {
    const shown = { cookies: req.cookies as unknown, signedCookies: req.signedCookies as unknown };
    res.format({
      json: () => res.json(shown),
      html: () =>
        res.send(
          page(
            'Cookies',
            `<h2>Plain</h2>\n${table(req.cookies as Record<string, unknown>)}\n` +
              `<h2>Signed</h2>\n${table(req.signedCookies as Record<string, unknown>)}\n` +
              '<p><a href="/cookies/set">Set two cookies</a> · <a href="/cookies/clear">Clear them</a></p>',
          ),
        ),
    });
  });

  return router;
}
