// One framework's stack for a front server: the app on node:http, the same app as an SCGI worker, the server.
import { join } from 'node:path';
import { backendValue, type FrontKind, type FrontServer, startFrontServer } from './front-servers.js';
import type { Framework } from './paths.js';
import type { Account } from './sandbox.js';
import { type HttpApp, type ScgiWorker, startHttpApp, startScgiWorker } from './workers.js';

export type Transport = 'unix' | 'tcp';

/** Everything a case needs: the direct app, the worker behind the front server, the server. */
export interface Stack {
  readonly kind: FrontKind;
  readonly framework: Framework;
  readonly transport: Transport;
  readonly direct: HttpApp;
  readonly worker: ScgiWorker;
  readonly front: FrontServer;
}

/** Start the three processes of one stack inside `dir` (a sandbox folder www-data can reach). */
export async function startStack(
  kind: FrontKind,
  framework: Framework,
  transport: Transport,
  settings: { dir: string; account: Account; htpasswd: string },
): Promise<Stack> {
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const direct = await startHttpApp(framework);
    started.push(direct);
    const worker = await startScgiWorker(
      framework,
      transport === 'tcp' ? 'tcp' : { socketPath: join(settings.dir, `${framework}.sock`) },
      settings.account,
    );
    started.push(worker);
    const front = await startFrontServer(kind, {
      dir: join(settings.dir, `${kind}-${framework}`),
      values: { BACKEND: backendValue(kind, worker.backend), HTPASSWD: settings.htpasswd },
    });
    return { kind, framework, transport, direct, worker, front };
  } catch (error) {
    await Promise.all(started.map((process) => process.stop()));
    throw error;
  }
}

/** Stop the front server first (so it does not log the worker going away), then both apps. */
export async function stopStack(stack: Stack | undefined): Promise<void> {
  if (stack === undefined) return;
  await stack.front.stop();
  await Promise.all([stack.worker.stop(), stack.direct.stop()]);
}
