/**
 * The checks of the `TradifyPort` conformance suite: one for each behaviour the sync engine's
 * correctness relies on. A failure names the port method, its input and what was expected.
 *
 * @internal
 * @module
 */
import type { TradifyInvoice, TradifyLineItemInput, TradifyPort } from '../tradify/port.js';
import {
  approvedInvoice,
  collect,
  decimalOf,
  draftInvoice,
  enforcesUniqueReferences,
  failCheck,
  idsOf,
  invoiceInput,
  isMoneyText,
  newCustomer,
  type CheckTools,
  type PortCall,
} from './tradify-conformance-tools.js';

/** The names of the checks, each one `it` of the suite. */
export const TRADIFY_CONFORMANCE_CHECKS = Object.freeze({
  idempotentCreate: 'customers.create: the same idempotencyKey and input return the same customer and create one',
  idempotentInvoiceCreate: 'invoices.create: the same idempotencyKey and input return the same invoice and create one',
  idempotentPayment: 'payments.add: the same idempotencyKey and input return the same payment and record one',
  idempotencyMismatch: 'an idempotencyKey reused with another input is refused and creates nothing',
  createEchoesRequest: 'a create answers with the record asked for: its externalReference (payments: invoice and reference) echoed',
  duplicateExternalReference: 'a create with a taken externalReference is a ConflictError carrying existingId',
  duplicateReferenceOnUpdate: 'an update to a taken externalReference is a ConflictError carrying existingId',
  readsEveryPage: 'customers, invoices and payments lists read every page, each record once',
  customerFilters: 'customers.list filters by externalReference and updatedSince',
  exactEmail: 'customers.list by email matches the whole address, never a substring',
  invoiceFilters: 'invoices.list filters by externalReference, customerId and status',
  invoiceUpdatedSince: 'invoices.list filters by updatedSince',
  overdueFilter: "invoices.list status 'overdue' returns approved, past-due invoices with an amount due, and only those",
  includeInactive: 'includeInactive returns inactive customers, and only then',
  approvedInvoiceRefusesEdits: 'an approved invoice refuses edits with ConflictError invalid_state',
  invalidTransitions: 'approving twice, cancelling a draft or twice, paying a draft: ConflictError invalid_state',
  draftDelete: 'a draft can be deleted; an approved invoice refuses deletion',
  paymentLifecycle: 'approve, pay in full → paid; delete the payment → approved',
  cancelKeepsReference: 'cancel: approved → cancelled, keeping its externalReference',
  idsAreStrings: 'ids are strings',
  exactMoney: 'exclusive: per-line and invoice totals are exact (3 × 33.33 = 99.99)',
  inclusiveTotals: 'inclusive: per-line and invoice totals take GST out of the price',
  noTaxTotals: 'no_tax: per-line and invoice totals carry no tax',
  moneyFormat: 'money amounts are decimal strings with exactly two places',
  lineItemsReplaced: 'invoices.update with lineItems replaces every line',
  fourPlaceDiscount: 'discountPercent with 4 places round-trips and prices exactly',
  negativeUnitPrice: 'a negative unitPrice is accepted (credit lines)',
  taxRates: 'tax rates include a default and an isNoTax rate',
  staffEmails: 'staff have emails',
  notFound: 'every lookup and action by an unknown id is a NotFoundError',
} as const);

/** One named check's key. */
export type TradifyConformanceCheck = keyof typeof TRADIFY_CONFORMANCE_CHECKS;

type Check = (port: TradifyPort, t: CheckTools) => Promise<void>;

const INVALID_STATE = { name: 'ConflictError', reason: 'invalid_state' } as const;
const NOT_FOUND = { name: 'NotFoundError' } as const;

/** The money of an invoice, as normal decimals, for comparison by value. */
function totalsOf(call: PortCall, invoice: TradifyInvoice) {
  const money = (what: string, value: unknown) => decimalOf(call, what, value);
  return {
    lines: invoice.lineItems.map((l, i) => [money(`lineItems[${i}].amountExTax`, l.amountExTax), money(`lineItems[${i}].taxAmount`, l.taxAmount), money(`lineItems[${i}].amountIncTax`, l.amountIncTax)]),
    subtotal: money('subtotal', invoice.subtotal),
    totalTax: money('totalTax', invoice.totalTax),
    total: money('total', invoice.total),
    amountDue: money('amountDue', invoice.amountDue),
  };
}

interface ExpectedTotals {
  taxMode: TradifyInvoice['taxMode'];
  /** `[amountExTax, taxAmount, amountIncTax]` per line. */
  lines: string[][];
  subtotal: string;
  totalTax: string;
  total: string;
}

