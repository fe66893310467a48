/**
 * The ports of the sync engine: the {@link StateStore} (everything the engine remembers),
 * the {@link RetryPolicy} (engine-level retries of whole records and pages), the
 * {@link Alerter} (telling a person) and the {@link Logger} (re-exported from core).
 *
 * Privacy (`docs/architecture.md#privacy-by-shape`): a state store holds ids, timestamps, field NAMES, reason codes,
 * hashes and decimal amounts only — never names, emails, addresses, phone numbers or payloads.
 * Every type below is shaped so that nothing else fits naturally; keep it that way.
 *
 * Conventions used by every store method:
 * - the first argument is the account id: two accounts never see each other's data;
 * - the last argument is an optional {@link StoreCallOptions} with an `AbortSignal`;
 * - store-generated times are epoch milliseconds from the store's injectable clock; times that
 *   come from Cliniko or Tradify (`updated_at`, `updatedAt`) are kept as the strings they sent;
 * - ids are strings; lists ordered by id use numeric order for digit ids (shorter first, then
 *   text), which is `BigInt` order for canonical digit strings;
 * - paged lists take `{ limit, cursor }` and return a {@link StorePage}; pass `next` back as
 *   `cursor` until it is `undefined`.
 *
 * @module
 */

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

export type { Logger, LogFields } from '../core/logger.js';

// ---------------------------------------------------------------------------------------------
// Shared shapes

/** Options every store method accepts. */
export interface StoreCallOptions {
  /** Aborts the call before it touches the store; an aborted call throws `AbortError`. */
  signal?: AbortSignal | undefined;
}

/** A JSON value, for the few opaque, privacy-checked blobs a store keeps (plans, run summaries). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Paging options of every list method. */
export interface PageOptions extends StoreCallOptions {
  /**
   * Rows per page.
   * @defaultValue 100
   */
  limit?: number | undefined;
  /** The `next` value of the previous page; omit for the first page. Opaque. */
  cursor?: string | undefined;
}

/** One page of a list. */
export interface StorePage<T> {
  items: T[];
  /** Pass as `cursor` to read the next page; `undefined` on the last page. */
  next: string | undefined;
}

/** What a link or a hash is about. */
export type LinkKind = 'patient' | 'invoice';

// ---------------------------------------------------------------------------------------------
// Lease

/**
 * An account's lease: who may sync it now, until when, and the fencing token that every
 * {@link StateStore.commitPage} must present.
 */
export interface Lease {
  accountId: string;
  /**
   * The fencing token: a decimal integer string, strictly greater for every new top-level
   * acquisition of the account (never reused, even after a release). Compare with `BigInt`.
   */
  token: string;
  /** Who holds it; by convention `host:pid:random` (see {@link createLeaseOwner}). */
  owner: string;
  /** Epoch ms when the lease was acquired at top level. */
  acquiredAt: number;
  /** Epoch ms after which the lease is expired and may be taken over. */
  expiresAt: number;
  /** How many nested (re-entrant) holds are open on top of the top-level one. */
  depth: number;
}

