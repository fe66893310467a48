/**
 * Vitest global setup for the integration suites: a throwaway PostgreSQL cluster
 * ({@link startPgCluster}). Hands the connection string to the tests (`inject('ctPgUrl')` and
 * `process.env.CT_PG_URL`), and stops and removes the cluster afterwards. It FAILS, never skips,
 * when the PostgreSQL server binaries are missing.
 */
import type { TestProject } from 'vitest/node';
import { startPgCluster } from './pg-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ctPgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPgCluster('cliniko_tradify_test');
  process.env.CT_PG_URL = cluster.url;
  project.provide('ctPgUrl', cluster.url);
  return async () => cluster.stop();
}
