/**
 * `cliniko.invoiceItems`: read-only invoice lines, fetched by invoice ids in batches.
 *
 * @module
 */
import type { ChangesOptions, KeysetPage } from './keyset.js';
import type { ClinikoList } from './listing.js';
import { inclusionFilters } from './invoices.js';
import { clinikoInvoiceItemSchema, type ClinikoInvoiceItem } from './schemas/invoice-item.js';
import { IDS_PER_REQUEST, assertClinikoId, chunk, type ClinikoTransport, type ListParams, type RequestOptions } from './transport.js';

/** Options of `invoiceItems.list()`. */
export interface InvoiceItemListParams extends ListParams<'invoiceItems'> {
  /**
   * Only items of these invoices (`q[]=invoice_id:=a,b,c`, 100 ids a request).
   */
  invoiceIds?: readonly string[] | undefined;
  /** @defaultValue false */
  includeArchived?: boolean | undefined;
  /** Include deleted lines (`q[]=deleted_at:*`). @defaultValue false */
  includeDeleted?: boolean | undefined;
}

/** The invoice items resource. Reach it as `cliniko.invoiceItems`. */
export class InvoiceItems {
  readonly #t: ClinikoTransport;

  /** @internal */
  constructor(transport: ClinikoTransport) {
    this.#t = transport;
  }

  /**
   * List invoice items; with `invoiceIds`, one listing per 100 invoice ids.
   *
   * @example
   * ```ts
   * const items = await cliniko.invoiceItems.list({ invoiceIds: ['1390730000000000001'], includeDeleted: true }).toArray();
   * ```
   */
  list(params?: InvoiceItemListParams): ClinikoList<ClinikoInvoiceItem> {
    const extra = inclusionFilters(params);
    const batches = params?.invoiceIds
      ? chunk([...new Set(params.invoiceIds.map((id) => assertClinikoId(id, 'invoiceIds')))], IDS_PER_REQUEST).map((b) => [`invoice_id:=${b.join(',')}`])
      : [[]];
    const starts = batches.map((ids) => ({ path: '/invoice_items', query: this.#t.listQuery('invoiceItems', params, [...ids, ...extra]) }));
    return this.#t.list('invoice_items', clinikoInvoiceItemSchema, starts, params);
  }

  /** Fetch one invoice item. */
  retrieve(id: string, options?: RequestOptions & { includeArchived?: boolean | undefined; includeDeleted?: boolean | undefined }): Promise<ClinikoInvoiceItem> {
    const query = inclusionFilters(options).map((v) => ['q[]', v] as const);
    return this.#t.get(`/invoice_items/${assertClinikoId(id)}`, clinikoInvoiceItemSchema, query, options);
  }

  /** Keyset scan of changed items, archived and deleted ones included. */
  changes(options: ChangesOptions): AsyncGenerator<KeysetPage<ClinikoInvoiceItem>, void, undefined> {
    return this.#t.changes('/invoice_items', 'invoice_items', clinikoInvoiceItemSchema, ['archived_at:*', 'deleted_at:*'], options);
  }
}
