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

/** Options for a create: an idempotency key makes the create safe to repeat. */
export interface TradifyCreateOptions extends TradifyRequestOptions {
  /**
   * Names one create. What the engine relies on, whatever the transport:
   *
   * - **Same key, same input → the same record.** A repeated call (a retry after a lost
   *   answer, a re-run after a crash) returns the record the first call made and makes no
   *   second one.
   * - **Same key, different input → an error** of the library's family (the HTTP contract
   *   answers 422 `idempotency_mismatch`, an `UnprocessableEntityError`), and nothing is
   *   created. Reusing a key for another kind of create, or under another invoice, counts as
   *   a different input.
   * - **Scope:** the account (one Tradify account, whatever client or process sends it).
   * - **Lifetime:** at least 24 hours. The engine's keys change with the record's
   *   `updated_at` and payload, and after the lifetime it counts on the unique
   *   `externalReference` (see {@link TradifyCapabilities.uniqueExternalReference}) instead.
   *
   * `HttpTradifyClient` sends it as the `Idempotency-Key` header. Without a key a create is
   * never retried after a failure.
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
 * The result of every `list()` of the port: iterate it for records, or call `pages()` for
 * arrays, one per server page. Every page is read (cursors are followed until the server says
 * there are no more); nothing is fetched until iteration starts, so an error such as
 * `NotFoundError` for an unknown parent arrives from the iteration, not from `list()`.
 *
 * Paging under concurrent edits: a record that exists, unchanged, from the first page to the
 * last must be yielded exactly once (pages never skip it). A record created, edited or
 * deleted while the listing runs may be yielded or not, and at most twice; the engine
 * tolerates a duplicate and catches a missed change on its next run (`updatedSince`).
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
  /**
   * Our link back to the source record, e.g. `cliniko:patient:123`; unique per account when
   * `capabilities.uniqueExternalReference` says so for customers.
   */
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
  /**
   * At most 100 characters. Where the backend enforces unique references
   * (`capabilities.uniqueExternalReference`), a duplicate on create or update is a
   * `ConflictError` carrying `existingId`.
   */
  externalReference?: string | null | undefined;
  customFields?: Partial<TradifyCustomFields> | undefined;
  /** Omitted when null on create; send it only when `capabilities.ownerStaffId` allows it for customers. */
  ownerStaffId?: string | null | undefined;
  active?: boolean | undefined;
}

/** A partial customer update: only the fields present are changed; `null` clears a field. */
export type TradifyCustomerPatch = Partial<TradifyCustomerInput>;

/** Filters for `customers.list()`. */
export interface TradifyCustomerQuery extends TradifyListOptions {
  /**
   * Customers whose `email` equals this text: the whole field, never a substring. A server
   * may compare exactly or ignoring case; callers must not rely on either (the engine matches
   * against its own normalised index).
   */
  email?: string | undefined;
  /** Customers whose `externalReference` equals this text exactly. */
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
  /** Money, two places: the net less its tax when inclusive, else the net. */
  amountExTax: string;
  /** Money, two places: 0 when the invoice is `no_tax`. */
  taxAmount: string;
  /** Money, two places: `amountExTax + taxAmount`. */
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
  /**
   * `approved`, `amountDue` above 0 and `dueDate` before today, where "today" is the
   * backend's current date in UTC (so near midnight it may lead or lag the clinic's local date
   * by a day). The engine never acts on it.
   */
  isOverdue: boolean;
  customerId: string;
  siteId: string | null;
  jobIds: string[];
  /** The customer-facing reference, e.g. `Cliniko #1042`. */
  reference: string | null;
  /**
   * Our link back to the source record; unique per account when
   * `capabilities.uniqueExternalReference` says so for invoices; kept when cancelled.
   */
  externalReference: string | null;
  /** `YYYY-MM-DD`. */
  invoiceDate: string;
  /** `YYYY-MM-DD`. */
  dueDate: string | null;
  taxMode: TradifyTaxMode;
  currency: string | null;
  /** In the order they were written. */
  lineItems: TradifyLineItem[];
  /** Σ `amountExTax`; money, two places. The engine checks it against Cliniko's before approving. */
  subtotal: string;
  /** Σ `taxAmount`; money, two places. */
  totalTax: string;
  /** `subtotal + totalTax`; money, two places. */
  total: string;
  amountPaid: string;
  amountCredited: string;
  /** `total − amountPaid − amountCredited`. */
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
  /**
   * Where the backend enforces unique references (`capabilities.uniqueExternalReference`), a
   * duplicate on create or update is a `ConflictError` carrying `existingId`.
   */
  externalReference?: string | null | undefined;
  /** @defaultValue the customer's or account's default */
  taxMode?: TradifyTaxMode | undefined;
  lineItems: TradifyLineItemInput[];
  siteId?: string | null | undefined;
  jobIds?: string[] | undefined;
  /** Omitted when null on create; send it only when `capabilities.ownerStaffId` allows it for invoices. */
  ownerStaffId?: string | null | undefined;
}

