/**
 * The page loop every stream shares (`docs/architecture.md#keyset-windows`, `docs/architecture.md#checkpoint-per-page`): read keyset pages (bounded read-ahead),
 * skip rows already applied at the same `(id, updated_at)`, sync the rest, and commit the page
 * — cursor, seen rows, links, hashes, dead letters, reviews, audit — in ONE fenced `commitPage`.
 * The cursor never passes the server's `Date` at run start, and moves only past rows handled.
 * Two pages are in flight at once (the next one prepares and starts writing while the last rows
 * of the previous one finish); their commits still happen one by one, in page order.
 *
 * @module
 */
import PQueue from 'p-queue';
import type { KeysetPage } from '../../cliniko/keyset.js';
import type { SyncStream } from '../events.js';
import type { StreamCursor } from '../ports.js';
import { isTargetDown } from '../record-retry.js';
import { commit } from './commit.js';
import { PageWork } from './page-work.js';
import type { RunContext } from './context.js';
import { readAhead } from './read-ahead.js';
import { secondsBefore, streamStart } from '../stream-start.js';

/** Why a stream stopped before its end. */
export type StopReason = 'max-run-duration' | 'target-down';

/**
 * What a stream does with one page's new rows.
 *
 * @typeParam P - what `prepare` loaded for the page (links, hashes, items), handed to `syncOne`
 */
