/**
 * The plumbing every Cliniko resource shares: single reads, writes, `links.next` listings and
 * keyset scans over one paced {@link HttpClient}.
 *
 * @module
 */
import type { z } from 'zod';
import { ConfigError, ResponseValidationError } from '../core/errors.js';
import { zodIssues, type HttpClient } from '../core/http.js';
import { CLINIKO_DEFAULTS } from './options.js';
import { compileFilters, toClinikoTimestamp, type ClinikoFilter, type ClinikoFilterEndpoint } from './filters.js';
import { readKeysetPages, type ChangesOptions, type KeysetPage } from './keyset.js';
import { ClinikoList, type FetchedPage, type ListStart, type UnreadableRow } from './listing.js';
import { clinikoListEnvelopeSchema } from './schemas/list.js';

/** Options every call accepts. */
export interface RequestOptions {
  /** Cancels the call (and any wait for its turn). */
  signal?: AbortSignal | undefined;
}

/** List options shared by every resource. */
export interface ListParams<E extends ClinikoFilterEndpoint> extends RequestOptions {
  /** Typed `q[]` filters, ANDed. */
  filters?: ReadonlyArray<ClinikoFilter<E>> | undefined;
  /**
   * Cliniko's `sort`, e.g. `'updated_at,id'` or `'created_at:desc'`.
   * @defaultValue Cliniko's default, `created_at` ascending
   */
  sort?: string | undefined;
  /**
   * Rows per page, 1–100.
   * @defaultValue 100
   */
  perPage?: number | undefined;
}

/** Ids per `q[]=id:=a,b,…` request when fetching by many ids. */
export const IDS_PER_REQUEST = 100;

const ID_PATTERN = /^\d{1,20}$/;

/**
 * Check a caller-supplied id before it goes into a path.
 *
 * @throws {@link ConfigError} when it is not a string of digits.
 */
export function assertClinikoId(id: unknown, setting = 'id'): string {
  if (typeof id === 'string' && ID_PATTERN.test(id)) return id;
  throw new ConfigError(setting, `${setting} must be a Cliniko id: a string of digits (never a number, which loses precision)`);
}

/** Split ids into chunks of `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The id of a raw row that failed its schema, when it is a readable Cliniko id. */
function readableId(row: unknown): string | null {
  const id = typeof row === 'object' && row !== null ? (row as { id?: unknown }).id : undefined;
  return typeof id === 'string' && ID_PATTERN.test(id) ? id : null;
}

/** @internal Shared by every resource class. */
export class ClinikoTransport {
  readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  /** GET one record and validate it. */
  async get<T>(path: string, schema: z.ZodType<T>, query: ReadonlyArray<readonly [string, string]>, options?: RequestOptions): Promise<T> {
    const { data } = await this.http.request({ method: 'GET', path, query, schema, signal: options?.signal });
    return data;
  }

  /** POST/PATCH with a JSON body; validate the response when a schema is given. */
  async write<T>(method: 'POST' | 'PATCH', path: string, json: unknown, schema: z.ZodType<T> | undefined, options?: RequestOptions): Promise<T> {
    const { data } = await this.http.request({ method, path, json, schema, signal: options?.signal });
    return data;
  }

  /** Build the query of a list call: filters, extra `q[]`s, sort and per_page. */
  listQuery<E extends ClinikoFilterEndpoint>(endpoint: E, params: ListParams<E> | undefined, extra: readonly string[]): Array<readonly [string, string]> {
    const q = [...compileFilters(endpoint, params?.filters ?? []), ...extra].map((v) => ['q[]', v] as const);
    const perPage = params?.perPage ?? CLINIKO_DEFAULTS.perPage;
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw new ConfigError('perPage', 'perPage must be an integer from 1 to 100');
    return [...q, ...(params?.sort ? [['sort', params.sort] as const] : []), ['per_page', String(perPage)]];
  }

  /** A lazy `links.next` listing of `key` records from one or more starts. */
  list<T>(key: string, schema: z.ZodType<T>, starts: readonly ListStart[], options?: RequestOptions): ClinikoList<T> {
    const envelope = clinikoListEnvelopeSchema(key);
    const fetchPage = async (from: ListStart | { url: string }): Promise<FetchedPage<T>> => {
      const { data } = await this.http.request({
        method: 'GET',
        ...('url' in from ? { url: from.url } : { path: from.path, query: from.query }),
        schema: envelope,
        signal: options?.signal,
      });
      const endpoint = 'url' in from ? new URL(from.url).pathname : this.http.basePath + from.path;
      return { ...this.#validateRows(key, schema, data.rows, endpoint), next: data.next, totalEntries: data.totalEntries };
    };
    return new ClinikoList(starts, fetchPage);
  }

  /** Keyset scan of `path` (see `keyset.ts`). */
  changes<T>(path: string, key: string, schema: z.ZodType<T>, extra: readonly string[], options: ChangesOptions): AsyncGenerator<KeysetPage<T>, void, undefined> {
    const envelope = clinikoListEnvelopeSchema(key);
    const fetchRaw = async (query: ReadonlyArray<readonly [string, string]>) => {
      const { data, headers } = await this.http.request({ method: 'GET', path, query, schema: envelope, signal: options.signal });
      return { rows: data.rows, headers, totalEntries: data.totalEntries };
    };
    const perPage = options.perPage ?? CLINIKO_DEFAULTS.perPage;
    const afterId = options.afterId == null ? null : assertClinikoId(options.afterId, 'afterId');
    return readKeysetPages(fetchRaw, schema, extra, { since: toClinikoTimestamp(options.since, 'since'), afterId, perPage, path: this.http.basePath + path });
  }

  /** Splits a page's rows into records and unreadable rows; `invalid` is the error a strict reading throws. */
  #validateRows<T>(key: string, schema: z.ZodType<T>, rows: unknown[], endpoint: string): Pick<FetchedPage<T>, 'records' | 'unreadable' | 'invalid'> {
    const records: T[] = [];
    const unreadable: UnreadableRow[] = [];
    let invalid: ResponseValidationError | undefined;
    rows.forEach((row, index) => {
      const result = schema.safeParse(row);
      if (result.success) return void records.push(result.data);
      const issues = zodIssues(result.error.issues);
      unreadable.push({ id: readableId(row), issues });
      invalid ??= new ResponseValidationError({ api: 'cliniko', method: 'GET', path: endpoint }, issues.map((i) => ({ ...i, path: `${key}.${index}${i.path ? `.${i.path}` : ''}` })));
    });
    return { records, unreadable, invalid };
  }
}