/** Options of {@link StateStore.acquireLease}. */
export interface AcquireLeaseOptions extends StoreCallOptions {
  /** The holder's identity, kept for diagnostics and dead-process detection. */
  owner: string;
  /** Lifetime of the lease from now; renewed by {@link StateStore.renewLease}. */
  ttlMs: number;
  /**
   * The token of a lease the caller already holds, for work NESTED inside the holding
   * operation (e.g. reconcile's repair). A matching, live token returns the same lease with
   * `depth + 1`; a stale one throws `LeaseLostError`. Without it, a held lease is refused with
   * `LeaseHeldError`, even when the same owner holds it.
   */
  reentrantToken?: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Cursors and the seen window

/** A stream's position: the last `(updated_at, id)` applied, plus engine extras. */
export interface StreamCursor {
  /** Cliniko's `updated_at` of the last applied row, as sent. */
  updatedAt: string;
  /** The id of the last applied row. */
  id: string;
  /** Anything else the engine needs per stream (ids, timestamps, flags — never patient data). */
  extra?: Record<string, string | number | boolean | null> | undefined;
}

/** One `(id, updated_at)` pair already applied. */
export interface SeenEntry {
  id: string;
  /** Cliniko's `updated_at`, as sent (ISO 8601). */
  updatedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Links

/** A Cliniko record ↔ Tradify record link, current or superseded. */
export interface LinkRecord {
  kind: LinkKind;
  clinikoId: string;
  tradifyId: string;
  /** `'current'` for the live link; `'superseded'` for history (reissues, relinks, merges, unlinks). */
  status: 'current' | 'superseded';
  /** Reissue number: 0 for the first Tradify record, n for `cliniko:invoice:<id>:r<n>`. */
  revision: number;
  /** The `externalReference` written on the Tradify record, e.g. `cliniko:patient:123`. */
  externalReference: string | undefined;
  /** Tradify's `updatedAt` after OUR last write (conflict detection: a later one is someone else's edit). */
  tradifyUpdatedAt: string | undefined;
  /** For a merged patient: the Cliniko id it was merged into (`merged_with_patient`). */
  mergedIntoClinikoId: string | undefined;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  updatedAt: number;
  /** Epoch ms when it stopped being current. */
  supersededAt: number | undefined;
  /** Why it stopped being current, e.g. `'reissue'`, `'relink'`, `'merged'`, `'unlinked'`. */
  supersededReason: string | undefined;
}

/**
 * Set the current link of a Cliniko record. When the record's current link points at a
 * different Tradify id, that link becomes `superseded` (history is kept) with
 * `supersededReason` (default `'reissue'` when `revision` grew, else `'relink'`).
 * Writing the same Tradify id again updates the link in place.
 */
export interface LinkUpsert {
  kind: LinkKind;
  clinikoId: string;
  tradifyId: string;
  /** @defaultValue the current link's revision, else 0 */
  revision?: number | undefined;
  externalReference?: string | undefined;
  tradifyUpdatedAt?: string | undefined;
  mergedIntoClinikoId?: string | undefined;
  supersededReason?: string | undefined;
}

/** End a Cliniko record's current link without a replacement (kept as superseded history). */
export interface LinkRemoval {
  kind: LinkKind;
  clinikoId: string;
  /** @defaultValue `'unlinked'` */
  reason?: string | undefined;
}

/** Filters of {@link StateStore.links}`.list`. */
export interface LinkListOptions extends PageOptions {
  kind: LinkKind;
  /** @defaultValue `'current'` */
  status?: 'current' | 'superseded' | 'all' | undefined;
}

// ---------------------------------------------------------------------------------------------
// Hashes

/** The hash of the payload last written for a record (unchanged records are skipped by it). */
export interface HashWrite {
  /** What was hashed, e.g. `'patient'`, `'invoice'`, `'payment'`. */
  kind: string;
  clinikoId: string;
  /** The hash; `null` forgets it (forces the next write). */
  hash: string | null;
}

// ---------------------------------------------------------------------------------------------
// Dead letters

/** Lifecycle of a dead letter. */
export type DeadLetterStatus = 'open' | 'resolved' | 'discarded';

/** A record that could not be synced. No payload: replay re-fetches the record. */
export interface DeadLetter {
  /** Store-assigned id. */
  id: string;
  accountId: string;
  /** e.g. `'patients'`, `'invoices'`. */
  stream: string;
  /** The Cliniko id. */
  recordId: string;
  /** Cliniko's `updated_at` of the failing version, when known. */
  updatedAt: string | undefined;
  /** Machine reason, e.g. `'schema'`, `'unprocessable'`, `'mapping-refused'`. */
  reasonCode: string;
  /** Human text without patient data (field names and ids only). */
  message: string;
  /** zod paths or field names at fault. */
  paths: string[];
  /** How many times it failed. */
  attempts: number;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  lastAttemptAt: number;
  status: DeadLetterStatus;
  /** Epoch ms when it was resolved or discarded. */
  closedAt: number | undefined;
  /** Why it was closed, e.g. `'replayed'`, `'newer-version-synced'`, `'discarded-by-user'`. */
  resolution: string | undefined;
}

/**
 * A failure to record. If an OPEN letter exists for the same stream and record, it is updated
 * instead (attempts + 1, new reason/paths/updatedAt, `lastAttemptAt` now): one open letter per record.
 */
export interface NewDeadLetter {
  stream: string;
  recordId: string;
  updatedAt?: string | undefined;
  reasonCode: string;
  message: string;
  paths?: string[] | undefined;
}

/** Close a record's open dead letter (no-op when it has none). */
export interface DeadLetterClose {
  stream: string;
  recordId: string;
  status: 'resolved' | 'discarded';
  resolution?: string | undefined;
}

/** Filters of {@link StateStore.deadLetters}`.list`. */
export interface DeadLetterListOptions extends PageOptions {
  status?: DeadLetterStatus | undefined;
  stream?: string | undefined;
  reasonCode?: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Reviews

/** A decision a person must take. */
export interface Review {
  /** Store-assigned id. */
  id: string;
  accountId: string;
  /** What the record is, e.g. `'invoice'`, `'patient'`, `'reconciliation'`. */
  kind: string;
  /** The Cliniko id (or other id) concerned. */
  recordId: string;
  /** e.g. `'paid-to-closed'`, `'approved-invoice-changed'`, `'tradify-edit-conflict'`. */
  reasonCode: string;
  /** Ids, field names, status codes only. */
  detail: Record<string, string | number | boolean | null | string[]>;
  status: 'open' | 'resolved';
  /** The chosen resolution, e.g. `'reissue'`, `'dismiss'`. */
  resolution: string | undefined;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  resolvedAt: number | undefined;
}

/** A review to open. Deduplicated on `(kind, recordId, reasonCode)` while one is open. */
export interface NewReview {
  kind: string;
  recordId: string;
  reasonCode: string;
  detail?: Record<string, string | number | boolean | null | string[]> | undefined;
}

/** Filters of {@link StateStore.reviews}`.list`. */
export interface ReviewListOptions extends PageOptions {
  status?: 'open' | 'resolved' | undefined;
  kind?: string | undefined;
  recordId?: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Audit log

/** One thing the engine did, for the audit trail. Ids, timestamps and field NAMES only. */
export interface NewAuditEntry {
  runId?: string | undefined;
  /** e.g. `'patients'`, `'invoices'`, `'reconcile'`. */
  stream: string;
  /** e.g. `'create'`, `'update'`, `'approve'`, `'pay'`, `'cancel'`, `'link'`, `'repair'`. */
  action: string;
  clinikoId?: string | undefined;
  tradifyId?: string | undefined;
  clinikoCreatedAt?: string | undefined;
  clinikoUpdatedAt?: string | undefined;
  tradifyUpdatedAt?: string | undefined;
  /** Names of the fields written or overwritten. */
  changedFields?: string[] | undefined;
  /** The API's request id of the write. */
  requestId?: string | undefined;
  reasonCode?: string | undefined;
  /** Epoch ms; defaults to the store's clock. */
  at?: number | undefined;
}

/** A stored audit entry. */
export interface AuditEntry extends NewAuditEntry {
  /** Store-assigned id, increasing in insertion order. */
  id: string;
  accountId: string;
  at: number;
  changedFields: string[];
}

/** Filters of {@link StateStore.audit}`.list`; entries come oldest first. */
export interface AuditListOptions extends PageOptions {
  runId?: string | undefined;
  stream?: string | undefined;
  action?: string | undefined;
  clinikoId?: string | undefined;
  tradifyId?: string | undefined;
  /** Epoch ms, inclusive. */
  since?: number | undefined;
  /** Epoch ms, exclusive. */
  until?: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Runs

/** How a run ended. */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'aborted' | 'partial';

/** A sync, reconcile, apply or replay run. */
export interface RunRecord {
  /** Store-assigned unless given to `start`. */
  id: string;
  accountId: string;
  /** e.g. `'sync'`, `'reconcile'`, `'apply'`, `'replay'`. */
  kind: string;
  status: RunStatus;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms. */
  finishedAt: number | undefined;
  /** Counters and ids only (created, updated, requests, cursors…). */
  summary: Record<string, JsonValue> | undefined;
  /**
   * Set when the store itself ended the run (status `aborted`, `finishedAt` the moment it did):
   * another process took the account's lease over because the run's lease expired
   * (`'lease-expired'`) or, in a SQLite store, because its process on this host had died
   * (`'holder-died'`). Undefined for a run that ended itself.
   */
  endReason?: 'lease-expired' | 'holder-died' | undefined;
}

/** Filters of {@link StateStore.runs}`.list`; newest first. */
export interface RunListOptions extends PageOptions {
  kind?: string | undefined;
  status?: RunStatus | undefined;
}

// ---------------------------------------------------------------------------------------------
// Alert incidents

/**
 * How the alert of one incident fared at one destination (an alerter's `name`, never its URL).
 * `'failed'`: the last attempt did not get through, so the alert is sent again on the next run.
 */
export interface AlertDelivery {
  status: 'delivered' | 'failed';
  /** Failed attempts since the last success. */
  failures: number;
  /** Epoch ms of the last attempt. */
  lastAttemptAt: number;
  /** Epoch ms of the last successful delivery, if any. */
  deliveredAt: number | undefined;
  /** Why the last attempt failed: an error code or error class name, never a message or a URL. */
  errorCode: string | undefined;
}

/** Dedupe state of one alert fingerprint, so an unchanged problem is not re-alerted each run. */
export interface AlertIncident {
  fingerprint: string;
  /** Epoch ms. */
  firstSeenAt: number;
  /** Epoch ms. */
  lastSeenAt: number;
  /** Epoch ms of the last notification delivered (to any destination), if any. */
  lastAlertedAt: number | undefined;
  /** Times seen. */
  count: number;
  state: 'open' | 'resolved';
  /** The incident's latest alert (ids and counts only), kept so an undelivered one can be sent later. */
  alert?: Alert | undefined;
  /** Delivery state per destination (an alerter's `name`), reset when a resolved incident reopens. */
  deliveries?: Record<string, AlertDelivery> | undefined;
}

/** Filters of {@link StateStore.incidents}`.list`. */
export interface IncidentListFilter {
  state?: 'open' | 'resolved' | undefined;
  /** Only incidents with at least one destination whose delivery `'failed'` (open or resolved). */
  undelivered?: boolean | undefined;
}

// ---------------------------------------------------------------------------------------------
// Saved plans

/** A saved dry run. `data` holds ids, per-field hashes and reason codes only. */
export interface SavedPlan {
  id: string;
  /** Epoch ms. */
  createdAt: number;
  data: JsonValue;
}

// ---------------------------------------------------------------------------------------------
// Reconciliation staging

/** Which side a staged row was read from. */
export type StagingSide = 'cliniko' | 'tradify';

/** One record of one side, staged for reconciliation. */
export interface StagingRow {
  runId: string;
  side: StagingSide;
  /** e.g. `'patient'`, `'customer'`, `'invoice'`, `'payment'`. */
  kind: string;
  /** The record's id on its side. */
  id: string;
  /** A matching key: an `externalReference` or an email HASH; never a raw email. */
  key?: string | undefined;
  /** Field name → hash of the normalised value. */
  fields: Record<string, string>;
  /** Money as exact decimal strings, e.g. `{ total: '90.00', tax: '8.18' }`. */
  amounts?: Record<string, string> | undefined;
  /** Ids, status codes and plain dates (e.g. `issueDate`, `patientId`, `status`). */
  attributes?: Record<string, string | null> | undefined;
}

/** Which staged rows to read. */
export interface StagingSelector {
  runId: string;
  side: StagingSide;
  kind: string;
}

// ---------------------------------------------------------------------------------------------
// Tradify index

/** What the engine remembers of a Tradify record to link it without re-listing everything. */
export interface TradifyIndexEntry {
  kind: 'customer' | 'invoice';
  tradifyId: string;
  /** Its `externalReference`, e.g. `cliniko:patient:123`; undefined for Tradify's own records. */
  externalReference?: string | undefined;
  /** Hash of the normalised email (never the email). */
  emailHash?: string | undefined;
  /** Tradify's `updatedAt`, as sent. */
  updatedAt?: string | undefined;
  active?: boolean | undefined;
}

// ---------------------------------------------------------------------------------------------
// commitPage

/**
 * Everything one page of work changes, written by {@link StateStore.commitPage} in ONE
 * transaction: all of it or none of it. Every field is optional.
 */
export interface PageCommit {
  /** Stream → its new cursor. */
  cursors?: Record<string, StreamCursor> | undefined;
  /** Rows applied on this page, per stream. */
  seen?: Record<string, SeenEntry[]> | undefined;
  /** Stream → drop seen rows whose `updatedAt` is older than this ISO timestamp. */
  seenPruneBefore?: Record<string, string> | undefined;
  links?: LinkUpsert[] | undefined;
  unlinks?: LinkRemoval[] | undefined;
  hashes?: HashWrite[] | undefined;
  deadLetters?: { add?: NewDeadLetter[] | undefined; close?: DeadLetterClose[] | undefined } | undefined;
  reviews?: NewReview[] | undefined;
  audit?: NewAuditEntry[] | undefined;
  tradifyIndex?: TradifyIndexEntry[] | undefined;
}

// ---------------------------------------------------------------------------------------------
// The StateStore

/**
 * Everything the sync engine remembers, per account. Implementations: `MemoryStateStore`
 * (`cliniko-tradify`), `SqliteStateStore` (`cliniko-tradify/sqlite`), `PostgresStateStore`
 * (`cliniko-tradify/postgres`); an integrator's own store proves itself with
 * `runStateStoreConformance` from `cliniko-tradify/testing`.
 *
 * Writes made by a sync go through {@link StateStore.commitPage}, fenced by the lease. The
 * direct write methods on the sub-objects (resolving a dead letter, a review, pruning the audit
 * log, staging) are for people, reconciliation and maintenance, and are not fenced.
 */
export interface StateStore {
  /**
   * Take the account's lease.
   *
   * Free or expired → a new lease with a token greater than any before. Held and live →
   * `LeaseHeldError` (even for the same owner), unless `reentrantToken` is the live token, which
   * returns the same lease with `depth + 1`. Taking over a lease that was never released (it
   * expired, or its holder died) ends the account's `running` runs as `aborted`, in the same
   * transaction: only a lease holder runs, so those runs belong to the dead holder.
   *
   * @throws LeaseHeldError when another holder's lease is live.
   * @throws LeaseLostError when `reentrantToken` is not the live token.
   */
  acquireLease(accountId: string, options: AcquireLeaseOptions): Promise<Lease>;