/** Creates an invoice in `expected.taxMode` and checks its totals on the create's answer and on a read. */
async function checkTotals(port: TradifyPort, t: CheckTools, lines: TradifyLineItemInput[], expected: ExpectedTotals): Promise<void> {
  const customer = await newCustomer(port, t, `totals-${expected.taxMode}`);
  const input = await invoiceInput(port, t, customer.id, lines, { taxMode: expected.taxMode });
  const created = await port.invoices.create(input);
  for (const [call, invoice] of [[{ method: 'invoices.create', input: [input] }, created], [{ method: 'invoices.retrieve', input: [created.id] }, await port.invoices.retrieve(created.id)]] as const) {
    t.equal(call, 'taxMode', invoice.taxMode, expected.taxMode);
    const totals = totalsOf(call, invoice);
    t.equal(call, '[amountExTax, taxAmount, amountIncTax] of each line', totals.lines, expected.lines);
    t.equal(call, '{ subtotal, totalTax, total }', { subtotal: totals.subtotal, totalTax: totals.totalTax, total: totals.total }, { subtotal: expected.subtotal, totalTax: expected.totalTax, total: expected.total });
    t.equal(call, 'amountDue', totals.amountDue, expected.total);
  }
}

function moneyFields(invoice: TradifyInvoice): Array<[string, unknown]> {
  const header: Array<[string, unknown]> = (['subtotal', 'totalTax', 'total', 'amountPaid', 'amountCredited', 'amountDue'] as const).map((f) => [f, invoice[f]]);
  const lines = invoice.lineItems.flatMap((l, i) => (['amountExTax', 'taxAmount', 'amountIncTax'] as const).map((f): [string, unknown] => [`lineItems[${i}].${f}`, l[f]]));
  return [...header, ...lines];
}

function expectMoneyText(call: PortCall, fields: Array<[string, unknown]>): void {
  for (const [name, value] of fields) {
    if (!isMoneyText(value)) failCheck(call, `${name} to be money with exactly two decimal places (like "110.00")`, value);
  }
}

