/**
 * Listing by `links.next`: the public `list()` of every resource returns a {@link ClinikoList},
 * iterable record by record or page by page. Each page follows the previous page's
 * `links.next` verbatim, as Cliniko recommends.
 *
 * @module
 */
import type { ResponseValidationError, ValidationIssue } from '../core/errors.js';

/** Where a listing starts: a path below the base URL with its query. */
export interface ListStart {
  path: string;
  query: ReadonlyArray<readonly [string, string]>;
}

/**
 * A listed row that failed its schema: its id when that much could be read, and the zod paths
 * and codes at fault (never a value).
 */
export interface UnreadableRow {
  /** The row's Cliniko id, or `null` when the id itself is unreadable. */
  id: string | null;
  /** zod paths (relative to the row) and codes. */
  issues: ValidationIssue[];
}

/** A page whose rows that failed their schema are set aside instead of failing the listing. */
export interface ReadablePage<T> {
  /** The rows that passed their schema, in listing order. */
  records: T[];
  /** The rows that did not. */
  unreadable: UnreadableRow[];
}

/** One fetched page. */
export interface FetchedPage<T> {
  records: T[];
  /** Rows that failed their schema. @defaultValue none */
  unreadable?: UnreadableRow[] | undefined;
  /** The error a strict reading throws for this page (the first unreadable row's). */
  invalid?: ResponseValidationError | undefined;
  next: string | null;
  totalEntries: number | null;
}

/** Fetch one page, from a start or from a `links.next` URL. */
export type PageFetcher<T> = (from: ListStart | { url: string }) => Promise<FetchedPage<T>>;

/**
 * A lazy listing: nothing is requested until it is iterated. `for await` yields records;
 * {@link ClinikoList.pages} yields arrays of up to `per_page` (100) records.
 *
 * @example
 * ```ts
 * for await (const patient of cliniko.patients.list({ includeArchived: true })) console.log(patient.id);
 * for await (const page of cliniko.invoices.list().pages()) console.log(page.length);
 * ```
 */
export class ClinikoList<T> implements AsyncIterable<T> {
  readonly #starts: readonly ListStart[];
  readonly #fetchPage: PageFetcher<T>;

  /** @internal */
  constructor(starts: readonly ListStart[], fetchPage: PageFetcher<T>) {
    this.#starts = starts;
    this.#fetchPage = fetchPage;
  }

  /**
   * Iterate page by page (arrays of up to 100 records), following `links.next`.
   *
   * @throws {@link ResponseValidationError} on the first row that fails its schema.
   */
  async *pages(): AsyncGenerator<T[], void, undefined> {
    for await (const page of this.#fetched()) {
      if (page.invalid) throw page.invalid;
      yield page.records;
    }
  }

  /**
   * Iterate page by page like {@link ClinikoList.pages}, but a row that fails its schema is set
   * aside in `unreadable` (its id and zod paths) and the listing goes on.
   *
   * @example
   * ```ts
   * for await (const { records, unreadable } of cliniko.invoices.list().readablePages()) {
   *   for (const row of unreadable) console.log(row.id, row.issues.map((i) => i.path));
   * }
   * ```
   */
  async *readablePages(): AsyncGenerator<ReadablePage<T>, void, undefined> {
    for await (const page of this.#fetched()) yield { records: page.records, unreadable: page.unreadable ?? [] };
  }

  async *#fetched(): AsyncGenerator<FetchedPage<T>, void, undefined> {
    for (const start of this.#starts) {
      let page = await this.#fetchPage(start);
      yield page;
      while (page.next !== null) {
        page = await this.#fetchPage({ url: page.next });
        yield page;
      }
    }
  }

  /** Read every record into an array (only for lists known to be small: users, taxes…). */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const page of this.pages()) all.push(...page);
    return all;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page;
  }
}