  /**
   * Heartbeat: extend a live lease to `now + ttlMs`.
   *
   * @throws LeaseLostError when the token is not the live one (expired, released or taken over).
   */
  renewLease(accountId: string, token: string, ttlMs: number, options?: StoreCallOptions): Promise<Lease>;

  /**
   * Give the lease back. A nested hold (depth > 0) only drops one level. A stale token is
   * ignored (returns `false`): there is nothing left to release.
   *
   * @returns whether the lease (or one nested level of it) was released.
   */
  releaseLease(accountId: string, token: string, options?: StoreCallOptions): Promise<boolean>;

  /** The live lease, or `undefined` when free or expired. */
  getLease(accountId: string, options?: StoreCallOptions): Promise<Lease | undefined>;

  /**
   * Write one page of work atomically, fenced by the lease token.
   *
   * @throws LeaseLostError — and writes NOTHING — when the token is not the live lease's.
   */
  commitPage(accountId: string, token: string, page: PageCommit, options?: StoreCallOptions): Promise<void>;

  /** Stream positions. */
  readonly cursors: {
    /** The stream's cursor, or `undefined` before its first commit. */
    get(accountId: string, stream: string, options?: StoreCallOptions): Promise<StreamCursor | undefined>;
    /** Every stream's cursor. */
    list(accountId: string, options?: StoreCallOptions): Promise<Record<string, StreamCursor>>;
  };

