/**
 * Cursor pagination for the Tradify contract: `?pageSize=&cursor=`, answered by
 * `{ data, paging: { nextCursor } }`; the cursor is opaque and followed until it is null.
 * Rows are read one by one, so a row that fails its schema is set aside on its own.
 *
 * @module
 */
import type { z } from 'zod';
import { ResponseValidationError, type ValidationIssue } from '../core/errors.js';
import { zodIssues } from '../core/http.js';
import type { TradifyListedResource, TradifyListing, TradifyListOptions, TradifyUnreadableRow } from './port.js';
import type { TradifyPage } from './schemas.js';

/** Reads one page given the previous page's cursor (`null` for the first). */
export type FetchTradifyPage<T> = (cursor: string | null) => Promise<TradifyPage<T>>;

/** How the rows of one listing are read. */
export interface TradifyRowSpec<T> {
  resource: TradifyListedResource;
  /** The endpoint below the base URL, e.g. `customers` or `invoices/inv_1/payments`, named in errors. */
  endpoint: string;
  schema: z.ZodType<T>;
  /** The caller's handler for rows that fail the schema (see `TradifyListOptions`). */
  onUnreadable: TradifyListOptions['onUnreadable'];
}

/**
 * A lazy listing over every page. A server that hands back a cursor it already gave is a
 * protocol error (it would loop forever), reported as `ResponseValidationError`; so is a row
 * failing its schema when the caller gave no `onUnreadable`.
 */
export function paginate<T>(fetchPage: FetchTradifyPage<unknown>, rows: TradifyRowSpec<T>): TradifyListing<T> {
  async function* pages(): AsyncGenerator<T[]> {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: TradifyPage<unknown> = await fetchPage(cursor);
      yield readRows(page.data, rows);
      cursor = page.nextCursor;
      if (cursor !== null && seen.has(cursor)) throw repeatedCursor(rows.endpoint);
      if (cursor !== null) seen.add(cursor);
    } while (cursor !== null);
  }
  return {
    pages,
    async *[Symbol.asyncIterator]() {
      for await (const page of pages()) yield* page;
    },
  };
}

function readRows<T>(raw: readonly unknown[], spec: TradifyRowSpec<T>): T[] {
  const out: T[] = [];
  raw.forEach((row, index) => {
    const result = spec.schema.safeParse(row);
    if (result.success) {
      out.push(result.data);
      return;
    }
    const issues = zodIssues(result.error.issues);
    if (!spec.onUnreadable) throw badRow(spec.endpoint, index, issues);
    spec.onUnreadable(unreadableRow(spec.resource, row, issues));
  });
  return out;
}

/** What identifies a row that failed its schema: its id, reference and email, when they are strings. */
function unreadableRow(resource: TradifyListedResource, row: unknown, issues: ValidationIssue[]): TradifyUnreadableRow {
  const fields = (typeof row === 'object' && row !== null ? row : {}) as Record<string, unknown>;
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  return { resource, id: text(fields.id), issues, externalReference: text(fields.externalReference), email: text(fields.email) };
}

function badRow(endpoint: string, index: number, issues: ValidationIssue[]): ResponseValidationError {
  return new ResponseValidationError(
    { api: 'tradify', method: 'GET', path: endpoint },
    issues.map((issue) => ({ ...issue, path: issue.path === '' ? `data.${index}` : `data.${index}.${issue.path}` })),
  );
}

/** Reads every record of a listing into one array. */
export async function collect<T>(listing: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of listing) all.push(item);
  return all;
}

function repeatedCursor(endpoint: string): ResponseValidationError {
  return new ResponseValidationError({ api: 'tradify', method: 'GET', path: endpoint }, [
    { path: 'paging.nextCursor', code: 'repeated_cursor', message: 'The server returned a cursor it had already returned' },
  ]);
}

/** The query pairs for one page request. */
export function pageQuery(base: Array<[string, string]>, pageSize: number, cursor: string | null): Array<[string, string]> {
  const query: Array<[string, string]> = [...base, ['pageSize', String(pageSize)]];
  if (cursor !== null) query.push(['cursor', cursor]);
  return query;
}