const customerChecks = {
  async idempotentCreate(port, t) {
    const input = { name: 'Conformance idempotent', externalReference: t.unique('idem') };
    const options = { idempotencyKey: t.unique('key') };
    const call = { method: 'customers.create', input: [input, options] };
    const first = await port.customers.create(input, options);
    const second = await port.customers.create(input, options);
    t.equal(call, 'the id of the repeated create (the first one\'s)', second.id, first.id);
    const query = { externalReference: input.externalReference, includeInactive: true };
    t.equal({ method: 'customers.list', input: [query] }, 'the ids holding the reference after two creates with one key', idsOf(await collect(port.customers.list(query))), [first.id]);
  },

  async duplicateExternalReference(port, t) {
    const externalReference = t.unique('dup');
    const first = await port.customers.create({ name: 'Conformance first', externalReference });
    const second = { name: 'Conformance second', externalReference };
    if (enforcesUniqueReferences(port, 'customers')) {
      await t.refused({ method: 'customers.create', input: [second] }, port.customers.create(second), { name: 'ConflictError', existingId: first.id });
    } else {
      const query = { externalReference, includeInactive: true };
      t.equal({ method: 'customers.list', input: [query] }, 'the customer found by its reference', idsOf(await collect(port.customers.list(query))), [first.id]);
    }
    const invoice = await draftInvoice(port, t);
    const again = { customerId: invoice.customerId, invoiceDate: invoice.invoiceDate, externalReference: invoice.externalReference, lineItems: [{ description: 'Again', quantity: '1', unitPrice: '1.00' }] };
    if (enforcesUniqueReferences(port, 'invoices')) {
      await t.refused({ method: 'invoices.create', input: [again] }, port.invoices.create(again), { name: 'ConflictError', existingId: invoice.id });
    } else {
      const query = { externalReference: invoice.externalReference ?? undefined };
      t.equal({ method: 'invoices.list', input: [query] }, 'the invoice found by its reference', idsOf(await collect(port.invoices.list(query))), [invoice.id]);
    }
  },

  async duplicateReferenceOnUpdate(port, t) {
    const a = await newCustomer(port, t, 'update-a');
    const b = await newCustomer(port, t, 'update-b');
    const taken = { externalReference: a.externalReference };
    if (enforcesUniqueReferences(port, 'customers')) {
      await t.refused({ method: 'customers.update', input: [b.id, taken] }, port.customers.update(b.id, taken), { name: 'ConflictError', existingId: a.id });
      t.equal({ method: 'customers.retrieve', input: [b.id] }, 'externalReference after the refused update', (await port.customers.retrieve(b.id)).externalReference, b.externalReference);
      t.equal({ method: 'customers.update', input: [a.id, taken] }, 'externalReference after re-setting its own', (await port.customers.update(a.id, taken)).externalReference, a.externalReference);
    } else {
      // not enforced: the engine's look-up before a create must find exactly the holder
      const query = { externalReference: a.externalReference ?? undefined, includeInactive: true };
      t.equal({ method: 'customers.list', input: [query] }, 'the customers holding the reference', idsOf(await collect(port.customers.list(query))), [a.id]);
    }
    const first = await draftInvoice(port, t);
    const second = await port.invoices.create(await invoiceInput(port, t, first.customerId));
    const takenInvoice = { externalReference: first.externalReference };
    if (enforcesUniqueReferences(port, 'invoices')) {
      await t.refused({ method: 'invoices.update', input: [second.id, takenInvoice] }, port.invoices.update(second.id, takenInvoice), { name: 'ConflictError', existingId: first.id });
      t.equal({ method: 'invoices.retrieve', input: [second.id] }, 'externalReference after the refused update', (await port.invoices.retrieve(second.id)).externalReference, second.externalReference);
    } else {
      const query = { externalReference: first.externalReference ?? undefined };
      t.equal({ method: 'invoices.list', input: [query] }, 'the invoices holding the reference', idsOf(await collect(port.invoices.list(query))), [first.id]);
    }
  },

  async readsEveryPage(port, t) {
    const n = t.recordsBeyondOnePage;
    const prefix = t.unique('page');
    const created: string[] = [];
    for (let i = 0; i < n; i++) created.push((await port.customers.create({ name: `Conformance page ${i}`, externalReference: `${prefix}:${i}` })).id);
    const query = { includeInactive: true };
    const listed = await collect(port.customers.list(query));
    const call = { method: 'customers.list', input: [query] };
    t.equal(call, `our ${n} customers, each once`, listed.filter((c) => c.externalReference?.startsWith(`${prefix}:`)).map((c) => c.id).sort(), [...created].sort());
    t.equal({ method: 'customers.list(…).pages', input: [query] }, 'the same records as iterating', idsOf((await collect(port.customers.list(query).pages())).flat()), idsOf(listed));

    const customerId = created[0]!;
    const invoices: string[] = [];
    for (let i = 0; i < n; i++) invoices.push((await port.invoices.create(await invoiceInput(port, t, customerId))).id);
    const byCustomer = { customerId };
    t.equal({ method: 'invoices.list', input: [byCustomer] }, `the customer's ${n} invoices, each once`, idsOf(await collect(port.invoices.list(byCustomer))).sort(), [...invoices].sort());

    const approved = await port.invoices.approve(invoices[0]!);
    const payments: string[] = [];
    for (let i = 0; i < n; i++) payments.push((await port.payments.add(approved.id, { date: '2026-03-05', amount: '1.00' })).id);
    t.equal({ method: 'payments.list', input: [approved.id] }, `the invoice's ${n} payments, each once`, idsOf(await collect(port.payments.list(approved.id))).sort(), [...payments].sort());
  },

  async customerFilters(port, t) {
    const a = await newCustomer(port, t, 'filter-a');
    const b = await newCustomer(port, t, 'filter-b');
    const byRef = { externalReference: a.externalReference ?? undefined };
    t.equal({ method: 'customers.list', input: [byRef] }, 'the customers with that reference', idsOf(await collect(port.customers.list(byRef))), [a.id]);
    const since = b.updatedAt ?? failCheck({ method: 'customers.create' }, 'updatedAt on the created customer', b.updatedAt);
    const recent = await collect(port.customers.list({ updatedSince: since }));
    const call = { method: 'customers.list', input: [{ updatedSince: since }] };
    t.equal(call, 'the customer updated at that instant to be included', recent.some((c) => c.id === b.id), true);
    t.equal(call, 'customers updated before that instant', recent.filter((c) => Date.parse(c.updatedAt ?? '') < Date.parse(since)).map((c) => c.id), []);
    const future = { updatedSince: '2999-01-01T00:00:00Z' };
    t.equal({ method: 'customers.list', input: [future] }, 'the customers updated since 2999', idsOf(await collect(port.customers.list(future))), []);
  },

  async exactEmail(port, t) {
    const local = t.unique('mail').replace(/[^a-z0-9]/gi, '').toLowerCase();
    const email = `${local}@example.com`;
    const exact = await newCustomer(port, t, 'email', { email });
    const others = [
      await newCustomer(port, t, 'email-longer', { email: `x${email}` }),
      await newCustomer(port, t, 'email-suffixed', { email: `${email}.au` }),
      await newCustomer(port, t, 'email-other', { email: `${local}@example.org` }),
    ];
    const ours = new Set([exact.id, ...idsOf(others)]);
    const found = async (query: string) => idsOf(await collect(port.customers.list({ email: query }))).filter((id) => ours.has(id));
    t.equal({ method: 'customers.list', input: [{ email }] }, 'only the customer whose whole email is that address', await found(email), [exact.id]);
    t.equal({ method: 'customers.list', input: [{ email: local }] }, 'no customer for a part of an address', await found(local), []);
    const upper = email.toUpperCase();
    const byCase = await found(upper);
    if (byCase.length > 0) t.equal({ method: 'customers.list', input: [{ email: upper }] }, 'the same customer ignoring case, or none', byCase, [exact.id]);
  },

  async includeInactive(port, t) {
    const customer = await newCustomer(port, t, 'inactive');
    const archived = await port.customers.update(customer.id, { active: false });
    t.equal({ method: 'customers.update', input: [customer.id, { active: false }] }, 'active', archived.active, false);
    const reference = customer.externalReference ?? undefined;
    t.equal({ method: 'customers.list', input: [{ externalReference: reference }] }, 'the active customers with that reference', idsOf(await collect(port.customers.list({ externalReference: reference }))), []);
    const query = { externalReference: reference, includeInactive: true };
    const all = await collect(port.customers.list(query));
    t.equal({ method: 'customers.list', input: [query] }, '[id, active] of the customers with that reference', all.map((c) => [c.id, c.active]), [[customer.id, false]]);
  },
} satisfies Partial<Record<TradifyConformanceCheck, Check>>;

