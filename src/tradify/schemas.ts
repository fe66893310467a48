/**
 * zod schemas for the assumed Tradify contract (`docs/tradify-contract.md#records`),
 * camelCase, loose objects (unknown fields are kept, never rejected).
 *
 * Each schema normalises the wire to the port's domain types: absent or `null` optional
 * fields become `null`, JSON numbers in money, quantity, percent and rate fields become
 * decimal strings via `String(n)`, money amounts get exactly two places (`110` → `"110.00"`;
 * a third place is a schema error), and ids must be strings (a numeric id is a schema error:
 * 64-bit ids lose digits as numbers).
 *
 * @module
 */
import { z } from 'zod';
import type {
  TradifyAddress,
  TradifyCustomer,
  TradifyInvoice,
  TradifyLineItem,
  TradifyPayment,
  TradifyStaff,
  TradifyTaxRate,
} from './port.js';

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A decimal as a string; a JSON number is read with `String(n)`. */
const decimal = z
  .union([z.string().trim().regex(DECIMAL), z.number().finite()])
  .transform((v) => (typeof v === 'number' ? String(v) : v));

/** `"110"` → `"110.00"`, `"0.5"` → `"0.50"`: money in the port always has two places. */
function twoPlaces(value: string): string {
  const [whole = '0', fraction = ''] = value.split('.');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

/** A money amount: a decimal with at most two places (more is a schema error), given two places. */
const money = decimal
  .refine((v) => !/\.\d{3,}$/.test(v), { message: 'Money has at most 2 decimal places' })
  .transform(twoPlaces);

const id = z.string().min(1);
const text = z.string().nullish().transform((v) => v ?? null);
const nullableId = z.string().min(1).nullish().transform((v) => v ?? null);
const nullableDecimal = decimal.nullish().transform((v) => v ?? null);
const taxMode = z.enum(['exclusive', 'inclusive', 'no_tax']);

/** The contract's Address. */
export const tradifyAddressSchema: z.ZodType<TradifyAddress> = z.looseObject({
  line1: text,
  line2: text,
  suburb: text,
  state: text,
  postcode: text,
  country: text,
});

const address = tradifyAddressSchema.nullish().transform((v) => v ?? null);

const customFields = z
  .looseObject({ custom1: text, custom2: text, custom3: text, custom4: text })
  .nullish()
  .transform((v) => ({
    custom1: v?.custom1 ?? null,
    custom2: v?.custom2 ?? null,
    custom3: v?.custom3 ?? null,
    custom4: v?.custom4 ?? null,
  }));

/** The contract's Customer, with `ownerStaffId` (omitted on the wire when null). */
export const tradifyCustomerSchema: z.ZodType<TradifyCustomer> = z.looseObject({
  id,
  name: z.string(),
  contactName: text,
  email: text,
  phone: text,
  mobile: text,
  fax: text,
  physicalAddress: address,
  postalAddress: address,
  pricingLevelId: nullableId,
  defaultInvoiceDueDays: z.number().int().nullish().transform((v) => v ?? null),
  taxMode: taxMode.nullish().transform((v) => v ?? null),
  externalReference: text,
  customFields,
  ownerStaffId: nullableId,
  active: z.boolean().default(true),
  createdAt: text,
  updatedAt: text,
});

/** The contract's invoice line. */
export const tradifyLineItemSchema: z.ZodType<TradifyLineItem> = z.looseObject({
  id,
  type: z.enum(['labour', 'material', 'misc']).default('misc'),
  itemCode: text,
  description: z.string(),
  quantity: decimal,
  unitPrice: decimal,
  discountPercent: decimal.nullish().transform((v) => v ?? '0'),
  taxRateId: nullableId,
  taxRatePercent: nullableDecimal,
  accountCode: text,
  amountExTax: money,
  taxAmount: money,
  amountIncTax: money,
});

/** The contract's Invoice, with `ownerStaffId` (omitted on the wire when null). */
export const tradifyInvoiceSchema: z.ZodType<TradifyInvoice> = z.looseObject({
  id,
  invoiceNumber: text,
  status: z.enum(['draft', 'approved', 'paid', 'cancelled']),
  isOverdue: z.boolean().default(false),
  customerId: id,
  siteId: nullableId,
  jobIds: z.array(id).nullish().transform((v) => v ?? []),
  reference: text,
  externalReference: text,
  invoiceDate: z.string(),
  dueDate: text,
  taxMode,
  currency: text,
  lineItems: z.array(tradifyLineItemSchema),
  subtotal: money,
  totalTax: money,
  total: money,
  amountPaid: money,
  amountCredited: money.nullish().transform((v) => v ?? '0.00'),
  amountDue: money,
  ownerStaffId: nullableId,
  sentAt: text,
  approvedAt: text,
  cancelledAt: text,
  createdAt: text,
  updatedAt: text,
});

/** The contract's Payment. */
export const tradifyPaymentSchema: z.ZodType<TradifyPayment> = z.looseObject({
  id,
  invoiceId: id,
  date: z.string(),
  amount: money,
  method: text,
  reference: text,
  note: text,
});

/** The contract's Staff. */
export const tradifyStaffSchema: z.ZodType<TradifyStaff> = z.looseObject({
  id,
  name: z.string(),
  email: text,
  username: text,
  mobile: text,
  phone: text,
  accessLevel: text,
  licenceNumber: text,
  active: z.boolean().default(true),
});

/** The contract's TaxRate; `rate` (a JSON number in percent) becomes a decimal string. */
export const tradifyTaxRateSchema: z.ZodType<TradifyTaxRate> = z.looseObject({
  id,
  name: z.string(),
  rate: decimal,
  isDefault: z.boolean().default(false),
  isNoTax: z.boolean().default(false),
  active: z.boolean().default(true),
});

/** `{ "data": {...} }`. */
export function dataEnvelope<T>(item: z.ZodType<T>): z.ZodType<{ data: T }> {
  return z.looseObject({ data: item });
}

/** One page of a list: the records and the opaque cursor of the next page (null at the end). */
export interface TradifyPage<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * `{ "data": [...], "paging": { "pageSize": 50, "nextCursor": "…" | null } }`, with the rows
 * left unvalidated: each is read on its own afterwards, so one bad row does not hide the others.
 */
export const listEnvelopeSchema: z.ZodType<TradifyPage<unknown>> = z
  .looseObject({
    data: z.array(z.unknown()),
    paging: z
      .looseObject({ nextCursor: z.string().min(1).nullish() })
      .nullish(),
  })
  .transform((body) => ({ data: body.data, nextCursor: body.paging?.nextCursor ?? null }));
