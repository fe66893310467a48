/**
 * The reading interface reconciliation uses, over a `ClinikoClient`.
 *
 * @module
 */
import type { ClinikoClient } from '../../cliniko/client.js';
import type { ReconcileClinikoSource } from './types.js';

/**
 * Adapts a `ClinikoClient`: every patient with `archived_at:*`; every invoice with
 * `archived_at:*` and `deleted_at:*` (and `issue_date:>=` when a start date is given); items of
 * a page of invoices with `invoice_id:=a,b,…` (live lines only); patients by id in batches.
 */
export function clinikoSourceFromClient(client: ClinikoClient): ReconcileClinikoSource {
  return {
    patientPages: ({ signal }) => client.patients.list({ includeArchived: true, signal }).pages(),
    invoicePages: ({ signal, issuedSince }) =>
      client.invoices
        .list({ includeArchived: true, includeDeleted: true, signal, filters: issuedSince ? [['issue_date', '>=', issuedSince]] : undefined })
        .pages(),
    itemsOfInvoices: (invoiceIds, { signal }) => client.invoiceItems.list({ invoiceIds, signal }).toArray(),
    patientsByIds: (ids, { signal }) => client.patients.retrieveMany(ids, { includeArchived: true, signal }),
    requestCount: () => client.stats.requests,
  };
}