  /** The `(id, updated_at)` rows applied within the lookback window. */
  readonly seen: {
    /** For each entry, in order, whether exactly that `(id, updatedAt)` was applied. */
    has(accountId: string, stream: string, entries: readonly SeenEntry[], options?: StoreCallOptions): Promise<boolean[]>;
    /** How many rows the stream's window holds. */
    count(accountId: string, stream: string, options?: StoreCallOptions): Promise<number>;
  };

  /** Cliniko ↔ Tradify links. */
  readonly links: {
    /** Current links of many Cliniko ids at once (absent ids are not in the map). */
    getMany(accountId: string, kind: LinkKind, clinikoIds: readonly string[], options?: StoreCallOptions): Promise<Map<string, LinkRecord>>;
    /** The link holding a Tradify id: the current one if any, else the most recently superseded. */
    getByTradifyId(accountId: string, kind: LinkKind, tradifyId: string, options?: StoreCallOptions): Promise<LinkRecord | undefined>;
    /** All links of one Cliniko id, current and superseded, oldest first. */
    history(accountId: string, kind: LinkKind, clinikoId: string, options?: StoreCallOptions): Promise<LinkRecord[]>;
    /** Page through links in Cliniko-id order (for reconciliation). */
    list(accountId: string, options: LinkListOptions): Promise<StorePage<LinkRecord>>;
  };

