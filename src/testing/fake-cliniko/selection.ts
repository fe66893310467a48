/**
 * Selecting the rows of a list request fast enough for 100,000-row tables: the matching rows
 * of a (table version, path, filters, sort) are cached, so reading page after page of one
 * query costs one scan; and when the first sort column is ascending and filtered with `>`
 * or `>=` (the keyset reader's `updated_at:>=T&sort=updated_at,id`), the scan starts at a
 * binary-searched position instead of the first row.
 *
 * @module
 */
import type { ParsedFilter } from './filters.js';
import type { SortKey } from './listing.js';
import type { BaseRow } from './table.js';

const CACHE_SIZE = 16;

/**
 * The first index of `rows` (sorted ascending on `field`, nulls last) that can satisfy the
 * lower bound: every earlier row fails it.
 */
export function lowerBoundIndex(rows: readonly BaseRow[], field: string, bound: { inclusive: boolean; text: string }): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const cell = (rows[middle] as unknown as Record<string, unknown>)[field];
    const reached = typeof cell !== 'string' || (bound.inclusive ? cell >= bound.text : cell > bound.text);
    if (reached) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Where the scan of a sorted view may start. */
export function scanStart(rows: readonly BaseRow[], keys: readonly SortKey[], filters: readonly ParsedFilter[]): number {
  const first = keys[0];
  if (!first || first.descending) return 0;
  let start = 0;
  for (const filter of filters) {
    if (filter.field === first.field && filter.lowerBound) start = Math.max(start, lowerBoundIndex(rows, first.field, filter.lowerBound));
  }
  return start;
}

/** A small LRU of matching-row lists. */
export class MatchCache {
  private readonly entries = new Map<string, readonly BaseRow[]>();

  /** The cached rows for `key`, or computes and caches them. */
  get<Row extends BaseRow>(key: string, compute: () => Row[]): readonly Row[] {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit as readonly Row[];
    }
    const rows = compute();
    this.entries.set(key, rows);
    if (this.entries.size > CACHE_SIZE) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return rows;
  }
}
