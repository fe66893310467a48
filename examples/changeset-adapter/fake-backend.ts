/**
 * A small loopback fake of "Ledger", an invented change-set style invoicing backend that the
 * example adapter (`adapter.ts`) speaks to. It is not REST: three POST endpoints under `/api`.
 *
 * - `POST /api/get` `{ Entity, Id }` → `{ Record }`, or 404.
 * - `POST /api/search` `{ Entity, Where, PageSize, After }` → `{ Records, Next }`: records in
 *   creation order, `Next` an opaque cursor (null on the last page).
 * - `POST /api/save` `{ ChangeSetId, Changes: [{ Op, Entity, Id?, InvoiceId?, Fields? }] }` →
 *   `{ Results: [{ Entity, Id, Record }] }`. The changes apply all or none. A repeated
 *   `ChangeSetId` with the same changes answers the first answer again and changes nothing;
 *   with other changes it is a 422 `ChangeSetReused`.
 *
 * Its own conventions: PascalCase JSON, GUID ids, money as whole cents (`TotalCents: 11000`),
 * quantities and percentages as decimal text, `Authorization: Bearer <token>`, and errors as
 * `{ Fault: { Kind, Text, ConflictingId?, Fields?: [{ Name, Problem }] } }`, whose `Text` may
 * repeat the values it was sent (as real servers do).
 *
 * Its rules are the ones the sync engine relies on: tax per line rounded half away from zero
 * (exclusive, inclusive, no tax), invoice states (Draft → Approved → Paid, Approved → Void),
 * unique customer references (invoice references are not checked), exact e-mail search
 * ignoring case, "overdue" judged on today's date in UTC.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The kinds of record Ledger stores. */
type LedgerEntity = 'Customer' | 'Invoice' | 'Payment' | 'User' | 'TaxCode';

/** Options of {@link startLedgerBackend}. */
export interface LedgerBackendOptions {
  /** The bearer token it accepts. @defaultValue a random one */
  token?: string | undefined;
  /** The most records one search page holds. @defaultValue 100 */
  maxPageSize?: number | undefined;
  /** The clock, in epoch ms. @defaultValue `Date.now` */
  now?: (() => number) | undefined;
}

/** A running fake. */
export interface LedgerBackend {
  /** The API's base URL, e.g. `http://127.0.0.1:41234/api`. */
  readonly url: string;
  readonly token: string;
  /** Every record of one kind as the API would answer it, in creation order. */
  records(entity: LedgerEntity): Array<Record<string, unknown>>;
  /** Change sets applied so far (a replayed one is not counted again). */
  readonly saves: number;
  /** The next `count` saves are applied, then answered with a 503, as if the answer were lost. */
  loseNextSaveAnswers(count: number): void;
  close(): Promise<void>;
}

type Row = Record<string, unknown> & { Id: string; Seq: number };
type Tables = Record<LedgerEntity, Map<string, Row>>;
interface Problem {
  Name: string;
  Problem: string;
}

class Fault extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    readonly extra: { Text?: string; ConflictingId?: string; Fields?: Problem[] } = {},
  ) {
    super(kind);
  }
}

const notFound = (entity: string) => new Fault(404, 'NotFound', { Text: `No such ${entity}` });
const invalidState = (text: string) => new Fault(409, 'InvalidState', { Text: text });

// ---------------------------------------------------------------------------------------------
// Money: whole cents and scaled decimals as BigInt, never floats

/** `"18.1818"` at 4 places → `181818n`; `undefined` when not a decimal with at most `places` decimals. */
function scaled(text: unknown, places: number): bigint | undefined {
  const match = typeof text === 'string' ? /^(-?)(\d+)(?:\.(\d+))?$/.exec(text) : null;
  if (!match || (match[3] ?? '').length > places) return undefined;
  const value = BigInt(match[2]! + (match[3] ?? '').padEnd(places, '0'));
  return match[1] === '-' ? -value : value;
}

