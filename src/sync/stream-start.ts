/**
 * Where a stream's next read starts: its cursor minus the lookback, or `initialSyncFrom` before
 * the first sync. Both the page loop and the estimator need it, so it sits below them.
 *
 * @module
 */
import { toWholeSecondIso } from '../core/dates.js';
import type { StreamCursor } from './ports.js';

const EPOCH = '1970-01-01T00:00:00Z';

/** Where a stream's next read starts. */
export interface StreamStartOptions {
  /** Seconds re-read before the cursor. */
  lookbackSeconds: number;
  /** Where the first sync starts (ISO 8601 UTC), when it does not start at the beginning. */
  initialSyncFrom?: string | undefined;
}

/** `seconds` before an ISO 8601 instant, as whole-second UTC. */
export function secondsBefore(iso: string, seconds: number): string {
  return toWholeSecondIso(Date.parse(iso) - seconds * 1000);
}

/** Where a stream starts reading: its cursor minus the lookback, or `initialSyncFrom` on the first sync. */
export function streamStart(cursor: StreamCursor | undefined, options: StreamStartOptions): string {
  if (cursor) return secondsBefore(cursor.updatedAt, options.lookbackSeconds);
  return options.initialSyncFrom ?? EPOCH;
}
