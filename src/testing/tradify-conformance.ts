/**
 * The `TradifyPort` conformance suite, runner-agnostic: pass your runner's `describe`, `it`
 * and `expect` (vitest, jest, node:test with an adapter) and a factory for a fresh port.
 *
 * Each check is its own `it`, named by {@link TRADIFY_CONFORMANCE_CHECKS}, and gets a fresh
 * port against a fresh backend (the factory is called once per check, and `close` after it).
 * The checks write customers, invoices and payments: never point them at a real account. The
 * money checks assume the backend's default tax rate is 10 % (GST, as in `docs/tradify-contract.md#records`).
 *
 * @example
 * ```ts
 * import { describe, it, expect } from 'vitest';
 * import { HttpTradifyClient } from 'cliniko-tradify';
 * import { runTradifyPortConformance, startFakeTradify } from 'cliniko-tradify/testing';
 *
 * runTradifyPortConformance({ describe, it, expect }, async () => {
 *   const fake = await startFakeTradify({ seed: 1 });
 *   const port = new HttpTradifyClient({ apiKey: fake.apiKey, baseUrl: fake.url, pageSize: 2 });
 *   return { port, close: () => fake.close() };
 * });
 * ```
 *
 * @module
 */
import type { TradifyInvoice, TradifyInvoiceInput, TradifyLineItemInput, TradifyPort } from '../tradify/port.js';

/** The assertions the suite uses; vitest's and jest's `expect` both fit. */
export interface TradifyConformanceMatchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
}

/** The slice of a test runner the suite needs. Nothing is imported from any runner. */
export interface TradifyConformanceRunner {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
  expect(actual: unknown): TradifyConformanceMatchers;
}

/** A port under test and how to release its backend. */
export interface TradifyPortUnderTest {
  port: TradifyPort;
  /** Called after each check, pass or fail. */
  close?: (() => Promise<void> | void) | undefined;
}

/** Options of {@link runTradifyPortConformance}. */
export interface TradifyConformanceOptions {
  /**
   * How many customers the "reads every page" check creates. Configure the port or its
   * backend with a page size below this so the listing must follow a cursor.
   * @defaultValue `5`
   */
  recordsBeyondOnePage?: number | undefined;
  /** The `describe` title. @defaultValue `'TradifyPort conformance'` */
  title?: string | undefined;
}

/** The names of the checks, each one `it` of the suite. */
export const TRADIFY_CONFORMANCE_CHECKS = Object.freeze({
  idempotentCreate: 'idempotent create: the same Idempotency-Key returns the same record and creates one',
  createEchoesRequest: 'a create answers with the record asked for: its externalReference (payments: invoice and reference) echoed',
  duplicateExternalReference: 'duplicate externalReference is a ConflictError carrying existingId',
  readsEveryPage: 'list reads every page',
  customerFilters: 'customers.list filters by externalReference, email and updatedSince',
  invoiceFilters: 'invoices.list filters by externalReference, customerId and status',
  includeInactive: 'includeInactive returns inactive customers, and only then',
  approvedInvoiceRefusesEdits: 'an approved invoice refuses edits with ConflictError invalid_state',
  draftDelete: 'a draft can be deleted; an approved invoice refuses deletion',
  paymentLifecycle: 'approve, pay in full → paid; delete the payment → approved',
  cancelKeepsReference: 'cancel: approved → cancelled, keeping its externalReference',
  idsAreStrings: 'ids are strings',
  exactMoney: 'money fields are exact decimal strings (3 × 33.33 = 99.99)',
  fourPlaceDiscount: 'discountPercent with 4 places round-trips and prices exactly',
  negativeUnitPrice: 'a negative unitPrice is accepted (credit lines)',
  taxRates: 'tax rates include a default and an isNoTax rate',
  staffEmails: 'staff have emails',
  notFound: 'an unknown id is a NotFoundError',
} as const);

/** One named check's key. */
export type TradifyConformanceCheck = keyof typeof TRADIFY_CONFORMANCE_CHECKS;

type Check = (port: TradifyPort, t: CheckTools) => Promise<void>;

