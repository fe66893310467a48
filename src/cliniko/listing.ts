/**
 * Listing by `links.next`: the public `list()` of every resource returns a {@link ClinikoList},
 * iterable record by record or page by page. Each page follows the previous page's
 * `links.next` verbatim, as Cliniko recommends.
 *
 * @module
 */

/** Where a listing starts: a path below the base URL with its query. */
export interface ListStart {
  path: string;
  query: ReadonlyArray<readonly [string, string]>;
}

/** One fetched page. */
export interface FetchedPage<T> {
  records: T[];
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

  /** Iterate page by page (arrays of up to 100 records), following `links.next`. */
  async *pages(): AsyncGenerator<T[], void, undefined> {
    for (const start of this.#starts) {
      let page = await this.#fetchPage(start);
      yield page.records;
      while (page.next !== null) {
        page = await this.#fetchPage({ url: page.next });
        yield page.records;
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
