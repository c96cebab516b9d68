// Registers the whole case table for one front server: `<server> › <framework> over <transport> › <case>`.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { announceSkipped, INSTALL_HINT, INTEROP_REQUIRED, whyUnavailable } from './availability.js';
import type { InteropCase } from './case.js';
import { BASIC_CASES } from './cases-basic.js';
import { FRONT_CASES } from './cases-front.js';
import { STREAM_CASES } from './cases-streams.js';
import type { FrontKind } from './front-servers.js';
import { FRAMEWORKS, type Framework } from './paths.js';
import { makeSandbox, writeHtpasswd, wwwData } from './sandbox.js';
import { type Stack, startStack, stopStack, type Transport } from './stack.js';

/** Every case, in the order they run and appear in the compatibility table. */
export const CASES: InteropCase[] = [...BASIC_CASES, ...STREAM_CASES, ...FRONT_CASES];

/** Per server, the framework whose worker listens on TCP (the others on unix sockets): each server gets both. */
export const TCP_FRAMEWORK: Record<FrontKind, Framework> = {
  nginx: 'hono',
  apache: 'express',
  lighttpd: 'koa',
};

const STARTUP_TIMEOUT_MS = 120_000;

/** `describe` for one front server; if it cannot run here: skipped with one notice, or a failure under CI. */
export function describeFrontServer(kind: FrontKind, body: () => void): void {
  const reason = whyUnavailable(kind);
  if (reason === undefined) {
    describe(kind, body);
  } else if (INTEROP_REQUIRED) {
    describe(kind, () => {
      it('can run (SCGI_NODE_INTEROP=required)', () => {
        throw new Error(`${reason}, and SCGI_NODE_INTEROP=required: ${INSTALL_HINT}, run as root`);
      });
    });
  } else {
    announceSkipped();
    describe.skip(kind, body);
  }
}

/** The differential suite of one front server: for each example app, every case of CASES. */
export function defineInteropSuite(kind: FrontKind): void {
  describeFrontServer(kind, () => {
    let sandbox: ReturnType<typeof makeSandbox> | undefined;
    let htpasswd = '';
    beforeAll(() => {
      sandbox = makeSandbox(`interop-${kind}`);
      htpasswd = writeHtpasswd(join(sandbox.dir, 'htpasswd'), wwwData());
    });
    afterAll(() => sandbox?.remove());

    for (const framework of FRAMEWORKS) {
      const transport: Transport = TCP_FRAMEWORK[kind] === framework ? 'tcp' : 'unix';
      describe(`${framework} over ${transport === 'tcp' ? 'TCP' : 'a unix socket'}`, () => {
        let stack: Stack | undefined;
        beforeAll(async () => {
          stack = await startStack(kind, framework, transport, {
            dir: sandbox!.dir,
            account: wwwData(),
            htpasswd,
          });
        }, STARTUP_TIMEOUT_MS);
        afterAll(() => stopStack(stack), 30_000);

        for (const testCase of CASES) {
          it(
            testCase.title,
            ({ task }) =>
              testCase.run(stack!, (key, value) => {
                (task.meta as Record<string, unknown>)[key] = value;
              }),
            testCase.timeoutMs ?? 30_000,
          );
        }
      });
    }
  });
}
