/**
 * Input validation of the fake Tradify (`docs/tradify-contract.md#invoice-states-and-validation`). Strict on
 * purpose: unknown or read-only fields, wrong types and too many decimals are all 422s, so a
 * client that misreads the contract fails against the fake rather than in production.
 *
 * @module
 */
import { FakeHttpError, validationFailed, type FakeErrorDetail } from './http.js';
import { formatScaled, parseScaled, type FakeTaxMode } from './money.js';
import type { FakeAddress, FakeCustomer, FakeLineItem, FakePayment, FakeStoredInvoice, FakeTaxRate } from './records.js';

type Body = Record<string, unknown>;

/** Looks up what validation needs from the state. */
export interface RuleLookups {
  staffExists(id: string): boolean;
  customerExists(id: string): boolean;
  taxRate(id: string): FakeTaxRate | undefined;
  defaultTaxRate(): FakeTaxRate | undefined;
}

const TAX_MODES: readonly FakeTaxMode[] = ['exclusive', 'inclusive', 'no_tax'];
const LINE_TYPES = ['labour', 'material', 'misc'] as const;
const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a JSON body that must be an object; 400 `bad_request` otherwise. */
export function parseObjectBody(raw: string, allowEmpty: boolean): Body {
  if (raw.trim() === '') {
    if (allowEmpty) return {};
    throw new FakeHttpError(400, 'A JSON object body is required.');
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new FakeHttpError(400, 'The body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FakeHttpError(400, 'The body must be a JSON object.');
  }
  return value as Body;
}

/** A calendar date `YYYY-MM-DD`, checked without `Date` (plain dates never pass through one). */
export function isPlainDate(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const match = PLAIN_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day >= 1 && day <= days;
}

/** Collects field issues and reads typed fields from one object. */
class FieldReader {
  constructor(
    private readonly body: Body,
    private readonly details: FakeErrorDetail[],
    private readonly prefix = '',
  ) {}

  issue(field: string, issue: string): undefined {
    this.details.push({ field: `${this.prefix}${field}`, issue });
    return undefined;
  }

  has(field: string): boolean {
    return Object.hasOwn(this.body, field);
  }

  raw(field: string): unknown {
    return this.body[field];
  }

  rejectUnknown(allowed: readonly string[], readOnly: readonly string[] = []): void {
    for (const field of Object.keys(this.body)) {
      if (readOnly.includes(field)) this.issue(field, 'read_only');
      else if (!allowed.includes(field)) this.issue(field, 'unknown_field');
    }
  }

  /** `undefined` when absent; `null` when null and allowed. */
  text(field: string, { max, min = 0, nullable = true }: { max: number; min?: number; nullable?: boolean }): string | null | undefined {
    if (!this.has(field)) return undefined;
    const value = this.body[field];
    if (value === null) return nullable ? null : this.issue(field, 'required');
    if (typeof value !== 'string') return this.issue(field, 'must_be_string');
    if (value.length < min) return this.issue(field, min === 1 ? 'required' : 'too_short');
    if (value.length > max) return this.issue(field, 'too_long');
    return value;
  }

  /** A decimal string (or JSON number) with at most `places` decimals, normalised to `minPlaces`. */
  decimal(field: string, places: number, minPlaces: number): { text: string; scaled: bigint } | undefined {
    const value = this.body[field];
    const scaled = parseScaled(value, places);
    if (scaled === undefined) return this.issue(field, typeof value === 'string' || typeof value === 'number' ? `max_${places}_decimal_places` : 'must_be_decimal');
    return { text: formatScaled(scaled, places, minPlaces), scaled };
  }

  plainDate(field: string, nullable: boolean): string | null | undefined {
    if (!this.has(field)) return undefined;
    const value = this.body[field];
    if (value === null && nullable) return null;
    return isPlainDate(value) ? value : this.issue(field, 'must_be_date');
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], nullable: boolean): T | null | undefined {
    if (!this.has(field)) return undefined;
    const value = this.body[field];
    if (value === null && nullable) return null;
    return allowed.includes(value as T) ? (value as T) : this.issue(field, 'invalid_value');
  }

  reference(field: string, exists: (id: string) => boolean): string | null | undefined {
    if (!this.has(field)) return undefined;
    const value = this.body[field];
    if (value === null) return null;
    if (typeof value !== 'string' || value === '') return this.issue(field, 'must_be_string');
    return exists(value) ? value : this.issue(field, 'not_found');
  }
}

