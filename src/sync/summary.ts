/**
 * The summary a run returns, and the counters it is built from.
 *
 * @module
 */
import type { Eta } from './eta.js';

/** Where each stream's cursor stands after the run. */
export interface StreamCursorView {
  /** The `updated_at` the next run reads from (before the lookback), or null before the first sync. */
  updatedAt: string | null;
  /** The id of the last record handled at that instant. */
  id: string | null;
}

/** The result of `engine.run()` (and of `apply()`). Counts, ids-free. */
export interface SyncSummary {
  /** The run's id in the store. */
  runId: string;
  /** `completed`, or `partial` when `maxRunDuration`, an outage or the signal stopped it after a checkpoint. */
  outcome: 'completed' | 'partial';
  /** Why a partial run stopped. */
  stoppedBecause?: 'max-run-duration' | 'target-down' | 'aborted' | undefined;
  /** Tradify records created (customers and invoices). */
  created: number;
  /** Tradify records updated (including status changes and payments). */
  updated: number;
  /** Records read whose mapped payload had not changed. */
  unchanged: number;
  /** Records read and deliberately not written (filtered, first-seen Closed, already applied…). */
  skipped: number;
  /** Records sent to the dead-letter list in this run. */
  deadLettered: number;
  /** Reviews opened in this run. */
  reviews: number;
  /** Per stream: records read. */
  read: { patients: number; invoices: number };
  /** HTTP requests made in this run (every attempt). */
  requests: { cliniko: number; tradify: number };
  /** Tradify write requests made in this run. */
  writes: number;
  /** Wall time of the run. */
  durationMs: number;
  /** Cursors after the run. */
  cursors: { patients: StreamCursorView; invoices: StreamCursorView };
  /** Estimated time for what is still pending, at the APIs' limits. */
  eta: Eta;
  /**
   * Per stream: Cliniko records still to read after the run, from the last page handled
   * (its `total_entries` minus its rows), or counted for a stream a stopped run never reached.
   * 0 when the stream read everything.
   */
  pending?: PendingWork | undefined;
}

/** Records still to read, per stream. */
export interface PendingWork {
  patients: number;
  invoices: number;
}

/** Mutable counters a run accumulates: the summary's counts, plus what is still to read. */
export type RunCounters = Pick<SyncSummary, 'created' | 'updated' | 'unchanged' | 'skipped' | 'deadLettered' | 'reviews' | 'writes' | 'read'> & {
  /** Records still to read per stream, as of the last page handled (see `PendingTracker`). */
  pending: PendingWork;
};

/** Fresh zeroed counters. */
export function emptyCounters(): RunCounters {
  return { created: 0, updated: 0, unchanged: 0, skipped: 0, deadLettered: 0, reviews: 0, writes: 0, read: { patients: 0, invoices: 0 }, pending: { patients: 0, invoices: 0 } };
}
