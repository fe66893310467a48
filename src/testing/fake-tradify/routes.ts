/**
 * The endpoints of the fake Tradify (`docs/tradify-contract.md#endpoints-the-library-uses`), transport-neutral.
 *
 * @module
 */
import { duplicateReference, FakeHttpError, invalidState, notFound, type FakeHttpRequest } from './http.js';
import type { FakeTaxMode } from './money.js';
import { page, rejectUnknownQuery } from './paging.js';
import type { FakeCustomer, FakeInvoice, FakeInvoiceStatus, FakePayment, FakeStoredInvoice } from './records.js';
import { parseObjectBody, readCustomerInput, readInvoiceInput, readPaymentInput, type RuleLookups } from './rules.js';
import { amountDueCents, type FakeTradifyState, type IdSource } from './state.js';

/** What a route needs besides the request. */
export interface RouteContext {
  state: FakeTradifyState;
  ids: IdSource;
  nowIso(): string;
  emailMatch: 'exact' | 'case-insensitive';
  currency: string;
  nextInvoiceNumber(): string;
}

/** A route's answer; `written` is set when the request changed state (the record's id). */
export interface RouteResult {
  status: number;
  body: unknown;
  written?: string | null;
}

type Handler = (ctx: RouteContext, req: FakeHttpRequest, params: string[]) => RouteResult;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const ok = (body: unknown, status = 200): RouteResult => ({ status, body });

/** The customer as sent: `ownerStaffId` omitted when null (`docs/tradify-contract.md#records`). */
function customerWire(customer: FakeCustomer): Record<string, unknown> {
  const { ownerStaffId, ...rest } = structuredClone(customer);
  return ownerStaffId === null ? rest : { ...rest, ownerStaffId };
}

function invoiceWire(invoice: FakeInvoice): Record<string, unknown> {
  const { ownerStaffId, ...rest } = invoice;
  return ownerStaffId === null ? rest : { ...rest, ownerStaffId };
}

function paymentWire(payment: FakePayment): Record<string, unknown> {
  const { createdAt: _createdAt, ...rest } = payment;
  return rest;
}

function lookups(ctx: RouteContext): RuleLookups & { customerTaxMode(id: string): FakeTaxMode | null } {
  const { state } = ctx;
  return {
    staffExists: (id) => state.staff.has(id),
    customerExists: (id) => state.customers.has(id),
    taxRate: (id) => state.taxRates.get(id),
    defaultTaxRate: () => state.taxRates.all().find((r) => r.isDefault && r.active),
    customerTaxMode: (id) => state.customers.stored(id)?.taxMode ?? null,
  };
}

function updatedSinceOf(query: URLSearchParams): number | undefined {
  const raw = query.get('updatedSince');
  if (raw === null) return undefined;
  const at = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(at)) {
    throw new FakeHttpError(400, 'updatedSince must be an ISO-8601 timestamp.', { details: [{ field: 'updatedSince', issue: 'invalid' }] });
  }
  return at;
}

function booleanOf(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new FakeHttpError(400, `${name} must be true or false.`, { details: [{ field: name, issue: 'invalid' }] });
}

/** 409 with `existingId` when another record of the table holds the reference. */
function assertReferenceFree(rows: ReadonlyArray<{ record: { id: string; externalReference: string | null } }>, reference: string | null | undefined, selfId?: string): void {
  if (reference === null || reference === undefined) return;
  const holder = rows.find((row) => row.record.externalReference === reference && row.record.id !== selfId);
  if (holder) throw duplicateReference(holder.record.id);
}

// --- customers -------------------------------------------------------------------------------

function listCustomers(ctx: RouteContext, req: FakeHttpRequest): RouteResult {
  const q = req.query;
  rejectUnknownQuery(q, ['email', 'externalReference', 'updatedSince', 'includeInactive']);
  const since = updatedSinceOf(q);
  const includeInactive = booleanOf(q, 'includeInactive');
  const email = q.get('email');
  const sameEmail = (value: string | null): boolean =>
    value !== null && email !== null && (ctx.emailMatch === 'exact' ? value === email : value.toLowerCase() === email.toLowerCase());
  const rows = ctx.state.customers.rows().filter(({ record: c }) =>
    (includeInactive || c.active) &&
    (email === null || sameEmail(c.email)) &&
    (q.get('externalReference') === null || c.externalReference === q.get('externalReference')) &&
    (since === undefined || Date.parse(c.updatedAt) >= since));
  return ok(page(rows, q, customerWire));
}

