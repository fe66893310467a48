/**
 * The `TradifyPort`: the only thing the sync engine knows about Tradify.
 *
 * Tradify publishes no public API (see `docs/tradify-contract.md`), so the library speaks an
 * ASSUMED Tradify-shaped contract through `HttpTradifyClient`, and an integrator can
 * replace the whole transport by implementing this interface and proving it with
 * `runTradifyPortConformance` from `cliniko-tradify/testing`.
 *
 * Conventions, everywhere in this port:
 * - ids are opaque strings;
 * - money, quantities, percentages and tax rates are exact decimal strings (`"110.00"`,
 *   `"18.1818"`, `"10"`), never JavaScript numbers;
 * - plain dates are `YYYY-MM-DD` strings, timestamps ISO-8601 UTC strings;
 * - every method takes an options object last, with an optional `signal`.
 *
 * @module
 */
import type { ValidationIssue } from '../core/errors.js';

/** How an invoice's line prices relate to tax. Tradify has one mode per invoice, not per line. */
export type TradifyTaxMode = 'exclusive' | 'inclusive' | 'no_tax';

/**
 * An invoice's state. `draft → approved → paid` (automatic when `amountDue` reaches 0);
 * `paid → approved` when a payment is deleted; `approved → cancelled` (terminal).
 */
export type TradifyInvoiceStatus = 'draft' | 'approved' | 'paid' | 'cancelled';

/** What kind of work a line bills. */
export type TradifyLineItemType = 'labour' | 'material' | 'misc';

