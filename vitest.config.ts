import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, so a failing test points at the line that is wrong.
    alias: { '@dualtape/core': src('core'), '@dualtape/losses': src('losses'), '@dualtape/zoo': src('zoo') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // In CI, also write the results as JSON so that .ci/run can print a plain "N passed, M failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest/results.json' }]] : ['default'],
    testTimeout: 60_000,
  },
});
