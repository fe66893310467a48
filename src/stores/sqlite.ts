/**
 * A durable {@link StateStore} in one SQLite file, on better-sqlite3 (an optional dependency).
 * Import it from `cliniko-tradify/sqlite`; the main entry never loads the native module.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ClinikoTradifyError } from '../core/errors.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import type {
  AcquireLeaseOptions,
  AlertIncident,
  IncidentListFilter,
  AuditEntry,
  AuditListOptions,
  DeadLetter,
  DeadLetterListOptions,
  JsonValue,
  Lease,
  LinkKind,
  LinkListOptions,
  LinkRecord,
  LinkRemoval,
  LinkUpsert,
  NewAuditEntry,
  NewDeadLetter,
  NewReview,
  PageCommit,
  PageOptions,
  Review,
  ReviewListOptions,
  RunListOptions,
  RunRecord,
  RunStatus,
  SavedPlan,
  SeenEntry,
  StagingRow,
  StagingSelector,
  StateStore,
  StoreCallOptions,
  StorePage,
  StreamCursor,
  TradifyIndexEntry,
} from '../sync/ports.js';
import {
  acquireLeaseState,
  assertLeaseLive,
  assertSchemaNotNewer,
  decodeCursor,
  encodeCursor,
  isDeadLocalOwner,
  isLive,
  pageLimit,
  releaseLeaseState,
  renewLeaseState,
  throwIfAborted,
  timestampMs,
  takeoverReason,
  toLease,
  validatePageCommit,
  isUndelivered,
  type LeaseState,
  type TakeoverReason,
} from './common.js';
import { SQLITE_MIGRATIONS } from './sqlite-schema.js';
import { checkStateFile, makeStateFilesPrivate, refuseStatePath } from './sqlite-file.js';
import { VERSION } from '../version.js';
import { pageBySeq, rowMappers, type Row } from './rows.js';

/** Options of {@link SqliteStateStore}. */
export interface SqliteStateStoreOptions {
  /**
   * The database file, or `':memory:'`. It must be a regular file or not exist yet (it is then
   * created with mode 0600); a symbolic link, a device, a FIFO or a directory is refused, and
   * so is a side file (`-wal`, `-shm`, `-journal`) of any of those kinds. An existing file is
   * made 0600 once it has been checked.
   */
  path: string;
  /**
   * Epoch-ms clock for lease expiry and store timestamps.
   * @defaultValue `Date.now`
   */
  clock?: (() => number) | undefined;
  /**
   * How long a write waits for another process's transaction before failing.
   * @defaultValue 5000
   */
  busyTimeoutMs?: number | undefined;
}

/** Keys of {@link SqliteStateStoreOptions}. */
const SQLITE_STORE_OPTION_SHAPE = { path: true, clock: true, busyTimeoutMs: true } as const satisfies OptionShape<SqliteStateStoreOptions>;

type Db = Database.Database;

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const parse = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : fallback);
const INDEX_BY_COLUMN = { external_reference: 'tradify_index_by_ref', email_hash: 'tradify_index_by_email' } as const;
const idsJson = (ids: readonly string[]): string => JSON.stringify(ids);

/** JSON columns are text; booleans are 0/1. */
const { toLink, toDeadLetter, toReview, toAudit, toRun, toIncident, toStaging, toIndexEntry, toCursor } = rowMappers({ json: parse, bool: (value) => value === 1 });

/** A path naming a file on disk (not an in-memory database or a URI). */
const isFilePath = (path: string): boolean => path !== ':memory:' && !path.startsWith('file:');

/**
 * The `schema_version` row, read without writing anything (no DDL, no journal-mode change).
 *
 * @throws ConfigError when the file is not a SQLite database.
 */
function readSchemaStamp(db: Db, path: string): Row | undefined {
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
    return exists ? (db.prepare('SELECT * FROM schema_version').get() as Row | undefined) : undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') throw refuseStatePath(path, 'is not a SQLite database');
    throw error;
  }
}

const stateFile = (path: string) => ({ setting: 'path', name: `The state file ${path}` });

/**
 * Check the schema through a read-only connection. Used when a WAL file is present: the last
 * read-write connection to close would checkpoint that WAL into the file, which must not happen
 * to a file from a newer release.
 */
function assertSchemaKnownReadOnly(path: string, timeout: number): void {
  const reader = new Database(path, { readonly: true, fileMustExist: true, timeout });
  try {
    assertSchemaNotNewer(readSchemaStamp(reader, path), SQLITE_MIGRATIONS.length, stateFile(path));
  } finally {
    reader.close();
  }
}

/**
 * Bring the file to the latest schema in one transaction, recording which release did it. The
 * version is checked again inside the transaction, before any DDL, in case another process
 * upgraded the file since it was opened.
 */
function migrate(db: Db, path: string): void {
  const run = db.transaction(() => {
    const stamp = readSchemaStamp(db, path);
    assertSchemaNotNewer(stamp, SQLITE_MIGRATIONS.length, stateFile(path));
    if (!stamp) {
      db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
    }
    const from = Number(stamp?.version ?? 0);
    for (const sql of SQLITE_MIGRATIONS.slice(from)) db.exec(sql);
    if (from < SQLITE_MIGRATIONS.length) db.prepare('UPDATE schema_version SET version = ?, package_version = ?').run(SQLITE_MIGRATIONS.length, VERSION);
  });
  run.immediate();
}

