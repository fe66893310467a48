/**
 * `cliniko-tradify/postgres`: the PostgreSQL state store for fleets. This entry loads `pg` (an
 * optional peer dependency); the main entry never does.
 *
 * @packageDocumentation
 */

export { PostgresStateStore } from './postgres.js';
export type { PostgresStateStoreOptions } from './postgres.js';
