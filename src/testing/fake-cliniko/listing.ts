/**
 * Sorting (`sort=col[,col2][:desc]`, deprecated `order`), page-number pagination and the
 * list envelope with absolute `links` that keep every other query parameter.
 *
 * @module
 */
import type { FilterFieldType, FilterWhitelist } from './filters.js';
import { compareIdsShorterFirst } from '../../core/ids.js';
import type { BaseRow, FakeTable } from './table.js';

/** One sort column. */
export interface SortKey {
  field: string;
  descending: boolean;
}

const ALWAYS_SORTABLE: Readonly<Record<string, FilterFieldType>> = { id: 'numeric', created_at: 'datetime', updated_at: 'datetime' };

/**
 * Parses `sort` and `order`. The default is `created_at` ascending; `id` ascending is
 * always appended as the last tie-breaker so pages are stable.
 *
 * @returns the keys, or the message of a 400 response
 */
export function parseSort(sort: string | null, order: string | null, whitelist: FilterWhitelist): SortKey[] | string {
  if (order !== null && order !== 'asc' && order !== 'desc') return 'Invalid order.';
  const defaultDescending = order === 'desc';
  const columns = sort === null || sort.trim() === '' ? ['created_at'] : sort.split(',');
  const keys: SortKey[] = [];
  for (const column of columns) {
    const [field = '', direction] = column.trim().split(':');
    if (!Object.hasOwn(whitelist, field) && !Object.hasOwn(ALWAYS_SORTABLE, field)) return 'Invalid sort column.';
    if (direction !== undefined && direction !== 'asc' && direction !== 'desc') return 'Invalid sort direction.';
    keys.push({ field, descending: direction === undefined ? defaultDescending : direction === 'desc' });
  }
  if (!keys.some((key) => key.field === 'id')) keys.push({ field: 'id', descending: false });
  return keys;
}

function compareCells(a: unknown, b: unknown, type: FilterFieldType): number {
  // Postgres puts NULL after every value in ascending order.
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  if (type === 'numeric' && typeof a === 'string' && typeof b === 'string') return compareIdsShorterFirst(a, b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const left = String(a);
  const right = String(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Builds a comparator over the sort keys. */
export function rowComparator(keys: readonly SortKey[], whitelist: FilterWhitelist): (a: BaseRow, b: BaseRow) => number {
  const typed = keys.map((key) => ({ ...key, type: whitelist[key.field] ?? ALWAYS_SORTABLE[key.field] ?? 'string' }));
  return (a, b) => {
    for (const key of typed) {
      const order = compareCells((a as unknown as Record<string, unknown>)[key.field], (b as unknown as Record<string, unknown>)[key.field], key.type);
      if (order !== 0) return key.descending ? -order : order;
    }
    return 0;
  };
}

/** Caches each table's rows in each requested order until the table changes. */
export class SortedViews {
  private readonly cache = new Map<string, { version: number; rows: readonly BaseRow[] }>();

  /** The table's rows in the order of `keys`. */
  rows<Row extends BaseRow>(table: FakeTable<Row>, keys: readonly SortKey[], whitelist: FilterWhitelist): readonly Row[] {
    const signature = `${table.singular}|${keys.map((k) => `${k.field}:${k.descending ? 'd' : 'a'}`).join(',')}`;
    const cached = this.cache.get(signature);
    if (cached && cached.version === table.version) return cached.rows as readonly Row[];
    const rows = [...table.all()].sort(rowComparator(keys, whitelist));
    this.cache.set(signature, { version: table.version, rows });
    return rows;
  }
}

/** A validated page request. */
export interface PageRequest {
  page: number;
  perPage: number;
}

/** How a `per_page` above 100 is answered. */
export type PerPageOver100 = 'clamp' | 'error';

/**
 * Reads `page` (default 1) and `per_page` (default 50, 1–100).
 *
 * @returns the page request, or the message of a 400 response
 */
export function parsePage(page: string | null, perPage: string | null, over100: PerPageOver100): PageRequest | string {
  const pageNumber = page === null || page === '' ? 1 : /^\d+$/.test(page) ? Number.parseInt(page, 10) : Number.NaN;
  if (!(pageNumber >= 1)) return 'Invalid page.';
  let size = perPage === null || perPage === '' ? 50 : /^\d+$/.test(perPage) ? Number.parseInt(perPage, 10) : Number.NaN;
  if (Number.isNaN(size)) return 'Invalid per_page.';
  if (size > 100 && over100 === 'error') return 'per_page must be less than or equal to 100.';
  size = Math.min(100, Math.max(1, size));
  return { page: pageNumber, perPage: size };
}

/** The `links` of a list envelope. */
export interface EnvelopeLinks {
  self: string;
  next?: string;
  previous?: string;
}

/**
 * Builds absolute links for a page: the request's own query with only `page` changed.
 *
 * @param base - e.g. `http://127.0.0.1:4010/v1`
 * @param path - the path after `/v1`, e.g. `/patients`
 * @param query - the request's query parameters
 */
export function envelopeLinks(base: string, path: string, query: URLSearchParams, page: number, hasNext: boolean): EnvelopeLinks {
  const at = (n: number): string => {
    const params = new URLSearchParams(query);
    params.set('page', String(n));
    return `${base}${path}?${params.toString()}`;
  };
  const links: EnvelopeLinks = { self: at(page) };
  if (hasNext) links.next = at(page + 1);
  if (page > 1) links.previous = at(page - 1);
  return links;
}
