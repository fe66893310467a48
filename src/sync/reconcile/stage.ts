/**
 * Reading both sides whole, page by page, into the store's staging area: ids, matching keys,
 * per-field hashes, amounts, statuses and plain dates only (`docs/architecture.md#reconciliation`).
 *
 * @module
 */
import PQueue from 'p-queue';
import { linkedId } from '../../cliniko/links.js';
import type { UnreadableRow } from '../../cliniko/listing.js';
import type { ClinikoInvoice } from '../../cliniko/schemas/invoice.js';
import type { ClinikoInvoiceItem } from '../../cliniko/schemas/invoice-item.js';
import type { ClinikoPatient } from '../../cliniko/schemas/patient.js';
import { instantToEpochMs, isPlainDate, toLocalDate } from '../../core/dates.js';
import { Decimal } from '../../core/decimal.js';
import { DEFAULT_STATUS_TABLE } from '../../mapping/config.js';
import { lineTaxRate } from '../../mapping/tax.js';
import { collect } from '../../tradify/pagination.js';
import type { TradifyCustomer, TradifyInvoice, TradifyPayment } from '../../tradify/port.js';
import type { StagingRow } from '../ports.js';
import type { ExpectInvoice } from './expectation.js';
import { customerFieldHashes, defaultExpectedCustomer, emailHashes } from './normalise.js';
import { issuePaths, monthOf, unreadableClinikoInvoiceField, unreadableFinding, unreadableTradifyInvoiceField } from './readable.js';
import type { UnreadableRecord, UnreadableSink } from './readable.js';
import type { ReconcileInternals } from './types.js';

/** The staged kinds. */
export const STAGED = {
  patient: 'patient',
  patientEmail: 'patient-email',
  clinikoInvoice: 'invoice',
  customer: 'customer',
  customerEmail: 'customer-email',
  tradifyInvoice: 'invoice',
  payment: 'payment',
} as const;

const CLINIKO_REF = /^cliniko:(patient|invoice):(\d{1,20})(?::r(\d+))?$/;

/** A parsed `cliniko:` external reference. */
export interface ClinikoReference {
  kind: 'patient' | 'invoice';
  clinikoId: string;
  revision: number;
}

/** Reads `cliniko:patient:<id>` / `cliniko:invoice:<id>[:r<n>]`; `undefined` for anything else. */
export function parseClinikoReference(ref: string | null | undefined): ClinikoReference | undefined {
  const match = ref ? CLINIKO_REF.exec(ref) : null;
  if (!match) return undefined;
  return { kind: match[1] as 'patient' | 'invoice', clinikoId: match[2]!, revision: match[3] ? Number(match[3]) : 0 };
}

/** The reference key a staged row is found by: the reference without its `:r<n>` suffix. */
export function referenceKey(kind: 'patient' | 'invoice', clinikoId: string): string {
  return `cliniko:${kind}:${clinikoId}`;
}

/** Shared state of one staging pass. */
export interface StageContext {
  internals: ReconcileInternals;
  runId: string;
  signal?: AbortSignal | undefined;
  /** Called after every page (heartbeat). */
  afterPage: () => Promise<void>;
  /** Receives every record that cannot be read (an `unreadable-record` finding). */
  unreadable: UnreadableSink;
}

/**
 * Reports an unreadable record and, when its id is known, stages a stand-in row under its
 * reference key so the other side does not take it for missing or orphaned. The stand-in
 * carries `unreadable` (the field) and nothing else to compare.
 */
function setAsideRow(ctx: StageContext, record: UnreadableRecord, row: Omit<StagingRow, 'runId' | 'fields'> | undefined): StagingRow[] {
  ctx.unreadable(unreadableFinding(record));
  if (!row) return [];
  return [{ ...row, runId: ctx.runId, fields: {}, attributes: { ...row.attributes, unreadable: record.path } }];
}

function unreadableCliniko(ctx: StageContext, entity: 'patient' | 'invoice', row: UnreadableRow): StagingRow[] {
  const record: UnreadableRecord = { side: 'cliniko', entity, clinikoId: row.id, path: issuePaths(row), reason: 'failed-schema' };
  const kind = entity === 'patient' ? STAGED.patient : STAGED.clinikoInvoice;
  return setAsideRow(ctx, record, row.id === null ? undefined : { side: 'cliniko', kind, id: row.id, key: referenceKey(entity, row.id), attributes: {} });
}

async function put(ctx: StageContext, rows: StagingRow[]): Promise<void> {
  if (rows.length > 0) await ctx.internals.store.staging.put(ctx.internals.accountId, rows, { signal: ctx.signal });
}