function divideHalfAway(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const q = ((negative ? -n : n) * 2n + d) / (2n * d);
  return negative ? -q : q;
}

/** One line's cents: `net = round(qty × price × (1 − discount/100))`, then tax by the invoice's mode. */
function lineCents(line: Record<string, unknown>, mode: string): { ExTaxCents: number; TaxCents: number; IncTaxCents: number } {
  const net = divideHalfAway(scaled(line.Qty, 2)! * BigInt(line.UnitPriceCents as number) * (1_000_000n - scaled(line.DiscountPct, 4)!), 100_000_000n);
  const rate = mode === 'NoTax' ? 0n : scaled(line.TaxPct ?? '0', 4)!;
  const tax = mode === 'Inclusive' ? divideHalfAway(net * rate, 1_000_000n + rate) : divideHalfAway(net * rate, 1_000_000n);
  const [exTax, incTax] = mode === 'Inclusive' ? [net - tax, net] : [net, net + tax];
  return { ExTaxCents: Number(exTax), TaxCents: Number(tax), IncTaxCents: Number(incTax) };
}

// ---------------------------------------------------------------------------------------------
// Field rules

type Rule = (value: unknown) => string | undefined;

const text = (min: number, max: number, nullable = true): Rule => (v) =>
  v === null ? (nullable ? undefined : 'required') : typeof v !== 'string' ? 'must_be_text' : v.length < min ? 'required' : v.length > max ? 'too_long' : undefined;
const oneOf = (values: readonly string[], nullable = false): Rule => (v) => ((v === null && nullable) || values.includes(v as string) ? undefined : 'not_allowed');
const isDate: Rule = (v) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : 'must_be_date');
const nullable = (rule: Rule): Rule => (v) => (v === null ? undefined : rule(v));
const wholeCents: Rule = (v) => (Number.isSafeInteger(v) ? undefined : 'must_be_whole_cents');
const decimal = (places: number, min?: bigint, max?: bigint): Rule => (v) => {
  const value = scaled(v, places);
  if (value === undefined) return 'must_be_decimal';
  return (min !== undefined && value < min) || (max !== undefined && value > max) ? 'out_of_range' : undefined;
};
const address: Rule = (v) =>
  v === null || (typeof v === 'object' && !Array.isArray(v) && Object.entries(v as object).every(([k, x]) => ADDRESS_KEYS.includes(k) && (x === null || typeof x === 'string')))
    ? undefined
    : 'must_be_address';

const ADDRESS_KEYS = ['Line1', 'Line2', 'Suburb', 'Region', 'PostCode', 'CountryCode'];
const CUSTOMER_RULES: Record<string, Rule> = {
  Name: text(1, 100, false), ContactName: text(0, 100), Email: text(0, 254), Phone: text(0, 50), Mobile: text(0, 50), Fax: text(0, 50),
  PhysicalAddress: address, PostalAddress: address, PriceLevelId: text(0, 100),
  PaymentTermsDays: (v) => (v === null || (Number.isSafeInteger(v) && (v as number) >= 0) ? undefined : 'must_be_days'),
  TaxTreatment: oneOf(['Exclusive', 'Inclusive', 'NoTax'], true), ExternalRef: text(1, 100),
  Custom1: text(0, 200), Custom2: text(0, 200), Custom3: text(0, 200), Custom4: text(0, 200),
  IsActive: (v) => (typeof v === 'boolean' ? undefined : 'must_be_boolean'),
};
const INVOICE_RULES: Record<string, Rule> = {
  CustomerId: text(1, 64, false), InvoiceDate: isDate, DueDate: nullable(isDate), Reference: text(0, 100), ExternalRef: text(1, 100),
  PriceMode: oneOf(['Exclusive', 'Inclusive', 'NoTax']), Lines: (v) => (Array.isArray(v) && v.length <= 500 ? undefined : 'must_be_list'),
};
const LINE_RULES: Record<string, Rule> = {
  Kind: oneOf(['Labour', 'Material', 'Misc']), ItemCode: text(0, 100), Description: text(1, 200, false), Qty: decimal(2),
  UnitPriceCents: wholeCents, DiscountPct: decimal(4, 0n, 1_000_000n), TaxCodeId: text(1, 64), AccountCode: text(0, 50),
};
const PAYMENT_RULES: Record<string, Rule> = {
  InvoiceId: text(1, 64, false), Date: isDate, AmountCents: wholeCents, Method: text(0, 50), Reference: text(0, 100), Note: text(0, 500),
};

