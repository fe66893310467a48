/**
 * The keyset window reader the sync engine uses (`docs/architecture.md#keyset-windows`).
 *
 * Cliniko pages by number, so a row edited during a scan moves and the rows after it shift
 * onto pages already read: a page-number reader silently loses them. This reader never asks
 * for page 2. Each request is page 1 of
 * `q[]=updated_at:>=T … sort=updated_at,id per_page=100`, and `T` advances to the last row
 * read. Rows at the boundary second that were already read are skipped by `(updated_at, id)`.
 * When a whole page shares one second (bulk imports), that second is drained by id:
 * `updated_at:>=S`, `updated_at:<S+1s`, `id:>lastId`, `sort=id`. Edited rows only move
 * forward (their `updated_at` grows), so they are read again later rather than lost.
 *
 * A {@link KeysetPosition} `(updatedAt, afterId)` means: every row ordered at or before
 * `(updatedAt, afterId)` by `(updated_at, id)` has been yielded (`afterId: null`: every row
 * strictly before `updatedAt`).
 *
 * How the engine uses it:
 * 1. `since` = the saved cursor minus the lookback (e.g. 120 s), `afterId` omitted: the
 *    lookback is re-read every run, and rows already applied at the same `(id, updated_at)`
 *    (the store's window set) are skipped by the engine.
 * 2. After each page: apply `records`, dead-letter `rejected`, then commit — in one
 *    `commitPage` — the cursor `min(page.position.updatedAt, page.serverTime)` and the
 *    `(id, updated_at)` pairs, pruned to the lookback. The cursor never passes the server's
 *    clock at the run's start, so rows committed late with an earlier `updated_at` are read
 *    next run.
 * 3. A crash between pages resumes from the last commit: rows of the lost page are read again
 *    and skipped or re-applied idempotently.
 *
 * @example
 * ```ts
 * const since = new Date(Date.parse(saved.cursor) - 120_000);
 * for await (const page of cliniko.patients.changes({ since, signal })) {
 *   const fresh = page.records.filter((p) => !applied.has(`${p.id}@${p.updated_at}`));
 *   await applyPatients(fresh);
 *   await deadLetter(page.rejected);            // ids, updated_at and zod paths only
 *   const cursor = page.serverTime && page.serverTime < page.position.updatedAt ? page.serverTime : page.position.updatedAt;
 *   await store.commitPage({ cursor, window: fresh.map((p) => [p.id, p.updated_at]) });
 * }
 * ```
 *
 * @module
 */
import { ResponseValidationError, type ValidationIssue } from '../core/errors.js';
import { zodIssues } from '../core/http.js';
import type { z } from 'zod';
import { toWholeSecondIso } from '../core/dates.js';
import { timestampSchema } from './schemas/common.js';

/** A resumable place in a keyset scan, ordered by `(updated_at, id)`. */
export interface KeysetPosition {
  /** UTC `YYYY-MM-DDTHH:MM:SSZ`. */
  updatedAt: string;
  /** The last id read at `updatedAt`, or `null` when nothing at `updatedAt` has been read. */
  afterId: string | null;
}

/** A record that failed its schema: enough to dead-letter it, nothing personal. */
export interface RejectedRecord {
  id: string;
  updatedAt: string;
  /** zod paths and codes, relative to the record. */
  issues: ValidationIssue[];
}

/** One page of changes. */
export interface KeysetPage<T> {
  /** Valid records, in `(updated_at, id)` order (id order inside a drained second). */
  records: T[];
  /** Records that failed the schema (dead-letter them; the position still moves past them). */
  rejected: RejectedRecord[];
  /** Where the scan stands after this page; persist it with the page's work. */
  position: KeysetPosition;
  /**
   * The server's `Date` header on the scan's first response (UTC, whole seconds), or `null`
   * when the server sent none: the run's start. The engine never moves its saved cursor past it.
   */
  serverTime: string | null;
  /**
   * The envelope's `total_entries` for this page's query: the rows at or after the window
   * start (this page's rows included, and rows at the boundary second already read). `null`
   * when the server sent none, and on a page that drains one second by id (its count covers
   * that second only, so it says nothing about the rest). The engine's ETA reads
   * {@link KeysetPage.remaining}.
   */
  totalEntries: number | null;
  /**
   * Rows the page's query matched beyond this page (`totalEntries` minus every row served,
   * boundary rows already read included): what is left to read after it. `null` whenever
   * `totalEntries` is.
   */
  remaining: number | null;
}

