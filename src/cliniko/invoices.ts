/**
 * `cliniko.invoices`: read-only (Cliniko has no invoice writes and no payments API).
 *
 * @module
 */
import type { ChangesOptions, KeysetPage } from './keyset.js';
import type { ClinikoList } from './listing.js';
import { toClinikoTimestamp } from './filters.js';
import { clinikoInvoiceSchema, type ClinikoInvoice } from './schemas/invoice.js';
import { assertClinikoId, type ClinikoTransport, type ListParams, type RequestOptions } from './transport.js';

/** Options of `invoices.list()`. */
export interface InvoiceListParams extends ListParams<'invoices'> {
  /** Only invoices with `updated_at >= updatedSince`. */
  updatedSince?: Date | string | undefined;
  /** Include archived invoices (`q[]=archived_at:*`). @defaultValue false */
  includeArchived?: boolean | undefined;
  /** Include deleted invoices (`q[]=deleted_at:*`). @defaultValue false */
  includeDeleted?: boolean | undefined;
}

/** Options of `invoices.retrieve()`. */
export interface InvoiceRetrieveOptions extends RequestOptions {
  /** @defaultValue false */
  includeArchived?: boolean | undefined;
  /** Find a deleted invoice too. @defaultValue false */
  includeDeleted?: boolean | undefined;
}

/** `archived_at:*` / `deleted_at:*` as the options ask. */
export function inclusionFilters(options: { includeArchived?: boolean | undefined; includeDeleted?: boolean | undefined } | undefined): string[] {
  return [...(options?.includeArchived ? ['archived_at:*'] : []), ...(options?.includeDeleted ? ['deleted_at:*'] : [])];
}

/** The invoices resource. Reach it as `cliniko.invoices`. */
export class Invoices {
  readonly #t: ClinikoTransport;

  /** @internal */
  constructor(transport: ClinikoTransport) {
    this.#t = transport;
  }

  /**
   * List invoices, following `links.next`.
   *
   * @example
   * ```ts
   * cliniko.invoices.list({ filters: [['status', '=', [10, 40]]], includeDeleted: true });
   * ```
   */
  list(params?: InvoiceListParams): ClinikoList<ClinikoInvoice> {
    const extra = [
      ...(params?.updatedSince !== undefined ? [`updated_at:>=${toClinikoTimestamp(params.updatedSince, 'updatedSince')}`] : []),
      ...inclusionFilters(params),
    ];
    return this.#t.list('invoices', clinikoInvoiceSchema, [{ path: '/invoices', query: this.#t.listQuery('invoices', params, extra) }], params);
  }

  /** Fetch one invoice. @throws {@link NotFoundError} */
  retrieve(id: string, options?: InvoiceRetrieveOptions): Promise<ClinikoInvoice> {
    const query = inclusionFilters(options).map((v) => ['q[]', v] as const);
    return this.#t.get(`/invoices/${assertClinikoId(id)}`, clinikoInvoiceSchema, query, options);
  }

  /** Keyset scan of changed invoices, archived and deleted ones included. */
  changes(options: ChangesOptions): AsyncGenerator<KeysetPage<ClinikoInvoice>, void, undefined> {
    return this.#t.changes('/invoices', 'invoices', clinikoInvoiceSchema, ['archived_at:*', 'deleted_at:*'], options);
  }
}