function settle<T>(details: FakeErrorDetail[], value: T): T {
  if (details.length > 0) throw validationFailed(details);
  return value;
}

/** Removes `undefined` entries (fields absent from the request). */
function present<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const ADDRESS_FIELDS = ['line1', 'line2', 'suburb', 'state', 'postcode', 'country'] as const;

function address(reader: FieldReader, field: string, details: FakeErrorDetail[]): FakeAddress | null | undefined {
  if (!reader.has(field)) return undefined;
  const value = reader.raw(field);
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return reader.issue(field, 'must_be_object');
  const inner = new FieldReader(value as Body, details, `${field}.`);
  inner.rejectUnknown(ADDRESS_FIELDS);
  const out = {} as FakeAddress;
  for (const key of ADDRESS_FIELDS) out[key] = inner.text(key, { max: 200 }) ?? null;
  return out;
}

function customFields(reader: FieldReader, details: FakeErrorDetail[]): FakeCustomer['customFields'] | undefined {
  if (!reader.has('customFields')) return undefined;
  const value = reader.raw('customFields');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reader.issue('customFields', 'must_be_object');
  const inner = new FieldReader(value as Body, details, 'customFields.');
  const keys = ['custom1', 'custom2', 'custom3', 'custom4'] as const;
  inner.rejectUnknown(keys);
  return { custom1: inner.text('custom1', { max: 200 }) ?? null, custom2: inner.text('custom2', { max: 200 }) ?? null, custom3: inner.text('custom3', { max: 200 }) ?? null, custom4: inner.text('custom4', { max: 200 }) ?? null };
}

const CUSTOMER_FIELDS = [
  'name', 'contactName', 'email', 'phone', 'mobile', 'fax', 'physicalAddress', 'postalAddress', 'pricingLevelId',
  'defaultInvoiceDueDays', 'taxMode', 'externalReference', 'customFields', 'ownerStaffId', 'active',
] as const;
const READ_ONLY = ['id', 'createdAt', 'updatedAt'];

/** The writable customer fields of a POST (`creating`) or PATCH body; 422 on any problem. */
export function readCustomerInput(body: Body, creating: boolean, lookups: RuleLookups): Partial<FakeCustomer> {
  const details: FakeErrorDetail[] = [];
  const r = new FieldReader(body, details);
  r.rejectUnknown(CUSTOMER_FIELDS, READ_ONLY);
  if (creating && !r.has('name')) r.issue('name', 'required');
  const days = r.raw('defaultInvoiceDueDays');
  if (r.has('defaultInvoiceDueDays') && days !== null && !(Number.isInteger(days) && (days as number) >= 0 && (days as number) <= 365)) {
    r.issue('defaultInvoiceDueDays', 'must_be_integer_0_365');
  }
  if (r.has('active') && typeof r.raw('active') !== 'boolean') r.issue('active', 'must_be_boolean');
  const input = present({
    name: r.text('name', { min: 1, max: 100, nullable: false }) ?? undefined,
    contactName: r.text('contactName', { max: 100 }),
    email: r.text('email', { max: 254 }),
    phone: r.text('phone', { max: 50 }),
    mobile: r.text('mobile', { max: 50 }),
    fax: r.text('fax', { max: 50 }),
    physicalAddress: address(r, 'physicalAddress', details),
    postalAddress: address(r, 'postalAddress', details),
    pricingLevelId: r.text('pricingLevelId', { max: 100 }),
    defaultInvoiceDueDays: r.has('defaultInvoiceDueDays') ? (days as number | null) : undefined,
    taxMode: r.oneOf('taxMode', TAX_MODES, true),
    externalReference: r.text('externalReference', { min: 1, max: 100 }),
    customFields: customFields(r, details),
    ownerStaffId: r.reference('ownerStaffId', lookups.staffExists),
    active: r.has('active') ? (r.raw('active') as boolean) : undefined,
  });
  return settle(details, input);
}

