// Build step: the CGI bridge as a few bundled files (dist/scgi-cgi/), since a CGI program pays its start-up
// on every request. One entry for the request path; activation and response buffering stay in split
// chunks, read only when needed. bench/cgi/startup.mjs measures it against the unbundled dist/cgi-bridge/cli.js.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'scgi-cgi');
rmSync(outdir, { recursive: true, force: true });
await build({
  // cli.js is the `scgi-cgi` bin; index.js is `@scgi-node/gateway/cgi-bridge` (what `scgi-node cgi` loads).
  entryPoints: [join(root, 'dist', 'cgi-bridge', 'cli.js'), join(root, 'dist', 'cgi-bridge', 'index.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
