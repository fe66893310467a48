/**
 * A {@link StateStore} in PostgreSQL, on `pg` (an optional peer dependency), for fleets: one
 * database holds many accounts, and several processes on several machines share it safely.
 * Import it from `cliniko-tradify/postgres`; the main entry never loads `pg`.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ClinikoTradifyError, ConfigError, LeaseHeldError, LeaseLostError } from '../core/errors.js';
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
import { assertSchemaNotNewer, decodeCursor, encodeCursor, invalidInput, isUndelivered, pageLimit, throwIfAborted, timestampMs, validatePageCommit } from './common.js';
import { pageBySeq, rowMappers, type Row } from './rows.js';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';
import { VERSION } from '../version.js';

/** Options of {@link PostgresStateStore}. Give `connectionString` or `pool`. */
export interface PostgresStateStoreOptions {
  /** A libpq connection string, e.g. `postgres://sync@db.internal/cliniko_tradify`. */
  connectionString?: string | undefined;
  /** An existing `pg.Pool` to share; the store does not end it on {@link PostgresStateStore.close}. */
  pool?: pg.Pool | undefined;
  /**
   * The PostgreSQL schema holding the tables (created when absent).
   * @defaultValue `'cliniko_tradify'`
   */
  schema?: string | undefined;
  /**
   * Epoch-ms clock for lease expiry and store timestamps. Leave it out in production: the
   * DATABASE's clock is then used, so machines with skewed clocks still agree on who holds a lease.
   * @defaultValue the database clock
   */
  clock?: (() => number) | undefined;
  /**
   * Connections in the pool the store creates (ignored with `pool`).
   * @defaultValue 4
   */
  maxConnections?: number | undefined;
}

/** Keys of {@link PostgresStateStoreOptions}. */
const POSTGRES_STORE_OPTION_SHAPE = {
  connectionString: true,
  pool: true,
  schema: true,
  clock: true,
  maxConnections: true,
} as const satisfies OptionShape<PostgresStateStoreOptions>;

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

const MIGRATION_LOCK_KEY = 'cliniko-tradify:migrate';
const DEFAULT_SCHEMA = 'cliniko_tradify';

/** SQL for "now" in epoch ms: the injected clock's value when given, else the database clock. */
const NOW = (param: number): string => `coalesce($${param}::bigint, (extract(epoch from clock_timestamp()) * 1000)::bigint)`;

const jsonParam = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** `jsonb` comes back parsed and booleans as booleans. */
const { toLink, toDeadLetter, toReview, toAudit, toRun, toIncident, toStaging, toIndexEntry, toCursor } = rowMappers({
  json: <T>(value: unknown, fallback: T): T => (value === null || value === undefined ? fallback : (value as T)),
  bool: (value) => value === true,
});

function toLease(r: Row): Lease {
  return {
    accountId: String(r.account_id),
    token: String(r.token),
    owner: String(r.owner),
    acquiredAt: Number(r.acquired_at),
    expiresAt: Number(r.expires_at),
    depth: Number(r.depth),
  };
}

/** The integer id after (or before) which a page starts. */
function seqCursor(options: PageOptions | undefined, fallback: string): string {
  if (options?.cursor === undefined) return fallback;
  if (!/^\d+$/.test(options.cursor)) throw invalidInput('the paging cursor is not one this store issued');
  return options.cursor;
}

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw invalidInput('ttlMs must be a positive number of milliseconds');
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new ConfigError('schema', "PostgresStateStore option 'schema' must be a lower-case SQL identifier such as 'cliniko_tradify'.");
  }
  return `"${name}"`;
}

/** Digit-only row ids (bigserial) are the only ids a store-assigned id can be. */
const isSeqId = (id: string): boolean => /^\d{1,18}$/.test(id);

/**
 * A {@link StateStore} in PostgreSQL: one database for many accounts, tables in their own schema,
 * migrations versioned in code and applied under an advisory lock (safe when many processes start
 * at once; a schema from a newer release is refused unchanged), and a real fenced lease per
 * account — a row with a fencing token that only grows, an owner and an expiry read against the
 * database clock. Acquisition is one transaction whose UPSERT only succeeds when the lease is free
 * or expired, and which ends an expired holder's `running` runs as `aborted`;
 * {@link PostgresStateStore.commitPage} locks the lease row (`FOR UPDATE`) and checks the token and
 * expiry inside the page's transaction, so a worker that lost its lease cannot commit and a
 * takeover waits for an in-flight commit to finish.
 *
 * @example
 * ```ts
 * import { PostgresStateStore } from 'cliniko-tradify/postgres';
 * const store = new PostgresStateStore({ connectionString: process.env.DATABASE_URL });
 * const engine = new SyncEngine({ cliniko, tradify, store, accountId: 'clinic-42' });
 * ```
 */
export class PostgresStateStore implements StateStore {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #schema: string;
  readonly #clock: (() => number) | undefined;
  #ready: Promise<void> | undefined;
  #closed = false;

