/**
 * `cliniko.businesses`: the clinic locations, read here for their time zones.
 *
 * @module
 */
import type { ClinikoList } from './listing.js';
import { inclusionFilters } from './invoices.js';
import { clinikoBusinessSchema, type ClinikoBusiness } from './schemas/business.js';
import { assertClinikoId, type ClinikoTransport, type ListParams, type RequestOptions } from './transport.js';

/** Options of `businesses.list()`. */
export interface BusinessListParams extends ListParams<'businesses'> {
  /** @defaultValue false */
  includeArchived?: boolean | undefined;
}

/** The businesses resource. Reach it as `cliniko.businesses`. */
export class Businesses {
  readonly #t: ClinikoTransport;

  /** @internal */
  constructor(transport: ClinikoTransport) {
    this.#t = transport;
  }

  /** List businesses. */
  list(params?: BusinessListParams): ClinikoList<ClinikoBusiness> {
    const query = this.#t.listQuery('businesses', params, inclusionFilters(params));
    return this.#t.list('businesses', clinikoBusinessSchema, [{ path: '/businesses', query }], params);
  }

  /** Fetch one business. @throws {@link NotFoundError} */
  retrieve(id: string, options?: RequestOptions & { includeArchived?: boolean | undefined }): Promise<ClinikoBusiness> {
    const query = inclusionFilters(options).map((v) => ['q[]', v] as const);
    return this.#t.get(`/businesses/${assertClinikoId(id)}`, clinikoBusinessSchema, query, options);
  }
}
