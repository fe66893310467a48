/**
 * Projections of Tradify records onto the fields the engine writes, to detect edits made in
 * Tradify since our last write and to name the fields a write overwrites (conflict policy).
 *
 * @module
 */
import { stableStringify } from '../../core/hash.js';
import type { TradifyCustomer, TradifyCustomerInput, TradifyInvoice, TradifyInvoiceInput } from '../../tradify/port.js';

const CUSTOMER_FIELDS = ['name', 'contactName', 'email', 'phone', 'mobile', 'fax', 'physicalAddress', 'postalAddress', 'externalReference', 'customFields', 'ownerStaffId', 'active'] as const;

/** The written fields of a customer, as Tradify holds them. */
export function customerProjection(customer: TradifyCustomer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of CUSTOMER_FIELDS) out[field] = customer[field] ?? null;
  return out;
}

/** The written content of an invoice (not its status or totals), as Tradify holds it. */
export function invoiceProjection(invoice: TradifyInvoice): Record<string, unknown> {
  return {
    customerId: invoice.customerId,
    invoiceDate: invoice.invoiceDate,
    dueDate: invoice.dueDate,
    reference: invoice.reference,
    externalReference: invoice.externalReference,
    taxMode: invoice.taxMode,
    ownerStaffId: invoice.ownerStaffId ?? null,
    lineItems: invoice.lineItems.map((l) => ({ description: l.description, quantity: l.quantity, unitPrice: l.unitPrice, discountPercent: l.discountPercent, taxRateId: l.taxRateId })),
  };
}

/**
 * The names of the draft's fields whose value differs from the Tradify record's (a value the
 * draft leaves out is not compared). Values are compared, never returned.
 */
export function changedFieldNames(draft: TradifyCustomerInput | TradifyInvoiceInput, current: Record<string, unknown>): string[] {
  const changed: string[] = [];
  for (const [field, value] of Object.entries(draft)) {
    if (value === undefined || !(field in current)) continue;
    if (stableStringify(value ?? null) !== stableStringify(current[field] ?? null)) changed.push(field);
  }
  return changed.sort();
}