/** Options every call accepts. */
export interface TradifyRequestOptions {
  /** Aborts the call (and its waits for pacing or retries); it then rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
}

/** Options for a create: an idempotency key makes the POST safe to retry. */
export interface TradifyCreateOptions extends TradifyRequestOptions {
  /**
   * Sent as the `Idempotency-Key` header. The server replays the first response for a
   * repeated key, so a retried or repeated create returns the same record and creates one.
   * Without a key a create is never retried after a failure.
   */
  idempotencyKey?: string | undefined;
}

/** The listings a port reads rows from. */
export type TradifyListedResource = 'customers' | 'invoices' | 'payments' | 'staff' | 'tax-rates';

/**
 * A listed row the port could not read (it failed the schema): skipped, and described by what
 * identifies it, never by the values at fault.
 *
 * An adapter builds one from the raw row: `id`, `externalReference` and `email` are copied only
 * when they are strings (`null` otherwise), and `issues` are the schema's paths relative to the
 * row, e.g. `[{ path: 'name', code: 'invalid_type', message: '…' }]`.
 */
export interface TradifyUnreadableRow {
  /** The listing the row came from. */
  resource: TradifyListedResource;
  /** The row's id when it is a non-empty string; `null` when the id itself is unreadable. */
  id: string | null;
  /** What failed, as paths and codes relative to the row (never the values). */
  issues: ValidationIssue[];
  /** The row's `externalReference` when it is a string (customers, invoices): tells which Cliniko record the row belongs to. */
  externalReference: string | null;
  /**
   * The row's `email` when it is a string (customers, staff): lets a caller keep email
   * matching safe. Personal data: compare it, never log or keep it.
   */
  email: string | null;
}

/** Options of every listing: how a row that fails the schema is handled. */
export interface TradifyListOptions extends TradifyRequestOptions {
  /**
   * Called once for each row that fails the schema; the row is then skipped and the listing
   * goes on. Without it such a row fails the whole listing with `ResponseValidationError`, so
   * no row is ever dropped silently.
   */
  onUnreadable?: ((row: TradifyUnreadableRow) => void) | undefined;
}

/**
 * The result of a `list()`: iterate it for records, or call `pages()` for arrays, one per
 * server page. Every page is read (cursors are followed until the server says there are no
 * more); nothing is fetched until iteration starts.
 *
 * @example
 * ```ts
 * for await (const customer of tradify.customers.list({ includeInactive: true })) console.log(customer.id);
 * for await (const page of tradify.invoices.list({ status: 'draft' }).pages()) console.log(page.length);
 * ```
 */
export interface TradifyListing<T> extends AsyncIterable<T> {
  /** The same records, one array per server page. */
  pages(): AsyncIterable<T[]>;
}

/** A postal or physical address. Every field may be null. */
export interface TradifyAddress {
  line1: string | null;
  line2: string | null;
  suburb: string | null;
  /** State or territory abbreviation, e.g. `VIC`. */
  state: string | null;
  postcode: string | null;
  /** ISO 3166-1 alpha-2, e.g. `AU`. */
  country: string | null;
}

/** The four free-text custom fields a customer carries (Tradify's "Job Custom #1–#4"). */
export interface TradifyCustomFields {
  custom1: string | null;
  custom2: string | null;
  custom3: string | null;
  custom4: string | null;
}

/** A Tradify customer, as read. */
export interface TradifyCustomer {
  /** Opaque string id. */
  id: string;
  /** Customer name, 1–100 characters. */
  name: string;
  contactName: string | null;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  fax: string | null;
  physicalAddress: TradifyAddress | null;
  postalAddress: TradifyAddress | null;
  pricingLevelId: string | null;
  /** Days after the invoice date an invoice falls due; null when the account default applies. */
  defaultInvoiceDueDays: number | null;
  taxMode: TradifyTaxMode | null;
  /** Our link back to the source record, e.g. `cliniko:patient:123`; unique per account. */
  externalReference: string | null;
  customFields: TradifyCustomFields;
  /** The staff member who owns the customer; null when none (the wire omits it then). */
  ownerStaffId: string | null;
  /** `false` when archived (Tradify deactivates rather than deletes). */
  active: boolean;
  createdAt: string | null;
  updatedAt: string | null;
}

/** The fields a customer is created with. Only `name` is required. */
export interface TradifyCustomerInput {
  /** 1–100 characters. */
  name: string;
  contactName?: string | null | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  mobile?: string | null | undefined;
  fax?: string | null | undefined;
  physicalAddress?: TradifyAddress | null | undefined;
  postalAddress?: TradifyAddress | null | undefined;
  pricingLevelId?: string | null | undefined;
  defaultInvoiceDueDays?: number | null | undefined;
  taxMode?: TradifyTaxMode | null | undefined;
  /** Unique per account; a duplicate is a `ConflictError` carrying `existingId`. At most 100 characters. */
  externalReference?: string | null | undefined;
  customFields?: Partial<TradifyCustomFields> | undefined;
  /** Omitted when null on create; send it only when `capabilities.ownerStaffId` is true. */
  ownerStaffId?: string | null | undefined;
  active?: boolean | undefined;
}

/** A partial customer update: only the fields present are changed; `null` clears a field. */
export type TradifyCustomerPatch = Partial<TradifyCustomerInput>;

/** Filters for `customers.list()`. */
export interface TradifyCustomerQuery extends TradifyListOptions {
  /**
   * Customers with this email. A server may compare exactly or ignoring case; callers must
   * not rely on either (normalise and match against their own index).
   */
  email?: string | undefined;
  externalReference?: string | undefined;
  /** Only customers updated at or after this instant (ISO-8601 string or `Date`). */
  updatedSince?: string | Date | undefined;
  /** Include inactive (archived) customers. @defaultValue `false` */
  includeInactive?: boolean | undefined;
}

/** One invoice line, as read (computed by the server per line, rounded half away from zero). */
export interface TradifyLineItem {
  id: string;
  type: TradifyLineItemType;
  itemCode: string | null;
  /** 1–200 characters. */
  description: string;
  /** Decimal string, at most 2 places. */
  quantity: string;
  /** Decimal string, at most 2 places; negative for a credit line. */
  unitPrice: string;
  /** Decimal string, 0–100, at most 4 places, e.g. `"18.1818"`. */
  discountPercent: string;
  /** Null when the invoice is `no_tax`. */
  taxRateId: string | null;
  /** The rate in percent at the time of the line, as a decimal string, e.g. `"10"`. */
  taxRatePercent: string | null;
  accountCode: string | null;
  amountExTax: string;
  taxAmount: string;
  amountIncTax: string;
}

/** One invoice line to create. */
export interface TradifyLineItemInput {
  /** @defaultValue `'misc'` (the server's default) */
  type?: TradifyLineItemType | undefined;
  itemCode?: string | null | undefined;
  /** 1–200 characters. */
  description: string;
  /** Decimal string, at most 2 places. */
  quantity: string;
  /** Decimal string, at most 2 places; negative allowed (credit lines). */
  unitPrice: string;
  /** Decimal string, 0–100, at most 4 places. @defaultValue `"0"` */
  discountPercent?: string | undefined;
  /** Required unless the invoice is `no_tax`; the server's default rate when omitted. */
  taxRateId?: string | null | undefined;
  accountCode?: string | null | undefined;
}

/** A Tradify invoice, as read. Totals are the server's (`docs/tradify-contract.md#arithmetic`). */
export interface TradifyInvoice {
  id: string;
  /** Null until approved when numbering is external. */
  invoiceNumber: string | null;
  status: TradifyInvoiceStatus;
  isOverdue: boolean;
  customerId: string;
  siteId: string | null;
  jobIds: string[];
  /** The customer-facing reference, e.g. `Cliniko #1042`. */
  reference: string | null;
  /** Our link back to the source record; unique per account; kept when cancelled. */
  externalReference: string | null;
  /** `YYYY-MM-DD`. */
  invoiceDate: string;
  /** `YYYY-MM-DD`. */
  dueDate: string | null;
  taxMode: TradifyTaxMode;
  currency: string | null;
  lineItems: TradifyLineItem[];
  subtotal: string;
  totalTax: string;
  total: string;
  amountPaid: string;
  amountCredited: string;
  amountDue: string;
  /** The staff member who owns the invoice; null when none (the wire omits it then). */
  ownerStaffId: string | null;
  sentAt: string | null;
  approvedAt: string | null;
  cancelledAt: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

/** The fields an invoice is created with. It is always created as a draft. */
export interface TradifyInvoiceInput {
  customerId: string;
  /** `YYYY-MM-DD`. */
  invoiceDate: string;
  /** `YYYY-MM-DD`. */
  dueDate?: string | null | undefined;
  reference?: string | null | undefined;
  /** Unique per account; a duplicate is a `ConflictError` carrying `existingId`. */
  externalReference?: string | null | undefined;
  /** @defaultValue the customer's or account's default */
  taxMode?: TradifyTaxMode | undefined;
  lineItems: TradifyLineItemInput[];
  siteId?: string | null | undefined;
  jobIds?: string[] | undefined;
  /** Omitted when null on create; send it only when `capabilities.ownerStaffId` is true. */
  ownerStaffId?: string | null | undefined;
}

/** A partial draft update. `lineItems`, when present, replaces every line. */
export type TradifyInvoicePatch = Partial<TradifyInvoiceInput>;

/** Filters for `invoices.list()`. */
export interface TradifyInvoiceQuery extends TradifyListOptions {
  customerId?: string | undefined;
  /** A status, or `'overdue'` (approved, past due, with an amount due). */
  status?: TradifyInvoiceStatus | 'overdue' | undefined;
  externalReference?: string | undefined;
  /** Only invoices updated at or after this instant (ISO-8601 string or `Date`). */
  updatedSince?: string | Date | undefined;
}

/** A payment against an invoice. */
export interface TradifyPayment {
  id: string;
  invoiceId: string;
  /** `YYYY-MM-DD`. */
  date: string;
  /** Decimal string, 2 places. */
  amount: string;
  method: string | null;
  reference: string | null;
  note: string | null;
}

/** A payment to record. */
export interface TradifyPaymentInput {
  /** `YYYY-MM-DD`. */
  date: string;
  /** Decimal string, at most 2 places, positive, at most the invoice's `amountDue`. */
  amount: string;
  method?: string | null | undefined;
  reference?: string | null | undefined;
  note?: string | null | undefined;
}

/** A Tradify user (read-only). */
export interface TradifyStaff {
  id: string;
  name: string;
  email: string | null;
  username: string | null;
  mobile: string | null;
  phone: string | null;
  /** `login` or `no_access`. */
  accessLevel: string | null;
  licenceNumber: string | null;
  active: boolean;
}

/** A tax rate (read-only). */
export interface TradifyTaxRate {
  id: string;
  name: string;
  /** Percent as a decimal string, e.g. `"10"` for GST. */
  rate: string;
  /** The rate a line gets when it names none. */
  isDefault: boolean;
  /** Marked as the "no tax" / GST-free rate. */
  isNoTax: boolean;
  active: boolean;
}

/** What a port implementation supports beyond the core contract. */
export interface TradifyCapabilities {
  /** Whether customers and invoices carry `ownerStaffId`; when false, callers omit it. */
  readonly ownerStaffId: boolean;
}

/** Counters a port may expose; the engine reports them in its run summary. */
export interface TradifyPortStats {
  /** HTTP requests sent (every attempt, retries included). */
  readonly requests: number;
}

/** Customers. */
export interface TradifyCustomersResource {
  /**
   * Every customer matching the filters, across all pages. Inactive customers only with
   * `includeInactive: true`.
   */
  list(query?: TradifyCustomerQuery): TradifyListing<TradifyCustomer>;
  /**
   * One customer by id (active or not).
   * @throws `NotFoundError` when there is no such customer.
   */
  retrieve(id: string, options?: TradifyRequestOptions): Promise<TradifyCustomer>;
  /**
   * Creates a customer.
   * @throws `ConflictError` with `existingId` when `externalReference` is already used.
   * @throws `UnprocessableEntityError` with the field errors when the input is invalid.
   */
  create(input: TradifyCustomerInput, options?: TradifyCreateOptions): Promise<TradifyCustomer>;
  /**
   * Changes only the fields given. Set `active: false` to archive.
   * @throws `NotFoundError`, `UnprocessableEntityError`, or `ConflictError` (`existingId`) for a taken `externalReference`.
   */
  update(id: string, patch: TradifyCustomerPatch, options?: TradifyRequestOptions): Promise<TradifyCustomer>;
}

/** Invoices. */
export interface TradifyInvoicesResource {
  /** Every invoice matching the filters, across all pages (cancelled ones included). */
  list(query?: TradifyInvoiceQuery): TradifyListing<TradifyInvoice>;
  /**
   * One invoice by id, with its lines and totals.
   * @throws `NotFoundError` when there is no such invoice (or it was a deleted draft).
   */
  retrieve(id: string, options?: TradifyRequestOptions): Promise<TradifyInvoice>;
  /**
   * Creates an invoice, always as a `draft`; the server computes line amounts and totals.
   * @throws `ConflictError` with `existingId` when `externalReference` is already used.
   * @throws `UnprocessableEntityError` for invalid lines (description, 2-place money, 4-place discount, unknown tax rate).
   * @throws `NotFoundError` or `UnprocessableEntityError` for an unknown customer.
   */
  create(input: TradifyInvoiceInput, options?: TradifyCreateOptions): Promise<TradifyInvoice>;
  /**
   * Edits a `draft` (lines, when given, are replaced whole).
   * @throws `ConflictError` with `reason: 'invalid_state'` when the invoice is not a draft.
   * @throws `UnprocessableEntityError`, `NotFoundError`.
   */
  update(id: string, patch: TradifyInvoicePatch, options?: TradifyRequestOptions): Promise<TradifyInvoice>;
  /**
   * Deletes a `draft` (an approved invoice is cancelled instead).
   * @throws `ConflictError` with `reason: 'invalid_state'` when the invoice is not a draft.
   * @throws `NotFoundError`.
   */
  delete(id: string, options?: TradifyRequestOptions): Promise<void>;
  /**
   * `draft → approved`; assigns an `invoiceNumber` when missing.
   * @throws `ConflictError` with `reason: 'invalid_state'` when the invoice is not a draft.
   */
  approve(id: string, options?: TradifyRequestOptions): Promise<TradifyInvoice>;
  /**
   * `approved → cancelled` (terminal; `externalReference` is kept). Drafts are deleted instead.
   * @throws `ConflictError` with `reason: 'invalid_state'` for a draft, paid or cancelled invoice.
   */
  cancel(id: string, options?: TradifyRequestOptions): Promise<TradifyInvoice>;
}

/** Payments, always under one invoice. */
export interface TradifyPaymentsResource {
  /**
   * Every payment on an invoice.
   * @throws `NotFoundError` when there is no such invoice.
   */
  list(invoiceId: string, options?: TradifyListOptions): Promise<TradifyPayment[]>;
  /**
   * Records a payment on an `approved` invoice; the invoice becomes `paid` when `amountDue` reaches 0.
   * @throws `ConflictError` with `reason: 'invalid_state'` when the invoice is not approved.
   * @throws `UnprocessableEntityError` when the amount is invalid or more than `amountDue`.
   */
  add(invoiceId: string, input: TradifyPaymentInput, options?: TradifyCreateOptions): Promise<TradifyPayment>;
  /**
   * Deletes a payment; a `paid` invoice goes back to `approved`.
   * @throws `NotFoundError` when the invoice or payment does not exist.
   */
  delete(invoiceId: string, paymentId: string, options?: TradifyRequestOptions): Promise<void>;
}

/** Staff (read-only). */
export interface TradifyStaffResource {
  /** Every staff member, active or not. */
  list(options?: TradifyListOptions): Promise<TradifyStaff[]>;
}

/** Tax rates (read-only). */
export interface TradifyTaxRatesResource {
  /** Every tax rate; one is `isDefault`, and a GST-free one is `isNoTax`. */
  list(options?: TradifyListOptions): Promise<TradifyTaxRate[]>;
}

/**
 * Everything the sync engine needs from Tradify. `HttpTradifyClient` implements it over
 * the assumed HTTP contract; any other transport may, proved by `runTradifyPortConformance`.
 *
 * Errors are the library's family (`cliniko-tradify`'s `ConflictError`, `NotFoundError`, …), so
 * the engine can tell a duplicate (`existingId`) from a wrong state (`reason: 'invalid_state'`).
 */
export interface TradifyPort {
  readonly capabilities: TradifyCapabilities;
  readonly customers: TradifyCustomersResource;
  readonly invoices: TradifyInvoicesResource;
  readonly payments: TradifyPaymentsResource;
  readonly staff: TradifyStaffResource;
  readonly taxRates: TradifyTaxRatesResource;
  /** Optional counters; the engine reports `requests` when present. */
  readonly stats?: TradifyPortStats | undefined;
}