function base(ctx: StageContext, side: 'cliniko' | 'tradify', kind: string, id: string): Pick<StagingRow, 'runId' | 'side' | 'kind' | 'id'> {
  return { runId: ctx.runId, side, kind, id };
}

// ---------------------------------------------------------------------------------------------
// Tradify

function customerRows(ctx: StageContext, c: TradifyCustomer): StagingRow[] {
  const { accountId } = ctx.internals;
  const ref = parseClinikoReference(c.externalReference);
  const row: StagingRow = {
    ...base(ctx, 'tradify', STAGED.customer, c.id),
    key: ref ? referenceKey(ref.kind, ref.clinikoId) : undefined,
    fields: customerFieldHashes(accountId, c),
    attributes: { hasReference: ref ? 'true' : 'false', clinikoId: ref?.clinikoId ?? null, active: String(c.active) },
  };
  const emails = emailHashes(accountId, c.email).map((hash, i) => ({
    ...base(ctx, 'tradify', STAGED.customerEmail, `${c.id}#${i}`),
    key: hash,
    fields: {},
    attributes: { customerId: c.id, hasReference: ref ? 'true' : 'false' },
  }));
  return [row, ...emails];
}

/** Stages every Tradify customer, inactive included. Returns how many. */
export async function stageTradifyCustomers(ctx: StageContext): Promise<number> {
  let count = 0;
  for await (const page of ctx.internals.tradify.customers.list({ includeInactive: true, signal: ctx.signal }).pages()) {
    await put(ctx, page.flatMap((c) => customerRows(ctx, c)));
    count += page.length;
    await ctx.afterPage();
  }
  return count;
}

function lineAmounts(invoice: TradifyInvoice): Record<string, string> {
  const out: Record<string, string> = {};
  invoice.lineItems.forEach((line, i) => {
    out[`line.${i + 1}.inc`] = line.amountIncTax;
    out[`line.${i + 1}.rate`] = line.taxRatePercent ?? '0';
  });
  return out;
}

function tradifyInvoiceRow(ctx: StageContext, inv: TradifyInvoice): StagingRow {
  const ref = parseClinikoReference(inv.externalReference);
  const roundingLines = inv.lineItems.filter((l) => /^rounding\b/i.test(l.description)).length;
  return {
    ...base(ctx, 'tradify', STAGED.tradifyInvoice, inv.id),
    key: ref?.kind === 'invoice' ? referenceKey('invoice', ref.clinikoId) : undefined,
    fields: {},
    amounts: { total: inv.total, tax: inv.totalTax, paid: inv.amountPaid, credited: inv.amountCredited, ...lineAmounts(inv) },
    attributes: {
      clinikoId: ref?.kind === 'invoice' ? ref.clinikoId : null,
      revision: ref ? String(ref.revision) : null,
      status: inv.status,
      invoiceDate: inv.invoiceDate,
      customerId: inv.customerId,
      lineCount: String(inv.lineItems.length - roundingLines),
    },
  };
}

/** A Tradify invoice whose fields reconciliation reads, or its stand-in when one cannot be read. */
function tradifyInvoiceRows(ctx: StageContext, inv: TradifyInvoice): StagingRow[] {
  const path = unreadableTradifyInvoiceField(inv);
  if (path === undefined) return [tradifyInvoiceRow(ctx, inv)];
  const ref = parseClinikoReference(inv.externalReference);
  const clinikoId = ref?.kind === 'invoice' ? ref.clinikoId : null;
  const record: UnreadableRecord = { side: 'tradify', entity: 'invoice', clinikoId, tradifyId: inv.id, path, reason: 'value-unreadable' };
  const key = clinikoId === null ? undefined : referenceKey('invoice', clinikoId);
  return setAsideRow(ctx, record, { side: 'tradify', kind: STAGED.tradifyInvoice, id: inv.id, key, attributes: { clinikoId, status: inv.status } });
}

function paymentRow(ctx: StageContext, p: TradifyPayment): StagingRow {
  return { ...base(ctx, 'tradify', STAGED.payment, p.id), key: p.invoiceId, fields: {}, amounts: { amount: p.amount }, attributes: { invoiceId: p.invoiceId, date: p.date } };
}

/** The payments whose date can be read; an unreadable one makes its invoice an unreadable record. */
function readablePayments(ctx: StageContext, inv: TradifyInvoice, payments: readonly TradifyPayment[]): TradifyPayment[] {
  const readable = payments.filter((p) => isPlainDate(p.date));
  if (readable.length < payments.length) {
    const clinikoId = parseClinikoReference(inv.externalReference)?.clinikoId ?? null;
    ctx.unreadable(unreadableFinding({ side: 'tradify', entity: 'invoice', clinikoId, tradifyId: inv.id, path: 'payments.date', reason: 'value-unreadable', month: monthOf(inv.invoiceDate) }));
  }
  return readable;
}

