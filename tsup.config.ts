import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'mapping/index': 'src/mapping/index.ts',
    'cliniko/index': 'src/cliniko/index.ts',
    'core/http-index': 'src/core/http-index.ts',
    'testing/index': 'src/testing/index.ts',
    'testing/msw': 'src/testing/msw.ts',
    'stores/sqlite-index': 'src/stores/sqlite-index.ts',
    'stores/postgres-index': 'src/stores/postgres-index.ts',
    'worker/index': 'src/worker/index.ts',
    'alerts/email-index': 'src/alerts/email-index.ts',
    'cli/main': 'src/cli/main.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  // Optional dependencies and optional peers load at run time, never bundled.
  external: ['better-sqlite3', 'pg', 'pg-boss', 'msw', 'msw/node', 'nodemailer'],
});