  /** Payload hashes of what was last written. */
  readonly hashes: {
    /** Hashes of many Cliniko ids at once (ids without one are not in the map). */
    getMany(accountId: string, kind: string, clinikoIds: readonly string[], options?: StoreCallOptions): Promise<Map<string, string>>;
  };

  /** Records that could not be synced. */
  readonly deadLetters: {
    /** Record a failure (merged into the record's open letter when there is one). */
    add(accountId: string, letter: NewDeadLetter, options?: StoreCallOptions): Promise<DeadLetter>;
    get(accountId: string, id: string, options?: StoreCallOptions): Promise<DeadLetter | undefined>;
    /** Oldest first. */
    list(accountId: string, options?: DeadLetterListOptions): Promise<StorePage<DeadLetter>>;
    /** Close as fixed. Returns the letter, or `undefined` when there is no such id. */
    resolve(accountId: string, id: string, resolution?: string, options?: StoreCallOptions): Promise<DeadLetter | undefined>;
    /** Close as given up. Returns the letter, or `undefined` when there is no such id. */
    discard(accountId: string, id: string, resolution?: string, options?: StoreCallOptions): Promise<DeadLetter | undefined>;
  };

  /** The review queue. */
  readonly reviews: {
    /** Open a review, or return the open one with the same `(kind, recordId, reasonCode)`. */
    open(accountId: string, review: NewReview, options?: StoreCallOptions): Promise<{ review: Review; created: boolean }>;
    get(accountId: string, id: string, options?: StoreCallOptions): Promise<Review | undefined>;
    /** Oldest first. */
    list(accountId: string, options?: ReviewListOptions): Promise<StorePage<Review>>;
    /** Record the decision. Returns `undefined` for an unknown id. */
    resolve(accountId: string, id: string, resolution: string, options?: StoreCallOptions): Promise<Review | undefined>;
  };