  /** @throws ConfigError when neither a connection string nor a pool is given, or the schema name is not an identifier. */
  constructor(options: PostgresStateStoreOptions) {
    rejectUnknownOptions(options, POSTGRES_STORE_OPTION_SHAPE, { owner: 'PostgresStateStore' });
    if (options?.pool === undefined && (typeof options?.connectionString !== 'string' || options.connectionString.length === 0)) {
      throw new ConfigError('connectionString', 'PostgresStateStore needs a `connectionString` or a `pool`.');
    }
    this.#schema = quoteIdent(options.schema ?? DEFAULT_SCHEMA);
    this.#clock = options.clock;
    this.#ownsPool = options.pool === undefined;
    this.#pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 4 });
    // An idle client's network error must not crash the process; the next query reports it.
    if (this.#ownsPool) this.#pool.on('error', () => undefined);
  }

  /**
   * Create or upgrade the schema. Called automatically before the first query; call it at start-up
   * to fail fast. Several processes may call it at once: a transaction-scoped advisory lock
   * serialises them and each applies only the versions still missing.
   *
   * @returns the schema version after migrating.
   * @throws ConfigError when the schema was written by a newer release (nothing is changed).
   */
  async migrate(options?: StoreCallOptions): Promise<number> {
    throwIfAborted(options?.signal);
    await this.#ensureReady();
    return this.schemaVersion();
  }

  /** The schema version the database is at. */
  async schemaVersion(): Promise<number> {
    const r = await this.#pool.query(`SELECT version FROM ${this.#schema}.schema_version`);
    return Number((r.rows[0] as Row | undefined)?.version ?? 0);
  }

  #ensureReady(): Promise<void> {
    this.#ready ??= this.#runMigrations().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /**
   * One transaction: the version is read and a newer one refused before any DDL (the refusal
   * rolls back), then the missing migrations run and the release that ran them is recorded.
   */
  async #runMigrations(): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [MIGRATION_LOCK_KEY]);
      const stamp = await this.#readSchemaStamp(client);
      assertSchemaNotNewer(stamp, POSTGRES_MIGRATIONS.length, { setting: 'schema', name: `The PostgreSQL schema ${this.#schema}` });
      if (!stamp) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.#schema}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${this.#schema}.schema_version (version integer NOT NULL)`);
        await client.query(`INSERT INTO ${this.#schema}.schema_version (version) VALUES (0)`);
      }
      const from = Number(stamp?.version ?? 0);
      for (const sql of POSTGRES_MIGRATIONS.slice(from)) await client.query(sql.replaceAll('{schema}', this.#schema));
      if (from < POSTGRES_MIGRATIONS.length) {
        await client.query(`UPDATE ${this.#schema}.schema_version SET version = $1, package_version = $2`, [POSTGRES_MIGRATIONS.length, VERSION]);
      }
    });
  }

  /** The `schema_version` row (all its columns, whatever release made them), or undefined before the first migration. */
  async #readSchemaStamp(client: pg.PoolClient): Promise<Row | undefined> {
    const table = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [`${this.#schema}.schema_version`]);
    if ((table.rows[0] as Row | undefined)?.present !== true) return undefined;
    return (await client.query(`SELECT * FROM ${this.#schema}.schema_version`)).rows[0] as Row | undefined;
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Ready for a call: not aborted, not closed, migrated. */
  async #use(signal: AbortSignal | undefined): Promise<void> {
    throwIfAborted(signal);
    if (this.#closed) throw new ClinikoTradifyError('state_conflict', 'State store: the store is closed');
    await this.#ensureReady();
  }

  async #query(sql: string, params: unknown[], signal?: AbortSignal, db: Queryable = this.#pool): Promise<Row[]> {
    await this.#use(signal);
    const result = await db.query(sql.replaceAll('{s}', this.#schema), params);
    return result.rows as Row[];
  }

  /** The injected clock's value, or `null` to let SQL read the database clock. */
  #now(): number | null {
    return this.#clock ? this.#clock() : null;
  }

  // --- lease ---------------------------------------------------------------------------------

  async acquireLease(accountId: string, options: AcquireLeaseOptions): Promise<Lease> {
    checkTtl(options.ttlMs);
    if (typeof options.owner !== 'string' || options.owner.length === 0) throw invalidInput('owner must be a non-empty string');
    if (options.reentrantToken !== undefined) return this.#reenter(accountId, options.reentrantToken, options.ttlMs, options.signal);
    await this.#use(options.signal);
    const lease = await this.#transaction(async (client) => {
      const q = (sql: string, params: unknown[]) => this.#query(sql, params, undefined, client);
      // Lock the current row so the holder seen here is the one taken over.
      const [previous] = await q('SELECT token FROM {s}.leases WHERE account_id = $1 FOR UPDATE', [accountId]);
      // Insert the first lease, or take over a free or expired one with the next fence.
      const [row] = await q(
        `INSERT INTO {s}.leases AS l (account_id, fence, token, owner, acquired_at, expires_at, depth)
         VALUES ($1, 1, '1', $2, ${NOW(4)}, ${NOW(4)} + $3::bigint, 0)
         ON CONFLICT (account_id) DO UPDATE
           SET fence = l.fence + 1, token = (l.fence + 1)::text, owner = excluded.owner,
               acquired_at = excluded.acquired_at, expires_at = excluded.expires_at, depth = 0
           WHERE l.token IS NULL OR l.expires_at <= excluded.acquired_at
         RETURNING *`,
        [accountId, options.owner, Math.ceil(options.ttlMs), this.#now()],
      );
      // A holder that never released its lease let it expire: only a holder runs, so its `running` runs are dead.
      if (row && previous && previous.token !== null) {
        await q(`UPDATE {s}.runs SET status = 'aborted', finished_at = $2, end_reason = 'lease-expired' WHERE account_id = $1 AND status = 'running'`, [accountId, row.acquired_at]);
      }
      return row && toLease(row);
    });
    if (lease) return lease;
    const holder = await this.getLease(accountId);
    throw new LeaseHeldError(accountId, holder?.owner, holder ? new Date(holder.expiresAt).toISOString() : undefined);
  }

  async #reenter(accountId: string, token: string, ttlMs: number, signal: AbortSignal | undefined): Promise<Lease> {
    const rows = await this.#query(
      `UPDATE {s}.leases SET depth = depth + 1, expires_at = greatest(expires_at, ${NOW(4)} + $3::bigint)
       WHERE account_id = $1 AND token = $2 AND expires_at > ${NOW(4)} RETURNING *`,
      [accountId, token, Math.ceil(ttlMs), this.#now()],
      signal,
    );
    if (!rows[0]) throw new LeaseLostError(accountId);
    return toLease(rows[0]);
  }

  async renewLease(accountId: string, token: string, ttlMs: number, options?: StoreCallOptions): Promise<Lease> {
    checkTtl(ttlMs);
    const rows = await this.#query(
      `UPDATE {s}.leases SET expires_at = ${NOW(4)} + $3::bigint
       WHERE account_id = $1 AND token = $2 AND expires_at > ${NOW(4)} RETURNING *`,
      [accountId, token, Math.ceil(ttlMs), this.#now()],
      options?.signal,
    );
    if (!rows[0]) throw new LeaseLostError(accountId);
    return toLease(rows[0]);
  }

  async releaseLease(accountId: string, token: string, options?: StoreCallOptions): Promise<boolean> {
    const rows = await this.#query(
      `UPDATE {s}.leases SET
         depth = greatest(depth - 1, 0),
         token = CASE WHEN depth > 0 THEN token END, owner = CASE WHEN depth > 0 THEN owner END,
         acquired_at = CASE WHEN depth > 0 THEN acquired_at END, expires_at = CASE WHEN depth > 0 THEN expires_at END
       WHERE account_id = $1 AND token = $2 AND expires_at > ${NOW(3)} RETURNING account_id`,
      [accountId, token, this.#now()],
      options?.signal,
    );
    return rows.length > 0;
  }

  async getLease(accountId: string, options?: StoreCallOptions): Promise<Lease | undefined> {
    const rows = await this.#query(`SELECT * FROM {s}.leases WHERE account_id = $1 AND token IS NOT NULL AND expires_at > ${NOW(2)}`, [accountId, this.#now()], options?.signal);
    return rows[0] && toLease(rows[0]);
  }

  // --- commitPage ------------------------------------------------------------------------------

  async commitPage(accountId: string, token: string, page: PageCommit, options?: StoreCallOptions): Promise<void> {
    await this.#use(options?.signal);
    validatePageCommit(page);
    await this.#transaction(async (client) => {
      // Lock the lease row: a takeover's UPSERT waits for this commit, and a lost lease writes nothing.
      const live = await client.query(
        `SELECT ${NOW(3)} AS now FROM ${this.#schema}.leases WHERE account_id = $1 AND token = $2 AND expires_at > ${NOW(3)} FOR UPDATE`,
        [accountId, token, this.#now()],
      );
      const row = live.rows[0] as Row | undefined;
      if (!row) throw new LeaseLostError(accountId);
      await this.#applyPage(client, accountId, page, Number(row.now));
    });
  }

  async #applyPage(client: pg.PoolClient, accountId: string, page: PageCommit, now: number): Promise<void> {
    const q = (sql: string, params: unknown[]) => this.#query(sql, params, undefined, client);
    const cursors = Object.entries(page.cursors ?? {}).map(([stream, c]) => ({ stream, updated_at: c.updatedAt, id: c.id, extra: c.extra ?? null }));
    if (cursors.length > 0) {
      await q(
        `INSERT INTO {s}.cursors (account_id, stream, updated_at, id, extra)
         SELECT $1, x.stream, x.updated_at, x.id, x.extra FROM jsonb_to_recordset($2::jsonb) AS x(stream text, updated_at text, id text, extra jsonb)
         ON CONFLICT (account_id, stream) DO UPDATE SET updated_at = excluded.updated_at, id = excluded.id, extra = excluded.extra`,
        [accountId, JSON.stringify(cursors)],
      );
    }
    const seen = Object.entries(page.seen ?? {}).flatMap(([stream, rows]) => rows.map((r) => ({ stream, id: r.id, updated_at: r.updatedAt, updated_ms: timestampMs(r.updatedAt) })));
    if (seen.length > 0) {
      await q(
        `INSERT INTO {s}.seen (account_id, stream, id, updated_at, updated_ms)
         SELECT $1, x.stream, x.id, x.updated_at, x.updated_ms FROM jsonb_to_recordset($2::jsonb) AS x(stream text, id text, updated_at text, updated_ms bigint)
         ON CONFLICT DO NOTHING`,
        [accountId, JSON.stringify(seen)],
      );
    }
    for (const [stream, before] of Object.entries(page.seenPruneBefore ?? {})) {
      await q('DELETE FROM {s}.seen WHERE account_id = $1 AND stream = $2 AND updated_ms < $3', [accountId, stream, timestampMs(before)]);
    }
    for (const link of page.links ?? []) await this.#upsertLink(client, accountId, link, now);
    for (const removal of page.unlinks ?? []) await this.#removeLink(client, accountId, removal, now);
    await this.#writeHashes(client, accountId, page);
    for (const letter of page.deadLetters?.add ?? []) await this.#addDeadLetter(client, accountId, letter, now);
    for (const c of page.deadLetters?.close ?? []) {
      await q(`UPDATE {s}.dead_letters SET status = $1, closed_at = $2, resolution = $3 WHERE account_id = $4 AND stream = $5 AND record_id = $6 AND status = 'open'`, [
        c.status,
        now,
        c.resolution ?? c.status,
        accountId,
        c.stream,
        c.recordId,
      ]);
    }
    for (const review of page.reviews ?? []) await this.#openReview(client, accountId, review, now);
    await this.#appendAudit(client, accountId, page.audit ?? [], now);
    await this.#putIndex(client, accountId, page.tradifyIndex ?? []);
  }

  async #writeHashes(client: pg.PoolClient, accountId: string, page: PageCommit): Promise<void> {
    const hashes = page.hashes ?? [];
    const put = hashes.filter((h) => h.hash !== null).map((h) => ({ kind: h.kind, cliniko_id: h.clinikoId, hash: h.hash }));
    const forget = hashes.filter((h) => h.hash === null).map((h) => ({ kind: h.kind, cliniko_id: h.clinikoId }));
    if (forget.length > 0) {
      await this.#query(
        `DELETE FROM {s}.hashes h USING jsonb_to_recordset($2::jsonb) AS x(kind text, cliniko_id text)
         WHERE h.account_id = $1 AND h.kind = x.kind AND h.cliniko_id = x.cliniko_id`,
        [accountId, JSON.stringify(forget)],
        undefined,
        client,
      );
    }
    if (put.length === 0) return;
    // The last write of one (kind, id) within a page wins, as in the other stores.
    const last = [...new Map(put.map((h) => [`${h.kind}\n${h.cliniko_id}`, h])).values()];
    await this.#query(
      `INSERT INTO {s}.hashes (account_id, kind, cliniko_id, hash)
       SELECT $1, x.kind, x.cliniko_id, x.hash FROM jsonb_to_recordset($2::jsonb) AS x(kind text, cliniko_id text, hash text)
       ON CONFLICT (account_id, kind, cliniko_id) DO UPDATE SET hash = excluded.hash`,
      [accountId, JSON.stringify(last)],
      undefined,
      client,
    );
  }

  async #putIndex(client: pg.PoolClient, accountId: string, entries: readonly TradifyIndexEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = [
      ...new Map(
        entries.map((e) => [
          `${e.kind}\n${e.tradifyId}`,
          { kind: e.kind, tradify_id: e.tradifyId, external_reference: e.externalReference ?? null, email_hash: e.emailHash ?? null, updated_at: e.updatedAt ?? null, active: e.active ?? null },
        ]),
      ).values(),
    ];
    await this.#query(
      `INSERT INTO {s}.tradify_index (account_id, kind, tradify_id, external_reference, email_hash, updated_at, active)
       SELECT $1, x.kind, x.tradify_id, x.external_reference, x.email_hash, x.updated_at, x.active
       FROM jsonb_to_recordset($2::jsonb) AS x(kind text, tradify_id text, external_reference text, email_hash text, updated_at text, active boolean)
       ON CONFLICT (account_id, kind, tradify_id) DO UPDATE SET external_reference = excluded.external_reference,
         email_hash = excluded.email_hash, updated_at = excluded.updated_at, active = excluded.active`,
      [accountId, JSON.stringify(rows)],
      undefined,
      client,
    );
  }

  // --- cursors and seen ------------------------------------------------------------------------

  readonly cursors = {
    get: async (accountId: string, stream: string, options?: StoreCallOptions): Promise<StreamCursor | undefined> => {
      const rows = await this.#query('SELECT * FROM {s}.cursors WHERE account_id = $1 AND stream = $2', [accountId, stream], options?.signal);
      return rows[0] && toCursor(rows[0]);
    },
    list: async (accountId: string, options?: StoreCallOptions): Promise<Record<string, StreamCursor>> => {
      const rows = await this.#query('SELECT * FROM {s}.cursors WHERE account_id = $1 ORDER BY stream', [accountId], options?.signal);
      return Object.fromEntries(rows.map((r) => [String(r.stream), toCursor(r)]));
    },
  };

  readonly seen = {
    has: async (accountId: string, stream: string, entries: readonly SeenEntry[], options?: StoreCallOptions): Promise<boolean[]> => {
      if (entries.length === 0) {
        await this.#use(options?.signal);
        return [];
      }
      const rows = await this.#query(
        `SELECT x.ord, EXISTS (SELECT 1 FROM {s}.seen s WHERE s.account_id = $1 AND s.stream = $2 AND s.id = x.id AND s.updated_at = x.updated_at) AS hit
         FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS x(id, updated_at, ord) ORDER BY x.ord`,
        [accountId, stream, entries.map((e) => e.id), entries.map((e) => e.updatedAt)],
        options?.signal,
      );
      return rows.map((r) => r.hit === true);
    },
    count: async (accountId: string, stream: string, options?: StoreCallOptions): Promise<number> => {
      const rows = await this.#query('SELECT count(*) AS n FROM {s}.seen WHERE account_id = $1 AND stream = $2', [accountId, stream], options?.signal);
      return Number(rows[0]?.n ?? 0);
    },
  };

  // --- links and hashes ------------------------------------------------------------------------

  async #upsertLink(client: pg.PoolClient, accountId: string, input: LinkUpsert, now: number): Promise<void> {
    const q = (sql: string, params: unknown[]) => this.#query(sql, params, undefined, client);
    const [current] = await q(`SELECT * FROM {s}.links WHERE account_id = $1 AND kind = $2 AND cliniko_id = $3 AND status = 'current' FOR UPDATE`, [
      accountId,
      input.kind,
      input.clinikoId,
    ]);
    const revision = input.revision ?? (current ? Number(current.revision) : 0);
    if (current && String(current.tradify_id) === input.tradifyId) {
      await q(
        `UPDATE {s}.links SET revision = $1, external_reference = coalesce($2, external_reference), tradify_updated_at = coalesce($3, tradify_updated_at),
           merged_into = coalesce($4, merged_into), updated_at = $5 WHERE seq = $6`,
        [revision, input.externalReference ?? null, input.tradifyUpdatedAt ?? null, input.mergedIntoClinikoId ?? null, now, current.seq],
      );
      return;
    }
    if (current) {
      const reason = input.supersededReason ?? (revision > Number(current.revision) ? 'reissue' : 'relink');
      await this.#supersede(client, String(current.seq), reason, now);
    }
    await q(
      `INSERT INTO {s}.links (account_id, kind, cliniko_id, tradify_id, status, revision, external_reference, tradify_updated_at, merged_into, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'current', $5, $6, $7, $8, $9, $9)`,
      [accountId, input.kind, input.clinikoId, input.tradifyId, revision, input.externalReference ?? null, input.tradifyUpdatedAt ?? null, input.mergedIntoClinikoId ?? null, now],
    );
  }

  async #supersede(client: pg.PoolClient, seq: string, reason: string, now: number): Promise<void> {
    await this.#query(`UPDATE {s}.links SET status = 'superseded', superseded_at = $1, superseded_reason = $2, updated_at = $1 WHERE seq = $3`, [now, reason, seq], undefined, client);
  }

  async #removeLink(client: pg.PoolClient, accountId: string, removal: LinkRemoval, now: number): Promise<void> {
    const [current] = await this.#query(
      `SELECT seq FROM {s}.links WHERE account_id = $1 AND kind = $2 AND cliniko_id = $3 AND status = 'current' FOR UPDATE`,
      [accountId, removal.kind, removal.clinikoId],
      undefined,
      client,
    );
    if (current) await this.#supersede(client, String(current.seq), removal.reason ?? 'unlinked', now);
  }

  readonly links = {
    getMany: async (accountId: string, kind: LinkKind, clinikoIds: readonly string[], options?: StoreCallOptions): Promise<Map<string, LinkRecord>> => {
      const rows = await this.#query(`SELECT * FROM {s}.links WHERE account_id = $1 AND kind = $2 AND status = 'current' AND cliniko_id = ANY($3::text[])`, [accountId, kind, [...clinikoIds]], options?.signal);
      return new Map(rows.map((r) => [String(r.cliniko_id), toLink(r)]));
    },
    getByTradifyId: async (accountId: string, kind: LinkKind, tradifyId: string, options?: StoreCallOptions): Promise<LinkRecord | undefined> => {
      const rows = await this.#query(
        `SELECT * FROM {s}.links WHERE account_id = $1 AND kind = $2 AND tradify_id = $3
         ORDER BY status = 'current' DESC, superseded_at DESC NULLS LAST, seq DESC LIMIT 1`,
        [accountId, kind, tradifyId],
        options?.signal,
      );
      return rows[0] && toLink(rows[0]);
    },
    history: async (accountId: string, kind: LinkKind, clinikoId: string, options?: StoreCallOptions): Promise<LinkRecord[]> => {
      const rows = await this.#query('SELECT * FROM {s}.links WHERE account_id = $1 AND kind = $2 AND cliniko_id = $3 ORDER BY seq', [accountId, kind, clinikoId], options?.signal);
      return rows.map(toLink);
    },
    list: async (accountId: string, options: LinkListOptions): Promise<StorePage<LinkRecord>> => {
      const limit = pageLimit(options);
      const status = options.status ?? 'current';
      const [afterId = '', afterSeq = '0'] = options.cursor === undefined ? [] : decodeCursor(options.cursor);
      if (!/^\d+$/.test(afterSeq)) throw invalidInput('the paging cursor is not one this store issued');
      const rows = await this.#query(
        `SELECT * FROM {s}.links WHERE account_id = $1 AND kind = $2 AND ($3 = 'all' OR status = $3)
           AND (length(cliniko_id), cliniko_id, seq) > ($4::int, $5::text COLLATE "C", $6::bigint)
         ORDER BY length(cliniko_id), cliniko_id, seq LIMIT $7`,
        [accountId, options.kind, status, afterId.length, afterId, afterSeq, limit + 1],
        options.signal,
      );
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(toLink), next: rows.length > limit && last ? encodeCursor([String(last.cliniko_id), String(last.seq)]) : undefined };
    },
  };

  readonly hashes = {
    getMany: async (accountId: string, kind: string, clinikoIds: readonly string[], options?: StoreCallOptions): Promise<Map<string, string>> => {
      const rows = await this.#query('SELECT cliniko_id, hash FROM {s}.hashes WHERE account_id = $1 AND kind = $2 AND cliniko_id = ANY($3::text[])', [accountId, kind, [...clinikoIds]], options?.signal);
      return new Map(rows.map((r) => [String(r.cliniko_id), String(r.hash)]));
    },
  };

  // --- dead letters ----------------------------------------------------------------------------

  async #addDeadLetter(db: Queryable, accountId: string, input: NewDeadLetter, now: number): Promise<DeadLetter> {
    // One open letter per record: the partial unique index turns a second failure into an update.
    const rows = await this.#query(
      `INSERT INTO {s}.dead_letters AS d (account_id, stream, record_id, updated_at, reason_code, message, paths, attempts, created_at, last_attempt_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, 1, $8, $8, 'open')
       ON CONFLICT (account_id, stream, record_id) WHERE status = 'open' DO UPDATE
         SET attempts = d.attempts + 1, last_attempt_at = excluded.last_attempt_at, reason_code = excluded.reason_code,
             message = excluded.message, paths = excluded.paths, updated_at = coalesce(excluded.updated_at, d.updated_at)
       RETURNING *`,
      [accountId, input.stream, input.recordId, input.updatedAt ?? null, input.reasonCode, input.message, JSON.stringify(input.paths ?? []), now],
      undefined,
      db,
    );
    return toDeadLetter(rows[0]!);
  }

  async #closeById(accountId: string, id: string, status: 'resolved' | 'discarded', resolution: string | undefined, signal?: AbortSignal): Promise<DeadLetter | undefined> {
    await this.#use(signal);
    if (!isSeqId(id)) return undefined;
    await this.#query(`UPDATE {s}.dead_letters SET status = $1, closed_at = ${NOW(2)}, resolution = $3 WHERE account_id = $4 AND id = $5 AND status = 'open'`, [
      status,
      this.#now(),
      resolution ?? status,
      accountId,
      id,
    ]);
    return this.deadLetters.get(accountId, id);
  }

  readonly deadLetters = {
    add: async (accountId: string, letter: NewDeadLetter, options?: StoreCallOptions): Promise<DeadLetter> => {
      await this.#use(options?.signal);
      validatePageCommit({ deadLetters: { add: [letter] } });
      return this.#addDeadLetter(this.#pool, accountId, letter, this.#clock?.() ?? (await this.#dbNow()));
    },
    get: async (accountId: string, id: string, options?: StoreCallOptions): Promise<DeadLetter | undefined> => {
      await this.#use(options?.signal);
      if (!isSeqId(id)) return undefined;
      const rows = await this.#query('SELECT * FROM {s}.dead_letters WHERE account_id = $1 AND id = $2', [accountId, id]);
      return rows[0] && toDeadLetter(rows[0]);
    },
    list: async (accountId: string, options?: DeadLetterListOptions): Promise<StorePage<DeadLetter>> => {
      const limit = pageLimit(options);
      const rows = await this.#query(
        `SELECT * FROM {s}.dead_letters WHERE account_id = $1 AND id > $2::bigint AND ($3::text IS NULL OR status = $3)
           AND ($4::text IS NULL OR stream = $4) AND ($5::text IS NULL OR reason_code = $5) ORDER BY id LIMIT $6`,
        [accountId, seqCursor(options, '0'), options?.status ?? null, options?.stream ?? null, options?.reasonCode ?? null, limit + 1],
        options?.signal,
      );
      return pageBySeq(rows, limit, 'id', toDeadLetter);
    },
    resolve: async (accountId: string, id: string, resolution?: string, options?: StoreCallOptions) => this.#closeById(accountId, id, 'resolved', resolution, options?.signal),
    discard: async (accountId: string, id: string, resolution?: string, options?: StoreCallOptions) => this.#closeById(accountId, id, 'discarded', resolution, options?.signal),
  };

  async #dbNow(): Promise<number> {
    const rows = await this.#query(`SELECT ${NOW(1)} AS now`, [null]);
    return Number(rows[0]?.now);
  }

  // --- reviews ---------------------------------------------------------------------------------

  async #openReview(db: Queryable, accountId: string, input: NewReview, now: number): Promise<{ review: Review; created: boolean }> {
    const inserted = await this.#query(
      `INSERT INTO {s}.reviews (account_id, kind, record_id, reason_code, detail, status, created_at) VALUES ($1, $2, $3, $4, $5::jsonb, 'open', $6)
       ON CONFLICT (account_id, kind, record_id, reason_code) WHERE status = 'open' DO NOTHING RETURNING *`,
      [accountId, input.kind, input.recordId, input.reasonCode, JSON.stringify(input.detail ?? {}), now],
      undefined,
      db,
    );
    if (inserted[0]) return { review: toReview(inserted[0]), created: true };
    const open = await this.#query(`SELECT * FROM {s}.reviews WHERE account_id = $1 AND kind = $2 AND record_id = $3 AND reason_code = $4 AND status = 'open'`, [
      accountId,
      input.kind,
      input.recordId,
      input.reasonCode,
    ], undefined, db);
    return { review: toReview(open[0]!), created: false };
  }

  readonly reviews = {
    open: async (accountId: string, review: NewReview, options?: StoreCallOptions): Promise<{ review: Review; created: boolean }> => {
      await this.#use(options?.signal);
      validatePageCommit({ reviews: [review] });
      return this.#openReview(this.#pool, accountId, review, this.#clock?.() ?? (await this.#dbNow()));
    },
    get: async (accountId: string, id: string, options?: StoreCallOptions): Promise<Review | undefined> => {
      await this.#use(options?.signal);
      if (!isSeqId(id)) return undefined;
      const rows = await this.#query('SELECT * FROM {s}.reviews WHERE account_id = $1 AND id = $2', [accountId, id]);
      return rows[0] && toReview(rows[0]);
    },
    list: async (accountId: string, options?: ReviewListOptions): Promise<StorePage<Review>> => {
      const limit = pageLimit(options);
      const rows = await this.#query(
        `SELECT * FROM {s}.reviews WHERE account_id = $1 AND id > $2::bigint AND ($3::text IS NULL OR status = $3)
           AND ($4::text IS NULL OR kind = $4) AND ($5::text IS NULL OR record_id = $5) ORDER BY id LIMIT $6`,
        [accountId, seqCursor(options, '0'), options?.status ?? null, options?.kind ?? null, options?.recordId ?? null, limit + 1],
        options?.signal,
      );
      return pageBySeq(rows, limit, 'id', toReview);
    },
    resolve: async (accountId: string, id: string, resolution: string, options?: StoreCallOptions): Promise<Review | undefined> => {
      await this.#use(options?.signal);
      if (!isSeqId(id)) return undefined;
      await this.#query(`UPDATE {s}.reviews SET status = 'resolved', resolution = $1, resolved_at = ${NOW(2)} WHERE account_id = $3 AND id = $4 AND status = 'open'`, [
        resolution,
        this.#now(),
        accountId,
        id,
      ]);
      return this.reviews.get(accountId, id);
    },
  };

  // --- audit -----------------------------------------------------------------------------------

  async #appendAudit(db: Queryable, accountId: string, entries: readonly NewAuditEntry[], now: number): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((e, ord) => ({
      ord,
      at: e.at ?? now,
      run_id: e.runId ?? null,
      stream: e.stream,
      action: e.action,
      cliniko_id: e.clinikoId ?? null,
      tradify_id: e.tradifyId ?? null,
      cliniko_created_at: e.clinikoCreatedAt ?? null,
      cliniko_updated_at: e.clinikoUpdatedAt ?? null,
      tradify_updated_at: e.tradifyUpdatedAt ?? null,
      changed_fields: e.changedFields ?? [],
      request_id: e.requestId ?? null,
      reason_code: e.reasonCode ?? null,
    }));
    await this.#query(
      `INSERT INTO {s}.audit (account_id, at, run_id, stream, action, cliniko_id, tradify_id, cliniko_created_at, cliniko_updated_at,
         tradify_updated_at, changed_fields, request_id, reason_code)
       SELECT $1, x.at, x.run_id, x.stream, x.action, x.cliniko_id, x.tradify_id, x.cliniko_created_at, x.cliniko_updated_at,
         x.tradify_updated_at, x.changed_fields, x.request_id, x.reason_code
       FROM jsonb_to_recordset($2::jsonb) AS x(ord int, at bigint, run_id text, stream text, action text, cliniko_id text, tradify_id text,
         cliniko_created_at text, cliniko_updated_at text, tradify_updated_at text, changed_fields jsonb, request_id text, reason_code text)
       ORDER BY x.ord`,
      [accountId, JSON.stringify(rows)],
      undefined,
      db,
    );
  }

  readonly audit = {
    append: async (accountId: string, entries: readonly NewAuditEntry[], options?: StoreCallOptions): Promise<void> => {
      await this.#use(options?.signal);
      validatePageCommit({ audit: [...entries] });
      await this.#appendAudit(this.#pool, accountId, entries, this.#clock?.() ?? (await this.#dbNow()));
    },
    list: async (accountId: string, options?: AuditListOptions): Promise<StorePage<AuditEntry>> => {
      const o = options ?? {};
      const limit = pageLimit(o);
      const rows = await this.#query(
        `SELECT * FROM {s}.audit WHERE account_id = $1 AND id > $2::bigint AND ($3::text IS NULL OR run_id = $3) AND ($4::text IS NULL OR stream = $4)
           AND ($5::text IS NULL OR action = $5) AND ($6::text IS NULL OR cliniko_id = $6) AND ($7::text IS NULL OR tradify_id = $7)
           AND ($8::bigint IS NULL OR at >= $8) AND ($9::bigint IS NULL OR at < $9) ORDER BY id LIMIT $10`,
        [accountId, seqCursor(o, '0'), o.runId ?? null, o.stream ?? null, o.action ?? null, o.clinikoId ?? null, o.tradifyId ?? null, o.since ?? null, o.until ?? null, limit + 1],
        o.signal,
      );
      return pageBySeq(rows, limit, 'id', toAudit);
    },
    prune: async (accountId: string, before: number, options?: StoreCallOptions): Promise<number> => {
      const rows = await this.#query('WITH d AS (DELETE FROM {s}.audit WHERE account_id = $1 AND at < $2 RETURNING 1) SELECT count(*) AS n FROM d', [accountId, before], options?.signal);
      return Number(rows[0]?.n ?? 0);
    },
  };

  // --- runs ------------------------------------------------------------------------------------

  readonly runs = {
    start: async (accountId: string, run: { kind: string; id?: string | undefined }, options?: StoreCallOptions): Promise<RunRecord> => {
      const id = run.id ?? randomUUID();
      const rows = await this.#query(
        `INSERT INTO {s}.runs (account_id, id, kind, status, started_at) VALUES ($1, $2, $3, 'running', ${NOW(4)})
         ON CONFLICT (account_id, id) DO NOTHING RETURNING *`,
        [accountId, id, run.kind, this.#now()],
        options?.signal,
      );
      if (!rows[0]) throw new ClinikoTradifyError('state_conflict', `State store: run '${id}' already exists`);
      return toRun(rows[0]);
    },
    finish: async (
      accountId: string,
      runId: string,
      result: { status: Exclude<RunStatus, 'running'>; summary?: Record<string, JsonValue> | undefined },
      options?: StoreCallOptions,
    ): Promise<RunRecord | undefined> => {
      const rows = await this.#query(
        `UPDATE {s}.runs SET status = $1, finished_at = ${NOW(2)}, summary = $3::jsonb, end_reason = NULL WHERE account_id = $4 AND id = $5 RETURNING *`,
        [result.status, this.#now(), jsonParam(result.summary), accountId, runId],
        options?.signal,
      );
      return rows[0] && toRun(rows[0]);
    },
    get: async (accountId: string, runId: string, options?: StoreCallOptions): Promise<RunRecord | undefined> => {
      const rows = await this.#query('SELECT * FROM {s}.runs WHERE account_id = $1 AND id = $2', [accountId, runId], options?.signal);
      return rows[0] && toRun(rows[0]);
    },
    last: async (accountId: string, filter?: { kind?: string | undefined; status?: RunStatus | undefined }, options?: StoreCallOptions) =>
      (await this.runs.list(accountId, { ...filter, limit: 1, signal: options?.signal })).items[0],
    list: async (accountId: string, options?: RunListOptions): Promise<StorePage<RunRecord>> => {
      const limit = pageLimit(options);
      const rows = await this.#query(
        `SELECT * FROM {s}.runs WHERE account_id = $1 AND seq < $2::bigint AND ($3::text IS NULL OR kind = $3) AND ($4::text IS NULL OR status = $4)
         ORDER BY seq DESC LIMIT $5`,
        [accountId, seqCursor(options, '9223372036854775807'), options?.kind ?? null, options?.status ?? null, limit + 1],
        options?.signal,
      );
      return pageBySeq(rows, limit, 'seq', toRun);
    },
  };

  // --- incidents, plans ------------------------------------------------------------------------

  readonly incidents = {
    get: async (accountId: string, fingerprint: string, options?: StoreCallOptions): Promise<AlertIncident | undefined> => {
      const rows = await this.#query('SELECT * FROM {s}.incidents WHERE account_id = $1 AND fingerprint = $2', [accountId, fingerprint], options?.signal);
      return rows[0] && toIncident(rows[0]);
    },
    put: async (accountId: string, i: AlertIncident, options?: StoreCallOptions): Promise<void> => {
      await this.#query(
        `INSERT INTO {s}.incidents (account_id, fingerprint, first_seen_at, last_seen_at, last_alerted_at, count, state, alert, deliveries, undelivered)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10)
         ON CONFLICT (account_id, fingerprint) DO UPDATE SET first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at,
           last_alerted_at = excluded.last_alerted_at, count = excluded.count, state = excluded.state,
           alert = excluded.alert, deliveries = excluded.deliveries, undelivered = excluded.undelivered`,
        [
          accountId,
          i.fingerprint,
          i.firstSeenAt,
          i.lastSeenAt,
          i.lastAlertedAt ?? null,
          i.count,
          i.state,
          jsonParam(i.alert),
          jsonParam(i.deliveries),
          isUndelivered(i),
        ],
        options?.signal,
      );
    },
    list: async (accountId: string, filter?: IncidentListFilter, options?: StoreCallOptions): Promise<AlertIncident[]> => {
      const rows = await this.#query(
        'SELECT * FROM {s}.incidents WHERE account_id = $1 AND ($2::text IS NULL OR state = $2) AND (NOT $3::boolean OR undelivered) ORDER BY first_seen_at, fingerprint',
        [accountId, filter?.state ?? null, filter?.undelivered === true],
        options?.signal,
      );
      return rows.map(toIncident);
    },
  };

  readonly plans = {
    save: async (accountId: string, plan: SavedPlan, options?: StoreCallOptions): Promise<void> => {
      await this.#query(
        `INSERT INTO {s}.plans (account_id, id, created_at, data) VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (account_id, id) DO UPDATE SET created_at = excluded.created_at, data = excluded.data`,
        [accountId, plan.id, plan.createdAt, JSON.stringify(plan.data)],
        options?.signal,
      );
    },
    get: async (accountId: string, id: string, options?: StoreCallOptions): Promise<SavedPlan | undefined> => {
      const rows = await this.#query('SELECT * FROM {s}.plans WHERE account_id = $1 AND id = $2', [accountId, id], options?.signal);
      const r = rows[0];
      return r && { id: String(r.id), createdAt: Number(r.created_at), data: r.data as JsonValue };
    },
    delete: async (accountId: string, id: string, options?: StoreCallOptions): Promise<boolean> =>
      (await this.#query('DELETE FROM {s}.plans WHERE account_id = $1 AND id = $2 RETURNING 1', [accountId, id], options?.signal)).length > 0,
  };

  // --- staging ---------------------------------------------------------------------------------

  readonly staging = {
    put: async (accountId: string, rows: readonly StagingRow[], options?: StoreCallOptions): Promise<void> => {
      await this.#use(options?.signal);
      if (rows.length === 0) return;
      const unique = [...new Map(rows.map((r) => [`${r.runId}\n${r.side}\n${r.kind}\n${r.id}`, r])).values()];
      const payload = unique.map((r) => ({ run_id: r.runId, side: r.side, kind: r.kind, id: r.id, key: r.key ?? null, fields: r.fields, amounts: r.amounts ?? null, attributes: r.attributes ?? null }));
      await this.#query(
        `INSERT INTO {s}.staging (account_id, run_id, side, kind, id, key, fields, amounts, attributes)
         SELECT $1, x.run_id, x.side, x.kind, x.id, x.key, x.fields, x.amounts, x.attributes
         FROM jsonb_to_recordset($2::jsonb) AS x(run_id text, side text, kind text, id text, key text, fields jsonb, amounts jsonb, attributes jsonb)
         ON CONFLICT (account_id, run_id, side, kind, id) DO UPDATE SET key = excluded.key, fields = excluded.fields,
           amounts = excluded.amounts, attributes = excluded.attributes`,
        [accountId, JSON.stringify(payload)],
      );
    },
    list: async (accountId: string, s: StagingSelector, options?: PageOptions): Promise<StorePage<StagingRow>> => {
      const limit = pageLimit(options);
      const after = options?.cursor === undefined ? '' : (decodeCursor(options.cursor)[0] ?? '');
      const rows = await this.#query(
        `SELECT * FROM {s}.staging WHERE account_id = $1 AND run_id = $2 AND side = $3 AND kind = $4
           AND (length(id), id) > ($5::int, $6::text COLLATE "C") ORDER BY length(id), id LIMIT $7`,
        [accountId, s.runId, s.side, s.kind, after.length, after, limit + 1],
        options?.signal,
      );
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(toStaging), next: rows.length > limit && last ? encodeCursor([String(last.id)]) : undefined };
    },
    getMany: async (accountId: string, s: StagingSelector, ids: readonly string[], options?: StoreCallOptions): Promise<Map<string, StagingRow>> => {
      const rows = await this.#query(
        'SELECT * FROM {s}.staging WHERE account_id = $1 AND run_id = $2 AND side = $3 AND kind = $4 AND id = ANY($5::text[])',
        [accountId, s.runId, s.side, s.kind, [...ids]],
        options?.signal,
      );
      return new Map(rows.map((r) => [String(r.id), toStaging(r)]));
    },
    findByKey: async (accountId: string, s: StagingSelector, key: string, options?: StoreCallOptions): Promise<StagingRow[]> => {
      const rows = await this.#query(
        'SELECT * FROM {s}.staging WHERE account_id = $1 AND run_id = $2 AND side = $3 AND kind = $4 AND key = $5 ORDER BY length(id), id',
        [accountId, s.runId, s.side, s.kind, key],
        options?.signal,
      );
      return rows.map(toStaging);
    },
    count: async (accountId: string, s: StagingSelector, options?: StoreCallOptions): Promise<number> => {
      const rows = await this.#query('SELECT count(*) AS n FROM {s}.staging WHERE account_id = $1 AND run_id = $2 AND side = $3 AND kind = $4', [accountId, s.runId, s.side, s.kind], options?.signal);
      return Number(rows[0]?.n ?? 0);
    },
    clear: async (accountId: string, runId: string, options?: StoreCallOptions): Promise<number> => {
      const rows = await this.#query('WITH d AS (DELETE FROM {s}.staging WHERE account_id = $1 AND run_id = $2 RETURNING 1) SELECT count(*) AS n FROM d', [accountId, runId], options?.signal);
      return Number(rows[0]?.n ?? 0);
    },
  };

  // --- tradify index ---------------------------------------------------------------------------

  readonly tradifyIndex = {
    get: async (accountId: string, kind: TradifyIndexEntry['kind'], tradifyId: string, options?: StoreCallOptions): Promise<TradifyIndexEntry | undefined> => {
      const rows = await this.#query('SELECT * FROM {s}.tradify_index WHERE account_id = $1 AND kind = $2 AND tradify_id = $3', [accountId, kind, tradifyId], options?.signal);
      return rows[0] && toIndexEntry(rows[0]);
    },
    findByExternalReference: async (accountId: string, kind: TradifyIndexEntry['kind'], ref: string, options?: StoreCallOptions) =>
      this.#findIndex(accountId, kind, 'external_reference', ref, options?.signal),
    findByEmailHash: async (accountId: string, kind: TradifyIndexEntry['kind'], hash: string, options?: StoreCallOptions) =>
      this.#findIndex(accountId, kind, 'email_hash', hash, options?.signal),
    count: async (accountId: string, kind: TradifyIndexEntry['kind'], options?: StoreCallOptions): Promise<number> => {
      const rows = await this.#query('SELECT count(*) AS n FROM {s}.tradify_index WHERE account_id = $1 AND kind = $2', [accountId, kind], options?.signal);
      return Number(rows[0]?.n ?? 0);
    },
  };

  async #findIndex(accountId: string, kind: string, column: 'external_reference' | 'email_hash', value: string, signal?: AbortSignal): Promise<TradifyIndexEntry[]> {
    const rows = await this.#query(
      `SELECT * FROM {s}.tradify_index WHERE account_id = $1 AND kind = $2 AND ${column} = $3 ORDER BY length(tradify_id), tradify_id`,
      [accountId, kind, value],
      signal,
    );
    return rows.map(toIndexEntry);
  }

  // --- worker support --------------------------------------------------------------------------

  /**
   * Run SQL against this store's pool with `{s}` replaced by the quoted schema name. For the
   * multi-account worker in this package (job claims); not part of the {@link StateStore} port.
   *
   * @internal
   */
  async rawQuery(sql: string, params: unknown[], options?: StoreCallOptions): Promise<Row[]> {
    return this.#query(sql, params, options?.signal);
  }

  /** End the pool the store created (a shared `pool` is left open). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }
}
