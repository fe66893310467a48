/**
 * `cliniko.taxes`: the account's taxes (GST and others) with their rates.
 *
 * @module
 */
import type { ClinikoList } from './listing.js';
import { clinikoTaxSchema, type ClinikoTax } from './schemas/tax.js';
import { assertClinikoId, type ClinikoTransport, type ListParams, type RequestOptions } from './transport.js';

/** The taxes resource. Reach it as `cliniko.taxes`. */
export class Taxes {
  readonly #t: ClinikoTransport;

  /** @internal */
  constructor(transport: ClinikoTransport) {
    this.#t = transport;
  }

  /** List taxes. */
  list(params?: ListParams<'taxes'>): ClinikoList<ClinikoTax> {
    return this.#t.list('taxes', clinikoTaxSchema, [{ path: '/taxes', query: this.#t.listQuery('taxes', params, []) }], params);
  }

  /** Fetch one tax. @throws {@link NotFoundError} */
  retrieve(id: string, options?: RequestOptions): Promise<ClinikoTax> {
    return this.#t.get(`/taxes/${assertClinikoId(id)}`, clinikoTaxSchema, [], options);
  }
}