const LINE_FIELDS = ['type', 'itemCode', 'description', 'quantity', 'unitPrice', 'discountPercent', 'taxRateId', 'accountCode'] as const;
const LINE_READ_ONLY = ['id', 'taxRatePercent', 'amountExTax', 'taxAmount', 'amountIncTax'];

function readLine(value: unknown, index: number, taxMode: FakeTaxMode, lookups: RuleLookups, newId: () => string, details: FakeErrorDetail[]): FakeLineItem | undefined {
  const prefix = `lineItems[${index}].`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    details.push({ field: `lineItems[${index}]`, issue: 'must_be_object' });
    return undefined;
  }
  const r = new FieldReader(value as Body, details, prefix);
  r.rejectUnknown(LINE_FIELDS, LINE_READ_ONLY);
  if (!r.has('description')) r.issue('description', 'required');
  const description = r.text('description', { min: 1, max: 200, nullable: false });
  const quantity = r.has('quantity') ? r.decimal('quantity', 2, 2) : r.issue('quantity', 'required');
  const unitPrice = r.has('unitPrice') ? r.decimal('unitPrice', 2, 2) : r.issue('unitPrice', 'required');
  const discount = r.has('discountPercent') && r.raw('discountPercent') !== null ? r.decimal('discountPercent', 4, 2) : { text: '0.00', scaled: 0n };
  if (discount && (discount.scaled < 0n || discount.scaled > 1_000_000n)) r.issue('discountPercent', 'must_be_0_to_100');
  const rate = lineTaxRate(r, taxMode, lookups);
  const line: FakeLineItem = {
    id: newId(),
    type: r.oneOf('type', LINE_TYPES, false) ?? 'misc',
    itemCode: r.text('itemCode', { max: 50 }) ?? null,
    description: description ?? '',
    quantity: quantity?.text ?? '0.00',
    unitPrice: unitPrice?.text ?? '0.00',
    discountPercent: discount?.text ?? '0.00',
    taxRateId: rate?.id ?? null,
    taxRatePercent: rate?.rate ?? null,
    accountCode: r.text('accountCode', { max: 50 }) ?? null,
  };
  return line;
}

/** The contract's rule: the rate must exist unless the invoice is `no_tax`; absent means the default rate. */
function lineTaxRate(r: FieldReader, taxMode: FakeTaxMode, lookups: RuleLookups): FakeTaxRate | undefined {
  const given = r.raw('taxRateId');
  if (given === undefined || given === null) return taxMode === 'no_tax' ? undefined : (lookups.defaultTaxRate() ?? r.issue('taxRateId', 'no_default_rate'));
  if (typeof given !== 'string') return r.issue('taxRateId', 'must_be_string');
  return lookups.taxRate(given) ?? r.issue('taxRateId', 'not_found');
}

const INVOICE_FIELDS = ['customerId', 'invoiceDate', 'dueDate', 'reference', 'externalReference', 'taxMode', 'lineItems', 'siteId', 'jobIds', 'ownerStaffId'] as const;
const INVOICE_READ_ONLY = [
  'id', 'invoiceNumber', 'status', 'isOverdue', 'currency', 'subtotal', 'totalTax', 'total', 'amountPaid', 'amountCredited',
  'amountDue', 'sentAt', 'approvedAt', 'cancelledAt', 'createdAt', 'updatedAt',
];

/**
 * The writable invoice fields of a POST (`existing` undefined) or a PATCH of a draft. The
 * tax mode defaults to the customer's, else `exclusive`; lines are replaced as a whole.
 */