  /** The audit log. */
  readonly audit: {
    append(accountId: string, entries: readonly NewAuditEntry[], options?: StoreCallOptions): Promise<void>;
    /** Oldest first. */
    list(accountId: string, options?: AuditListOptions): Promise<StorePage<AuditEntry>>;
    /** Retention: delete entries with `at` before `before` (epoch ms). Returns how many. */
    prune(accountId: string, before: number, options?: StoreCallOptions): Promise<number>;
  };

  /** Run records. */
  readonly runs: {
    /** Record a run as `running`. */
    start(accountId: string, run: { kind: string; id?: string | undefined }, options?: StoreCallOptions): Promise<RunRecord>;
    /** Record its end (also over an `aborted` set at a takeover, clearing `endReason`). Returns `undefined` for an unknown id. */
    finish(
      accountId: string,
      runId: string,
      result: { status: Exclude<RunStatus, 'running'>; summary?: Record<string, JsonValue> | undefined },
      options?: StoreCallOptions,
    ): Promise<RunRecord | undefined>;
    get(accountId: string, runId: string, options?: StoreCallOptions): Promise<RunRecord | undefined>;
    /** The most recently started run matching the filters. */
    last(accountId: string, filter?: { kind?: string | undefined; status?: RunStatus | undefined }, options?: StoreCallOptions): Promise<RunRecord | undefined>;
    /** Newest first. */
    list(accountId: string, options?: RunListOptions): Promise<StorePage<RunRecord>>;
  };