function customer(ctx: RouteContext, id: string): FakeCustomer {
  return ctx.state.customers.stored(id) ?? (() => { throw notFound('customer'); })();
}

function createCustomer(ctx: RouteContext, req: FakeHttpRequest): RouteResult {
  const input = readCustomerInput(parseObjectBody(req.body, false), true, lookups(ctx));
  assertReferenceFree(ctx.state.customers.rows(), input.externalReference);
  const at = ctx.nowIso();
  const record: FakeCustomer = {
    id: ctx.ids.next('cus'), name: '', contactName: null, email: null, phone: null, mobile: null, fax: null,
    physicalAddress: null, postalAddress: null, pricingLevelId: null, defaultInvoiceDueDays: null, taxMode: null,
    externalReference: null, ownerStaffId: null, active: true, createdAt: at, updatedAt: at,
    ...input,
    customFields: { custom1: null, custom2: null, custom3: null, custom4: null, ...input.customFields },
  };
  ctx.state.customers.insert(record);
  return { status: 201, body: { data: customerWire(record) }, written: record.id };
}

function updateCustomer(ctx: RouteContext, req: FakeHttpRequest, [id = '']: string[]): RouteResult {
  const record = customer(ctx, id);
  const input = readCustomerInput(parseObjectBody(req.body, false), false, lookups(ctx));
  assertReferenceFree(ctx.state.customers.rows(), input.externalReference, id);
  Object.assign(record, input, { updatedAt: ctx.nowIso() });
  if (input.customFields) record.customFields = { ...record.customFields, ...input.customFields };
  return { status: 200, body: { data: customerWire(record) }, written: id };
}

// --- invoices --------------------------------------------------------------------------------

const STATUSES: ReadonlyArray<FakeInvoiceStatus | 'overdue'> = ['draft', 'approved', 'paid', 'cancelled', 'overdue'];

function invoiceView(ctx: RouteContext, id: string): FakeInvoice {
  return ctx.state.invoices.get(id) ?? (() => { throw notFound('invoice'); })();
}

function storedInvoice(ctx: RouteContext, id: string): FakeStoredInvoice {
  return ctx.state.invoices.stored(id) ?? (() => { throw notFound('invoice'); })();
}

function listInvoices(ctx: RouteContext, req: FakeHttpRequest): RouteResult {
  const q = req.query;
  rejectUnknownQuery(q, ['customerId', 'status', 'externalReference', 'updatedSince']);
  const since = updatedSinceOf(q);
  const status = q.get('status');
  if (status !== null && !STATUSES.includes(status as FakeInvoiceStatus)) {
    throw new FakeHttpError(400, 'Unknown status filter.', { details: [{ field: 'status', issue: 'invalid' }] });
  }
  const rows = ctx.state.invoices.rows().filter(({ record: i }) =>
    (q.get('customerId') === null || i.customerId === q.get('customerId')) &&
    (q.get('externalReference') === null || i.externalReference === q.get('externalReference')) &&
    (status === null || (status === 'overdue' ? invoiceView(ctx, i.id).isOverdue : i.status === status)) &&
    (since === undefined || Date.parse(i.updatedAt) >= since));
  return ok(page(rows, q, (i) => invoiceWire(invoiceView(ctx, i.id))));
}

function newLineId(ctx: RouteContext): () => string {
  return () => ctx.ids.next('li');
}