export interface StreamHandler<T extends { id: string; updated_at: string }, P = unknown> {
  stream: SyncStream;
  /** Reads changes from `since`. */
  changes(run: RunContext, since: string): AsyncIterable<KeysetPage<T>>;
  /** Loads what the rows need (links, hashes, items, missing patients) in a few batched calls. */
  prepare(run: RunContext, rows: T[], work: PageWork): Promise<P>;
  /**
   * Whether rows already applied at the same `(id, updated_at)` are dropped before `prepare`.
   * Invoices: yes (it saves the item reads). Patients: no — the payload hash already skips
   * them without a write, and two edits within one second (same `updated_at`) are still seen.
   */
  skipSeen: boolean;
  /** Syncs one row; throws `TargetDownError` when Tradify is down. */
  syncOne(run: RunContext, row: T, work: PageWork, prepared: P): Promise<void>;
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

/** Records synced at once, over every page in flight (different records; one record's writes stay in order). */
export const PAGE_CONCURRENCY = 32;

/**
 * Pages whose rows may be syncing at once. The next page is prepared and starts writing while
 * the previous page's last records finish, so the Tradify pacer never waits on a page boundary;
 * pages still commit one by one, in order.
 */
export const PAGES_IN_FLIGHT = 2;

/** The row slots shared by the pages in flight. */
interface RowSlots {
  queue: PQueue;
  /** Pages numbered this or later start no more rows (set by a failure; earlier pages finish). */
  haltFrom: number;
  /** The number the next page gets. */
  nextPage: number;
}

/** A page being synced: its rows, its work, and how the sync of its rows ended. */
interface StartedPage<T> {
  page: KeysetPage<T>;
  work: PageWork;
  ids: Set<string>;
  result: Promise<PageResult<T>>;
}

interface PageResult<T> {
  rows: T[];
  /** Per row, whether it finished. */
  done: boolean[];
  /** Tradify went down while preparing the page. */
  downInPrepare: boolean;
}

/**
 * Runs one stream to its end, or until the deadline or an outage stops it.
 *
 * @returns the reason it stopped early, or `undefined` when it read everything.
 */
export async function runStream<T extends { id: string; updated_at: string }, P>(run: RunContext, handler: StreamHandler<T, P>): Promise<StopReason | undefined> {
  const cursor = await run.options.store.cursors.get(run.accountId, handler.stream, { signal: run.signal });
  const since = streamStart(cursor, run.options);
  run.streamsReached.add(handler.stream);
  const slots: RowSlots = { queue: new PQueue({ concurrency: PAGE_CONCURRENCY }), haltFrom: Number.POSITIVE_INFINITY, nextPage: 0 };
  const inFlight: Array<StartedPage<T>> = [];
  let previous = cursor;
  let stopped: StopReason | undefined;
  const finishOldest = async (): Promise<void> => {
    const started = inFlight.shift()!;
    const outcome = await finishPage(run, handler.stream, started, previous, stopped !== 'target-down');
    previous = outcome.cursor ?? previous;
    stopped ??= outcome.stopped;
  };
  try {
    for await (const page of readAhead(handler.changes(run, since), run.options.readAhead)) {
      if (run.pastDeadline) {
        stopped = 'max-run-duration';
        break;
      }
      // a record edited during the run can come back on a later page: let its first sync commit first
      while (inFlight.length > 0 && page.records.some((r) => inFlight.some((f) => f.ids.has(r.id)))) await finishOldest();
      if (stopped) break;
      inFlight.push(startPage(run, handler, page, slots));
      while (inFlight.length >= PAGES_IN_FLIGHT && stopped === undefined) await finishOldest();
      if (stopped) break;
    }
    while (inFlight.length > 0) await finishOldest();
  } finally {
    // an error or an abort: start no more rows, let the pages in flight settle (no write outlives the run), commit nothing more
    slots.haltFrom = 0;
    await Promise.allSettled(inFlight.map((f) => f.result));
  }
  return stopped;
}

/** Reads a page's state and queues its rows; the rows sync while later pages are read. */
function startPage<T extends { id: string; updated_at: string }, P>(run: RunContext, handler: StreamHandler<T, P>, page: KeysetPage<T>, slots: RowSlots): StartedPage<T> {
  const stream = handler.stream;
  const work = new PageWork();
  const pageNumber = slots.nextPage++;
  run.events.emit('pageRead', { runId: run.runId, stream, count: page.records.length + page.rejected.length, cursor: page.position.updatedAt });
  const result = (async (): Promise<PageResult<T>> => {
    const rows = handler.skipSeen ? await unseenRows(run, stream, page.records) : page.records;
    run.counters.read[stream] += rows.length + page.rejected.length;
    for (const bad of await unseenRows(run, stream, page.rejected.map((r) => ({ ...r, updated_at: r.updatedAt })))) {
      run.deadLetter(work, stream, bad.id, bad.updatedAt, 'schema', `Cliniko ${stream} record ${bad.id} does not match the schema`, bad.issues.map((i) => i.path));
      work.markSeen(stream, { id: bad.id, updatedAt: bad.updatedAt });
    }
    const done = rows.map(() => false);
    try {
      const prepared = rows.length > 0 ? await handler.prepare(run, rows, work) : (undefined as P);
      await syncRows(run, rows, done, slots, pageNumber, (row) => handler.syncOne(run, row, work, prepared));
    } catch (error) {
      if (!isTargetDown(error)) throw error;
      run.markTargetDown(error);
      return { rows, done, downInPrepare: true };
    }
    return { rows, done, downInPrepare: false };
  })();
  result.catch(() => undefined); // awaited in order by finishPage; this only keeps a later page's failure from going unhandled meanwhile
  return { page, work, ids: new Set(page.records.map((r) => r.id)), result };
}

/**
 * Waits for a page's rows and commits its work. The cursor moves only when every earlier page
 * finished (`advance`) and only past rows handled; a page after a stop commits its links and
 * hashes but not the cursor.
 */
async function finishPage<T extends { id: string; updated_at: string }>(
  run: RunContext,
  stream: SyncStream,
  started: StartedPage<T>,
  previous: StreamCursor | undefined,
  advance: boolean,
): Promise<{ stopped?: StopReason; cursor?: StreamCursor }> {
  const { page, work } = started;
  const { rows, done, downInPrepare } = await started.result;
  // only the rows before the first unfinished one count as handled (the cursor must not pass it)
  const handled = downInPrepare ? 0 : done.indexOf(false) === -1 ? rows.length : done.indexOf(false);
  for (const row of rows.slice(0, handled)) work.markSeen(stream, { id: row.id, updatedAt: row.updated_at });
  let stopped: StopReason | undefined;
  if (downInPrepare) stopped = 'target-down';
  else if (handled < rows.length) {
    run.markTargetDown(run.lastTargetDown);
    stopped = 'target-down';
  }
  const lastRow = rows[handled - 1];
  const last = lastRow ? { updatedAt: lastRow.updated_at, id: lastRow.id } : undefined;
  const position = stopped ? last : { updatedAt: page.position.updatedAt, id: page.position.afterId ?? last?.id ?? '0' };
  let cursor: StreamCursor | undefined;
  if (position && advance) {
    const updatedAt = capped(position.updatedAt, page.serverTime);
    if (!previous || updatedAt >= previous.updatedAt) cursor = work.cursors[stream] = { updatedAt, id: position.id };
    work.seenPruneBefore[stream] = secondsBefore(updatedAt, run.options.lookbackSeconds);
  }
  await commit(run, work);
  return { stopped, cursor };
}

/**
 * Syncs rows through the shared slots, so the Tradify pacer always has work queued. Once
 * Tradify is down no new row starts; another failure stops the page and is thrown.
 */
async function syncRows<T>(run: RunContext, rows: T[], done: boolean[], slots: RowSlots, pageNumber: number, syncOne: (row: T) => Promise<void>): Promise<void> {
  let failure: unknown;
  await Promise.all(
    rows.map((row, index) =>
      slots.queue.add(async () => {
        if (run.writesStopped || pageNumber >= slots.haltFrom) return;
        try {
          await run.heartbeat();
          await syncOne(row);
          done[index] = true;
        } catch (error) {
          if (isTargetDown(error)) run.noteTargetDown(error);
          else {
            failure ??= error;
            slots.haltFrom = Math.min(slots.haltFrom, pageNumber); // this page and later ones start no more rows
          }
        }
      }),
    ),
  );
  if (failure !== undefined) throw failure;
}