/**
 * Open the file in the order that changes nothing that should not be changed: its kind is checked
 * before SQLite opens it, its schema version is read before anything is written, and only then
 * is its mode set, WAL turned on and the schema migrated.
 */
function openChecked(path: string, busyTimeoutMs: number): Db {
  const timeout = Math.max(0, Math.floor(busyTimeoutMs));
  if (isFilePath(path)) {
    checkStateFile(path);
    if (existsSync(`${path}-wal`)) assertSchemaKnownReadOnly(path, timeout);
  }
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${timeout}`);
    assertSchemaNotNewer(readSchemaStamp(db, path), SQLITE_MIGRATIONS.length, stateFile(path));
    if (isFilePath(path)) makeStateFilesPrivate(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db, path);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A {@link StateStore} in a SQLite file: WAL journal, `busy_timeout`, schema migrations
 * versioned in code (`schema_version` table; a file from a newer release is refused unchanged),
 * one transaction per {@link StateStore.commitPage}, file mode 0600. It frees a lease held by a
 * process on this host that has died (the owner string's `host:pid`) and ends that holder's
 * runs. It stores ids, timestamps, field names, reason codes and hashes only.
 *
 * @example
 * ```ts
 * import { SqliteStateStore } from 'cliniko-tradify/sqlite';
 * const store = new SqliteStateStore({ path: './cliniko-tradify.db' });
 * ```
 */
export class SqliteStateStore implements StateStore {
  readonly #db: Db;
  readonly #clock: () => number;

  /**
   * @throws ConfigError when the path (or a side file) is not a regular file or absent, is a
   * symbolic link, is not a SQLite database, or was written by a newer release; nothing is
   * changed then.
   */
  constructor(options: SqliteStateStoreOptions) {
    rejectUnknownOptions(options, SQLITE_STORE_OPTION_SHAPE, { owner: 'SqliteStateStore' });
    if (typeof options?.path !== 'string' || options.path.length === 0) {
      throw new ClinikoTradifyError('config_invalid', 'SqliteStateStore needs a `path` (a file name, or ":memory:").');
    }
    this.#clock = options.clock ?? Date.now;
    this.#db = cacheStatements(openChecked(options.path, options.busyTimeoutMs ?? 5_000));
  }

  /** The schema version the file is at (for diagnostics and tests). */
  schemaVersion(): number {
    return Number((this.#db.prepare('SELECT version FROM schema_version').get() as Row | undefined)?.version ?? 0);
  }

  /** The journal mode SQLite reports, `'wal'` once open. */
  journalMode(): string {
    return String(this.#db.pragma('journal_mode', { simple: true }));
  }

  #use(signal?: AbortSignal): Db {
    throwIfAborted(signal);
    if (!this.#db.open) throw new ClinikoTradifyError('state_conflict', 'State store: the store is closed');
    return this.#db;
  }

  // --- lease ---------------------------------------------------------------------------------

  #readLease(accountId: string): LeaseState {
    const r = this.#db.prepare('SELECT * FROM leases WHERE account_id = ?').get(accountId) as Row | undefined;
    if (!r) return { fence: 0n, holder: undefined };
    const holder =
      r.token === null
        ? undefined
        : { token: String(r.token), owner: String(r.owner), acquiredAt: Number(r.acquired_at), expiresAt: Number(r.expires_at), depth: Number(r.depth) };
    return { fence: BigInt(String(r.fence)), holder };
  }

  #writeLease(accountId: string, state: LeaseState): void {
    const h = state.holder;
    this.#db
      .prepare(
        `INSERT INTO leases (account_id, fence, token, owner, acquired_at, expires_at, depth) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id) DO UPDATE SET fence = excluded.fence, token = excluded.token, owner = excluded.owner,
           acquired_at = excluded.acquired_at, expires_at = excluded.expires_at, depth = excluded.depth`,
      )
      .run(accountId, state.fence.toString(), h?.token ?? null, h?.owner ?? null, h?.acquiredAt ?? null, h?.expiresAt ?? null, h?.depth ?? 0);
  }

  #leaseTransaction<T>(accountId: string, signal: AbortSignal | undefined, decide: (state: LeaseState, now: number) => { state: LeaseState; result: T }): T {
    const db = this.#use(signal);
    return db
      .transaction(() => {
        const { state, result } = decide(this.#readLease(accountId), this.#clock());
        this.#writeLease(accountId, state);
        return result;
      })
      .immediate();
  }

  async acquireLease(accountId: string, options: AcquireLeaseOptions): Promise<Lease> {
    return this.#leaseTransaction(accountId, options.signal, (current, now) => {
      const holderDied = current.holder !== undefined && isDeadLocalOwner(current.holder.owner);
      const state = acquireLeaseState(accountId, current, options, now, () => holderDied);
      const reason = options.reentrantToken === undefined ? takeoverReason(current, now, holderDied) : undefined;
      if (reason) this.#abortRunningRuns(accountId, reason, now);
      return { state, result: toLease(accountId, state) };
    });
  }

  /** End the runs a dead lease holder left `running` (called inside the takeover's transaction). */
  #abortRunningRuns(accountId: string, reason: TakeoverReason, now: number): void {
    this.#db.prepare(`UPDATE runs SET status = 'aborted', finished_at = ?, end_reason = ? WHERE account_id = ? AND status = 'running'`).run(now, reason, accountId);
  }

  async renewLease(accountId: string, token: string, ttlMs: number, options?: StoreCallOptions): Promise<Lease> {
    return this.#leaseTransaction(accountId, options?.signal, (current, now) => {
      const state = renewLeaseState(accountId, current, token, ttlMs, now);
      return { state, result: toLease(accountId, state) };
    });
  }

  async releaseLease(accountId: string, token: string, options?: StoreCallOptions): Promise<boolean> {
    return this.#leaseTransaction(accountId, options?.signal, (current, now) => {
      const { state, released } = releaseLeaseState(current, token, now);
      return { state, result: released };
    });
  }

  async getLease(accountId: string, options?: StoreCallOptions): Promise<Lease | undefined> {
    this.#use(options?.signal);
    const state = this.#readLease(accountId);
    return isLive(state, this.#clock()) ? toLease(accountId, state) : undefined;
  }

  // --- commitPage ------------------------------------------------------------------------------

  async commitPage(accountId: string, token: string, page: PageCommit, options?: StoreCallOptions): Promise<void> {
    const db = this.#use(options?.signal);
    db.transaction(() => {
      const now = this.#clock();
      assertLeaseLive(accountId, this.#readLease(accountId), token, now);
      validatePageCommit(page);
      this.#applyPage(accountId, page, now);
    }).immediate();
  }

  #applyPage(accountId: string, page: PageCommit, now: number): void {
    const db = this.#db;
    const putCursor = db.prepare(
      `INSERT INTO cursors (account_id, stream, updated_at, id, extra) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, stream) DO UPDATE SET updated_at = excluded.updated_at, id = excluded.id, extra = excluded.extra`,
    );
    for (const [stream, c] of Object.entries(page.cursors ?? {})) putCursor.run(accountId, stream, c.updatedAt, c.id, json(c.extra));
    const putSeen = db.prepare('INSERT OR IGNORE INTO seen (account_id, stream, id, updated_at, updated_ms) VALUES (?, ?, ?, ?, ?)');
    for (const [stream, rows] of Object.entries(page.seen ?? {})) {
      for (const r of rows) putSeen.run(accountId, stream, r.id, r.updatedAt, timestampMs(r.updatedAt));
    }
    const prune = db.prepare('DELETE FROM seen WHERE account_id = ? AND stream = ? AND updated_ms < ?');
    for (const [stream, before] of Object.entries(page.seenPruneBefore ?? {})) prune.run(accountId, stream, timestampMs(before));
    for (const link of page.links ?? []) this.#upsertLink(accountId, link, now);
    for (const removal of page.unlinks ?? []) this.#removeLink(accountId, removal, now);
    this.#writeHashes(accountId, page);
    for (const letter of page.deadLetters?.add ?? []) this.#addDeadLetter(accountId, letter, now);
    const close = db.prepare(
      `UPDATE dead_letters SET status = ?, closed_at = ?, resolution = ? WHERE account_id = ? AND stream = ? AND record_id = ? AND status = 'open'`,
    );
    for (const c of page.deadLetters?.close ?? []) close.run(c.status, now, c.resolution ?? c.status, accountId, c.stream, c.recordId);
    for (const review of page.reviews ?? []) this.#openReview(accountId, review, now);
    this.#appendAudit(accountId, page.audit ?? [], now);
    const putIndex = db.prepare(
      `INSERT OR REPLACE INTO tradify_index (account_id, kind, tradify_id, external_reference, email_hash, updated_at, active) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of page.tradifyIndex ?? []) {
      putIndex.run(accountId, e.kind, e.tradifyId, e.externalReference ?? null, e.emailHash ?? null, e.updatedAt ?? null, e.active === undefined ? null : e.active ? 1 : 0);
    }
  }

  #writeHashes(accountId: string, page: PageCommit): void {
    const put = this.#db.prepare('INSERT OR REPLACE INTO hashes (account_id, kind, cliniko_id, hash) VALUES (?, ?, ?, ?)');
    const forget = this.#db.prepare('DELETE FROM hashes WHERE account_id = ? AND kind = ? AND cliniko_id = ?');
    for (const h of page.hashes ?? []) {
      if (h.hash === null) forget.run(accountId, h.kind, h.clinikoId);
      else put.run(accountId, h.kind, h.clinikoId, h.hash);
    }
  }

  // --- cursors and seen ------------------------------------------------------------------------

  readonly cursors = {
    get: async (accountId: string, stream: string, options?: StoreCallOptions): Promise<StreamCursor | undefined> => {
      const r = this.#use(options?.signal).prepare('SELECT * FROM cursors WHERE account_id = ? AND stream = ?').get(accountId, stream) as Row | undefined;
      return r && toCursor(r);
    },
    list: async (accountId: string, options?: StoreCallOptions): Promise<Record<string, StreamCursor>> => {
      const rows = this.#use(options?.signal).prepare('SELECT * FROM cursors WHERE account_id = ? ORDER BY stream').all(accountId) as Row[];
      return Object.fromEntries(rows.map((r) => [String(r.stream), toCursor(r)]));
    },
  };

  readonly seen = {
    has: async (accountId: string, stream: string, entries: readonly SeenEntry[], options?: StoreCallOptions): Promise<boolean[]> => {
      const stmt = this.#use(options?.signal).prepare('SELECT 1 FROM seen WHERE account_id = ? AND stream = ? AND id = ? AND updated_at = ?').pluck();
      return entries.map((e) => stmt.get(accountId, stream, e.id, e.updatedAt) !== undefined);
    },
    count: async (accountId: string, stream: string, options?: StoreCallOptions): Promise<number> =>
      Number(this.#use(options?.signal).prepare('SELECT count(*) FROM seen WHERE account_id = ? AND stream = ?').pluck().get(accountId, stream)),
  };

  // --- links and hashes ------------------------------------------------------------------------

  #currentLink(accountId: string, kind: LinkKind, clinikoId: string): Row | undefined {
    return this.#db
      .prepare(`SELECT * FROM links WHERE account_id = ? AND kind = ? AND cliniko_id = ? AND status = 'current'`)
      .get(accountId, kind, clinikoId) as Row | undefined;
  }

  #upsertLink(accountId: string, input: LinkUpsert, now: number): void {
    const current = this.#currentLink(accountId, input.kind, input.clinikoId);
    const revision = input.revision ?? (current ? Number(current.revision) : 0);
    if (current && String(current.tradify_id) === input.tradifyId) {
      this.#db
        .prepare(
          `UPDATE links SET revision = ?, external_reference = coalesce(?, external_reference), tradify_updated_at = coalesce(?, tradify_updated_at),
             merged_into = coalesce(?, merged_into), updated_at = ? WHERE seq = ?`,
        )
        .run(revision, input.externalReference ?? null, input.tradifyUpdatedAt ?? null, input.mergedIntoClinikoId ?? null, now, current.seq);
      return;
    }
    if (current) {
      const reason = input.supersededReason ?? (revision > Number(current.revision) ? 'reissue' : 'relink');
      this.#supersede(Number(current.seq), reason, now);
    }
    this.#db
      .prepare(
        `INSERT INTO links (account_id, kind, cliniko_id, tradify_id, status, revision, external_reference, tradify_updated_at, merged_into, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'current', ?, ?, ?, ?, ?, ?)`,
      )
      .run(accountId, input.kind, input.clinikoId, input.tradifyId, revision, input.externalReference ?? null, input.tradifyUpdatedAt ?? null, input.mergedIntoClinikoId ?? null, now, now);
  }

  #supersede(seq: number, reason: string, now: number): void {
    this.#db.prepare(`UPDATE links SET status = 'superseded', superseded_at = ?, superseded_reason = ?, updated_at = ? WHERE seq = ?`).run(now, reason, now, seq);
  }

  #removeLink(accountId: string, removal: LinkRemoval, now: number): void {
    const current = this.#currentLink(accountId, removal.kind, removal.clinikoId);
    if (current) this.#supersede(Number(current.seq), removal.reason ?? 'unlinked', now);
  }

  readonly links = {
    getMany: async (accountId: string, kind: LinkKind, clinikoIds: readonly string[], options?: StoreCallOptions): Promise<Map<string, LinkRecord>> => {
      const rows = this.#use(options?.signal)
        .prepare(`SELECT * FROM links WHERE account_id = ? AND kind = ? AND status = 'current' AND cliniko_id IN (SELECT value FROM json_each(?))`)
        .all(accountId, kind, idsJson(clinikoIds)) as Row[];
      return new Map(rows.map((r) => [String(r.cliniko_id), toLink(r)]));
    },
    getByTradifyId: async (accountId: string, kind: LinkKind, tradifyId: string, options?: StoreCallOptions): Promise<LinkRecord | undefined> => {
      const r = this.#use(options?.signal)
        .prepare(
          `SELECT * FROM links WHERE account_id = ? AND kind = ? AND tradify_id = ?
           ORDER BY status = 'current' DESC, superseded_at DESC, seq DESC LIMIT 1`,
        )
        .get(accountId, kind, tradifyId) as Row | undefined;
      return r && toLink(r);
    },
    history: async (accountId: string, kind: LinkKind, clinikoId: string, options?: StoreCallOptions): Promise<LinkRecord[]> => {
      const rows = this.#use(options?.signal).prepare('SELECT * FROM links INDEXED BY links_by_cliniko WHERE account_id = ? AND kind = ? AND cliniko_id = ? ORDER BY seq').all(accountId, kind, clinikoId) as Row[];
      return rows.map(toLink);
    },
    list: async (accountId: string, options: LinkListOptions): Promise<StorePage<LinkRecord>> => {
      const db = this.#use(options.signal);
      const limit = pageLimit(options);
      const status = options.status ?? 'current';
      const [afterId, afterSeq] = options.cursor === undefined ? ['', '0'] : decodeCursor(options.cursor);
      const rows = db
        .prepare(
          `SELECT * FROM links WHERE account_id = ? AND kind = ? AND (? = 'all' OR status = ?)
             AND (length(cliniko_id), cliniko_id, seq) > (?, ?, ?)
           ORDER BY length(cliniko_id), cliniko_id, seq LIMIT ?`,
        )
        .all(accountId, options.kind, status, status, (afterId ?? '').length, afterId ?? '', Number(afterSeq ?? 0), limit + 1) as Row[];
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(toLink), next: rows.length > limit && last ? encodeCursor([String(last.cliniko_id), String(last.seq)]) : undefined };
    },
  };

  readonly hashes = {
    getMany: async (accountId: string, kind: string, clinikoIds: readonly string[], options?: StoreCallOptions): Promise<Map<string, string>> => {
      const rows = this.#use(options?.signal)
        .prepare('SELECT cliniko_id, hash FROM hashes WHERE account_id = ? AND kind = ? AND cliniko_id IN (SELECT value FROM json_each(?))')
        .all(accountId, kind, idsJson(clinikoIds)) as Row[];
      return new Map(rows.map((r) => [String(r.cliniko_id), String(r.hash)]));
    },
  };

  // --- dead letters ----------------------------------------------------------------------------

  #addDeadLetter(accountId: string, input: NewDeadLetter, now: number): DeadLetter {
    const db = this.#db;
    const paths = JSON.stringify(input.paths ?? []);
    const open = db
      .prepare(`SELECT id FROM dead_letters WHERE account_id = ? AND stream = ? AND record_id = ? AND status = 'open'`)
      .pluck()
      .get(accountId, input.stream, input.recordId);
    let id: number | bigint;
    if (open !== undefined) {
      db.prepare(
        `UPDATE dead_letters SET attempts = attempts + 1, last_attempt_at = ?, reason_code = ?, message = ?, paths = ?,
           updated_at = coalesce(?, updated_at) WHERE id = ?`,
      ).run(now, input.reasonCode, input.message, paths, input.updatedAt ?? null, open);
      id = open as number;
    } else {
      id = db
        .prepare(
          `INSERT INTO dead_letters (account_id, stream, record_id, updated_at, reason_code, message, paths, attempts, created_at, last_attempt_at, status)
           VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 'open')`,
        )
        .run(accountId, input.stream, input.recordId, input.updatedAt ?? null, input.reasonCode, input.message, paths, now, now).lastInsertRowid;
    }
    return toDeadLetter(db.prepare('SELECT * FROM dead_letters WHERE id = ?').get(id) as Row);
  }

  #closeById(accountId: string, id: string, status: 'resolved' | 'discarded', resolution: string | undefined, signal?: AbortSignal): DeadLetter | undefined {
    const db = this.#use(signal);
    db.prepare(`UPDATE dead_letters SET status = ?, closed_at = ?, resolution = ? WHERE account_id = ? AND id = ? AND status = 'open'`).run(
      status,
      this.#clock(),
      resolution ?? status,
      accountId,
      id,
    );
    const r = db.prepare('SELECT * FROM dead_letters WHERE account_id = ? AND id = ?').get(accountId, id) as Row | undefined;
    return r && toDeadLetter(r);
  }

  readonly deadLetters = {
    add: async (accountId: string, letter: NewDeadLetter, options?: StoreCallOptions): Promise<DeadLetter> => {
      const db = this.#use(options?.signal);
      validatePageCommit({ deadLetters: { add: [letter] } });
      return db.transaction(() => this.#addDeadLetter(accountId, letter, this.#clock())).immediate();
    },
    get: async (accountId: string, id: string, options?: StoreCallOptions): Promise<DeadLetter | undefined> => {
      const r = this.#use(options?.signal).prepare('SELECT * FROM dead_letters WHERE account_id = ? AND id = ?').get(accountId, id) as Row | undefined;
      return r && toDeadLetter(r);
    },
    list: async (accountId: string, options?: DeadLetterListOptions): Promise<StorePage<DeadLetter>> => {
      const limit = pageLimit(options);
      const rows = this.#use(options?.signal)
        .prepare(
          `SELECT * FROM dead_letters WHERE account_id = ? AND id > ? AND (? IS NULL OR status = ?) AND (? IS NULL OR stream = ?)
             AND (? IS NULL OR reason_code = ?) ORDER BY id LIMIT ?`,
        )
        .all(accountId, seqCursor(options), ...twice(options?.status), ...twice(options?.stream), ...twice(options?.reasonCode), limit + 1) as Row[];
      return pageBySeq(rows, limit, 'id', toDeadLetter);
    },
    resolve: async (accountId: string, id: string, resolution?: string, options?: StoreCallOptions) =>
      this.#closeById(accountId, id, 'resolved', resolution, options?.signal),
    discard: async (accountId: string, id: string, resolution?: string, options?: StoreCallOptions) =>
      this.#closeById(accountId, id, 'discarded', resolution, options?.signal),
  };

  // --- reviews ---------------------------------------------------------------------------------

  #openReview(accountId: string, input: NewReview, now: number): { review: Review; created: boolean } {
    const db = this.#db;
    const open = db
      .prepare(`SELECT * FROM reviews WHERE account_id = ? AND kind = ? AND record_id = ? AND reason_code = ? AND status = 'open'`)
      .get(accountId, input.kind, input.recordId, input.reasonCode) as Row | undefined;
    if (open) return { review: toReview(open), created: false };
    const id = db
      .prepare(`INSERT INTO reviews (account_id, kind, record_id, reason_code, detail, status, created_at) VALUES (?, ?, ?, ?, ?, 'open', ?)`)
      .run(accountId, input.kind, input.recordId, input.reasonCode, JSON.stringify(input.detail ?? {}), now).lastInsertRowid;
    return { review: toReview(db.prepare('SELECT * FROM reviews WHERE id = ?').get(id) as Row), created: true };
  }

  readonly reviews = {
    open: async (accountId: string, review: NewReview, options?: StoreCallOptions): Promise<{ review: Review; created: boolean }> => {
      const db = this.#use(options?.signal);
      validatePageCommit({ reviews: [review] });
      return db.transaction(() => this.#openReview(accountId, review, this.#clock())).immediate();
    },
    get: async (accountId: string, id: string, options?: StoreCallOptions): Promise<Review | undefined> => {
      const r = this.#use(options?.signal).prepare('SELECT * FROM reviews WHERE account_id = ? AND id = ?').get(accountId, id) as Row | undefined;
      return r && toReview(r);
    },
    list: async (accountId: string, options?: ReviewListOptions): Promise<StorePage<Review>> => {
      const limit = pageLimit(options);
      const rows = this.#use(options?.signal)
        .prepare(
          `SELECT * FROM reviews WHERE account_id = ? AND id > ? AND (? IS NULL OR status = ?) AND (? IS NULL OR kind = ?)
             AND (? IS NULL OR record_id = ?) ORDER BY id LIMIT ?`,
        )
        .all(accountId, seqCursor(options), ...twice(options?.status), ...twice(options?.kind), ...twice(options?.recordId), limit + 1) as Row[];
      return pageBySeq(rows, limit, 'id', toReview);
    },
    resolve: async (accountId: string, id: string, resolution: string, options?: StoreCallOptions): Promise<Review | undefined> => {
      const db = this.#use(options?.signal);
      db.prepare(`UPDATE reviews SET status = 'resolved', resolution = ?, resolved_at = ? WHERE account_id = ? AND id = ? AND status = 'open'`).run(
        resolution,
        this.#clock(),
        accountId,
        id,
      );
      const r = db.prepare('SELECT * FROM reviews WHERE account_id = ? AND id = ?').get(accountId, id) as Row | undefined;
      return r && toReview(r);
    },
  };

  // --- audit -----------------------------------------------------------------------------------

  #appendAudit(accountId: string, entries: readonly NewAuditEntry[], now: number): void {
    const insert = this.#db.prepare(
      `INSERT INTO audit (account_id, at, run_id, stream, action, cliniko_id, tradify_id, cliniko_created_at, cliniko_updated_at,
         tradify_updated_at, changed_fields, request_id, reason_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of entries) {
      insert.run(
        accountId,
        e.at ?? now,
        e.runId ?? null,
        e.stream,
        e.action,
        e.clinikoId ?? null,
        e.tradifyId ?? null,
        e.clinikoCreatedAt ?? null,
        e.clinikoUpdatedAt ?? null,
        e.tradifyUpdatedAt ?? null,
        JSON.stringify(e.changedFields ?? []),
        e.requestId ?? null,
        e.reasonCode ?? null,
      );
    }
  }

  readonly audit = {
    append: async (accountId: string, entries: readonly NewAuditEntry[], options?: StoreCallOptions): Promise<void> => {
      const db = this.#use(options?.signal);
      validatePageCommit({ audit: [...entries] });
      db.transaction(() => this.#appendAudit(accountId, entries, this.#clock())).immediate();
    },
    list: async (accountId: string, options?: AuditListOptions): Promise<StorePage<AuditEntry>> => {
      const o = options ?? {};
      const limit = pageLimit(o);
      const rows = this.#use(o.signal)
        .prepare(
          `SELECT * FROM audit WHERE account_id = ? AND id > ? AND (? IS NULL OR run_id = ?) AND (? IS NULL OR stream = ?)
             AND (? IS NULL OR action = ?) AND (? IS NULL OR cliniko_id = ?) AND (? IS NULL OR tradify_id = ?)
             AND (? IS NULL OR at >= ?) AND (? IS NULL OR at < ?) ORDER BY id LIMIT ?`,
        )
        .all(
          accountId,
          seqCursor(o),
          ...twice(o.runId),
          ...twice(o.stream),
          ...twice(o.action),
          ...twice(o.clinikoId),
          ...twice(o.tradifyId),
          ...twice(o.since),
          ...twice(o.until),
          limit + 1,
        ) as Row[];
      return pageBySeq(rows, limit, 'id', toAudit);
    },
    prune: async (accountId: string, before: number, options?: StoreCallOptions): Promise<number> =>
      this.#use(options?.signal).prepare('DELETE FROM audit WHERE account_id = ? AND at < ?').run(accountId, before).changes,
  };

  // --- runs ------------------------------------------------------------------------------------

  readonly runs = {
    start: async (accountId: string, run: { kind: string; id?: string | undefined }, options?: StoreCallOptions): Promise<RunRecord> => {
      const db = this.#use(options?.signal);
      const id = run.id ?? randomUUID();
      const exists = db.prepare('SELECT 1 FROM runs WHERE account_id = ? AND id = ?').get(accountId, id);
      if (exists) throw new ClinikoTradifyError('state_conflict', `State store: run '${id}' already exists`);
      db.prepare(`INSERT INTO runs (account_id, id, kind, status, started_at) VALUES (?, ?, ?, 'running', ?)`).run(accountId, id, run.kind, this.#clock());
      return toRun(db.prepare('SELECT * FROM runs WHERE account_id = ? AND id = ?').get(accountId, id) as Row);
    },
    finish: async (
      accountId: string,
      runId: string,
      result: { status: Exclude<RunStatus, 'running'>; summary?: Record<string, JsonValue> | undefined },
      options?: StoreCallOptions,
    ): Promise<RunRecord | undefined> => {
      const db = this.#use(options?.signal);
      db.prepare('UPDATE runs SET status = ?, finished_at = ?, summary = ?, end_reason = NULL WHERE account_id = ? AND id = ?').run(
        result.status,
        this.#clock(),
        json(result.summary),
        accountId,
        runId,
      );
      const r = db.prepare('SELECT * FROM runs WHERE account_id = ? AND id = ?').get(accountId, runId) as Row | undefined;
      return r && toRun(r);
    },
    get: async (accountId: string, runId: string, options?: StoreCallOptions): Promise<RunRecord | undefined> => {
      const r = this.#use(options?.signal).prepare('SELECT * FROM runs WHERE account_id = ? AND id = ?').get(accountId, runId) as Row | undefined;
      return r && toRun(r);
    },
    last: async (accountId: string, filter?: { kind?: string | undefined; status?: RunStatus | undefined }, options?: StoreCallOptions) =>
      (await this.runs.list(accountId, { ...filter, limit: 1, signal: options?.signal })).items[0],
    list: async (accountId: string, options?: RunListOptions): Promise<StorePage<RunRecord>> => {
      const limit = pageLimit(options);
      const before = options?.cursor === undefined ? Number.MAX_SAFE_INTEGER : Number(options.cursor);
      const rows = this.#use(options?.signal)
        .prepare(
          `SELECT * FROM runs WHERE account_id = ? AND seq < ? AND (? IS NULL OR kind = ?) AND (? IS NULL OR status = ?)
           ORDER BY seq DESC LIMIT ?`,
        )
        .all(accountId, before, ...twice(options?.kind), ...twice(options?.status), limit + 1) as Row[];
      return pageBySeq(rows, limit, 'seq', toRun);
    },
  };

  // --- incidents, plans ------------------------------------------------------------------------

  readonly incidents = {
    get: async (accountId: string, fingerprint: string, options?: StoreCallOptions): Promise<AlertIncident | undefined> => {
      const r = this.#use(options?.signal).prepare('SELECT * FROM incidents WHERE account_id = ? AND fingerprint = ?').get(accountId, fingerprint) as
        | Row
        | undefined;
      return r && toIncident(r);
    },
    put: async (accountId: string, i: AlertIncident, options?: StoreCallOptions): Promise<void> => {
      this.#use(options?.signal)
        .prepare(
          `INSERT OR REPLACE INTO incidents (account_id, fingerprint, first_seen_at, last_seen_at, last_alerted_at, count, state, alert, deliveries, undelivered)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          accountId,
          i.fingerprint,
          i.firstSeenAt,
          i.lastSeenAt,
          i.lastAlertedAt ?? null,
          i.count,
          i.state,
          i.alert ? JSON.stringify(i.alert) : null,
          i.deliveries ? JSON.stringify(i.deliveries) : null,
          isUndelivered(i) ? 1 : 0,
        );
    },
    list: async (accountId: string, filter?: IncidentListFilter, options?: StoreCallOptions): Promise<AlertIncident[]> => {
      const rows = this.#use(options?.signal)
        .prepare('SELECT * FROM incidents WHERE account_id = ? AND (? IS NULL OR state = ?) AND (? = 0 OR undelivered = 1) ORDER BY first_seen_at, fingerprint')
        .all(accountId, ...twice(filter?.state), filter?.undelivered ? 1 : 0) as Row[];
      return rows.map(toIncident);
    },
  };

  readonly plans = {
    save: async (accountId: string, plan: SavedPlan, options?: StoreCallOptions): Promise<void> => {
      this.#use(options?.signal)
        .prepare('INSERT OR REPLACE INTO plans (account_id, id, created_at, data) VALUES (?, ?, ?, ?)')
        .run(accountId, plan.id, plan.createdAt, JSON.stringify(plan.data));
    },
    get: async (accountId: string, id: string, options?: StoreCallOptions): Promise<SavedPlan | undefined> => {
      const r = this.#use(options?.signal).prepare('SELECT * FROM plans WHERE account_id = ? AND id = ?').get(accountId, id) as Row | undefined;
      return r && { id: String(r.id), createdAt: Number(r.created_at), data: parse<JsonValue>(r.data, null) };
    },
    delete: async (accountId: string, id: string, options?: StoreCallOptions): Promise<boolean> =>
      this.#use(options?.signal).prepare('DELETE FROM plans WHERE account_id = ? AND id = ?').run(accountId, id).changes > 0,
  };

  // --- staging ---------------------------------------------------------------------------------

  readonly staging = {
    put: async (accountId: string, rows: readonly StagingRow[], options?: StoreCallOptions): Promise<void> => {
      const db = this.#use(options?.signal);
      const insert = db.prepare(
        `INSERT OR REPLACE INTO staging (account_id, run_id, side, kind, id, id_len, key, fields, amounts, attributes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      db.transaction(() => {
        for (const r of rows) {
          insert.run(accountId, r.runId, r.side, r.kind, r.id, r.id.length, r.key ?? null, JSON.stringify(r.fields), json(r.amounts), json(r.attributes));
        }
      }).immediate();
    },
    list: async (accountId: string, s: StagingSelector, options?: PageOptions): Promise<StorePage<StagingRow>> => {
      const limit = pageLimit(options);
      const after = options?.cursor === undefined ? '' : (decodeCursor(options.cursor)[0] ?? '');
      const rows = this.#use(options?.signal)
        .prepare(
          `SELECT * FROM staging WHERE account_id = ? AND run_id = ? AND side = ? AND kind = ? AND (id_len, id) > (?, ?)
           ORDER BY id_len, id LIMIT ?`,
        )
        .all(accountId, s.runId, s.side, s.kind, after.length, after, limit + 1) as Row[];
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(toStaging), next: rows.length > limit && last ? encodeCursor([String(last.id)]) : undefined };
    },
    getMany: async (accountId: string, s: StagingSelector, ids: readonly string[], options?: StoreCallOptions): Promise<Map<string, StagingRow>> => {
      const rows = this.#use(options?.signal)
        .prepare(`SELECT * FROM staging WHERE account_id = ? AND run_id = ? AND side = ? AND kind = ? AND id IN (SELECT value FROM json_each(?))`)
        .all(accountId, s.runId, s.side, s.kind, idsJson(ids)) as Row[];
      return new Map(rows.map((r) => [String(r.id), toStaging(r)]));
    },
    findByKey: async (accountId: string, s: StagingSelector, key: string, options?: StoreCallOptions): Promise<StagingRow[]> => {
      const rows = this.#use(options?.signal)
        .prepare(`SELECT * FROM staging INDEXED BY staging_by_key_in_order WHERE account_id = ? AND run_id = ? AND side = ? AND kind = ? AND key = ? ORDER BY id_len, id`)
        .all(accountId, s.runId, s.side, s.kind, key) as Row[];
      return rows.map(toStaging);
    },
    count: async (accountId: string, s: StagingSelector, options?: StoreCallOptions): Promise<number> =>
      Number(
        this.#use(options?.signal)
          .prepare('SELECT count(*) FROM staging WHERE account_id = ? AND run_id = ? AND side = ? AND kind = ?')
          .pluck()
          .get(accountId, s.runId, s.side, s.kind),
      ),
    clear: async (accountId: string, runId: string, options?: StoreCallOptions): Promise<number> =>
      this.#use(options?.signal).prepare('DELETE FROM staging WHERE account_id = ? AND run_id = ?').run(accountId, runId).changes,
  };

  // --- tradify index ---------------------------------------------------------------------------

  readonly tradifyIndex = {
    get: async (accountId: string, kind: TradifyIndexEntry['kind'], tradifyId: string, options?: StoreCallOptions) => {
      const r = this.#use(options?.signal).prepare('SELECT * FROM tradify_index WHERE account_id = ? AND kind = ? AND tradify_id = ?').get(accountId, kind, tradifyId) as
        | Row
        | undefined;
      return r && toIndexEntry(r);
    },
    findByExternalReference: async (accountId: string, kind: TradifyIndexEntry['kind'], ref: string, options?: StoreCallOptions) =>
      this.#findIndex(accountId, kind, 'external_reference', ref, options?.signal),
    findByEmailHash: async (accountId: string, kind: TradifyIndexEntry['kind'], hash: string, options?: StoreCallOptions) =>
      this.#findIndex(accountId, kind, 'email_hash', hash, options?.signal),
    count: async (accountId: string, kind: TradifyIndexEntry['kind'], options?: StoreCallOptions) =>
      Number(this.#use(options?.signal).prepare('SELECT count(*) FROM tradify_index WHERE account_id = ? AND kind = ?').pluck().get(accountId, kind)),
  };

  // INDEXED BY: without statistics SQLite walks the primary key over the whole kind (a scan per lookup)
  #findIndex(accountId: string, kind: string, column: 'external_reference' | 'email_hash', value: string, signal?: AbortSignal): TradifyIndexEntry[] {
    const rows = this.#use(signal)
      .prepare(`SELECT * FROM tradify_index INDEXED BY ${INDEX_BY_COLUMN[column]} WHERE account_id = ? AND kind = ? AND ${column} = ? ORDER BY length(tradify_id), tradify_id`)
      .all(accountId, kind, value) as Row[];
    return rows.map(toIndexEntry);
  }

  /** Close the database. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

/**
 * Makes `db.prepare` return one compiled statement per SQL text: compiling costs tens of
 * microseconds, and the sync prepares the same few statements for every record.
 */
function cacheStatements(db: Db): Db {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = compile(sql);
      cache.set(sql, statement);
    }
    return statement;
  }) as Db['prepare'];
  return db;
}

/** An optional filter value bound twice, for `(? IS NULL OR col = ?)`. */
function twice(value: string | number | undefined): [string | number | null, string | number | null] {
  return [value ?? null, value ?? null];
}

/** The integer id after which an ascending page starts. */
function seqCursor(options: PageOptions | undefined): number {
  if (options?.cursor === undefined) return 0;
  if (!/^\d+$/.test(options.cursor)) throw new ClinikoTradifyError('state_conflict', 'State store: the paging cursor is not one this store issued');
  return Number(options.cursor);
}
