// What only the front server can give: REMOTE_USER from its basic auth, HTTPS=on from its config.
import { expect } from 'vitest';
import type { InteropCase } from './case.js';
import { send } from './client.js';
import { headerOf, headers, json } from './differential.js';
import { BASIC_USER } from './sandbox.js';
import type { Stack } from './stack.js';

const AUTHORIZATION = `Basic ${Buffer.from(`${BASIC_USER.name}:${BASIC_USER.password}`).toString('base64')}`;

/**
 * node:http has no web server in front to authenticate or terminate TLS, so these cases compare the
 * fronted answer with the expected value, and show the direct app's answer for the same request.
 */
export const FRONT_CASES: InteropCase[] = [
  {
    title: 'REMOTE_USER from basic auth',
    async run(stack: Stack) {
      const refused = await send(stack.front.port, { path: '/whoami', headers: headers() });
      expect(refused.status).toBe(401); // the front server, not the app, asks for credentials
      expect(headerOf(refused, 'www-authenticate')).toMatch(/^Basic realm="scgi-app"/);
      const outgoing = { path: '/whoami', headers: headers({ Authorization: AUTHORIZATION }) };
      const fronted = await send(stack.front.port, outgoing);
      expect(fronted.status).toBe(200);
      expect(json(fronted).remoteUser).toBe(BASIC_USER.name);
      const direct = await send(stack.direct.port, outgoing);
      expect(json(direct).remoteUser).toBeNull(); // no REMOTE_USER without a web server
    },
  },
  {
    title: 'HTTPS=on makes the protocol https',
    async run(stack: Stack) {
      const outgoing = { path: '/whoami', headers: headers({ Authorization: AUTHORIZATION }) };
      const offloaded = json(await send(stack.front.offloadPort, outgoing));
      expect(offloaded.protocol).toBe('https'); // req.protocol, ctx.protocol, Hono's URL scheme
      if (stack.framework === 'hono') expect(offloaded.url).toMatch(/^https:\/\/interop\.test:8080\//);
      else expect(offloaded.secure).toBe(true);
      expect(json(await send(stack.front.port, outgoing)).protocol).toBe('http');
      expect(json(await send(stack.direct.port, outgoing)).protocol).toBe('http');
    },
  },
];