const idempotencyChecks = {
  async idempotentInvoiceCreate(port, t) {
    const customer = await newCustomer(port, t, 'idem-invoice');
    const input = await invoiceInput(port, t, customer.id);
    const options = { idempotencyKey: t.unique('invoice-key') };
    const first = await port.invoices.create(input, options);
    const second = await port.invoices.create(input, options);
    t.equal({ method: 'invoices.create', input: [input, options] }, "the id of the repeated create (the first one's)", second.id, first.id);
    const query = { externalReference: input.externalReference ?? undefined };
    t.equal({ method: 'invoices.list', input: [query] }, 'the invoices holding the reference after two creates with one key', idsOf(await collect(port.invoices.list(query))), [first.id]);
  },

  async idempotentPayment(port, t) {
    const invoice = await approvedInvoice(port, t);
    const input = { date: '2026-03-03', amount: '10.00' };
    const options = { idempotencyKey: t.unique('payment-key') };
    const first = await port.payments.add(invoice.id, input, options);
    const second = await port.payments.add(invoice.id, input, options);
    t.equal({ method: 'payments.add', input: [invoice.id, input, options] }, "the id of the repeated add (the first one's)", second.id, first.id);
    t.equal({ method: 'payments.list', input: [invoice.id] }, 'the payments after two adds with one key', idsOf(await collect(port.payments.list(invoice.id))), [first.id]);
  },

  async createEchoesRequest(port, t) {
    const customerInput = { name: 'Conformance echo', externalReference: t.unique('echo') };
    const customer = await port.customers.create(customerInput);
    t.equal({ method: 'customers.create', input: [customerInput] }, 'the externalReference asked for', customer.externalReference, customerInput.externalReference);
    const invoiceReference = t.unique('echo-invoice');
    const invoice = await approvedInvoice(port, t, undefined, { externalReference: invoiceReference });
    t.equal({ method: 'invoices.create', input: [{ externalReference: invoiceReference }] }, 'the externalReference asked for', invoice.externalReference, invoiceReference);
    const paymentInput = { date: '2026-03-03', amount: '10.00', reference: 'conformance-echo' };
    const payment = await port.payments.add(invoice.id, paymentInput);
    t.equal({ method: 'payments.add', input: [invoice.id, paymentInput] }, 'the invoice and reference asked for', [payment.invoiceId, payment.reference], [invoice.id, paymentInput.reference]);
  },

  async idempotencyMismatch(port, t) {
    const key = t.unique('mismatch-key');
    await port.customers.create({ name: 'Conformance key owner', externalReference: t.unique('mismatch-a') }, { idempotencyKey: key });
    const other = { name: 'Conformance other input', externalReference: t.unique('mismatch-b') };
    await t.refused({ method: 'customers.create', input: [other, { idempotencyKey: key }] }, port.customers.create(other, { idempotencyKey: key }), {});
    const byRef = { externalReference: other.externalReference, includeInactive: true };
    t.equal({ method: 'customers.list', input: [byRef] }, 'the customers made by the refused create', idsOf(await collect(port.customers.list(byRef))), []);

    const customer = await newCustomer(port, t, 'mismatch-invoice');
    const invoiceKey = { idempotencyKey: t.unique('mismatch-invoice-key') };
    await port.invoices.create(await invoiceInput(port, t, customer.id), invoiceKey);
    const otherInvoice = await invoiceInput(port, t, customer.id, [{ description: 'Another line', quantity: '2', unitPrice: '5.00' }]);
    await t.refused({ method: 'invoices.create', input: [otherInvoice, invoiceKey] }, port.invoices.create(otherInvoice, invoiceKey), {});
    const invoiceRef = { externalReference: otherInvoice.externalReference ?? undefined };
    t.equal({ method: 'invoices.list', input: [invoiceRef] }, 'the invoices made by the refused create', idsOf(await collect(port.invoices.list(invoiceRef))), []);

    const approved = await approvedInvoice(port, t);
    const paymentKey = { idempotencyKey: t.unique('mismatch-payment-key') };
    const paid = await port.payments.add(approved.id, { date: '2026-03-03', amount: '10.00' }, paymentKey);
    const otherPayment = { date: '2026-03-03', amount: '20.00' };
    await t.refused({ method: 'payments.add', input: [approved.id, otherPayment, paymentKey] }, port.payments.add(approved.id, otherPayment, paymentKey), {});
    t.equal({ method: 'payments.list', input: [approved.id] }, 'the payments after the refused add', idsOf(await collect(port.payments.list(approved.id))), [paid.id]);
  },
} satisfies Partial<Record<TradifyConformanceCheck, Check>>;

