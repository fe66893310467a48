/**
 * A worked `TradifyPort` adapter over a backend shaped nothing like the library's HTTP
 * contract: "Ledger" (see `fake-backend.ts`), with PascalCase JSON, GUID ids, money in whole
 * cents, search by POST and one change-set save endpoint. It shows what an adapter does:
 *
 * - talks HTTP through the library's client (`cliniko-tradify/http`): pacing, retries, redirects
 *   and body limits as for the built-in clients, errors of the library's family named `ledger`;
 * - reads Ledger's own error body with a `parseErrorBody` hook, so a 409 keeps `existingId`
 *   and `reason`, and a 422 its field problems (the engine reads these);
 * - marks every Ledger call `retrySafe`: searches and gets only read, and a save carries its
 *   change-set id in the body, which Ledger de-duplicates, so no `Idempotency-Key` is needed;
 * - maps records both ways, money as exact two-place strings, and returns every listing as a
 *   `TradifyListing`, handing a row it cannot read to `onUnreadable`;
 * - declares where Ledger differs: no owners, unique references on customers only.
 *
 * It passes `runTradifyPortConformance` (`test/examples/changeset-adapter.test.ts`).
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ResponseValidationError } from 'cliniko-tradify';
import type {
  TradifyAddress,
  TradifyCapabilities,
  TradifyCreateOptions,
  TradifyCustomer,
  TradifyCustomerPatch,
  TradifyCustomerQuery,
  TradifyCustomersResource,
  TradifyInvoice,
  TradifyInvoicePatch,
  TradifyInvoiceQuery,
  TradifyInvoicesResource,
  TradifyLineItemInput,
  TradifyListedResource,
  TradifyListing,
  TradifyListOptions,
  TradifyPaymentInput,
  TradifyPaymentsResource,
  TradifyPort,
  TradifyPortStats,
  TradifyRequestOptions,
  TradifyStaffResource,
  TradifyTaxRatesResource,
  TradifyUnreadableRow,
  ValidationIssue,
} from 'cliniko-tradify';
import { createHttpClient, type HttpClient, type HttpErrorDetails, type HttpTransportOptions } from 'cliniko-tradify/http';

/** Options of {@link LedgerTradifyAdapter}; the transport settings are the library client's. */
export interface LedgerAdapterOptions extends Pick<HttpTransportOptions, 'fetch' | 'logger' | 'clock' | 'retry' | 'random' | 'timeout'> {
  /** Ledger's API root, e.g. `https://ledger.example/api`. */
  baseUrl: string;
  /** The bearer token. Only the client's pacer sees it (hashed); it is never logged. */
  token: string;
  /** Records asked for per search page. @defaultValue 100 */
  pageSize?: number | undefined;
  /** Requests started per minute at most. @defaultValue 60 */
  requestsPerMinute?: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Ledger's words for the port's values

const TAX_MODES = { Exclusive: 'exclusive', Inclusive: 'inclusive', NoTax: 'no_tax' } as const;
const STATES = { Draft: 'draft', Approved: 'approved', Paid: 'paid', Void: 'cancelled' } as const;
const KINDS = { Labour: 'labour', Material: 'material', Misc: 'misc' } as const;

function inverse<K extends string, V extends string>(map: Record<K, V>): Record<V, K> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [v, k])) as Record<V, K>;
}
const TAX_MODE_OUT = inverse(TAX_MODES);
const STATE_OUT = inverse(STATES);
const KIND_OUT = inverse(KINDS);

