/**
 * The known keys of each state store's options, so a misspelt option is refused at construction
 * instead of silently leaving its default in force.
 *
 * @module
 */
import type { OptionShape } from '../core/options.js';
import type { MemoryStateStoreOptions } from './memory.js';
import type { PostgresStateStoreOptions } from './postgres.js';
import type { SqliteStateStoreOptions } from './sqlite.js';

/** Keys of {@link MemoryStateStoreOptions}. */
export const MEMORY_STORE_OPTION_SHAPE = { clock: true } as const satisfies OptionShape<MemoryStateStoreOptions>;

/** Keys of {@link SqliteStateStoreOptions}. */
export const SQLITE_STORE_OPTION_SHAPE = { path: true, clock: true, busyTimeoutMs: true } as const satisfies OptionShape<SqliteStateStoreOptions>;

/** Keys of {@link PostgresStateStoreOptions}. */
export const POSTGRES_STORE_OPTION_SHAPE = {
  connectionString: true,
  pool: true,
  schema: true,
  clock: true,
  maxConnections: true,
} as const satisfies OptionShape<PostgresStateStoreOptions>;