const invoiceListChecks = {
  async invoiceFilters(port, t) {
    const draft = await draftInvoice(port, t);
    const approved = await approvedInvoice(port, t);
    const byRef = { externalReference: draft.externalReference ?? undefined };
    t.equal({ method: 'invoices.list', input: [byRef] }, 'the invoices with that reference', idsOf(await collect(port.invoices.list(byRef))), [draft.id]);
    const byCustomer = { customerId: approved.customerId };
    t.equal({ method: 'invoices.list', input: [byCustomer] }, "the customer's invoices", idsOf(await collect(port.invoices.list(byCustomer))), [approved.id]);
    const drafts = idsOf(await collect(port.invoices.list({ status: 'draft' })));
    t.equal({ method: 'invoices.list', input: [{ status: 'draft' }] }, '[has the draft, has the approved invoice]', [drafts.includes(draft.id), drafts.includes(approved.id)], [true, false]);
  },

  async invoiceUpdatedSince(port, t) {
    await draftInvoice(port, t);
    const later = await draftInvoice(port, t);
    const since = later.updatedAt ?? failCheck({ method: 'invoices.create' }, 'updatedAt on the created invoice', later.updatedAt);
    const call = { method: 'invoices.list', input: [{ updatedSince: since }] };
    const recent = await collect(port.invoices.list({ updatedSince: since }));
    t.equal(call, 'the invoice updated at that instant to be included', recent.some((i) => i.id === later.id), true);
    t.equal(call, 'invoices updated before that instant', recent.filter((i) => Date.parse(i.updatedAt ?? '') < Date.parse(since)).map((i) => i.id), []);
    const asDate = await collect(port.invoices.list({ updatedSince: new Date(since) }));
    t.equal({ method: 'invoices.list', input: [{ updatedSince: new Date(since) }] }, 'the invoice updated at that instant (a Date)', asDate.some((i) => i.id === later.id), true);
    const future = { updatedSince: '2999-01-01T00:00:00Z' };
    t.equal({ method: 'invoices.list', input: [future] }, 'the invoices updated since 2999', idsOf(await collect(port.invoices.list(future))), []);
  },

  async overdueFilter(port, t) {
    const customer = await newCustomer(port, t, 'overdue');
    const make = async (dueDate: string) => port.invoices.create(await invoiceInput(port, t, customer.id, undefined, { invoiceDate: '2020-01-01', dueDate }));
    const overdue = await port.invoices.approve((await make('2020-01-15')).id);
    const notDue = await port.invoices.approve((await make('2999-12-31')).id);
    const draft = await make('2020-01-15');
    const paid = await port.invoices.approve((await make('2020-01-15')).id);
    await port.payments.add(paid.id, { date: '2020-01-10', amount: paid.amountDue });
    const query = { status: 'overdue' as const, customerId: customer.id };
    t.equal({ method: 'invoices.list', input: [query] }, 'only the approved, past-due invoice with an amount due', idsOf(await collect(port.invoices.list(query))), [overdue.id]);
    const flags = await Promise.all([overdue, notDue, draft, paid].map(async (i) => (await port.invoices.retrieve(i.id)).isOverdue));
    t.equal({ method: 'invoices.retrieve', input: ['overdue, not due, draft, paid'] }, 'isOverdue of each', flags, [true, false, false, false]);
  },
} satisfies Partial<Record<TradifyConformanceCheck, Check>>;

