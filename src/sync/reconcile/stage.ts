/**
 * Reading both sides whole, page by page, into the store's staging area: ids, matching keys,
 * per-field hashes, amounts, statuses and plain dates only (`docs/architecture.md#reconciliation`).
 *
 * @module
 */
import PQueue from 'p-queue';
import { linkedId } from '../../cliniko/links.js';
import type { ClinikoInvoice } from '../../cliniko/schemas/invoice.js';
import type { ClinikoInvoiceItem } from '../../cliniko/schemas/invoice-item.js';
import type { ClinikoPatient } from '../../cliniko/schemas/patient.js';
import { instantToEpochMs, toLocalDate } from '../../core/dates.js';
import { Decimal } from '../../core/decimal.js';
import { DEFAULT_STATUS_TABLE } from '../../mapping/config.js';
import { lineTaxRate } from '../../mapping/tax.js';
import { collect } from '../../tradify/pagination.js';
import type { TradifyCustomer, TradifyInvoice, TradifyPayment } from '../../tradify/port.js';
import type { StagingRow } from '../ports.js';
import { customerFieldHashes, defaultExpectedCustomer, emailHashes } from './normalise.js';
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

function paymentRow(ctx: StageContext, p: TradifyPayment): StagingRow {
  return { ...base(ctx, 'tradify', STAGED.payment, p.id), key: p.invoiceId, fields: {}, amounts: { amount: p.amount }, attributes: { invoiceId: p.invoiceId, date: p.date } };
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
  const stagePayments = async (invoiceId: string) => {
    const payments = await collect(ctx.internals.tradify.payments.list(invoiceId, { signal: ctx.signal }));
    await put(ctx, payments.map((p) => paymentRow(ctx, p)));
  };
  let count = 0;
  for await (const page of ctx.internals.tradify.invoices.list({ signal: ctx.signal }).pages()) {
    if (failure !== undefined) break;
    const kept = page.filter((inv) => issuedSince === undefined || inv.invoiceDate >= issuedSince);
    await put(ctx, kept.map((inv) => tradifyInvoiceRow(ctx, inv)));
    count += kept.length;
    for (const inv of kept.filter(needsPayments)) {
      void queue.add(() => stagePayments(inv.id)).catch((error: unknown) => (failure ??= error));
    }
    await queue.onSizeLessThan(PAYMENT_CONCURRENCY * 4);
    await ctx.afterPage();
  }
  await queue.onIdle();
  if (failure !== undefined) throw failure;
  return count;
}

/** Payments are read only where the cash-basis view needs them: referenced, live, money paid. */
function needsPayments(inv: TradifyInvoice): boolean {
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

/** Stages every Cliniko patient, archived included. Returns how many. */
export async function stageClinikoPatients(ctx: StageContext): Promise<number> {
  let count = 0;
  for await (const page of ctx.internals.cliniko.patientPages({ signal: ctx.signal })) {
    await put(ctx, page.flatMap((p) => patientRows(ctx, p)));
    count += page.length;
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

function clinikoInvoiceRow(ctx: StageContext, inv: ClinikoInvoice, items: readonly ClinikoInvoiceItem[], knownPercents: readonly Decimal[]): StagingRow {
  const paidDate = inv.closed_at ? toLocalDate(inv.closed_at, ctx.internals.timeZone) : inv.issue_date;
  return {
    ...base(ctx, 'cliniko', STAGED.clinikoInvoice, inv.id),
    key: referenceKey('invoice', inv.id),
    fields: {},
    amounts: { total: inv.total_amount ?? '0', tax: inv.tax_amount ?? '0', ...itemAmounts(items, knownPercents) },
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
    },
  };
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

async function stageInvoiceBatch(ctx: StageContext, batch: readonly ClinikoInvoice[], batcher: ItemBatcher, knownPercents: readonly Decimal[]): Promise<void> {
  const live = batch.filter((inv) => needsItems(ctx, inv)).map((inv) => inv.id);
  const items = live.length > 0 ? await ctx.internals.cliniko.itemsOfInvoices(live, { signal: ctx.signal }) : [];
  batcher.record(live.length, items.length);
  const byInvoice = new Map<string, ClinikoInvoiceItem[]>();
  for (const item of items) {
    const invoiceId = linkedId(item.invoice);
    if (invoiceId !== null) byInvoice.set(invoiceId, [...(byInvoice.get(invoiceId) ?? []), item]);
  }
  await put(ctx, batch.map((inv) => clinikoInvoiceRow(ctx, inv, byInvoice.get(inv.id) ?? [], knownPercents)));
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

/** Stages every Cliniko invoice (deleted and archived included) with its live items' figures. */
export async function stageClinikoInvoices(ctx: StageContext, issuedSince: string | undefined, knownPercents: readonly Decimal[]): Promise<number> {
  const batcher = new ItemBatcher();
  const pending: ClinikoInvoice[] = [];
  let count = 0;
  for await (const page of ctx.internals.cliniko.invoicePages({ signal: ctx.signal, issuedSince })) {
    pending.push(...page);
    count += page.length;
    while (wantedCount(ctx, pending) >= batcher.size()) await stageInvoiceBatch(ctx, takeBatch(ctx, pending, batcher.size()), batcher, knownPercents);
    await ctx.afterPage();
  }
  while (pending.length > 0) await stageInvoiceBatch(ctx, takeBatch(ctx, pending, batcher.size()), batcher, knownPercents);
  return count;
}