/** Payment listings in flight at once: enough to keep the paced queue busy through latency. */
const PAYMENT_CONCURRENCY = 8;

/**
 * Stages every Tradify invoice, and the payments of Cliniko-referenced invoices with money
 * paid. Payment listings overlap the next invoice pages (bounded), so the client's pacing,
 * not the round trips, sets the speed.
 */
export async function stageTradifyInvoices(ctx: StageContext, issuedSince: string | undefined): Promise<number> {
  const queue = new PQueue({ concurrency: PAYMENT_CONCURRENCY });
  let failure: unknown;
  const stagePayments = async (inv: TradifyInvoice) => {
    const payments = await collect(ctx.internals.tradify.payments.list(inv.id, { signal: ctx.signal }));
    await put(ctx, readablePayments(ctx, inv, payments).map((p) => paymentRow(ctx, p)));
  };
  let count = 0;
  for await (const page of ctx.internals.tradify.invoices.list({ signal: ctx.signal }).pages()) {
    if (failure !== undefined) break;
    const kept = page.filter((inv) => issuedSince === undefined || inv.invoiceDate >= issuedSince);
    await put(ctx, kept.flatMap((inv) => tradifyInvoiceRows(ctx, inv)));
    count += kept.length;
    for (const inv of kept.filter(needsPayments)) {
      void queue.add(() => stagePayments(inv)).catch((error: unknown) => (failure ??= error));
    }
    await queue.onSizeLessThan(PAYMENT_CONCURRENCY * 4);
    await ctx.afterPage();
  }
  await queue.onIdle();
  if (failure !== undefined) throw failure;
  return count;
}

/** Payments are read only where the cash-basis view needs them: referenced, live, readable, money paid. */
function needsPayments(inv: TradifyInvoice): boolean {
  if (unreadableTradifyInvoiceField(inv) !== undefined) return false;
  return parseClinikoReference(inv.externalReference)?.kind === 'invoice' && inv.status !== 'cancelled' && !Decimal.from(inv.amountPaid).isZero();
}

// ---------------------------------------------------------------------------------------------
// Cliniko

function patientRows(ctx: StageContext, p: ClinikoPatient): StagingRow[] {
  const { accountId } = ctx.internals;
  const expected = (ctx.internals.expectedCustomer ?? defaultExpectedCustomer)(p);
  const row: StagingRow = {
    ...base(ctx, 'cliniko', STAGED.patient, p.id),
    key: referenceKey('patient', p.id),
    fields: expected ? customerFieldHashes(accountId, expected) : {},
    attributes: {
      filtered: expected ? 'false' : 'true',
      archived: p.archived_at === null ? 'false' : 'true',
      mergedInto: p.merged_at === null ? null : linkedId(p.merged_with_patient),
    },
  };
  const emails = emailHashes(accountId, p.email).map((hash, i) => ({
    ...base(ctx, 'cliniko', STAGED.patientEmail, `${p.id}#${i}`),
    key: hash,
    fields: {},
    attributes: { patientId: p.id },
  }));
  return [row, ...emails];
}

/** Stages every Cliniko patient, archived included (unreadable ones as stand-ins). Returns how many. */
export async function stageClinikoPatients(ctx: StageContext): Promise<number> {
  let count = 0;
  for await (const page of ctx.internals.cliniko.patientPages({ signal: ctx.signal })) {
    const unreadable = page.unreadable.flatMap((row) => unreadableCliniko(ctx, 'patient', row));
    await put(ctx, [...page.records.flatMap((p) => patientRows(ctx, p)), ...unreadable]);
    count += page.records.length + page.unreadable.length;
    await ctx.afterPage();
  }
  return count;
}

function compareItemIds(a: ClinikoInvoiceItem, b: ClinikoInvoiceItem): number {
  const x = BigInt(a.id);
  const y = BigInt(b.id);
  return x < y ? -1 : x > y ? 1 : 0;
}

function itemAmounts(items: readonly ClinikoInvoiceItem[], knownPercents: readonly Decimal[]): Record<string, string> {
  const out: Record<string, string> = {};
  [...items].sort(compareItemIds).forEach((item, i) => {
    out[`line.${i + 1}.inc`] = item.total_including_tax ?? '0';
    out[`line.${i + 1}.rate`] = lineTaxRate(item, knownPercents).percent?.toString() ?? 'unknown';
  });
  return out;
}