/** A partial draft update. `lineItems`, when present, replaces every line. */
export type TradifyInvoicePatch = Partial<TradifyInvoiceInput>;

/** Filters for `invoices.list()`. */
export interface TradifyInvoiceQuery extends TradifyListOptions {
  customerId?: string | undefined;
  /** A status, or `'overdue'`: the invoices whose `isOverdue` is true (approved, past due in UTC, with an amount due). */
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
  /** Money: a decimal string with exactly 2 places. */
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

/**
 * A capability a backend may have for customers and not for invoices, or the reverse. Where
 * a capability takes `boolean | TradifyEntityCapabilities`, a boolean applies to both.
 */
export interface TradifyEntityCapabilities {
  readonly customers: boolean;
  readonly invoices: boolean;
}

/** What a port implementation supports beyond the core contract, where backends legitimately differ. */
export interface TradifyCapabilities {
  /**
   * Whether customers and invoices carry `ownerStaffId`, for both or per entity. Where it is
   * false the engine leaves the field out (and reads no staff for it).
   */
  readonly ownerStaffId: boolean | TradifyEntityCapabilities;
  /**
   * Whether the backend refuses a second record with the same `externalReference`, on create
   * and on update, with a `ConflictError` carrying `existingId`; for both entities or per
   * entity. Where it does not, the engine first looks the reference up
   * (`list({ externalReference })`, one read) before each create of that entity, adopting a
   * record it finds instead of creating a twin, and its ETA counts those reads.
   * @defaultValue `false` when absent (the safe assumption: look before creating).
   * `HttpTradifyClient` declares `true`, as its contract enforces it.
   */
  readonly uniqueExternalReference?: boolean | TradifyEntityCapabilities | undefined;
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
   * Every payment on an invoice, across all pages.
   * @throws `NotFoundError` (when iterated) when there is no such invoice.
   */
  list(invoiceId: string, options?: TradifyListOptions): TradifyListing<TradifyPayment>;
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
  /** Every staff member, active or not, across all pages. */
  list(options?: TradifyListOptions): TradifyListing<TradifyStaff>;
}

/** Tax rates (read-only). */
export interface TradifyTaxRatesResource {
  /** Every tax rate, across all pages; one is `isDefault`, and a GST-free one is `isNoTax`. */
  list(options?: TradifyListOptions): TradifyListing<TradifyTaxRate>;
}

/**
 * Everything the sync engine needs from Tradify. `HttpTradifyClient` implements it over
 * the assumed HTTP contract; any other transport may, proved by `runTradifyPortConformance`
 * from `cliniko-tradify/testing`. What follows is what the engine relies on, whatever the
 * transport.
 *
 * **Errors.** Throw the library's error classes (`ConflictError`, `NotFoundError`, … from
 * `cliniko-tradify`); the engine tells them apart with the `is…Error` guards, so a copy from
 * another install of the package works. It reads:
 * - `ConflictError.existingId`: the id of the record that already holds the
 *   `externalReference` of a create or update. The engine adopts that record.
 * - `ConflictError.reason === 'invalid_state'`: an edit, delete, approve, cancel or payment
 *   refused because the invoice is not in the state the call needs (approving twice,
 *   cancelling a draft, paying a draft…). The engine re-reads the invoice and plans again. Any
 *   other `ConflictError` without `existingId` is treated the same way.
 * - `NotFoundError`: every lookup or action by an id the backend does not know (including a
 *   deleted draft, and a payment id that is not under the invoice given).
 * - `UnprocessableEntityError.errors` (field → issue): invalid input; the record is
 *   dead-lettered with those field names.
 * - `ApiError.status` and `isTransientError()`: 5xx, 429, timeouts and lost connections are
 *   retried by the engine's `RetryPolicy`, then the run stops writing and keeps the work
 *   pending; anything else is final for that record.
 *
 * **Idempotency** is described on {@link TradifyCreateOptions.idempotencyKey}: scoped to the
 * account, kept at least 24 hours, the same key with other input refused.
 *
 * **Money** amounts (`amountExTax`, `taxAmount`, `amountIncTax`, `subtotal`, `totalTax`,
 * `total`, `amountPaid`, `amountCredited`, `amountDue`, a payment's `amount`) are decimal
 * strings with exactly two places (`"110.00"`), computed per line and rounded half away from
 * zero as `docs/tradify-contract.md#arithmetic` shows. The engine compares them with
 * Cliniko's figures after every create and update, and approves or pays nothing whose totals
 * differ.
 *
 * **Time:** "overdue" is judged against the backend's current date in UTC
 * ({@link TradifyInvoice.isOverdue}); `updatedSince` keeps records updated at or after the
 * instant given.
 *
 * **Lists** return a {@link TradifyListing}, with the paging rules stated there.
 *
 * **Capabilities** ({@link TradifyCapabilities}) say where this backend differs from the
 * contract: whether owners are carried, and whether external references are unique.
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
