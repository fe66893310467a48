/**
 * Shared helpers of the seeded generator and the data API: id sequences and timestamps.
 *
 * @module
 */
import type { Random } from './random.js';

/** 2023-07-01T00:00:00Z: the earliest generated patient or invoice. */
export const GENERATED_FROM_MS = Date.UTC(2023, 6, 1);
/** 2025-06-30T00:00:00Z: nothing generated is later than this. */
export const GENERATED_UNTIL_MS = Date.UTC(2025, 5, 30);

const MAX_ID_STEP = 1 << 20;

/**
 * Formats an instant as Cliniko does: UTC, whole seconds, `Z` suffix.
 *
 * @example
 * ```ts
 * formatTimestamp(0); // '1970-01-01T00:00:00Z'
 * ```
 */
export function formatTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * Returns a generator of increasing 64-bit ids as decimal strings. Half of the first
 * `expectedCount` ids have 18 digits and the rest 19, so ordering them as text is wrong
 * and ordering them as BigInt is right (every id is far above 2^53).
 */
export function createIdSequence(rnd: Random, expectedCount: number): () => string {
  let current = 10n ** 18n - BigInt(Math.ceil(expectedCount / 2)) * BigInt(MAX_ID_STEP / 2);
  return () => {
    current += BigInt(rnd.int(1, MAX_ID_STEP - 1));
    return current.toString();
  };
}

/**
 * Returns the next id after `lastId` for a row inserted through the data API.
 *
 * @param lastId - the largest id in the table, or undefined when it is empty
 */
export function nextIdAfter(rnd: Random, lastId: string | undefined): string {
  const base = lastId === undefined ? 10n ** 18n : BigInt(lastId);
  return (base + BigInt(rnd.int(1, MAX_ID_STEP - 1))).toString();
}

/**
 * Increasing creation instants (whole seconds) spread over the generated period.
 * When `bulkSize` is positive, a block of that many rows in the middle shares one second,
 * as a bulk import does.
 */
export function createdInstants(rnd: Random, count: number, bulkSize: number): number[] {
  const span = GENERATED_UNTIL_MS - GENERATED_FROM_MS - 120 * 86_400_000;
  const meanGapSeconds = Math.max(1, Math.floor(span / 1000 / Math.max(1, count)));
  const bulkStart = bulkSize > 0 ? Math.floor(count * 0.3) : -1;
  const result: number[] = [];
  let at = GENERATED_FROM_MS;
  for (let i = 0; i < count; i += 1) {
    const inBulk = i > bulkStart && i < bulkStart + bulkSize;
    if (!inBulk) at += rnd.int(0, meanGapSeconds * 2) * 1000;
    result.push(at);
  }
  return result;
}

/** A later instant, at most `maxDays` after `from` and never after the generated period. */
export function laterInstant(rnd: Random, from: number, maxDays: number): number {
  const candidate = from + rnd.int(1, maxDays * 86_400) * 1000;
  return Math.min(Math.max(candidate, from), GENERATED_UNTIL_MS);
}