/** Options of `changes()` on patients, invoices and invoice items. */
export interface ChangesOptions {
  /** Read rows with `updated_at >= since` (a lookback is the engine's choice). */
  since: Date | string;
  /** Resume inside the second `since`: rows at `since` with an id ≤ `afterId` are skipped. */
  afterId?: string | null | undefined;
  /** @defaultValue 100 */
  perPage?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Fetch one page 1 with the given query; return the raw rows, the response headers and the
 * envelope's `total_entries` (`null` or omitted when absent).
 */
export type RawPageFetcher = (
  query: ReadonlyArray<readonly [string, string]>,
) => Promise<{ rows: unknown[]; headers: Headers; totalEntries?: number | null | undefined }>;

interface Scan {
  /** The second being read. */
  at: string;
  afterId: string | null;
  draining: boolean;
}

const ROW_KEY_PATTERN = /^\d{1,20}$/;

function plusOneSecond(timestamp: string): string {
  return toWholeSecondIso(Date.parse(timestamp) + 1000);
}

function serverTimeOf(headers: Headers): string | null {
  const parsed = Date.parse(headers.get('date') ?? '');
  return Number.isFinite(parsed) ? toWholeSecondIso(parsed) : null;
}

function rowKey(row: unknown, index: number, where: { path: string }): { id: string; updatedAt: string } {
  const r = (row ?? {}) as { id?: unknown; updated_at?: unknown };
  const id = typeof r.id === 'number' && Number.isSafeInteger(r.id) ? String(r.id) : r.id;
  const updated = timestampSchema.safeParse(r.updated_at);
  if (typeof id !== 'string' || !ROW_KEY_PATTERN.test(id) || !updated.success) {
    throw new ResponseValidationError({ api: 'cliniko', method: 'GET', path: where.path }, [
      { path: `${index}.${typeof id === 'string' && ROW_KEY_PATTERN.test(id) ? 'updated_at' : 'id'}`, code: 'invalid_key', message: 'a row without a usable id and updated_at cannot be placed in the scan' },
    ]);
  }
  return { id, updatedAt: updated.data };
}

function isAfter(key: { id: string; updatedAt: string }, scan: Scan): boolean {
  if (key.updatedAt !== scan.at) return key.updatedAt > scan.at;
  return scan.afterId === null || BigInt(key.id) > BigInt(scan.afterId);
}

function queryFor(scan: Scan, extra: readonly string[], perPage: number): Array<readonly [string, string]> {
  const q = (v: string) => ['q[]', v] as const;
  const base = scan.draining
    ? [q(`updated_at:>=${scan.at}`), q(`updated_at:<${plusOneSecond(scan.at)}`), ...(scan.afterId ? [q(`id:>${scan.afterId}`)] : [])]
    : [q(`updated_at:>=${scan.at}`)];
  return [...base, ...extra.map(q), ['sort', scan.draining ? 'id' : 'updated_at,id'], ['per_page', String(perPage)]];
}

/**
 * Read changes as keyset pages. Used by `cliniko.patients.changes()` and friends.
 *
 * @param fetchRaw - fetches page 1 for a query.
 * @param schema - validates each record; failures become {@link RejectedRecord}s.
 * @param extraFilters - always-on filters such as `archived_at:*`, `deleted_at:*`.
 * @throws {@link ResponseValidationError} when a row has no usable `id`/`updated_at`.
 */
export async function* readKeysetPages<T>(
  fetchRaw: RawPageFetcher,
  schema: z.ZodType<T>,
  extraFilters: readonly string[],
  options: { since: string; afterId: string | null; perPage: number; path: string },
): AsyncGenerator<KeysetPage<T>, void, undefined> {
  const scan: Scan = { at: options.since, afterId: options.afterId, draining: false };
  let serverTime: string | null | undefined;
  for (;;) {
    const draining = scan.draining;
    const { rows, headers, totalEntries } = await fetchRaw(queryFor(scan, extraFilters, options.perPage));
    if (serverTime === undefined) serverTime = serverTimeOf(headers);
    const keys = rows.map((row, i) => rowKey(row, i, options));
    const fresh = rows.map((row, i) => ({ row, key: keys[i]! })).filter(({ key }) => isAfter(key, scan));
    const full = rows.length >= options.perPage;
    const first = keys[0];
    const last = keys[keys.length - 1];
    const done = advance(scan, full, first, last);
    const page: KeysetPage<T> = {
      records: [],
      rejected: [],
      position: { updatedAt: scan.at, afterId: scan.afterId },
      serverTime,
      totalEntries: draining ? null : (totalEntries ?? null),
      remaining: draining || totalEntries == null ? null : Math.max(0, totalEntries - rows.length),
    };
    for (const { row, key } of fresh) {
      const result = schema.safeParse(row);
      if (result.success) page.records.push(result.data);
      else page.rejected.push({ id: key.id, updatedAt: key.updatedAt, issues: zodIssues(result.error.issues) });
    }
    yield page;
    if (done) return;
  }
}

type Key = { id: string; updatedAt: string };

/** Move the scan past a page; returns true when the scan is complete. */
function advance(scan: Scan, full: boolean, first: Key | undefined, last: Key | undefined): boolean {
  if (scan.draining) {
    if (full && last) {
      scan.afterId = last.id;
      return false;
    }
    scan.at = plusOneSecond(scan.at);
    scan.afterId = null;
    scan.draining = false;
    return false;
  }
  if (!last || !first) return true;
  if (!full) {
    if (isAfter(last, scan)) {
      scan.at = last.updatedAt;
      scan.afterId = last.id;
    }
    return true;
  }
  if (first.updatedAt === last.updatedAt) {
    scan.at = last.updatedAt;
    scan.afterId = last.id;
    scan.draining = true;
    return false;
  }
  scan.at = last.updatedAt;
  scan.afterId = last.id;
  return false;
}
