import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Suites that need real programs (PostgreSQL, Chromium). They fail, never skip, when one is missing.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/**/*.integration.test.ts'],
    exclude: ['node_modules/**'],
    globalSetup: ['test/integration/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    passWithNoTests: false,
  },
});
