import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^cliniko-tradify$/, replacement: src('index.ts') },
      { find: /^cliniko-tradify\/testing\/msw$/, replacement: src('testing/msw.ts') },
      { find: /^cliniko-tradify\/http$/, replacement: src('core/http-index.ts') },
      { find: /^cliniko-tradify\/sqlite$/, replacement: src('stores/sqlite-index.ts') },
      { find: /^cliniko-tradify\/postgres$/, replacement: src('stores/postgres-index.ts') },
      { find: /^cliniko-tradify\/email$/, replacement: src('alerts/email-index.ts') },
      { find: /^cliniko-tradify\/(.*)$/, replacement: src('$1/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.integration.test.ts', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