/** Checks `fields` against `rules`; `required` names the fields a create must have. Collects problems under `prefix`. */
function checkFields(fields: unknown, rules: Record<string, Rule>, required: readonly string[], problems: Problem[], prefix = ''): Record<string, unknown> {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    problems.push({ Name: prefix || 'Fields', Problem: 'must_be_object' });
    return {};
  }
  const given = fields as Record<string, unknown>;
  for (const name of required) if (given[name] === undefined) problems.push({ Name: `${prefix}${name}`, Problem: 'required' });
  for (const [name, value] of Object.entries(given)) {
    const problem = rules[name] ? rules[name](value) : 'unknown_field';
    if (problem) problems.push({ Name: `${prefix}${name}`, Problem: problem });
  }
  return given;
}

function settle(problems: Problem[], text: string): void {
  if (problems.length > 0) throw new Fault(422, 'ValidationFailed', { Text: text, Fields: problems });
}

// ---------------------------------------------------------------------------------------------
// The store

class Ledger {
  tables: Tables = { Customer: new Map(), Invoice: new Map(), Payment: new Map(), User: new Map(), TaxCode: new Map() };
  seq = 0;
  invoiceNumber = 1000;
  #lastStamp = 0;

  constructor(readonly now: () => number) {
    this.insert('TaxCode', { Name: 'GST', Percent: '10', IsDefault: true, IsExempt: false, IsActive: true });
    this.insert('TaxCode', { Name: 'GST Free', Percent: '0', IsDefault: false, IsExempt: true, IsActive: true });
    this.insert('User', { DisplayName: 'Alex Office', Email: 'alex@ledger.example', Login: 'alex', Mobile: null, Phone: null, Access: 'Login', LicenceNo: null, IsActive: true });
    this.insert('User', { DisplayName: 'Sam Field', Email: null, Login: null, Mobile: '0400 000 000', Phone: null, Access: 'NoAccess', LicenceNo: 'EL-1', IsActive: false });
  }

  /** A copy of everything a change set may change, to put back when one of its changes fails. */
  snapshot(): Pick<Ledger, 'tables' | 'seq' | 'invoiceNumber'> {
    return structuredClone({ tables: this.tables, seq: this.seq, invoiceNumber: this.invoiceNumber });
  }

  restore(snapshot: Pick<Ledger, 'tables' | 'seq' | 'invoiceNumber'>): void {
    Object.assign(this, snapshot);
  }