interface CheckTools {
  expect: TradifyConformanceRunner['expect'];
  unique: (label: string) => string;
  options: Required<TradifyConformanceOptions>;
}

/**
 * Registers the conformance checks with the given runner.
 *
 * @param runner - `{ describe, it, expect }` from your test runner.
 * @param makePort - returns a fresh port against a fresh, empty-enough backend for each check.
 * @param options - see {@link TradifyConformanceOptions}.
 */
export function runTradifyPortConformance(
  runner: TradifyConformanceRunner,
  makePort: () => Promise<TradifyPortUnderTest> | TradifyPortUnderTest,
  options: TradifyConformanceOptions = {},
): void {
  const resolved: Required<TradifyConformanceOptions> = {
    recordsBeyondOnePage: options.recordsBeyondOnePage ?? 5,
    title: options.title ?? 'TradifyPort conformance',
  };
  let counter = 0;
  const unique = (label: string): string => `conformance:${label}:${Date.now().toString(36)}:${++counter}`;
  runner.describe(resolved.title, () => {
    for (const [key, check] of Object.entries(CHECKS) as Array<[TradifyConformanceCheck, Check]>) {
      runner.it(TRADIFY_CONFORMANCE_CHECKS[key], async () => {
        const subject = await makePort();
        try {
          await check(subject.port, { expect: runner.expect, unique, options: resolved });
        } finally {
          await subject.close?.();
        }
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers, written independently of the client (no schema or decimal imports).

function fail(message: string): never {
  throw new Error(`TradifyPort conformance: ${message}`);
}

/** `"099.900"` → `"99.9"`; anything not a decimal string fails the check. */
function normalDecimal(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value)) {
    fail(`${field} must be a decimal string, got ${typeof value}`);
  }
  const negative = value.startsWith('-');
  const [whole = '0', fraction = ''] = value.replace('-', '').split('.');
  const w = whole.replace(/^0+(?=\d)/, '');
  const f = fraction.replace(/0+$/, '');
  const out = f ? `${w}.${f}` : w;
  return negative && out !== '0' ? `-${out}` : out;
}

function errorField(error: unknown, field: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[field] : undefined;
}

async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return fail(`${what} should have been refused, but it succeeded`);
}

function expectConflict(t: CheckTools, error: unknown, reason: string): void {
  t.expect(errorField(error, 'name')).toBe('ConflictError');
  t.expect(errorField(error, 'reason')).toBe(reason);
}

async function collect<T>(listing: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of listing) out.push(item);
  return out;
}

async function defaultTaxRateId(port: TradifyPort): Promise<string> {
  const rates = await port.taxRates.list();
  return rates.find((r) => r.isDefault)?.id ?? fail('no default tax rate');
}

async function newCustomer(port: TradifyPort, t: CheckTools, label: string, extra: { email?: string } = {}) {
  return port.customers.create({ name: `Conformance ${label}`, externalReference: t.unique(label), ...extra });
}

async function draftInvoice(
  port: TradifyPort,
  t: CheckTools,
  lines: TradifyLineItemInput[] = [{ description: 'Consultation', quantity: '1', unitPrice: '100.00' }],
  extra: Partial<TradifyInvoiceInput> = {},
): Promise<TradifyInvoice> {
  const customer = await newCustomer(port, t, 'invoice-customer');
  const taxRateId = await defaultTaxRateId(port);
  return port.invoices.create({
    customerId: customer.id,
    invoiceDate: '2026-03-02',
    dueDate: '2026-03-16',
    taxMode: 'exclusive',
    externalReference: t.unique('invoice'),
    lineItems: lines.map((line) => ({ taxRateId, ...line })),
    ...extra,
  });
}

// ---------------------------------------------------------------------------------------------
// The checks.

const CHECKS: Record<TradifyConformanceCheck, Check> = {
  async idempotentCreate(port, t) {
    const input = { name: 'Conformance idempotent', externalReference: t.unique('idem') };
    const key = t.unique('key');
    const first = await port.customers.create(input, { idempotencyKey: key });
    const second = await port.customers.create(input, { idempotencyKey: key });
    t.expect(second.id).toBe(first.id);
    const found = await collect(port.customers.list({ externalReference: input.externalReference, includeInactive: true }));
    t.expect(found.map((c) => c.id)).toEqual([first.id]);

    const invoice = await draftInvoice(port, t);
    await port.invoices.approve(invoice.id);
    const payment = { date: '2026-03-03', amount: '10.00' };
    const paymentKey = t.unique('payment-key');
    const p1 = await port.payments.add(invoice.id, payment, { idempotencyKey: paymentKey });
    const p2 = await port.payments.add(invoice.id, payment, { idempotencyKey: paymentKey });
    t.expect(p2.id).toBe(p1.id);
    t.expect((await port.payments.list(invoice.id)).length).toBe(1);
  },

  async createEchoesRequest(port, t) {
    const reference = t.unique('echo');
    const customer = await port.customers.create({ name: 'Conformance echo', externalReference: reference });
    t.expect(customer.externalReference).toBe(reference);
    const invoiceReference = t.unique('echo-invoice');
    const invoice = await draftInvoice(port, t, undefined, { externalReference: invoiceReference });
    t.expect(invoice.externalReference).toBe(invoiceReference);
    await port.invoices.approve(invoice.id);
    const payment = await port.payments.add(invoice.id, { date: '2026-03-03', amount: '10.00', reference: 'conformance-echo' });
    t.expect([payment.invoiceId, payment.reference]).toEqual([invoice.id, 'conformance-echo']);
  },

  async duplicateExternalReference(port, t) {
    const externalReference = t.unique('dup');
    const first = await port.customers.create({ name: 'Conformance first', externalReference });
    const error = await rejection(port.customers.create({ name: 'Conformance second', externalReference }), 'a duplicate customer');
    t.expect(errorField(error, 'name')).toBe('ConflictError');
    t.expect(errorField(error, 'existingId')).toBe(first.id);

    const invoice = await draftInvoice(port, t);
    const again = await rejection(
      port.invoices.create({
        customerId: invoice.customerId,
        invoiceDate: invoice.invoiceDate,
        externalReference: invoice.externalReference,
        lineItems: [{ description: 'Again', quantity: '1', unitPrice: '1.00' }],
      }),
      'a duplicate invoice',
    );
    t.expect(errorField(again, 'existingId')).toBe(invoice.id);
  },

  async readsEveryPage(port, t) {
    const prefix = t.unique('page');
    const created = new Set<string>();
    for (let i = 0; i < t.options.recordsBeyondOnePage; i++) {
      created.add((await port.customers.create({ name: `Conformance page ${i}`, externalReference: `${prefix}:${i}` })).id);
    }
    const listed = await collect(port.customers.list({ includeInactive: true }));
    const ours = listed.filter((c) => c.externalReference?.startsWith(`${prefix}:`)).map((c) => c.id);
    t.expect(new Set(ours)).toEqual(created);
    t.expect(ours.length).toBe(created.size);
    const fromPages = (await collect(port.customers.list({ includeInactive: true }).pages())).flat();
    t.expect(fromPages.map((c) => c.id)).toEqual(listed.map((c) => c.id));
  },

  async customerFilters(port, t) {
    const a = await newCustomer(port, t, 'filter-a', { email: `${t.unique('a').replace(/:/g, '-')}@example.com` });
    const b = await newCustomer(port, t, 'filter-b', { email: `${t.unique('b').replace(/:/g, '-')}@example.com` });
    const byRef = await collect(port.customers.list({ externalReference: a.externalReference ?? fail('no externalReference') }));
    t.expect(byRef.map((c) => c.id)).toEqual([a.id]);
    const byEmail = await collect(port.customers.list({ email: b.email ?? fail('no email') }));
    t.expect(byEmail.map((c) => c.id)).toEqual([b.id]);
    const since = b.updatedAt ?? fail('customers must carry updatedAt');
    const recent = await collect(port.customers.list({ updatedSince: since }));
    t.expect(recent.some((c) => c.id === b.id)).toBe(true);
    t.expect(recent.every((c) => Date.parse(c.updatedAt ?? '') >= Date.parse(since))).toBe(true);
    t.expect((await collect(port.customers.list({ updatedSince: '2999-01-01T00:00:00Z' }))).length).toBe(0);
  },

  async invoiceFilters(port, t) {
    const draft = await draftInvoice(port, t);
    const approved = await port.invoices.approve((await draftInvoice(port, t)).id);
    const byRef = await collect(port.invoices.list({ externalReference: draft.externalReference ?? fail('no externalReference') }));
    t.expect(byRef.map((i) => i.id)).toEqual([draft.id]);
    const byCustomer = await collect(port.invoices.list({ customerId: approved.customerId }));
    t.expect(byCustomer.map((i) => i.id)).toEqual([approved.id]);
    const drafts = await collect(port.invoices.list({ status: 'draft' }));
    t.expect(drafts.some((i) => i.id === draft.id) && !drafts.some((i) => i.id === approved.id)).toBe(true);
  },

  async includeInactive(port, t) {
    const customer = await newCustomer(port, t, 'inactive');
    const archived = await port.customers.update(customer.id, { active: false });
    t.expect(archived.active).toBe(false);
    const reference = customer.externalReference ?? fail('no externalReference');
    t.expect((await collect(port.customers.list({ externalReference: reference }))).length).toBe(0);
    const all = await collect(port.customers.list({ externalReference: reference, includeInactive: true }));
    t.expect(all.map((c) => [c.id, c.active])).toEqual([[customer.id, false]]);
  },

  async approvedInvoiceRefusesEdits(port, t) {
    const invoice = await port.invoices.approve((await draftInvoice(port, t)).id);
    t.expect(invoice.status).toBe('approved');
    const error = await rejection(port.invoices.update(invoice.id, { reference: 'edited' }), 'editing an approved invoice');
    expectConflict(t, error, 'invalid_state');
    t.expect((await port.invoices.retrieve(invoice.id)).reference).toBe(invoice.reference);
  },

  async draftDelete(port, t) {
    const draft = await draftInvoice(port, t);
    await port.invoices.delete(draft.id);
    t.expect(errorField(await rejection(port.invoices.retrieve(draft.id), 'reading a deleted draft'), 'name')).toBe('NotFoundError');
    const approved = await port.invoices.approve((await draftInvoice(port, t)).id);
    expectConflict(t, await rejection(port.invoices.delete(approved.id), 'deleting an approved invoice'), 'invalid_state');
    t.expect((await port.invoices.retrieve(approved.id)).status).toBe('approved');
  },

  async paymentLifecycle(port, t) {
    const approved = await port.invoices.approve((await draftInvoice(port, t)).id);
    const payment = await port.payments.add(approved.id, { date: '2026-03-05', amount: approved.amountDue });
    const paid = await port.invoices.retrieve(approved.id);
    t.expect(paid.status).toBe('paid');
    t.expect(normalDecimal(paid.amountDue, 'amountDue')).toBe('0');
    t.expect(normalDecimal(paid.amountPaid, 'amountPaid')).toBe(normalDecimal(approved.total, 'total'));
    t.expect((await port.payments.list(approved.id)).map((p) => p.id)).toEqual([payment.id]);
    await port.payments.delete(approved.id, payment.id);
    const reopened = await port.invoices.retrieve(approved.id);
    t.expect(reopened.status).toBe('approved');
    t.expect(normalDecimal(reopened.amountDue, 'amountDue')).toBe(normalDecimal(approved.total, 'total'));
  },

  async cancelKeepsReference(port, t) {
    const draft = await draftInvoice(port, t);
    expectConflict(t, await rejection(port.invoices.cancel(draft.id), 'cancelling a draft'), 'invalid_state');
    const approved = await port.invoices.approve(draft.id);
    const cancelled = await port.invoices.cancel(approved.id);
    t.expect(cancelled.status).toBe('cancelled');
    t.expect(cancelled.externalReference).toBe(draft.externalReference);
    const found = await collect(port.invoices.list({ externalReference: draft.externalReference ?? fail('no reference') }));
    t.expect(found.map((i) => [i.id, i.status])).toEqual([[draft.id, 'cancelled']]);
  },

  async idsAreStrings(port, t) {
    const invoice = await port.invoices.approve((await draftInvoice(port, t)).id);
    const customer = await port.customers.retrieve(invoice.customerId);
    const payment = await port.payments.add(invoice.id, { date: '2026-03-05', amount: '1.00' });
    const ids = [
      customer.id,
      invoice.id,
      invoice.customerId,
      ...invoice.lineItems.map((l) => l.id),
      payment.id,
      payment.invoiceId,
      ...(await port.staff.list()).map((s) => s.id),
      ...(await port.taxRates.list()).map((r) => r.id),
      ...(await collect(port.customers.list({ includeInactive: true }))).map((c) => c.id),
    ];
    t.expect(ids.filter((id) => typeof id !== 'string' || id.length === 0)).toEqual([]);
  },

  async exactMoney(port, t) {
    const invoice = await draftInvoice(port, t, [
      { description: 'Three sessions', quantity: '3', unitPrice: '33.33' },
      { description: 'Ten cents', quantity: '1', unitPrice: '0.10' },
      { description: 'Twenty cents', quantity: '1', unitPrice: '0.20' },
    ]);
    const read = await port.invoices.retrieve(invoice.id);
    const money = (v: unknown, f: string) => normalDecimal(v, f);
    t.expect(read.lineItems.map((l) => money(l.amountExTax, 'amountExTax'))).toEqual(['99.99', '0.1', '0.2']);
    t.expect(read.lineItems.map((l) => money(l.taxAmount, 'taxAmount'))).toEqual(['10', '0.01', '0.02']);
    t.expect(money(read.subtotal, 'subtotal')).toBe('100.29');
    t.expect(money(read.totalTax, 'totalTax')).toBe('10.03');
    t.expect(money(read.total, 'total')).toBe('110.32');
    t.expect(money(read.amountDue, 'amountDue')).toBe('110.32');
    t.expect(money(read.amountPaid, 'amountPaid')).toBe('0');
  },

  async fourPlaceDiscount(port, t) {
    const invoice = await draftInvoice(port, t, [
      { description: 'Legacy item', quantity: '1', unitPrice: '100.00', discountPercent: '18.1818' },
    ]);
    const line = (await port.invoices.retrieve(invoice.id)).lineItems[0] ?? fail('the line is missing');
    t.expect(normalDecimal(line.discountPercent, 'discountPercent')).toBe('18.1818');
    t.expect(normalDecimal(line.amountExTax, 'amountExTax')).toBe('81.82');
    t.expect(normalDecimal(line.taxAmount, 'taxAmount')).toBe('8.18');
    t.expect(normalDecimal(line.amountIncTax, 'amountIncTax')).toBe('90');
  },

  async negativeUnitPrice(port, t) {
    const invoice = await draftInvoice(port, t, [
      { description: 'Session', quantity: '1', unitPrice: '50.00' },
      { description: 'Credit', quantity: '1', unitPrice: '-10.00' },
    ]);
    const credit = invoice.lineItems.find((l) => l.description === 'Credit') ?? fail('the credit line is missing');
    t.expect(normalDecimal(credit.unitPrice, 'unitPrice')).toBe('-10');
    t.expect(normalDecimal(credit.amountExTax, 'amountExTax')).toBe('-10');
    t.expect(normalDecimal(invoice.subtotal, 'subtotal')).toBe('40');
  },

  async taxRates(port, t) {
    const rates = await port.taxRates.list();
    t.expect(rates.filter((r) => r.isDefault).length).toBe(1);
    const noTax = rates.find((r) => r.isNoTax) ?? fail('no isNoTax rate');
    t.expect(normalDecimal(noTax.rate, 'rate')).toBe('0');
  },

  async staffEmails(port, t) {
    const staff = await port.staff.list();
    t.expect(staff.length > 0).toBe(true);
    t.expect(staff.some((s) => typeof s.email === 'string' && s.email.includes('@'))).toBe(true);
  },

  async notFound(port, t) {
    const missing = 'conformance-missing-id';
    const attempts = [() => port.customers.retrieve(missing), () => port.invoices.retrieve(missing), () => port.invoices.approve(missing)];
    for (const attempt of attempts) {
      t.expect(errorField(await rejection(attempt(), 'reading an unknown id'), 'name')).toBe('NotFoundError');
    }
  },
};
