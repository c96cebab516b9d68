import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// test/cgi runs the bridge under a real lighttpd (mod_cgi). Without it, those files are left out with one
// line saying how to run them; in CI (SCGI_NODE_INTEROP=required) they run, and fail if it is missing.
const LIGHTTPD = '/usr/sbin/lighttpd';
const skipCgi = !existsSync(LIGHTTPD) && process.env.SCGI_NODE_INTEROP !== 'required';
if (skipCgi) {
  console.warn(`[cgi] skipped test/cgi: ${LIGHTTPD} is not installed. To run it: apt-get install lighttpd`);
}

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(skipCgi ? ['cgi/**'] : [])],
    testTimeout: 60_000,
    pool: 'forks',
    // The JSON report lets `npm test` print one total for the whole workspace (scripts/run.mjs).
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