const stateChecks = {
  async approvedInvoiceRefusesEdits(port, t) {
    const invoice = await approvedInvoice(port, t);
    t.equal({ method: 'invoices.approve', input: [invoice.id] }, 'status', invoice.status, 'approved');
    const patch = { reference: 'edited' };
    await t.refused({ method: 'invoices.update', input: [invoice.id, patch] }, port.invoices.update(invoice.id, patch), INVALID_STATE);
    t.equal({ method: 'invoices.retrieve', input: [invoice.id] }, 'reference after the refused edit', (await port.invoices.retrieve(invoice.id)).reference, invoice.reference);
  },

  async invalidTransitions(port, t) {
    const approved = await approvedInvoice(port, t);
    await t.refused({ method: 'invoices.approve', input: [approved.id] }, port.invoices.approve(approved.id), INVALID_STATE);
    const draft = await draftInvoice(port, t);
    await t.refused({ method: 'invoices.cancel', input: [draft.id] }, port.invoices.cancel(draft.id), INVALID_STATE);
    const payment = { date: '2026-03-05', amount: '1.00' };
    await t.refused({ method: 'payments.add', input: [draft.id, payment] }, port.payments.add(draft.id, payment), INVALID_STATE);
    const cancelled = await port.invoices.cancel(approved.id);
    await t.refused({ method: 'invoices.cancel', input: [cancelled.id] }, port.invoices.cancel(cancelled.id), INVALID_STATE);
    await t.refused({ method: 'invoices.approve', input: [cancelled.id] }, port.invoices.approve(cancelled.id), INVALID_STATE);
    const paid = await approvedInvoice(port, t);
    await port.payments.add(paid.id, { date: '2026-03-05', amount: paid.amountDue });
    await t.refused({ method: 'invoices.cancel', input: [paid.id] }, port.invoices.cancel(paid.id), INVALID_STATE);
    const statuses = await Promise.all([draft, cancelled, paid].map(async (i) => (await port.invoices.retrieve(i.id)).status));
    t.equal({ method: 'invoices.retrieve', input: ['draft, cancelled, paid'] }, 'their statuses after the refusals', statuses, ['draft', 'cancelled', 'paid']);
  },

  async draftDelete(port, t) {
    const draft = await draftInvoice(port, t);
    await port.invoices.delete(draft.id);
    await t.refused({ method: 'invoices.retrieve', input: [draft.id] }, port.invoices.retrieve(draft.id), NOT_FOUND);
    const approved = await approvedInvoice(port, t);
    await t.refused({ method: 'invoices.delete', input: [approved.id] }, port.invoices.delete(approved.id), INVALID_STATE);
    t.equal({ method: 'invoices.retrieve', input: [approved.id] }, 'status after the refused delete', (await port.invoices.retrieve(approved.id)).status, 'approved');
  },

  async paymentLifecycle(port, t) {
    const approved = await approvedInvoice(port, t);
    const input = { date: '2026-03-05', amount: approved.amountDue };
    const payment = await port.payments.add(approved.id, input);
    const paidCall = { method: 'invoices.retrieve', input: [approved.id] };
    const paid = await port.invoices.retrieve(approved.id);
    t.equal(paidCall, 'status after paying amountDue in full', paid.status, 'paid');
    t.equal(paidCall, '[amountDue, amountPaid] after paying in full', [decimalOf(paidCall, 'amountDue', paid.amountDue), decimalOf(paidCall, 'amountPaid', paid.amountPaid)], ['0', decimalOf(paidCall, 'total', approved.total)]);
    t.equal({ method: 'payments.list', input: [approved.id] }, 'the payments', idsOf(await collect(port.payments.list(approved.id))), [payment.id]);
    await port.payments.delete(approved.id, payment.id);
    const reopened = await port.invoices.retrieve(approved.id);
    t.equal(paidCall, 'status after deleting the payment', reopened.status, 'approved');
    t.equal(paidCall, 'amountDue after deleting the payment', decimalOf(paidCall, 'amountDue', reopened.amountDue), decimalOf(paidCall, 'total', approved.total));
  },

  async cancelKeepsReference(port, t) {
    const approved = await approvedInvoice(port, t);
    const cancelled = await port.invoices.cancel(approved.id);
    const call = { method: 'invoices.cancel', input: [approved.id] };
    t.equal(call, '[status, externalReference]', [cancelled.status, cancelled.externalReference], ['cancelled', approved.externalReference]);
    const query = { externalReference: approved.externalReference ?? undefined };
    const found = await collect(port.invoices.list(query));
    t.equal({ method: 'invoices.list', input: [query] }, '[id, status] of the invoices with that reference', found.map((i) => [i.id, i.status]), [[approved.id, 'cancelled']]);
  },

  async notFound(port, t) {
    const missing = `conformance-missing-${t.unique('id').replace(/[^a-z0-9]/gi, '')}`;
    const invoice = await approvedInvoice(port, t);
    const payment = { date: '2026-03-05', amount: '1.00' };
    const attempts: Array<[string, unknown[], () => Promise<unknown>]> = [
      ['customers.retrieve', [missing], () => port.customers.retrieve(missing)],
      ['customers.update', [missing, { name: 'x' }], () => port.customers.update(missing, { name: 'x' })],
      ['invoices.retrieve', [missing], () => port.invoices.retrieve(missing)],
      ['invoices.update', [missing, { reference: 'x' }], () => port.invoices.update(missing, { reference: 'x' })],
      ['invoices.delete', [missing], () => port.invoices.delete(missing)],
      ['invoices.approve', [missing], () => port.invoices.approve(missing)],
      ['invoices.cancel', [missing], () => port.invoices.cancel(missing)],
      ['payments.list', [missing], () => collect(port.payments.list(missing))],
      ['payments.add', [missing, payment], () => port.payments.add(missing, payment)],
      ['payments.delete', [missing, missing], () => port.payments.delete(missing, missing)],
      ['payments.delete', [invoice.id, missing], () => port.payments.delete(invoice.id, missing)],
    ];
    for (const [method, input, attempt] of attempts) await t.refused({ method, input }, attempt(), NOT_FOUND);
  },
} satisfies Partial<Record<TradifyConformanceCheck, Check>>;