function latestUpdate(items: readonly ClinikoInvoiceItem[]): string | null {
  let latest: string | null = null;
  let latestMs = -Infinity;
  for (const item of items) {
    const ms = instantToEpochMs(item.updated_at);
    if (ms > latestMs) [latest, latestMs] = [item.updated_at, ms];
  }
  return latest;
}

/** What the staging of Cliniko invoices is given besides the invoices. */
export interface InvoiceStaging {
  /** Distinct percents of Tradify's tax rates, to read a line's rate. */
  knownPercents: readonly Decimal[];
  /** The engine's mapping verdict on an invoice (only asked for invoices whose lines are read). */
  expect: ExpectInvoice;
}

function clinikoInvoiceRow(ctx: StageContext, inv: ClinikoInvoice, items: readonly ClinikoInvoiceItem[], staging: InvoiceStaging, withItems: boolean): StagingRow {
  const paidDate = inv.closed_at ? toLocalDate(inv.closed_at, ctx.internals.timeZone) : inv.issue_date;
  const expectation = withItems ? staging.expect(inv, items) : undefined;
  return {
    ...base(ctx, 'cliniko', STAGED.clinikoInvoice, inv.id),
    key: referenceKey('invoice', inv.id),
    fields: {},
    amounts: {
      total: inv.total_amount ?? '0',
      tax: inv.tax_amount ?? '0',
      ...itemAmounts(items, staging.knownPercents),
      ...(expectation?.mappedTotal != null ? { 'mapped.total': expectation.mappedTotal, 'mapped.tax': expectation.mappedTax ?? '0' } : {}),
    },
    attributes: {
      status: inv.status === null ? 'null' : String(inv.status),
      issueDate: inv.issue_date,
      paidDate,
      patientId: linkedId(inv.patient),
      deleted: inv.deleted_at === null ? 'false' : 'true',
      archived: inv.archived_at === null ? 'false' : 'true',
      lineCount: String(items.length),
      // the planner's settle window runs from the last change of the invoice or its items
      updatedAt: inv.updated_at,
      itemsUpdatedAt: latestUpdate(items),
      policy: expectation?.policy ?? null,
      mustStayDraft: expectation?.mustStayDraft ?? 'false',
      draftWhy: expectation?.draftWhy ?? null,
    },
  };
}

/** The invoice's row, or its stand-in when a field of it or of its items cannot be read. */
function clinikoInvoiceRows(ctx: StageContext, inv: ClinikoInvoice, items: readonly ClinikoInvoiceItem[], staging: InvoiceStaging, withItems: boolean): StagingRow[] {
  const path = unreadableClinikoInvoiceField(inv, items);
  if (path === undefined) return [clinikoInvoiceRow(ctx, inv, items, staging, withItems)];
  const record: UnreadableRecord = { side: 'cliniko', entity: 'invoice', clinikoId: inv.id, path, reason: 'value-unreadable', month: monthOf(inv.issue_date) };
  return setAsideRow(ctx, record, { side: 'cliniko', kind: STAGED.clinikoInvoice, id: inv.id, key: referenceKey('invoice', inv.id), attributes: {} });
}

/** Items wanted per items request: a little under a page, so variance rarely spills onto a second. */
const ITEMS_PER_BATCH = 95;

/**
 * Sizes item batches from the items seen so far, so each `invoice_id:=…` request fills about
 * one page of 100 items (`docs/architecture.md#few-requests`) instead of one request per invoice page.
 */
class ItemBatcher {
  #invoices = 0;
  #items = 0;

  size(): number {
    const perInvoice = this.#invoices === 0 ? 2.5 : Math.max(this.#items / this.#invoices, 0.01);
    return Math.min(100, Math.max(1, Math.floor(ITEMS_PER_BATCH / perInvoice)));
  }

  record(invoices: number, items: number): void {
    this.#invoices += invoices;
    this.#items += items;
  }
}

/**
 * Whether reconciliation compares this invoice's lines: only live invoices the status table
 * syncs as Open or Paid (a closed, credit or deleted invoice is compared on status alone).
 */
function needsItems(ctx: StageContext, inv: ClinikoInvoice): boolean {
  const table = ctx.internals.mapping?.statusTable ?? DEFAULT_STATUS_TABLE;
  const behaviour = table[(inv.status === null ? 'null' : String(inv.status)) as keyof typeof table];
  return inv.deleted_at === null && (behaviour === 'open' || behaviour === 'paid');
}

/** Items of the batch by invoice, and the invoices whose items cannot be read (with the field). */
interface BatchItems {
  byInvoice: Map<string, ClinikoInvoiceItem[]>;
  unreadable: Map<string, string>;
}

