/**
 * The reading interface reconciliation uses, over a `ClinikoClient`.
 *
 * @module
 */
import type { ClinikoClient } from '../../cliniko/client.js';
import type { ReadablePage } from '../../cliniko/listing.js';
import type { ReconcileClinikoSource } from './types.js';

async function readAll<T>(pages: AsyncIterable<ReadablePage<T>>): Promise<ReadablePage<T>> {
  const all: ReadablePage<T> = { records: [], unreadable: [] };
  for await (const page of pages) {
    all.records.push(...page.records);
    all.unreadable.push(...page.unreadable);
  }
  return all;
}

/**
 * Adapts a `ClinikoClient`: every patient with `archived_at:*`; every invoice with
 * `archived_at:*` and `deleted_at:*` (and `issue_date:>=` when a start date is given); items of
 * a page of invoices with `invoice_id:=a,b,…` (live lines only); patients by id in batches.
 * Rows that fail their schema come back as `unreadable`.
 */
export function clinikoSourceFromClient(client: ClinikoClient): ReconcileClinikoSource {
  return {
    patientPages: ({ signal }) => client.patients.list({ includeArchived: true, signal }).readablePages(),
    invoicePages: ({ signal, issuedSince }) =>
      client.invoices
        .list({ includeArchived: true, includeDeleted: true, signal, filters: issuedSince ? [['issue_date', '>=', issuedSince]] : undefined })
        .readablePages(),
    itemsOfInvoices: (invoiceIds, { signal }) => readAll(client.invoiceItems.list({ invoiceIds, signal }).readablePages()),
    patientsByIds: (ids, { signal }) => client.patients.retrieveMany(ids, { includeArchived: true, signal }),
    requestCount: () => client.stats.requests,
  };
}