const THREE_LINES: TradifyLineItemInput[] = [
  { description: 'Three sessions', quantity: '3', unitPrice: '33.33' },
  { description: 'Ten cents', quantity: '1', unitPrice: '0.10' },
  { description: 'Twenty cents', quantity: '1', unitPrice: '0.20' },
];

const moneyChecks = {
  async exactMoney(port, t) {
    await checkTotals(port, t, THREE_LINES, {
      taxMode: 'exclusive',
      lines: [['99.99', '10', '109.99'], ['0.1', '0.01', '0.11'], ['0.2', '0.02', '0.22']],
      subtotal: '100.29',
      totalTax: '10.03',
      total: '110.32',
    });
  },

  async inclusiveTotals(port, t) {
    await checkTotals(port, t, [{ description: 'Consultation', quantity: '1', unitPrice: '110.00' }, ...THREE_LINES.slice(0, 2)], {
      taxMode: 'inclusive',
      lines: [['100', '10', '110'], ['90.9', '9.09', '99.99'], ['0.09', '0.01', '0.1']],
      subtotal: '190.99',
      totalTax: '19.1',
      total: '210.09',
    });
  },

  async noTaxTotals(port, t) {
    await checkTotals(port, t, [{ description: 'Consultation', quantity: '1', unitPrice: '110.00', taxRateId: null }, { ...THREE_LINES[0]!, taxRateId: null }], {
      taxMode: 'no_tax',
      lines: [['110', '0', '110'], ['99.99', '0', '99.99']],
      subtotal: '209.99',
      totalTax: '0',
      total: '209.99',
    });
  },

  async moneyFormat(port, t) {
    const customer = await newCustomer(port, t, 'money-format');
    const input = await invoiceInput(port, t, customer.id, [{ description: 'Round sum', quantity: '1', unitPrice: '100.00' }, { description: 'Credit', quantity: '1', unitPrice: '-10.00' }]);
    const created = await port.invoices.create(input);
    expectMoneyText({ method: 'invoices.create', input: [input] }, moneyFields(created));
    expectMoneyText({ method: 'invoices.retrieve', input: [created.id] }, moneyFields(await port.invoices.retrieve(created.id)));
    const query = { externalReference: input.externalReference ?? undefined };
    for (const listed of await collect(port.invoices.list(query))) expectMoneyText({ method: 'invoices.list', input: [query] }, moneyFields(listed));
    const approved = await port.invoices.approve(created.id);
    expectMoneyText({ method: 'invoices.approve', input: [created.id] }, moneyFields(approved));
    const payment = { date: '2026-03-05', amount: '10.00' };
    const added = await port.payments.add(created.id, payment);
    expectMoneyText({ method: 'payments.add', input: [created.id, payment] }, [['amount', added.amount]]);
    for (const listed of await collect(port.payments.list(created.id))) expectMoneyText({ method: 'payments.list', input: [created.id] }, [['amount', listed.amount]]);
  },

  async lineItemsReplaced(port, t) {
    const draft = await draftInvoice(port, t, [{ description: 'First', quantity: '1', unitPrice: '100.00' }, { description: 'Second', quantity: '1', unitPrice: '50.00' }]);
    const patch = { lineItems: [{ description: 'Replacement', quantity: '1', unitPrice: '20.00' }] };
    const updated = await port.invoices.update(draft.id, patch);
    for (const [call, invoice] of [[{ method: 'invoices.update', input: [draft.id, patch] }, updated], [{ method: 'invoices.retrieve', input: [draft.id] }, await port.invoices.retrieve(draft.id)]] as const) {
      t.equal(call, 'the descriptions of the lines (the given lines only)', invoice.lineItems.map((l) => l.description), ['Replacement']);
      t.equal(call, '[subtotal, total]', [decimalOf(call, 'subtotal', invoice.subtotal), decimalOf(call, 'total', invoice.total)], ['20', '22']);
    }
  },

  async fourPlaceDiscount(port, t) {
    const invoice = await draftInvoice(port, t, [{ description: 'Legacy item', quantity: '1', unitPrice: '100.00', discountPercent: '18.1818' }]);
    const call = { method: 'invoices.retrieve', input: [invoice.id] };
    const line = (await port.invoices.retrieve(invoice.id)).lineItems[0] ?? failCheck(call, 'one line');
    const read = (name: string, value: unknown) => decimalOf(call, name, value);
    t.equal(call, '[discountPercent, amountExTax, taxAmount, amountIncTax] of the line', [read('discountPercent', line.discountPercent), read('amountExTax', line.amountExTax), read('taxAmount', line.taxAmount), read('amountIncTax', line.amountIncTax)], ['18.1818', '81.82', '8.18', '90']);
  },

  async negativeUnitPrice(port, t) {
    const lines = [{ description: 'Session', quantity: '1', unitPrice: '50.00' }, { description: 'Credit', quantity: '1', unitPrice: '-10.00' }];
    const invoice = await draftInvoice(port, t, lines);
    const call = { method: 'invoices.create', input: [{ lineItems: lines }] };
    const credit = invoice.lineItems.find((l) => l.description === 'Credit') ?? failCheck(call, 'the credit line');
    t.equal(call, '[unitPrice, amountExTax] of the credit line, and subtotal', [decimalOf(call, 'unitPrice', credit.unitPrice), decimalOf(call, 'amountExTax', credit.amountExTax), decimalOf(call, 'subtotal', invoice.subtotal)], ['-10', '-10', '40']);
  },
} satisfies Partial<Record<TradifyConformanceCheck, Check>>;