  /** A strictly increasing timestamp, so "modified since" never ties across two writes. */
  stamp(): string {
    this.#lastStamp = Math.max(this.now(), this.#lastStamp + 1);
    return new Date(this.#lastStamp).toISOString();
  }

  today(): string {
    return new Date(this.now()).toISOString().slice(0, 10);
  }

  insert(entity: LedgerEntity, fields: Record<string, unknown>): Row {
    const row: Row = { ...fields, Id: randomUUID(), Seq: (this.seq += 1) };
    this.tables[entity].set(row.Id, row);
    return row;
  }

  get(entity: LedgerEntity, id: unknown): Row {
    const row = typeof id === 'string' ? this.tables[entity].get(id) : undefined;
    if (!row) throw notFound(entity);
    return row;
  }

  /** The record as the API answers it: no internal fields; an invoice with its cents and derived state. */
  view(entity: LedgerEntity, row: Row): Record<string, unknown> {
    const { Seq: _seq, ...record } = row;
    return entity === 'Invoice' ? this.invoiceView(record) : record;
  }

  invoiceView(invoice: Record<string, unknown>): Record<string, unknown> {
    const lines = (invoice.Lines as Array<Record<string, unknown>>).map((line) => ({ ...line, ...lineCents(line, invoice.PriceMode as string) }));
    const sum = (field: 'ExTaxCents' | 'TaxCents') => lines.reduce((total, line) => total + line[field], 0);
    const paid = this.paymentsOf(invoice.Id as string).reduce((total, p) => total + (p.AmountCents as number), 0);
    const total = sum('ExTaxCents') + sum('TaxCents');
    const balance = total - paid;
    const isOverdue = invoice.State === 'Approved' && balance > 0 && invoice.DueDate !== null && (invoice.DueDate as string) < this.today();
    return { ...invoice, Lines: lines, Currency: 'AUD', SubtotalCents: sum('ExTaxCents'), TaxCents: sum('TaxCents'), TotalCents: total, PaidCents: paid, CreditedCents: 0, BalanceCents: balance, IsOverdue: isOverdue };
  }

  paymentsOf(invoiceId: string): Row[] {
    return [...this.tables.Payment.values()].filter((p) => p.InvoiceId === invoiceId);
  }

  /** Another customer already holding `reference`, as a 409 naming it. */
  assertReferenceFree(reference: unknown, self?: string): void {
    if (typeof reference !== 'string') return;
    const holder = [...this.tables.Customer.values()].find((c) => c.ExternalRef === reference && c.Id !== self);
    if (holder) throw new Fault(409, 'DuplicateExternalRef', { Text: `Reference ${reference} is already used`, ConflictingId: holder.Id });
  }
}

// ---------------------------------------------------------------------------------------------
// Changes

interface Change {
  Op?: unknown;
  Entity?: unknown;
  Id?: unknown;
  InvoiceId?: unknown;
  Fields?: unknown;
}

function saveCustomer(ledger: Ledger, change: Change, existing?: Row): Row {
  const problems: Problem[] = [];
  const fields = checkFields(change.Fields, CUSTOMER_RULES, existing ? [] : ['Name'], problems);
  settle(problems, `Customer ${String(fields.Name)} is invalid`);
  ledger.assertReferenceFree(fields.ExternalRef, existing?.Id);
  const stamp = ledger.stamp();
  if (existing) return Object.assign(existing, fields, { ModifiedUtc: stamp });
  const blank = Object.fromEntries(Object.keys(CUSTOMER_RULES).map((name) => [name, null]));
  return ledger.insert('Customer', { ...blank, IsActive: true, ...fields, CreatedUtc: stamp, ModifiedUtc: stamp });
}

type Line = Record<string, unknown>;

/** A line's tax code in `mode`: the one named, else the default; none at all when NoTax. */
function withTaxCode(ledger: Ledger, line: Line, mode: string): Line {
  const codes = ledger.tables.TaxCode;
  const code = typeof line.TaxCodeId === 'string' ? codes.get(line.TaxCodeId) : [...codes.values()].find((c) => c.IsDefault);
  const taxed = mode !== 'NoTax' && code;
  return { ...line, TaxCodeId: taxed ? code.Id : null, TaxPct: taxed ? code.Percent : null };
}

/** The lines sent for an invoice in `mode`, each checked, replacing every line it had. */
function readLines(ledger: Ledger, lines: unknown[], mode: string, problems: Problem[]): Line[] {
  return lines.map((raw, i) => {
    const line = checkFields(raw, LINE_RULES, ['Description', 'Qty', 'UnitPriceCents'], problems, `Lines[${i}].`);
    if (typeof line.TaxCodeId === 'string' && !ledger.tables.TaxCode.has(line.TaxCodeId)) problems.push({ Name: `Lines[${i}].TaxCodeId`, Problem: 'not_found' });
    return withTaxCode(ledger, { Kind: 'Misc', ItemCode: null, AccountCode: null, DiscountPct: '0', ...line, Id: randomUUID() }, mode);
  });
}

function saveInvoice(ledger: Ledger, change: Change, existing?: Row): Row {
  if (existing && existing.State !== 'Draft') throw invalidState('Only a draft can be edited');
  const problems: Problem[] = [];
  const fields = checkFields(change.Fields, INVOICE_RULES, existing ? [] : ['CustomerId', 'InvoiceDate', 'Lines'], problems);
  const customerId = fields.CustomerId ?? existing?.CustomerId;
  const customer = typeof customerId === 'string' ? ledger.tables.Customer.get(customerId) : undefined;
  if (fields.CustomerId !== undefined && !customer) problems.push({ Name: 'CustomerId', Problem: 'not_found' });
  const mode = (fields.PriceMode ?? existing?.PriceMode ?? customer?.TaxTreatment ?? 'Exclusive') as string;
  const kept = (existing?.Lines as Line[] | undefined) ?? [];
  const Lines = Array.isArray(fields.Lines) ? readLines(ledger, fields.Lines, mode, problems) : kept.map((line) => withTaxCode(ledger, line, mode));
  settle(problems, 'Invoice is invalid');
  const stamp = ledger.stamp();
  if (existing) return Object.assign(existing, fields, { PriceMode: mode, Lines, ModifiedUtc: stamp });
  const blank = { DueDate: null, Reference: null, ExternalRef: null, Number: null, SentUtc: null, ApprovedUtc: null, VoidedUtc: null };
  return ledger.insert('Invoice', { ...blank, ...fields, State: 'Draft', PriceMode: mode, Lines, CreatedUtc: stamp, ModifiedUtc: stamp });
}

function moveInvoice(ledger: Ledger, invoice: Row, op: string): Row {
  const stamp = ledger.stamp();
  if (op === 'Approve') {
    if (invoice.State !== 'Draft') throw invalidState('Only a draft can be approved');
    return Object.assign(invoice, { State: 'Approved', Number: invoice.Number ?? `INV-${(ledger.invoiceNumber += 1)}`, ApprovedUtc: stamp, ModifiedUtc: stamp });
  }
  if (invoice.State !== 'Approved' || ledger.paymentsOf(invoice.Id).length > 0) throw invalidState('Only an approved invoice with no payments can be voided');
  return Object.assign(invoice, { State: 'Void', VoidedUtc: stamp, ModifiedUtc: stamp });
}

function addPayment(ledger: Ledger, change: Change): Row {
  const invoiceId = (change.Fields as { InvoiceId?: unknown } | undefined)?.InvoiceId;
  const invoice = ledger.get('Invoice', invoiceId);
  if (invoice.State !== 'Approved') throw invalidState('Payments need an approved invoice');
  const problems: Problem[] = [];
  const fields = checkFields(change.Fields, PAYMENT_RULES, ['InvoiceId', 'Date', 'AmountCents'], problems);
  const balance = ledger.invoiceView(invoice).BalanceCents as number;
  const amount = fields.AmountCents as number;
  if (Number.isSafeInteger(amount) && (amount <= 0 || amount > balance)) problems.push({ Name: 'AmountCents', Problem: amount <= 0 ? 'must_be_positive' : 'exceeds_balance' });
  settle(problems, 'Payment is invalid');
  const payment = ledger.insert('Payment', { Method: null, Reference: null, Note: null, ...fields });
  settlePaidState(ledger, invoice);
  return payment;
}

function deletePayment(ledger: Ledger, change: Change): void {
  const invoice = ledger.get('Invoice', change.InvoiceId);
  const payment = ledger.get('Payment', change.Id);
  if (payment.InvoiceId !== invoice.Id) throw notFound('Payment');
  ledger.tables.Payment.delete(payment.Id);
  settlePaidState(ledger, invoice);
}

/** Approved ⇄ Paid as the balance reaches or leaves zero. */
function settlePaidState(ledger: Ledger, invoice: Row): void {
  const balance = ledger.invoiceView(invoice).BalanceCents as number;
  if (invoice.State === 'Approved' && balance === 0) invoice.State = 'Paid';
  else if (invoice.State === 'Paid' && balance > 0) invoice.State = 'Approved';
  invoice.ModifiedUtc = ledger.stamp();
}

/** Applies one change; the answer's record is `null` for a delete. */
function apply(ledger: Ledger, change: Change): { Entity: LedgerEntity; Id: string; Record: Record<string, unknown> | null } {
  const entity = change.Entity as LedgerEntity;
  const answer = (row: Row) => ({ Entity: entity, Id: row.Id, Record: ledger.view(entity, row) });
  switch (`${String(change.Entity)}.${String(change.Op)}`) {
    case 'Customer.Create':
      return answer(saveCustomer(ledger, change));
    case 'Customer.Update':
      return answer(saveCustomer(ledger, change, ledger.get('Customer', change.Id)));
    case 'Invoice.Create':
      return answer(saveInvoice(ledger, change));
    case 'Invoice.Update':
      return answer(saveInvoice(ledger, change, ledger.get('Invoice', change.Id)));
    case 'Invoice.Approve':
    case 'Invoice.Void':
      return answer(moveInvoice(ledger, ledger.get('Invoice', change.Id), change.Op as string));
    case 'Invoice.Delete': {
      const invoice = ledger.get('Invoice', change.Id);
      if (invoice.State !== 'Draft') throw invalidState('Only a draft can be deleted');
      ledger.tables.Invoice.delete(invoice.Id);
      return { Entity: entity, Id: invoice.Id, Record: null };
    }
    case 'Payment.Create':
      return answer(addPayment(ledger, change));
    case 'Payment.Delete':
      deletePayment(ledger, change);
      return { Entity: entity, Id: change.Id as string, Record: null };
    default:
      throw new Fault(400, 'UnsupportedChange', { Fields: [{ Name: 'Op', Problem: 'not_supported' }] });
  }
}

// ---------------------------------------------------------------------------------------------
// Search

const WHERE: Record<LedgerEntity, readonly string[]> = {
  Customer: ['Email', 'ExternalRef', 'ModifiedSince', 'IncludeInactive'],
  Invoice: ['CustomerId', 'State', 'Overdue', 'ExternalRef', 'ModifiedSince'],
  Payment: ['InvoiceId'],
  User: [],
  TaxCode: [],
};

function matches(entity: LedgerEntity, record: Record<string, unknown>, where: Record<string, unknown>): boolean {
  const email = typeof where.Email === 'string' ? where.Email.toLowerCase() : undefined;
  return (
    (email === undefined || (typeof record.Email === 'string' && record.Email.toLowerCase() === email)) &&
    (where.ExternalRef === undefined || record.ExternalRef === where.ExternalRef) &&
    (where.ModifiedSince === undefined || Date.parse(record.ModifiedUtc as string) >= Date.parse(where.ModifiedSince as string)) &&
    (entity !== 'Customer' || where.IncludeInactive === true || record.IsActive !== false) &&
    (where.CustomerId === undefined || record.CustomerId === where.CustomerId) &&
    (where.State === undefined || record.State === where.State) &&
    (where.Overdue !== true || record.IsOverdue === true) &&
    (where.InvoiceId === undefined || record.InvoiceId === where.InvoiceId)
  );
}

function search(ledger: Ledger, body: Record<string, unknown>, maxPageSize: number): { Records: unknown[]; Next: string | null } {
  const entity = body.Entity as LedgerEntity;
  const allowed = WHERE[entity];
  const where = (body.Where ?? {}) as Record<string, unknown>;
  const unknown = allowed ? Object.keys(where).filter((key) => !allowed.includes(key)) : ['Entity'];
  if (unknown.length > 0) throw new Fault(400, 'BadSearch', { Fields: unknown.map((Name) => ({ Name, Problem: 'not_searchable' })) });
  if (entity === 'Payment') ledger.get('Invoice', where.InvoiceId);
  const size = Math.min(maxPageSize, Number.isSafeInteger(body.PageSize) && (body.PageSize as number) > 0 ? (body.PageSize as number) : maxPageSize);
  const after = body.After === undefined || body.After === null ? 0 : Number(Buffer.from(String(body.After), 'base64url').toString());
  if (!Number.isSafeInteger(after)) throw new Fault(400, 'BadCursor');
  const found = [...ledger.tables[entity].values()].filter((row) => row.Seq > after).map((row) => [row.Seq, ledger.view(entity, row)] as const).filter(([, record]) => matches(entity, record, where));
  const page = found.slice(0, size);
  const next = found.length > size ? Buffer.from(String(page[page.length - 1]![0])).toString('base64url') : null;
  return { Records: page.map(([, record]) => record), Next: next };
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new Fault(400, 'BadJson');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Starts the fake on a free loopback port. */
export async function startLedgerBackend(options: LedgerBackendOptions = {}): Promise<LedgerBackend> {
  const token = options.token ?? `ledger-${randomUUID()}`;
  const maxPageSize = options.maxPageSize ?? 100;
  const ledger = new Ledger(options.now ?? Date.now);
  const changeSets = new Map<string, { changes: string; answer: unknown }>();
  let saves = 0;
  let answersToLose = 0;

  function save(body: Record<string, unknown>): unknown {
    const id = body.ChangeSetId;
    if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) || !Array.isArray(body.Changes)) {
      throw new Fault(400, 'BadChangeSet', { Fields: [{ Name: 'ChangeSetId', Problem: 'must_be_guid' }] });
    }
    const changes = JSON.stringify(body.Changes);
    const earlier = changeSets.get(id);
    if (earlier) {
      if (earlier.changes !== changes) throw new Fault(422, 'ChangeSetReused', { Fields: [{ Name: 'ChangeSetId', Problem: 'reused_with_other_changes' }] });
      return earlier.answer;
    }
    const before = ledger.snapshot();
    let answer: unknown;
    try {
      answer = { Results: (body.Changes as Change[]).map((change) => apply(ledger, change)) };
    } catch (error) {
      ledger.restore(before);
      throw error;
    }
    changeSets.set(id, { changes, answer });
    saves += 1;
    return answer;
  }

