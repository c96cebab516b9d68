// Where the interop tests find the deployment templates and the built example apps.
import { fileURLToPath } from 'node:url';

/** examples/deploy/: the nginx, Apache and lighttpd configs the tests render and run. */
export const DEPLOY_DIR = fileURLToPath(new URL('../../../examples/deploy/', import.meta.url));

/** The example apps, each with dist/scgi.js (SCGI worker) and dist/http.js (node:http). */
export const FRAMEWORKS = ['express', 'koa', 'hono'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** `examples/<framework>-app/dist/<entry>.js`. */
export function exampleEntry(framework: Framework, entry: 'scgi' | 'http'): string {
  return fileURLToPath(new URL(`../../../examples/${framework}-app/dist/${entry}.js`, import.meta.url));
}