function createInvoice(ctx: RouteContext, req: FakeHttpRequest): RouteResult {
  const input = readInvoiceInput(parseObjectBody(req.body, false), undefined, lookups(ctx), newLineId(ctx));
  assertReferenceFree(ctx.state.invoices.rows(), input.externalReference);
  const at = ctx.nowIso();
  const record: FakeStoredInvoice = {
    id: ctx.ids.next('inv'), invoiceNumber: null, status: 'draft', customerId: '', siteId: null, jobIds: [],
    reference: null, externalReference: null, invoiceDate: '', dueDate: null, taxMode: 'exclusive',
    currency: ctx.currency, lineItems: [], amountCredited: '0.00', ownerStaffId: null,
    sentAt: null, approvedAt: null, cancelledAt: null, createdAt: at, updatedAt: at,
    ...input,
  };
  ctx.state.invoices.insert(record);
  return { status: 201, body: { data: invoiceWire(invoiceView(ctx, record.id)) }, written: record.id };
}

function updateInvoice(ctx: RouteContext, req: FakeHttpRequest, [id = '']: string[]): RouteResult {
  const record = storedInvoice(ctx, id);
  if (record.status !== 'draft') throw invalidState('edit', record.status);
  const input = readInvoiceInput(parseObjectBody(req.body, false), record, lookups(ctx), newLineId(ctx));
  assertReferenceFree(ctx.state.invoices.rows(), input.externalReference, id);
  Object.assign(record, input, { updatedAt: ctx.nowIso() });
  return { status: 200, body: { data: invoiceWire(invoiceView(ctx, id)) }, written: id };
}

function deleteInvoice(ctx: RouteContext, _req: FakeHttpRequest, [id = '']: string[]): RouteResult {
  const record = storedInvoice(ctx, id);
  if (record.status !== 'draft') throw invalidState('delete', record.status);
  ctx.state.invoices.delete(id);
  return { status: 204, body: null, written: id };
}

function approveInvoice(ctx: RouteContext, req: FakeHttpRequest, [id = '']: string[]): RouteResult {
  parseObjectBody(req.body, true);
  const record = storedInvoice(ctx, id);
  if (record.status !== 'draft') throw invalidState('approve', record.status);
  const at = ctx.nowIso();
  Object.assign(record, { status: 'approved', approvedAt: at, updatedAt: at, invoiceNumber: record.invoiceNumber ?? ctx.nextInvoiceNumber() });
  return { status: 200, body: { data: invoiceWire(invoiceView(ctx, id)) }, written: id };
}

function cancelInvoice(ctx: RouteContext, req: FakeHttpRequest, [id = '']: string[]): RouteResult {
  parseObjectBody(req.body, true);
  const record = storedInvoice(ctx, id);
  const hasPayments = ctx.state.payments.rowsInGroup(id).length > 0;
  if (record.status !== 'approved' || hasPayments) throw invalidState('cancel', hasPayments ? `${record.status} with payments` : record.status);
  const at = ctx.nowIso();
  Object.assign(record, { status: 'cancelled', cancelledAt: at, updatedAt: at });
  return { status: 200, body: { data: invoiceWire(invoiceView(ctx, id)) }, written: id };
}

// --- payments --------------------------------------------------------------------------------

function listPayments(ctx: RouteContext, req: FakeHttpRequest, [id = '']: string[]): RouteResult {
  rejectUnknownQuery(req.query, []);
  storedInvoice(ctx, id);
  const rows = ctx.state.payments.rowsInGroup(id);
  return ok(page(rows, req.query, paymentWire));
}

function addPayment(ctx: RouteContext, req: FakeHttpRequest, [id = '']: string[]): RouteResult {
  const record = storedInvoice(ctx, id);
  if (record.status !== 'approved') throw invalidState('pay', record.status);
  const input = readPaymentInput(parseObjectBody(req.body, false), amountDueCents(invoiceView(ctx, id)));
  const payment: FakePayment = { id: ctx.ids.next('pay'), invoiceId: id, ...input, createdAt: ctx.nowIso() };
  ctx.state.payments.insert(payment);
  settleStatus(ctx, record);
  return { status: 201, body: { data: paymentWire(payment) }, written: payment.id };
}

