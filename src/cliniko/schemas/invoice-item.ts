/**
 * The Cliniko invoice item (`GET /invoice_items`), read-only, snake_case, normalised.
 *
 * @module
 */
import { z } from 'zod';
import {
  clinikoIdSchema,
  linkRefSchema,
  nullableBooleanSchema,
  nullableDecimalSchema,
  nullableStrictDecimalSchema,
  nullableTextSchema,
  nullableTimestampSchema,
  selfLinksSchema,
  timestampSchema,
} from './common.js';

/**
 * Zod schema of a Cliniko invoice item. `quantity` (an integer or a string on the wire) and
 * `total_including_tax` (a number or a string) both come out as exact decimal strings.
 */
export const clinikoInvoiceItemSchema = z.looseObject({
  id: clinikoIdSchema,
  name: nullableTextSchema,
  code: nullableTextSchema,
  unit_price: nullableDecimalSchema,
  quantity: nullableStrictDecimalSchema,
  discount_percentage: nullableDecimalSchema,
  discounted_amount: nullableDecimalSchema,
  is_monetary_discount: nullableBooleanSchema,
  net_price: nullableDecimalSchema,
  tax_name: nullableTextSchema,
  tax_rate: nullableDecimalSchema,
  tax_amount: nullableDecimalSchema,
  total_including_tax: nullableDecimalSchema,
  concession_type_name: nullableTextSchema,
  created_at: timestampSchema,
  updated_at: timestampSchema,
  archived_at: nullableTimestampSchema,
  deleted_at: nullableTimestampSchema,
  invoice: linkRefSchema,
  billable_item: linkRefSchema,
  product: linkRefSchema,
  links: selfLinksSchema,
});

/** A Cliniko invoice item after normalisation. */
export type ClinikoInvoiceItem = z.output<typeof clinikoInvoiceItemSchema>;
