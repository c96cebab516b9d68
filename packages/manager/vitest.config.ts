import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 20_000,
    pool: 'forks',
    // The JSON report lets `npm test` print one total for the whole workspace (scripts/run.mjs).
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
