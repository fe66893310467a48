/**
 * Cursor pagination for the Tradify contract: `?pageSize=&cursor=`, answered by
 * `{ data, paging: { nextCursor } }`; the cursor is opaque and followed until it is null.
 *
 * @module
 */
import { ResponseValidationError } from '../core/errors.js';
import type { TradifyListing } from './port.js';
import type { TradifyPage } from './schemas.js';

/** Reads one page given the previous page's cursor (`null` for the first). */
export type FetchTradifyPage<T> = (cursor: string | null) => Promise<TradifyPage<T>>;

/**
 * A lazy listing over every page. A server that hands back a cursor it already gave is a
 * protocol error (it would loop forever), reported as `ResponseValidationError`.
 */
export function paginate<T>(fetchPage: FetchTradifyPage<T>, endpoint: string): TradifyListing<T> {
  async function* pages(): AsyncGenerator<T[]> {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: TradifyPage<T> = await fetchPage(cursor);
      yield page.data;
      cursor = page.nextCursor;
      if (cursor !== null && seen.has(cursor)) throw repeatedCursor(endpoint);
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