const readOnlyChecks = {
  async idsAreStrings(port, t) {
    const invoice = await approvedInvoice(port, t);
    const customer = await port.customers.retrieve(invoice.customerId);
    const payment = await port.payments.add(invoice.id, { date: '2026-03-05', amount: '1.00' });
    const byMethod: Array<[PortCall, unknown[]]> = [
      [{ method: 'customers.retrieve', input: [invoice.customerId] }, [customer.id]],
      [{ method: 'invoices.approve', input: [invoice.id] }, [invoice.id, invoice.customerId, ...invoice.lineItems.map((l) => l.id)]],
      [{ method: 'payments.add', input: [invoice.id] }, [payment.id, payment.invoiceId]],
      [{ method: 'staff.list', input: [] }, idsOf(await collect(port.staff.list()))],
      [{ method: 'taxRates.list', input: [] }, idsOf(await collect(port.taxRates.list()))],
      [{ method: 'customers.list', input: [{ includeInactive: true }] }, idsOf(await collect(port.customers.list({ includeInactive: true })))],
    ];
    for (const [call, ids] of byMethod) t.equal(call, 'the ids that are not non-empty strings', ids.filter((id) => typeof id !== 'string' || id.length === 0), []);
  },

  async taxRates(port, t) {
    const rates = await collect(port.taxRates.list());
    const call = { method: 'taxRates.list', input: [] };
    t.equal(call, 'how many rates are isDefault', rates.filter((r) => r.isDefault).length, 1);
    const noTax = rates.find((r) => r.isNoTax) ?? failCheck(call, 'a rate with isNoTax', rates);
    t.equal(call, 'the rate of the isNoTax rate', decimalOf(call, 'rate', noTax.rate), '0');
  },

  async staffEmails(port, t) {
    const staff = await collect(port.staff.list());
    const call = { method: 'staff.list', input: [] };
    t.equal(call, 'at least one staff member with an email', staff.some((s) => typeof s.email === 'string' && s.email.includes('@')), true);
  },
} satisfies Partial<Record<TradifyConformanceCheck, Check>>;

/** Every check, by name. */
export const CHECKS: Record<TradifyConformanceCheck, Check> = {
  ...customerChecks,
  ...idempotencyChecks,
  ...invoiceListChecks,
  ...stateChecks,
  ...moneyChecks,
  ...readOnlyChecks,
};