  /** Alert dedupe state. */
  readonly incidents: {
    get(accountId: string, fingerprint: string, options?: StoreCallOptions): Promise<AlertIncident | undefined>;
    /** Insert or replace by fingerprint (with its alert and per-destination delivery state). */
    put(accountId: string, incident: AlertIncident, options?: StoreCallOptions): Promise<void>;
    /** Oldest `firstSeenAt` first. */
    list(accountId: string, filter?: IncidentListFilter, options?: StoreCallOptions): Promise<AlertIncident[]>;
  };

  /** Saved dry runs. */
  readonly plans: {
    /** Insert or replace by id. */
    save(accountId: string, plan: SavedPlan, options?: StoreCallOptions): Promise<void>;
    get(accountId: string, id: string, options?: StoreCallOptions): Promise<SavedPlan | undefined>;
    /** Returns whether it existed. */
    delete(accountId: string, id: string, options?: StoreCallOptions): Promise<boolean>;
  };

  /** Reconciliation staging: both sides, paged, never all in memory. */
  readonly staging: {
    /** Insert or replace by `(runId, side, kind, id)`. */
    put(accountId: string, rows: readonly StagingRow[], options?: StoreCallOptions): Promise<void>;
    /** Page through one side's rows of one kind, in id order. */
    list(accountId: string, selector: StagingSelector, options?: PageOptions): Promise<StorePage<StagingRow>>;
    /** Rows by id (absent ids are not in the map). */
    getMany(accountId: string, selector: StagingSelector, ids: readonly string[], options?: StoreCallOptions): Promise<Map<string, StagingRow>>;
    /** Rows sharing a matching key, in id order. */
    findByKey(accountId: string, selector: StagingSelector, key: string, options?: StoreCallOptions): Promise<StagingRow[]>;
    count(accountId: string, selector: StagingSelector, options?: StoreCallOptions): Promise<number>;
    /** Drop a run's rows. Returns how many. */
    clear(accountId: string, runId: string, options?: StoreCallOptions): Promise<number>;
  };

