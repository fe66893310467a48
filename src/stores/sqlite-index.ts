/**
 * `cliniko-tradify/sqlite`: the SQLite state store. This entry loads better-sqlite3 (a native
 * module, an optional dependency); the main entry never does.
 *
 * @packageDocumentation
 */

export { SqliteStateStore } from './sqlite.js';
export type { SqliteStateStoreOptions } from './sqlite.js';
