/**
 * `cliniko-tradify/worker`: the multi-account runner on pg-boss and PostgreSQL. This entry loads
 * `pg` and `pg-boss` (optional peer dependencies); the main entry never does.
 *
 * @packageDocumentation
 */

export { startWorker, WORKER_QUEUES } from './worker.js';
export type {
  StartWorkerOptions,
  WorkerHandle,
  WorkerAccount,
  AccountCredentials,
  WorkerJobKind,
  WorkerJobData,
  WorkerJobResult,
  WorkerEngine,
  WorkerEngineContext,
} from './worker.js';
export { PostgresStateStore } from '../stores/postgres.js';
export type { PostgresStateStoreOptions } from '../stores/postgres.js';