/** Whole cents as the port's money: `-1050` → `"-10.50"`. Exact: no float ever holds a fraction. */
function money(cents: number): string {
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The port's money as whole cents; text with more than two places is sent as it is, for Ledger to refuse by field name. */
function cents(amount: string): number | string {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  if (!match) return amount;
  const value = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -value : value;
}

/** `undefined` stays undefined (not sent), `null` stays null (cleared), anything else is converted. */
function mapDefined<T, U>(value: T | null | undefined, convert: (v: T) => U): U | null | undefined {
  if (value === undefined) return undefined;
  return value === null ? null : convert(value);
}

// ---------------------------------------------------------------------------------------------
// Ledger's records, read into the port's

const text = z.string().nullable();
const wholeCents = z.number().int();

const addressRow = z
  .object({ Line1: text, Line2: text, Suburb: text, Region: text, PostCode: text, CountryCode: text })
  .nullable()
  .transform((a): TradifyAddress | null => a && { line1: a.Line1, line2: a.Line2, suburb: a.Suburb, state: a.Region, postcode: a.PostCode, country: a.CountryCode });

const customerRow = z
  .object({
    Id: z.string().min(1), Name: z.string(), ContactName: text, Email: text, Phone: text, Mobile: text, Fax: text,
    PhysicalAddress: addressRow, PostalAddress: addressRow, PriceLevelId: text, PaymentTermsDays: z.number().int().nullable(),
    TaxTreatment: z.enum(['Exclusive', 'Inclusive', 'NoTax']).nullable(), ExternalRef: text,
    Custom1: text, Custom2: text, Custom3: text, Custom4: text, IsActive: z.boolean(), CreatedUtc: text, ModifiedUtc: text,
  })
  .transform((c): TradifyCustomer => ({
    id: c.Id, name: c.Name, contactName: c.ContactName, email: c.Email, phone: c.Phone, mobile: c.Mobile, fax: c.Fax,
    physicalAddress: c.PhysicalAddress, postalAddress: c.PostalAddress, pricingLevelId: c.PriceLevelId,
    defaultInvoiceDueDays: c.PaymentTermsDays, taxMode: c.TaxTreatment && TAX_MODES[c.TaxTreatment], externalReference: c.ExternalRef,
    customFields: { custom1: c.Custom1, custom2: c.Custom2, custom3: c.Custom3, custom4: c.Custom4 },
    ownerStaffId: null, active: c.IsActive, createdAt: c.CreatedUtc, updatedAt: c.ModifiedUtc,
  }));

const lineRow = z
  .object({
    Id: z.string().min(1), Kind: z.enum(['Labour', 'Material', 'Misc']), ItemCode: text, Description: z.string(), Qty: z.string(),
    UnitPriceCents: wholeCents, DiscountPct: z.string(), TaxCodeId: text, TaxPct: text, AccountCode: text,
    ExTaxCents: wholeCents, TaxCents: wholeCents, IncTaxCents: wholeCents,
  })
  .transform((l) => ({
    id: l.Id, type: KINDS[l.Kind], itemCode: l.ItemCode, description: l.Description, quantity: l.Qty, unitPrice: money(l.UnitPriceCents),
    discountPercent: l.DiscountPct, taxRateId: l.TaxCodeId, taxRatePercent: l.TaxPct, accountCode: l.AccountCode,
    amountExTax: money(l.ExTaxCents), taxAmount: money(l.TaxCents), amountIncTax: money(l.IncTaxCents),
  }));

const invoiceRow = z
  .object({
    Id: z.string().min(1), Number: text, State: z.enum(['Draft', 'Approved', 'Paid', 'Void']), IsOverdue: z.boolean(),
    CustomerId: z.string(), Reference: text, ExternalRef: text, InvoiceDate: z.string(), DueDate: text,
    PriceMode: z.enum(['Exclusive', 'Inclusive', 'NoTax']), Currency: text, Lines: z.array(lineRow),
    SubtotalCents: wholeCents, TaxCents: wholeCents, TotalCents: wholeCents, PaidCents: wholeCents, CreditedCents: wholeCents, BalanceCents: wholeCents,
    SentUtc: text, ApprovedUtc: text, VoidedUtc: text, CreatedUtc: text, ModifiedUtc: text,
  })
  .transform((i): TradifyInvoice => ({
    id: i.Id, invoiceNumber: i.Number, status: STATES[i.State], isOverdue: i.IsOverdue, customerId: i.CustomerId,
    siteId: null, jobIds: [], reference: i.Reference, externalReference: i.ExternalRef, invoiceDate: i.InvoiceDate, dueDate: i.DueDate,
    taxMode: TAX_MODES[i.PriceMode], currency: i.Currency, lineItems: i.Lines,
    subtotal: money(i.SubtotalCents), totalTax: money(i.TaxCents), total: money(i.TotalCents),
    amountPaid: money(i.PaidCents), amountCredited: money(i.CreditedCents), amountDue: money(i.BalanceCents),
    ownerStaffId: null, sentAt: i.SentUtc, approvedAt: i.ApprovedUtc, cancelledAt: i.VoidedUtc, createdAt: i.CreatedUtc, updatedAt: i.ModifiedUtc,
  }));

const paymentRow = z
  .object({ Id: z.string().min(1), InvoiceId: z.string(), Date: z.string(), AmountCents: wholeCents, Method: text, Reference: text, Note: text })
  .transform((p) => ({ id: p.Id, invoiceId: p.InvoiceId, date: p.Date, amount: money(p.AmountCents), method: p.Method, reference: p.Reference, note: p.Note }));

const userRow = z
  .object({ Id: z.string().min(1), DisplayName: z.string(), Email: text, Login: text, Mobile: text, Phone: text, Access: z.enum(['Login', 'NoAccess']).nullable(), LicenceNo: text, IsActive: z.boolean() })
  .transform((u) => ({
    id: u.Id, name: u.DisplayName, email: u.Email, username: u.Login, mobile: u.Mobile, phone: u.Phone,
    accessLevel: u.Access && (u.Access === 'Login' ? 'login' : 'no_access'), licenceNumber: u.LicenceNo, active: u.IsActive,
  }));

const taxCodeRow = z
  .object({ Id: z.string().min(1), Name: z.string(), Percent: z.string(), IsDefault: z.boolean(), IsExempt: z.boolean(), IsActive: z.boolean() })
  .transform((t) => ({ id: t.Id, name: t.Name, rate: t.Percent, isDefault: t.IsDefault, isNoTax: t.IsExempt, active: t.IsActive }));

const searchAnswer = z.object({ Records: z.array(z.unknown()), Next: z.string().nullable() });
const savedAnswer = <T extends z.ZodType>(record: T) => z.object({ Results: z.tuple([z.object({ Record: record })]) });
const saved = { customer: savedAnswer(customerRow), invoice: savedAnswer(invoiceRow), payment: savedAnswer(paymentRow), nothing: savedAnswer(z.null()) };

// ---------------------------------------------------------------------------------------------
// The port's input, written in Ledger's words

function customerFields(input: TradifyCustomerPatch): Record<string, unknown> {
  const address = (a: TradifyAddress) => ({ Line1: a.line1, Line2: a.line2, Suburb: a.suburb, Region: a.state, PostCode: a.postcode, CountryCode: a.country });
  const custom = input.customFields;
  // ownerStaffId is not sent: Ledger has no owners (capabilities.ownerStaffId is false).
  return {
    Name: input.name, ContactName: input.contactName, Email: input.email, Phone: input.phone, Mobile: input.mobile, Fax: input.fax,
    PhysicalAddress: mapDefined(input.physicalAddress, address), PostalAddress: mapDefined(input.postalAddress, address),
    PriceLevelId: input.pricingLevelId, PaymentTermsDays: input.defaultInvoiceDueDays,
    TaxTreatment: mapDefined(input.taxMode, (mode) => TAX_MODE_OUT[mode]), ExternalRef: input.externalReference,
    Custom1: custom?.custom1, Custom2: custom?.custom2, Custom3: custom?.custom3, Custom4: custom?.custom4, IsActive: input.active,
  };
}

function lineFields(line: TradifyLineItemInput): Record<string, unknown> {
  return {
    Kind: mapDefined(line.type, (type) => KIND_OUT[type]), ItemCode: line.itemCode, Description: line.description, Qty: line.quantity,
    UnitPriceCents: cents(line.unitPrice), DiscountPct: line.discountPercent, TaxCodeId: line.taxRateId, AccountCode: line.accountCode,
  };
}

function invoiceFields(input: TradifyInvoicePatch): Record<string, unknown> {
  // siteId, jobIds and ownerStaffId are not sent: Ledger has no sites, jobs or owners.
  return {
    CustomerId: input.customerId, InvoiceDate: input.invoiceDate, DueDate: input.dueDate, Reference: input.reference,
    ExternalRef: input.externalReference, PriceMode: mapDefined(input.taxMode, (mode) => TAX_MODE_OUT[mode]),
    Lines: input.lineItems?.map(lineFields),
  };
}

const isoInstant = (value: string | Date | undefined) => (value instanceof Date ? value.toISOString() : value);

// ---------------------------------------------------------------------------------------------
// Ledger's error body, for the library's error classes

const faultBody = z.object({
  Fault: z.object({
    Kind: z.string(),
    Text: z.string().optional(),
    ConflictingId: z.string().optional(),
    Fields: z.array(z.object({ Name: z.string(), Problem: z.string() })).optional(),
  }),
});

/**
 * Ledger's `{ Fault: { Kind, Text, ConflictingId, Fields } }` as the details the library's
 * errors carry: `Kind` as a snake_case code (`InvalidState` → `invalid_state`, the 409 reason
 * the engine reads), `ConflictingId` as `existingId`, `Fields` as the 422's field problems.
 * `Text` may repeat the values sent; the library's allow-list drops it unless it is a known
 * fixed message.
 */
function readLedgerFault(body: unknown, status: number): HttpErrorDetails | undefined {
  const parsed = faultBody.safeParse(body);
  if (!parsed.success) return undefined;
  const { Kind, Text, ConflictingId, Fields } = parsed.data.Fault;
  const code = Kind.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return {
    code,
    message: Text,
    existingId: ConflictingId,
    reason: status === 409 ? code : undefined,
    errors: Fields && Object.fromEntries(Fields.map((field) => [field.Name, field.Problem])),
  };
}

/**
 * A change-set id for one save. The same idempotency key always names the same change set, so
 * Ledger answers a repeated create with the first answer, and refuses the key with other
 * changes. Without a key the id is random, still fixed for this call's own retries.
 */
function changeSetId(idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return randomUUID();
  const hex = createHash('sha256').update(`cliniko-tradify:${idempotencyKey}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface Change {
  Op: 'Create' | 'Update' | 'Delete' | 'Approve' | 'Void';
  Entity: 'Customer' | 'Invoice' | 'Payment';
  Id?: string;
  InvoiceId?: string;
  Fields?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// The adapter

/**
 * The `TradifyPort` over Ledger.
 *
 * @example
 * ```ts
 * const tradify = new LedgerTradifyAdapter({ baseUrl: 'https://ledger.example/api', token: process.env.LEDGER_TOKEN! });
 * const engine = new SyncEngine({ cliniko, tradify, store });
 * ```
 */
export class LedgerTradifyAdapter implements TradifyPort {
  readonly capabilities: TradifyCapabilities = Object.freeze({ ownerStaffId: false, uniqueExternalReference: { customers: true, invoices: false } });
  readonly customers: TradifyCustomersResource;
  readonly invoices: TradifyInvoicesResource;
  readonly payments: TradifyPaymentsResource;
  readonly staff: TradifyStaffResource;
  readonly taxRates: TradifyTaxRatesResource;
  readonly #http: HttpClient;
  readonly #pageSize: number;

  constructor(options: LedgerAdapterOptions) {
    const { baseUrl, token, pageSize, requestsPerMinute, ...transport } = options;
    this.#http = createHttpClient({
      ...transport,
      api: 'ledger',
      baseUrl,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      limiterKey: token,
      requestsPerMinute: requestsPerMinute ?? 60,
      parseErrorBody: readLedgerFault,
    });
    this.#pageSize = pageSize ?? 100;
    this.customers = this.#customers();
    this.invoices = this.#invoices();
    this.payments = this.#payments();
    this.staff = { list: (o = {}) => this.#search('User', {}, 'staff', userRow, o) };
    this.taxRates = { list: (o = {}) => this.#search('TaxCode', {}, 'tax-rates', taxCodeRow, o) };
  }

  /** Requests sent so far, retries included; the engine reports it. */
  get stats(): TradifyPortStats {
    return { requests: this.#http.stats.requests };
  }

  #customers(): TradifyCustomersResource {
    return {
      list: (q: TradifyCustomerQuery = {}) =>
        this.#search('Customer', { Email: q.email, ExternalRef: q.externalReference, ModifiedSince: isoInstant(q.updatedSince), IncludeInactive: q.includeInactive || undefined }, 'customers', customerRow, q),
      retrieve: (id, o = {}) => this.#get('Customer', id, customerRow, o),
      create: (input, o = {}) => this.#save({ Op: 'Create', Entity: 'Customer', Fields: customerFields(input) }, saved.customer, o),
      update: (id, patch, o = {}) => this.#save({ Op: 'Update', Entity: 'Customer', Id: id, Fields: customerFields(patch) }, saved.customer, o),
    };
  }

  #invoices(): TradifyInvoicesResource {
    const move = (Op: 'Approve' | 'Void') => (id: string, o: TradifyRequestOptions = {}) => this.#save({ Op, Entity: 'Invoice', Id: id }, saved.invoice, o);
    return {
      list: (q: TradifyInvoiceQuery = {}) =>
        this.#search(
          'Invoice',
          { CustomerId: q.customerId, State: q.status === 'overdue' ? undefined : mapDefined(q.status, (s) => STATE_OUT[s]), Overdue: q.status === 'overdue' || undefined, ExternalRef: q.externalReference, ModifiedSince: isoInstant(q.updatedSince) },
          'invoices',
          invoiceRow,
          q,
        ),
      retrieve: (id, o = {}) => this.#get('Invoice', id, invoiceRow, o),
      create: (input, o = {}) => this.#save({ Op: 'Create', Entity: 'Invoice', Fields: invoiceFields(input) }, saved.invoice, o),
      update: (id, patch, o = {}) => this.#save({ Op: 'Update', Entity: 'Invoice', Id: id, Fields: invoiceFields(patch) }, saved.invoice, o),
      delete: async (id, o = {}) => void (await this.#save({ Op: 'Delete', Entity: 'Invoice', Id: id }, saved.nothing, o)),
      approve: move('Approve'),
      cancel: move('Void'),
    };
  }

  #payments(): TradifyPaymentsResource {
    const fields = (invoiceId: string, p: TradifyPaymentInput) => ({ InvoiceId: invoiceId, Date: p.date, AmountCents: cents(p.amount), Method: p.method, Reference: p.reference, Note: p.note });
    return {
      list: (invoiceId, o = {}) => this.#search('Payment', { InvoiceId: invoiceId }, 'payments', paymentRow, o),
      add: (invoiceId, input, o = {}) => this.#save({ Op: 'Create', Entity: 'Payment', Fields: fields(invoiceId, input) }, saved.payment, o),
      delete: async (invoiceId, paymentId, o = {}) => void (await this.#save({ Op: 'Delete', Entity: 'Payment', Id: paymentId, InvoiceId: invoiceId }, saved.nothing, o)),
    };
  }

  async #get<T>(entity: string, id: string, row: z.ZodType<T>, options: TradifyRequestOptions): Promise<T> {
    const json = { Entity: entity, Id: id };
    const { data } = await this.#http.request({ method: 'POST', path: '/get', json, schema: z.object({ Record: row }), retrySafe: true, signal: options.signal });
    return data.Record;
  }

  /** One change, saved as its own change set: retried safely, as Ledger de-duplicates by `ChangeSetId`. */
  async #save<T>(change: Change, answer: z.ZodType<{ Results: [{ Record: T }] }>, options: TradifyCreateOptions): Promise<T> {
    const json = { ChangeSetId: changeSetId(options.idempotencyKey), Changes: [change] };
    const { data } = await this.#http.request({ method: 'POST', path: '/save', json, schema: answer, retrySafe: true, signal: options.signal });
    return data.Results[0].Record;
  }

  /** Every page of a search, lazily; a row that fails its schema goes to `onUnreadable`, or fails the listing. */
  #search<T>(entity: string, where: Record<string, unknown>, resource: TradifyListedResource, row: z.ZodType<T>, options: TradifyListOptions): TradifyListing<T> {
    const http = this.#http;
    const pageSize = this.#pageSize;
    const path = `${http.basePath}/search`;
    async function* pages(): AsyncGenerator<T[]> {
      const seen = new Set<string>();
      let after: string | null = null;
      do {
        const json: Record<string, unknown> = { Entity: entity, Where: where, PageSize: pageSize, After: after };
        const { data } = await http.request({ method: 'POST', path: '/search', json, schema: searchAnswer, retrySafe: true, signal: options.signal });
        yield readRows(data.Records, { resource, row, path, onUnreadable: options.onUnreadable });
        if (data.Next !== null && seen.has(data.Next)) throw new ResponseValidationError({ api: 'ledger', method: 'POST', path }, [{ path: 'Next', code: 'repeated_cursor', message: 'a cursor came back twice' }]);
        after = data.Next;
        if (after !== null) seen.add(after);
      } while (after !== null);
    }
    return {
      pages,
      async *[Symbol.asyncIterator]() {
        for await (const page of pages()) yield* page;
      },
    };
  }
}

function readRows<T>(records: unknown[], spec: { resource: TradifyListedResource; row: z.ZodType<T>; path: string; onUnreadable: TradifyListOptions['onUnreadable'] }): T[] {
  const out: T[] = [];
  records.forEach((record, index) => {
    const parsed = spec.row.safeParse(record);
    if (parsed.success) {
      out.push(parsed.data);
      return;
    }
    const issues: ValidationIssue[] = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code, message: issue.message }));
    if (!spec.onUnreadable) {
      throw new ResponseValidationError({ api: 'ledger', method: 'POST', path: spec.path }, issues.map((issue) => ({ ...issue, path: `Records.${index}.${issue.path}` })));
    }
    spec.onUnreadable(unreadable(spec.resource, record, issues));
  });
  return out;
}

/** What identifies a row Ledger sent that this adapter cannot read: its id, reference and e-mail when they are text. */
function unreadable(resource: TradifyListedResource, record: unknown, issues: ValidationIssue[]): TradifyUnreadableRow {
  const fields = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
  const textOf = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  return { resource, id: textOf(fields.Id), issues, externalReference: textOf(fields.ExternalRef), email: textOf(fields.Email) };
}