function deletePayment(ctx: RouteContext, _req: FakeHttpRequest, [id = '', paymentId = '']: string[]): RouteResult {
  const record = storedInvoice(ctx, id);
  const payment = ctx.state.payments.stored(paymentId);
  if (!payment || payment.invoiceId !== id) throw notFound('payment');
  if (record.status !== 'approved' && record.status !== 'paid') throw invalidState('delete a payment of', record.status);
  ctx.state.payments.delete(paymentId);
  settleStatus(ctx, record);
  return { status: 204, body: null, written: paymentId };
}

/** The contract's states: approved ↔ paid follows `amountDue` reaching 0; `updatedAt` moves with every payment. */
function settleStatus(ctx: RouteContext, record: FakeStoredInvoice): void {
  const due = amountDueCents(invoiceView(ctx, record.id));
  if (record.status === 'approved' && due === 0n) record.status = 'paid';
  else if (record.status === 'paid' && due !== 0n) record.status = 'approved';
  record.updatedAt = ctx.nowIso();
}

// --- read-only lists -------------------------------------------------------------------------

function listStaff(ctx: RouteContext, req: FakeHttpRequest): RouteResult {
  rejectUnknownQuery(req.query, []);
  return ok(page(ctx.state.staff.rows(), req.query, (s) => structuredClone(s)));
}

function oneStaff(ctx: RouteContext, _req: FakeHttpRequest, [id = '']: string[]): RouteResult {
  return ok({ data: ctx.state.staff.get(id) ?? (() => { throw notFound('staff member'); })() });
}

function listTaxRates(ctx: RouteContext, req: FakeHttpRequest): RouteResult {
  rejectUnknownQuery(req.query, []);
  return ok(page(ctx.state.taxRates.rows(), req.query, (r) => structuredClone(r)));
}

const ID = '([^/]+)';
const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/customers$/, handler: listCustomers },
  { method: 'POST', pattern: /^\/customers$/, handler: createCustomer },
  { method: 'GET', pattern: new RegExp(`^/customers/${ID}$`), handler: (ctx, _r, [id = '']) => ok({ data: customerWire(customer(ctx, id)) }) },
  { method: 'PATCH', pattern: new RegExp(`^/customers/${ID}$`), handler: updateCustomer },
  { method: 'GET', pattern: /^\/invoices$/, handler: listInvoices },
  { method: 'POST', pattern: /^\/invoices$/, handler: createInvoice },
  { method: 'GET', pattern: new RegExp(`^/invoices/${ID}$`), handler: (ctx, _r, [id = '']) => ok({ data: invoiceWire(invoiceView(ctx, id)) }) },
  { method: 'PATCH', pattern: new RegExp(`^/invoices/${ID}$`), handler: updateInvoice },
  { method: 'DELETE', pattern: new RegExp(`^/invoices/${ID}$`), handler: deleteInvoice },
  { method: 'POST', pattern: new RegExp(`^/invoices/${ID}/approve$`), handler: approveInvoice },
  { method: 'POST', pattern: new RegExp(`^/invoices/${ID}/cancel$`), handler: cancelInvoice },
  { method: 'GET', pattern: new RegExp(`^/invoices/${ID}/payments$`), handler: listPayments },
  { method: 'POST', pattern: new RegExp(`^/invoices/${ID}/payments$`), handler: addPayment },
  { method: 'DELETE', pattern: new RegExp(`^/invoices/${ID}/payments/${ID}$`), handler: deletePayment },
  { method: 'GET', pattern: /^\/staff$/, handler: listStaff },
  { method: 'GET', pattern: new RegExp(`^/staff/${ID}$`), handler: oneStaff },
  { method: 'GET', pattern: /^\/tax-rates$/, handler: listTaxRates },
];

/**
 * Runs the route for a path below `/v1`: 404 for an unknown path, 405 for a known path with
 * another method.
 */
export function route(ctx: RouteContext, req: FakeHttpRequest, path: string): RouteResult {
  let pathMatched = false;
  for (const candidate of ROUTES) {
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (candidate.method !== req.method) continue;
    const params = match.slice(1).map((p) => decodeURIComponent(p ?? ''));
    return candidate.handler(ctx, req, params);
  }
  throw pathMatched ? new FakeHttpError(405, 'Method not allowed.') : notFound('endpoint');
}