  function route(path: string, body: Record<string, unknown>): unknown {
    if (path === '/api/get') {
      const entity = body.Entity as LedgerEntity;
      if (!WHERE[entity]) throw new Fault(400, 'BadEntity');
      return { Record: ledger.view(entity, ledger.get(entity, body.Id)) };
    }
    if (path === '/api/search') return search(ledger, body, maxPageSize);
    if (path === '/api/save') return save(body);
    throw new Fault(404, 'NoSuchEndpoint');
  }

  const server = createServer((request, response) => {
    void (async () => {
      try {
        if (request.headers.authorization !== `Bearer ${token}`) throw new Fault(401, 'Unauthorized');
        if (request.method !== 'POST') throw new Fault(405, 'UsePost');
        const path = new URL(request.url ?? '/', 'http://ledger').pathname;
        const answer = route(path, await readJson(request));
        if (path === '/api/save' && answersToLose > 0) {
          answersToLose -= 1;
          response.writeHead(503).end();
          return;
        }
        send(response, 200, answer);
      } catch (error) {
        if (!(error instanceof Fault)) throw error;
        send(response, error.status, { Fault: { Kind: error.kind, ...error.extra } });
      }
    })().catch(() => send(response, 500, { Fault: { Kind: 'Internal' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    token,
    records: (entity) => [...ledger.tables[entity].values()].map((row) => ledger.view(entity, row)),
    get saves() {
      return saves;
    },
    loseNextSaveAnswers(count) {
      answersToLose = count;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
