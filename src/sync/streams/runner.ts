/**
 * The page loop every stream shares (DESIGN §6.1, §6.5): read keyset pages (bounded read-ahead),
 * skip rows already applied at the same `(id, updated_at)`, sync the rest, and commit the page
 * — cursor, seen rows, links, hashes, dead letters, reviews, audit — in ONE fenced `commitPage`.
 * The cursor never passes the server's `Date` at run start, and moves only past rows handled.
 *
 * @module
 */
import type { KeysetPage } from '../../cliniko/keyset.js';
import type { SyncStream } from '../events.js';
import type { StreamCursor } from '../ports.js';
import { isTargetDown } from '../writer.js';
import { PageWork } from './commit.js';
import type { RunContext } from './context.js';
import { readAhead } from './read-ahead.js';

/** Why a stream stopped before its end. */
export type StopReason = 'max-run-duration' | 'target-down';

/** What a stream does with one page's new rows. */
export interface StreamHandler<T extends { id: string; updated_at: string }> {
  stream: SyncStream;
  /** Reads changes from `since`. */
  changes(run: RunContext, since: string): AsyncIterable<KeysetPage<T>>;
  /** Loads what the rows need (links, hashes, items, missing patients) in a few batched calls. */
  prepare(run: RunContext, rows: T[], work: PageWork): Promise<void>;
  /**
   * Whether rows already applied at the same `(id, updated_at)` are dropped before `prepare`.
   * Invoices: yes (it saves the item reads). Patients: no — the payload hash already skips
   * them without a write, and two edits within one second (same `updated_at`) are still seen.
   */
  skipSeen: boolean;
  /** Syncs one row; throws `TargetDownError` when Tradify is down. */
  syncOne(run: RunContext, row: T, work: PageWork): Promise<void>;
}

const EPOCH = '1970-01-01T00:00:00Z';

function isoMinusSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Where a stream starts reading: its cursor minus the lookback, or `initialSyncFrom` on the first sync. */
export function readStart(run: RunContext, cursor: StreamCursor | undefined): string {
  if (cursor) return isoMinusSeconds(cursor.updatedAt, run.options.lookbackSeconds);
  return run.options.initialSyncFrom ?? EPOCH;
}

function capped(updatedAt: string, serverTime: string | null): string {
  return serverTime !== null && updatedAt > serverTime ? serverTime : updatedAt;
}

/** Drops the rows already applied at the same `(id, updated_at)`. */
async function unseenRows<T extends { id: string; updated_at: string }>(run: RunContext, stream: SyncStream, rows: T[]): Promise<T[]> {
  if (rows.length === 0) return rows;
  const flags = await run.options.store.seen.has(run.accountId, stream, rows.map((r) => ({ id: r.id, updatedAt: r.updated_at })), { signal: run.signal });
  return rows.filter((_, i) => !flags[i]);
}

/**
 * Runs one stream to its end, or until the deadline or an outage stops it.
 *
 * @returns the reason it stopped early, or `undefined` when it read everything.
 */
export async function runStream<T extends { id: string; updated_at: string }>(run: RunContext, handler: StreamHandler<T>): Promise<StopReason | undefined> {
  const { store } = run.options;
  const stream = handler.stream;
  const cursor = await store.cursors.get(run.accountId, stream, { signal: run.signal });
  const since = readStart(run, cursor);
  for await (const page of readAhead(handler.changes(run, since), run.options.readAhead)) {
    if (run.pastDeadline) return 'max-run-duration';
    const outcome = await processPage(run, handler, page, cursor);
    if (outcome) return outcome;
  }
  return undefined;
}

async function processPage<T extends { id: string; updated_at: string }>(
  run: RunContext,
  handler: StreamHandler<T>,
  page: KeysetPage<T>,
  previous: StreamCursor | undefined,
): Promise<StopReason | undefined> {
  const stream = handler.stream;
  const work = new PageWork();
  const rows = handler.skipSeen ? await unseenRows(run, stream, page.records) : page.records;
  run.counters.read[stream] += rows.length + page.rejected.length;
  run.events.emit('pageRead', { runId: run.runId, stream, count: page.records.length + page.rejected.length, cursor: page.position.updatedAt });
  for (const bad of await unseenRows(run, stream, page.rejected.map((r) => ({ ...r, updated_at: r.updatedAt })))) {
    run.deadLetter(work, stream, bad.id, bad.updatedAt, 'schema', `Cliniko ${stream} record ${bad.id} does not match the schema`, bad.issues.map((i) => i.path));
    work.markSeen(stream, { id: bad.id, updatedAt: bad.updatedAt });
  }
  let stopped: StopReason | undefined;
  let last: { updatedAt: string; id: string } | undefined;
  try {
    if (rows.length > 0) await handler.prepare(run, rows, work);
    const done = await syncConcurrently(run, handler, rows, work);
    // only the rows before the first unfinished one count as handled (the cursor must not pass it)
    const handled = done.indexOf(false) === -1 ? rows.length : done.indexOf(false);
    for (const row of rows.slice(0, handled)) work.markSeen(stream, { id: row.id, updatedAt: row.updated_at });
    const lastRow = rows[handled - 1];
    if (lastRow) last = { updatedAt: lastRow.updated_at, id: lastRow.id };
    if (handled < rows.length) {
      run.markTargetDown(run.lastTargetDown);
      stopped = 'target-down';
    }
  } catch (error) {
    if (!isTargetDown(error)) throw error;
    run.markTargetDown(error);
    stopped = 'target-down';
  }
  const position = stopped ? last : { updatedAt: page.position.updatedAt, id: page.position.afterId ?? last?.id ?? '0' };
  if (position) {
    const updatedAt = capped(position.updatedAt, page.serverTime);
    if (!previous || updatedAt >= previous.updatedAt) work.cursors[stream] = { updatedAt, id: position.id };
    work.seenPruneBefore[stream] = isoMinusSeconds(updatedAt, run.options.lookbackSeconds);
  }
  await commit(run, work);
  return stopped;
}

/** Records synced at once within a page (different records; one record's writes stay in order). */
export const PAGE_CONCURRENCY = 16;

/**
 * Syncs a page's rows, up to {@link PAGE_CONCURRENCY} at a time, so the Tradify pacer always has
 * work queued. Once Tradify is down no new row starts.
 *
 * @returns per row, whether it finished.
 */
async function syncConcurrently<T extends { id: string; updated_at: string }>(run: RunContext, handler: StreamHandler<T>, rows: T[], work: PageWork): Promise<boolean[]> {
  const done = rows.map(() => false);
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (next < rows.length && !run.writesStopped && failure === undefined) {
      const index = next++;
      try {
        await run.heartbeat();
        await handler.syncOne(run, rows[index]!, work);
        done[index] = true;
      } catch (error) {
        if (isTargetDown(error)) run.noteTargetDown(error);
        else failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PAGE_CONCURRENCY, rows.length) }, worker));
  if (failure !== undefined) throw failure;
  return done;
}

/** Writes a page's work in one fenced commit (nothing in a dry run). */
export async function commit(run: RunContext, work: PageWork): Promise<void> {
  if (run.dryRun || work.isEmpty) return;
  await run.options.store.commitPage(run.accountId, run.token, work.toCommit(), { signal: run.signal });
}