  /** What the engine knows of Tradify records (ids, references, email hashes). Written by commitPage. */
  readonly tradifyIndex: {
    get(accountId: string, kind: TradifyIndexEntry['kind'], tradifyId: string, options?: StoreCallOptions): Promise<TradifyIndexEntry | undefined>;
    findByExternalReference(accountId: string, kind: TradifyIndexEntry['kind'], externalReference: string, options?: StoreCallOptions): Promise<TradifyIndexEntry[]>;
    findByEmailHash(accountId: string, kind: TradifyIndexEntry['kind'], emailHash: string, options?: StoreCallOptions): Promise<TradifyIndexEntry[]>;
    count(accountId: string, kind: TradifyIndexEntry['kind'], options?: StoreCallOptions): Promise<number>;
  };

  /** Release resources (database handles). The store is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * A lease owner string `host:pid:random`, unique per call. Stores on the same host use the
 * host and pid to free the lease of a process that died without releasing it.
 *
 * @example
 * ```ts
 * const lease = await store.acquireLease('default', { owner: createLeaseOwner(), ttlMs: 60_000 });
 * ```
 */
export function createLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// RetryPolicy

/** What the engine knows when a record or page failed. */
export interface RetryContext {
  /** The failure. */
  error: unknown;
  /** Attempts made so far, including the one that just failed (1 after the first failure). */
  attempt: number;
  /** Milliseconds since the first attempt began. */
  elapsedMs: number;
  /** The stream, for policies that treat streams differently. */
  stream?: string | undefined;
}

/** A policy's answer. */
export interface RetryDecision {
  retry: boolean;
  /** How long to wait before the next attempt (0 when not retrying). */
  delayMs: number;
  /** Machine-readable reason, e.g. `'transient'`, `'rate-limited'`, `'not-retryable'`, `'attempts-exhausted'`. */
  reason: string;
}

/**
 * Engine-level retry of whole records and pages, on top of the HTTP layer's own retries.
 * Must be pure: the engine does the waiting with its injectable sleep.
 */
export interface RetryPolicy {
  decide(context: RetryContext): RetryDecision;
}

// ---------------------------------------------------------------------------------------------
// Alerter

/** What an alert is about. */
export type AlertKind = 'dead-letters' | 'reviews' | 'outage' | 'reconciliation' | 'lease' | 'run-failed' | 'config';

/** How urgent it is. */
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** One notification for a person. Ids and counts only — never patient details. */
export interface Alert {
  kind: AlertKind;
  severity: AlertSeverity;
  accountId: string;
  /** One line, no patient data, e.g. `"3 invoices dead-lettered (schema)"`. */
  summary: string;
  /** Counters, e.g. `{ deadLettered: 3 }`. */
  counts: Record<string, number>;
  /** Cliniko/Tradify ids concerned (a bounded sample). */
  recordIds: string[];
  /** Stable identity of the problem for dedupe across runs (same problem → same fingerprint). */
  fingerprint: string;
  runId?: string | undefined;
  /** ISO 8601 time the alert was raised. */
  at: string;
}

/**
 * Sends alerts somewhere (console, a callback, a webhook…). For the engine's dedupe, a `notify`
 * that resolves is a delivered alert and one that throws is a failed one, sent again next run.
 */
export interface Alerter {
  /**
   * A stable name for where alerts go (letters, digits, `.`, `_`, `-`; at most 64), the key of
   * the delivery state kept per incident. Never a URL or a secret. @defaultValue `'custom'`
   */
  readonly name?: string | undefined;
  /**
   * Deliver one alert. A custom alerter resolves once the alert got through and throws when it
   * did not (the built-in ones tell the dedupe layer of a failure even when they only log it).
   */
  notify(alert: Alert, options?: { signal?: AbortSignal | undefined }): Promise<void>;
}