export function readInvoiceInput(
  body: Body,
  existing: FakeStoredInvoice | undefined,
  lookups: RuleLookups & { customerTaxMode(id: string): FakeTaxMode | null },
  newLineId: () => string,
): Partial<FakeStoredInvoice> {
  const details: FakeErrorDetail[] = [];
  const r = new FieldReader(body, details);
  r.rejectUnknown(INVOICE_FIELDS, INVOICE_READ_ONLY);
  if (!existing) for (const field of ['customerId', 'invoiceDate', 'lineItems']) if (!r.has(field)) r.issue(field, 'required');
  const customerId = r.raw('customerId') === null ? r.issue('customerId', 'required') : r.reference('customerId', lookups.customerExists);
  const fallbackMode = existing?.taxMode ?? (customerId ? lookups.customerTaxMode(customerId) : null) ?? 'exclusive';
  const taxMode = r.oneOf('taxMode', TAX_MODES, false) ?? fallbackMode;
  const jobIds = r.raw('jobIds');
  if (r.has('jobIds') && !(Array.isArray(jobIds) && jobIds.every((j) => typeof j === 'string'))) r.issue('jobIds', 'must_be_string_array');
  const rawLines = r.raw('lineItems');
  let lineItems: FakeLineItem[] | undefined;
  if (r.has('lineItems')) {
    if (!Array.isArray(rawLines)) r.issue('lineItems', 'must_be_array');
    else if (rawLines.length > 500) r.issue('lineItems', 'too_many');
    else lineItems = rawLines.map((line, i) => readLine(line, i, taxMode, lookups, newLineId, details)).filter((l): l is FakeLineItem => l !== undefined);
  } else if (existing && r.has('taxMode')) {
    lineItems = existing.lineItems.map((line) => rerateLine(line, taxMode, lookups));
  }
  const input = present({
    customerId: customerId ?? undefined,
    invoiceDate: r.plainDate('invoiceDate', false) ?? undefined,
    dueDate: r.plainDate('dueDate', true),
    reference: r.text('reference', { max: 100 }),
    externalReference: r.text('externalReference', { min: 1, max: 100 }),
    taxMode: r.has('taxMode') || !existing ? taxMode : undefined,
    lineItems,
    siteId: r.text('siteId', { max: 100 }),
    jobIds: r.has('jobIds') ? (jobIds as string[]) : undefined,
    ownerStaffId: r.reference('ownerStaffId', lookups.staffExists),
  });
  return settle(details, input);
}

/** A tax-mode change on a draft keeps its lines but must give them a rate when leaving `no_tax`. */
function rerateLine(line: FakeLineItem, taxMode: FakeTaxMode, lookups: RuleLookups): FakeLineItem {
  if (taxMode === 'no_tax' || line.taxRateId !== null) return line;
  const rate = lookups.defaultTaxRate();
  return { ...line, taxRateId: rate?.id ?? null, taxRatePercent: rate?.rate ?? null };
}

const PAYMENT_FIELDS = ['date', 'amount', 'method', 'reference', 'note'] as const;

/** A payment body: a date, a positive 2-place amount at most `dueCents`. */
export function readPaymentInput(body: Body, dueCents: bigint): Omit<FakePayment, 'id' | 'invoiceId' | 'createdAt'> {
  const details: FakeErrorDetail[] = [];
  const r = new FieldReader(body, details);
  r.rejectUnknown(PAYMENT_FIELDS, ['id', 'invoiceId']);
  if (!r.has('date')) r.issue('date', 'required');
  const date = r.plainDate('date', false);
  const amount = r.has('amount') ? r.decimal('amount', 2, 2) : r.issue('amount', 'required');
  if (amount && amount.scaled <= 0n) r.issue('amount', 'must_be_positive');
  else if (amount && amount.scaled > dueCents) r.issue('amount', 'exceeds_amount_due');
  const payment = {
    date: date ?? '',
    amount: amount?.text ?? '0.00',
    method: r.text('method', { max: 50 }) ?? null,
    reference: r.text('reference', { max: 100 }) ?? null,
    note: r.text('note', { max: 500 }) ?? null,
  };
  return settle(details, payment);
}