/**
 * Reads the items of a batch in as few pages as possible. When an item fails its schema, the
 * batch's items are read again invoice by invoice to find whose it is (only then: bad data is
 * rare, and the extra requests are one per invoice of that batch).
 */
async function readBatchItems(ctx: StageContext, invoiceIds: readonly string[]): Promise<BatchItems> {
  const out: BatchItems = { byInvoice: new Map(), unreadable: new Map() };
  if (invoiceIds.length === 0) return out;
  const page = await ctx.internals.cliniko.itemsOfInvoices(invoiceIds, { signal: ctx.signal });
  if (page.unreadable.length > 0 && invoiceIds.length > 1) {
    for (const id of invoiceIds) mergeBatchItems(out, await readBatchItems(ctx, [id]));
    return out;
  }
  if (page.unreadable.length > 0) out.unreadable.set(invoiceIds[0]!, page.unreadable.map((row) => issuePaths(row, 'invoice_items.')).join(', '));
  for (const item of page.records) {
    const invoiceId = linkedId(item.invoice);
    if (invoiceId !== null) out.byInvoice.set(invoiceId, [...(out.byInvoice.get(invoiceId) ?? []), item]);
  }
  return out;
}

function mergeBatchItems(into: BatchItems, part: BatchItems): void {
  for (const [id, items] of part.byInvoice) into.byInvoice.set(id, items);
  for (const [id, path] of part.unreadable) into.unreadable.set(id, path);
}

function invoiceRowsOf(ctx: StageContext, inv: ClinikoInvoice, items: BatchItems, staging: InvoiceStaging, withItems: boolean): StagingRow[] {
  const itemsPath = items.unreadable.get(inv.id);
  if (itemsPath === undefined) return clinikoInvoiceRows(ctx, inv, items.byInvoice.get(inv.id) ?? [], staging, withItems);
  const record: UnreadableRecord = { side: 'cliniko', entity: 'invoice', clinikoId: inv.id, path: itemsPath, reason: 'failed-schema', month: monthOf(inv.issue_date) };
  return setAsideRow(ctx, record, { side: 'cliniko', kind: STAGED.clinikoInvoice, id: inv.id, key: referenceKey('invoice', inv.id), attributes: {} });
}

async function stageInvoiceBatch(ctx: StageContext, batch: readonly ClinikoInvoice[], batcher: ItemBatcher, staging: InvoiceStaging): Promise<void> {
  const live = batch.filter((inv) => needsItems(ctx, inv)).map((inv) => inv.id);
  const items = await readBatchItems(ctx, live);
  batcher.record(live.length, [...items.byInvoice.values()].reduce((n, list) => n + list.length, 0));
  const withItems = new Set(live);
  await put(ctx, batch.flatMap((inv) => invoiceRowsOf(ctx, inv, items, staging, withItems.has(inv.id))));
}

/** Takes invoices off the front of `pending` until `size` of them need their items. */
function takeBatch(ctx: StageContext, pending: ClinikoInvoice[], size: number): ClinikoInvoice[] {
  let wanted = 0;
  let end = 0;
  while (end < pending.length && wanted < size) {
    if (needsItems(ctx, pending[end]!)) wanted += 1;
    end += 1;
  }
  return pending.splice(0, end);
}

function wantedCount(ctx: StageContext, invoices: readonly ClinikoInvoice[]): number {
  return invoices.filter((inv) => needsItems(ctx, inv)).length;
}

/**
 * Stages every Cliniko invoice (deleted and archived included) with its live items' figures
 * and the engine's mapping verdict; unreadable invoices as stand-ins.
 */
export async function stageClinikoInvoices(ctx: StageContext, issuedSince: string | undefined, staging: InvoiceStaging): Promise<number> {
  const batcher = new ItemBatcher();
  const pending: ClinikoInvoice[] = [];
  let count = 0;
  for await (const page of ctx.internals.cliniko.invoicePages({ signal: ctx.signal, issuedSince })) {
    await put(ctx, page.unreadable.flatMap((row) => unreadableCliniko(ctx, 'invoice', row)));
    pending.push(...page.records);
    count += page.records.length + page.unreadable.length;
    while (wantedCount(ctx, pending) >= batcher.size()) await stageInvoiceBatch(ctx, takeBatch(ctx, pending, batcher.size()), batcher, staging);
    await ctx.afterPage();
  }
  while (pending.length > 0) await stageInvoiceBatch(ctx, takeBatch(ctx, pending, batcher.size()), batcher, staging);
  return count;
}
