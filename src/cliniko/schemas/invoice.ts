/**
 * The Cliniko invoice (`GET /invoices`), read-only, snake_case, normalised.
 *
 * @module
 */
import { z } from 'zod';
import {
  clinikoIdSchema,
  linkRefSchema,
  nullableDecimalSchema,
  nullableIntegerSchema,
  nullablePlainDateSchema,
  nullableTextSchema,
  nullableTimestampSchema,
  selfLinksSchema,
  timestampSchema,
} from './common.js';

/** Invoice status codes: 10 Open, 20 Paid, 30 Closed, 40 Open credit. */
export const CLINIKO_INVOICE_STATUS = Object.freeze({ open: 10, paid: 20, closed: 30, openCredit: 40 } as const);

/**
 * Zod schema of a Cliniko invoice. Money fields are exact decimal strings or `null`;
 * `issue_date` stays a plain `YYYY-MM-DD` string; every link may be `null`.
 */
export const clinikoInvoiceSchema = z.looseObject({
  id: clinikoIdSchema,
  number: nullableIntegerSchema,
  issue_date: nullablePlainDateSchema,
  status: nullableIntegerSchema,
  status_description: nullableTextSchema,
  calculation_method: nullableIntegerSchema,
  calculation_method_description: nullableTextSchema,
  net_amount: nullableDecimalSchema,
  tax_amount: nullableDecimalSchema,
  total_amount: nullableDecimalSchema,
  discounted_amount: nullableDecimalSchema,
  notes: nullableTextSchema,
  invoice_to: nullableTextSchema,
  patient_extra_information: nullableTextSchema,
  online_payment_url: nullableTextSchema,
  created_at: timestampSchema,
  updated_at: timestampSchema,
  closed_at: nullableTimestampSchema,
  archived_at: nullableTimestampSchema,
  deleted_at: nullableTimestampSchema,
  patient: linkRefSchema,
  practitioner: linkRefSchema,
  business: linkRefSchema,
  appointment: linkRefSchema,
  attendee: linkRefSchema,
  original_invoice: linkRefSchema,
  invoice_items: linkRefSchema,
  links: selfLinksSchema,
});

/** A Cliniko invoice after normalisation. */
export type ClinikoInvoice = z.output<typeof clinikoInvoiceSchema>;
