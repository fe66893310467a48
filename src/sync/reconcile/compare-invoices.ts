/**
 * Cliniko invoices ↔ Tradify invoices, with Cliniko's RAW figures (`total_amount`,
 * `tax_amount`, per-line `total_including_tax` and the rate: `tax_rate`, else `tax_amount` under a `tax_name`, else the ratio) — never
 * the mapper's recalculation — and status through the status table and approval policy.
 *
 * @module
 */
import { Decimal } from '../../core/decimal.js';
import { DEFAULT_STATUS_TABLE } from '../../mapping/config.js';
import type { StatusBehaviour } from '../../mapping/config.js';
import type { LinkRecord, StagingRow } from '../ports.js';
import type { KnownReason, MismatchField } from '../report/types.js';
import { addFinding, attr, forEachStagedPage, stagedByKey, stagedMany } from './context.js';
import type { CompareContext } from './context.js';
import { clinikoCents, judgeGst, taxShare } from './money.js';
import type { GstVerdict, InvoiceMoney } from './money.js';
import { STAGED } from './stage.js';
import { agreesToTheCent } from '../totals.js';

function behaviourOf(ctx: CompareContext, invoice: StagingRow): StatusBehaviour {
  const table = ctx.internals.mapping?.statusTable ?? DEFAULT_STATUS_TABLE;
  const status = attr(invoice, 'status') ?? 'null';
  return table[status as keyof typeof table] ?? 'review';
}

function month(invoice: StagingRow): string | null {
  return attr(invoice, 'issueDate')?.slice(0, 7) ?? null;
}

function mismatch(ctx: CompareContext, invoice: StagingRow, tradify: StagingRow, field: MismatchField, clinikoValue: string | null, tradifyValue: string | null, extra: { line?: number; reason?: string; fixable?: boolean } = {}): void {
  const contentFixable = extra.fixable ?? attr(tradify, 'status') === 'draft';
  addFinding(ctx, 'field-mismatch', {
    entity: 'invoice',
    clinikoId: invoice.id,
    tradifyId: tradify.id,
    field,
    line: extra.line,
    clinikoValue,
    tradifyValue,
    reason: extra.reason ?? 'value-differs',
    month: month(invoice),
    fixable: contentFixable,
  });
}

function amount(row: StagingRow, name: string): Decimal | undefined {
  return Decimal.tryFrom(row.amounts?.[name]);
}

/** Lines carrying GST (rate not 0) when both sides have the same lines; `undefined` when they do not. */
function taxedLines(invoice: StagingRow, tradify: StagingRow): number | undefined {
  const count = Number(attr(invoice, 'lineCount') ?? '0');
  if (String(count) !== attr(tradify, 'lineCount')) return undefined;
  let taxed = 0;
  for (let line = 1; line <= count; line++) if (!amount(invoice, `line.${line}.rate`)?.isZero()) taxed += 1;
  return taxed;
}

/** The invoice's GST on both sides (Cliniko's as its invoice states it in cents) and the verdict. */
function gstOf(invoice: StagingRow, tradify: StagingRow): { verdict: GstVerdict; cliniko: Decimal; tradify: Decimal } {
  const raw = amount(invoice, 'tax') ?? Decimal.ZERO;
  const tradifyTax = amount(tradify, 'tax') ?? Decimal.ZERO;
  return { verdict: judgeGst(raw, tradifyTax, taxedLines(invoice, tradify)), cliniko: clinikoCents(raw, tradifyTax), tradify: tradifyTax };
}

function compareMoney(ctx: CompareContext, invoice: StagingRow, tradify: StagingRow): void {
  const total = amount(invoice, 'total') ?? Decimal.ZERO;
  const tradifyTotal = amount(tradify, 'total') ?? Decimal.ZERO;
  const clinikoTotal = clinikoCents(total, tradifyTotal);
  if (!clinikoTotal.eq(tradifyTotal)) mismatch(ctx, invoice, tradify, 'total', clinikoTotal.toFixed(2), tradifyTotal.toFixed(2));
  const gst = gstOf(invoice, tradify);
  if (gst.verdict === 'differs') mismatch(ctx, invoice, tradify, 'tax', gst.cliniko.toFixed(2), gst.tradify.toFixed(2));
  if (attr(invoice, 'issueDate') !== attr(tradify, 'invoiceDate')) {
    mismatch(ctx, invoice, tradify, 'invoice-date', attr(invoice, 'issueDate'), attr(tradify, 'invoiceDate'));
  }
  compareLines(ctx, invoice, tradify);
}

function compareLines(ctx: CompareContext, invoice: StagingRow, tradify: StagingRow): void {
  const count = Number(attr(invoice, 'lineCount') ?? '0');
  if (String(count) !== attr(tradify, 'lineCount')) {
    mismatch(ctx, invoice, tradify, 'line-total', String(count), attr(tradify, 'lineCount'), { reason: 'line-count-differs' });
    return;
  }
  for (let line = 1; line <= count; line++) {
    const cInc = amount(invoice, `line.${line}.inc`) ?? Decimal.ZERO;
    const tInc = amount(tradify, `line.${line}.inc`) ?? Decimal.ZERO;
    if (!agreesToTheCent(cInc, tInc)) mismatch(ctx, invoice, tradify, 'line-total', cInc.toFixed(2), tInc.toFixed(2), { line });
    const cRate = amount(invoice, `line.${line}.rate`);
    const tRate = amount(tradify, `line.${line}.rate`);
    if (cRate === undefined || tRate === undefined || !cRate.eq(tRate)) {
      mismatch(ctx, invoice, tradify, 'tax-rate', cRate?.toString() ?? 'unknown', tRate?.toString() ?? null, { line, reason: cRate === undefined ? 'cliniko-rate-unknown' : 'value-differs' });
    }
  }
}

function compareStatus(ctx: CompareContext, invoice: StagingRow, tradify: StagingRow): void {
  if (ctx.reviewedIds.has(invoice.id)) return;
  const verdict = ctx.judgeStatus(invoice, tradify);
  if (verdict.agrees) return;
  const withdrawn = attr(invoice, 'deleted') === 'true' ? ' (deleted)' : attr(invoice, 'archived') === 'true' ? ' (archived)' : '';
  const clinikoValue = `${attr(invoice, 'status')}${withdrawn}`;
  mismatch(ctx, invoice, tradify, 'status', clinikoValue, attr(tradify, 'status'), { reason: verdict.reason, fixable: verdict.fixable });
}

/** Deleted or archived in Cliniko: the sync withdraws it, so its money is not compared. */
function isWithdrawn(invoice: StagingRow): boolean {
  return attr(invoice, 'deleted') === 'true' || attr(invoice, 'archived') === 'true';
}

/**
 * Notes a linked invoice whose Tradify copy is a draft the sync deliberately leaves a draft
 * (the mapping says it must stay one and the status planner agrees) and which holds exactly
 * the draft the mapping writes: its differences from Cliniko are then the mapping's, explained.
 */
function noteExplainedDraft(ctx: CompareContext, invoice: StagingRow, tradify: StagingRow): void {
  const why = attr(invoice, 'draftWhy');
  const mappedTotal = amount(invoice, 'mapped.total');
  const mappedTax = amount(invoice, 'mapped.tax');
  if (why === null || mappedTotal === undefined || mappedTax === undefined || attr(tradify, 'status') !== 'draft') return;
  const lines = Number(attr(tradify, 'lineCount') ?? '0');
  if (!agreesToTheCent(mappedTotal, amount(tradify, 'total') ?? Decimal.ZERO) || judgeGst(mappedTax, amount(tradify, 'tax') ?? Decimal.ZERO, lines) === 'differs') return;
  if (ctx.judgeStatus(invoice, tradify).agrees) ctx.draftsExplained.set(invoice.id, why);
}

function compareLinked(ctx: CompareContext, invoice: StagingRow, tradify: StagingRow): void {
  if (attr(tradify, 'unreadable') !== null) return; // reported when it was read
  compareStatus(ctx, invoice, tradify);
  const status = attr(tradify, 'status') ?? '';
  if (status !== 'cancelled' && !isWithdrawn(invoice)) {
    compareMoney(ctx, invoice, tradify);
    noteExplainedDraft(ctx, invoice, tradify);
  }
}

/** The policy by which the sync never writes this invoice, if any. */
function policySkip(ctx: CompareContext, invoice: StagingRow, patient: StagingRow | undefined): KnownReason | undefined {
  if (attr(invoice, 'deleted') === 'true') return 'deleted';
  // Cliniko's archive withdraws an invoice raised in error: the sync skips it, or takes its draft back
  if (attr(invoice, 'archived') === 'true') return 'archived';
  const behaviour = behaviourOf(ctx, invoice);
  if (behaviour === 'closed') return 'closed';
  if (behaviour !== 'open' && behaviour !== 'paid') return attr(invoice, 'status') === '40' ? 'open-credit' : 'status-table';
  if (attr(patient, 'filtered') === 'true' || attr(invoice, 'policy') === 'invoice-filtered') return 'filtered';
  return attr(invoice, 'policy') === 'vetoed' ? 'vetoed' : undefined;
}

/** Why the sync deliberately leaves this invoice out of Tradify (not "missing"): a policy, or an open review. */
function leftOut(ctx: CompareContext, invoice: StagingRow, patient: StagingRow | undefined): KnownReason | undefined {
  return policySkip(ctx, invoice, patient) ?? (ctx.reviewedIds.has(invoice.id) ? 'in-review' : undefined);
}

/**
 * Whether the money summary counts this Cliniko invoice: every invoice the sync carries (no
 * policy leaves it out), those waiting in the review queue included (Cliniko is the source of
 * truth; what Tradify shows for them is a known difference).
 */
function countsMoney(ctx: CompareContext, invoice: StagingRow, patient: StagingRow | undefined): boolean {
  return attr(invoice, 'unreadable') === null && policySkip(ctx, invoice, patient) === undefined && attr(invoice, 'issueDate') !== null;
}

/** The live, readable Tradify invoice that is this Cliniko invoice's copy: the linked one, referencing it. */
function moneyPartner(invoice: StagingRow, linked: StagingRow | undefined): StagingRow | undefined {
  if (!linked || attr(linked, 'status') === 'cancelled' || attr(linked, 'unreadable') !== null || attr(linked, 'clinikoId') !== invoice.id) return undefined;
  return linked;
}

/** Cliniko's side in cents; a Paid invoice is received in full on its paid date (Cliniko has no payments API). */
function clinikoMoney(ctx: CompareContext, invoice: StagingRow, partner: StagingRow | undefined): InvoiceMoney {
  const total = clinikoCents(amount(invoice, 'total') ?? Decimal.ZERO, partner && amount(partner, 'total'));
  const tax = clinikoCents(amount(invoice, 'tax') ?? Decimal.ZERO, partner && amount(partner, 'tax'));
  const paidDate = attr(invoice, 'paidDate');
  const payments = behaviourOf(ctx, invoice) === 'paid' && paidDate !== null ? [{ date: paidDate, amount: total, tax }] : [];
  return { issueDate: attr(invoice, 'issueDate')!, total, tax, payments };
}

/** Tradify's side: its figures and its payments, each with its GST share. */
async function tradifyMoney(ctx: CompareContext, invoice: StagingRow): Promise<InvoiceMoney> {
  const total = amount(invoice, 'total') ?? Decimal.ZERO;
  const tax = amount(invoice, 'tax') ?? Decimal.ZERO;
  const paid = (amount(invoice, 'paid') ?? Decimal.ZERO).isZero() ? [] : await stagedByKey(ctx, 'tradify', STAGED.payment, invoice.id);
  const payments = paid.map((payment) => {
    const received = amount(payment, 'amount') ?? Decimal.ZERO;
    return { date: attr(payment, 'date')!, amount: received, tax: taxShare(received, total, tax) };
  });
  return { issueDate: attr(invoice, 'invoiceDate')!, total, tax, payments };
}

/** Counts a Cliniko invoice the sync carries, with its Tradify copy when it has one. */
async function countInvoiceMoney(ctx: CompareContext, invoice: StagingRow, linked: StagingRow | undefined): Promise<void> {
  const partner = moneyPartner(invoice, linked);
  const tradify = partner && (await tradifyMoney(ctx, partner));
  ctx.money.addInvoice(invoice.id, clinikoMoney(ctx, invoice, partner), tradify, partner && gstOf(invoice, partner).verdict);
}

function checkInvoice(ctx: CompareContext, invoice: StagingRow, link: LinkRecord | undefined, linked: StagingRow | undefined, referenced: readonly StagingRow[], patient: StagingRow | undefined): void {
  const live = referenced.filter((r) => attr(r, 'status') !== 'cancelled');
  if (live.length > 1) {
    addFinding(ctx, 'duplicate', { entity: 'invoice', clinikoId: invoice.id, tradifyId: live[0]!.id, tradifyIds: live.map((r) => r.id), reason: 'invoices-share-reference', month: month(invoice) });
  }
  if (link && !linked) {
    // a withdrawn invoice's draft is deleted by the sync itself: its link pointing nowhere is expected
    if (!isWithdrawn(invoice)) addFinding(ctx, 'orphan', { entity: 'invoice', clinikoId: invoice.id, tradifyId: link.tradifyId, reason: 'linked-tradify-record-missing', month: month(invoice), fixable: true });
    return;
  }
  if (link && linked) {
    if (live.length === 1 && live[0]!.id !== linked.id && attr(linked, 'status') !== 'cancelled') {
      addFinding(ctx, 'link-drift', { entity: 'invoice', clinikoId: invoice.id, tradifyId: linked.id, tradifyIds: [linked.id, live[0]!.id], reason: 'reference-on-other-invoice', month: month(invoice) });
    }
    compareLinked(ctx, invoice, linked);
    return;
  }
  if (live.length === 1) {
    addFinding(ctx, 'link-drift', { entity: 'invoice', clinikoId: invoice.id, tradifyId: live[0]!.id, reason: 'reference-without-link', month: month(invoice), fixable: true });
  } else if (live.length === 0 && leftOut(ctx, invoice, patient) === undefined) {
    addFinding(ctx, 'missing-in-tradify', { entity: 'invoice', clinikoId: invoice.id, reason: 'no-invoice', month: month(invoice), fixable: true });
  }
}

function noteLeftOut(ctx: CompareContext, invoice: StagingRow, patient: StagingRow | undefined, link: LinkRecord | undefined): void {
  const reason = leftOut(ctx, invoice, patient);
  if (reason === undefined) return;
  ctx.records.skippedInvoices += 1;
  ctx.skipped.push({ clinikoId: invoice.id, tradifyId: link?.tradifyId ?? null, reason, month: month(invoice) });
}

/** Cliniko invoices against their Tradify invoices; accumulates Cliniko's money. */
export async function compareInvoices(ctx: CompareContext): Promise<void> {
  await forEachStagedPage(ctx, 'cliniko', STAGED.clinikoInvoice, async (invoices) => {
    const links = await ctx.internals.store.links.getMany(ctx.internals.accountId, 'invoice', invoices.map((i) => i.id), { signal: ctx.signal });
    const linked = await stagedMany(ctx, 'tradify', STAGED.tradifyInvoice, [...links.values()].map((l) => l.tradifyId));
    const patients = await stagedMany(ctx, 'cliniko', STAGED.patient, invoices.map((i) => attr(i, 'patientId')).filter((id): id is string => id !== null));
    for (const invoice of invoices) {
      if (attr(invoice, 'unreadable') !== null) continue; // reported when it was read
      const patient = patients.get(attr(invoice, 'patientId') ?? '');
      const link = links.get(invoice.id);
      noteLeftOut(ctx, invoice, patient, link);
      if (countsMoney(ctx, invoice, patient)) await countInvoiceMoney(ctx, invoice, link && linked.get(link.tradifyId));
      const referenced = await stagedByKey(ctx, 'tradify', STAGED.tradifyInvoice, invoice.key!);
      checkInvoice(ctx, invoice, link, link ? linked.get(link.tradifyId) : undefined, referenced, patient);
    }
  });
}

/**
 * Which of these live Cliniko-referenced Tradify invoices were already counted as the copy of
 * the Cliniko invoice they reference (see `countInvoiceMoney`).
 */
async function countedAsCopies(ctx: CompareContext, invoices: readonly StagingRow[], staged: ReadonlyMap<string, StagingRow>): Promise<Set<string>> {
  const clinikoIds = invoices.map((i) => attr(i, 'clinikoId')!);
  const links = await ctx.internals.store.links.getMany(ctx.internals.accountId, 'invoice', clinikoIds, { signal: ctx.signal });
  const patients = await stagedMany(ctx, 'cliniko', STAGED.patient, [...staged.values()].map((i) => attr(i, 'patientId')).filter((id): id is string => id !== null));
  const counted = new Set<string>();
  for (const invoice of invoices) {
    const cliniko = staged.get(attr(invoice, 'clinikoId')!);
    if (!cliniko || links.get(cliniko.id)?.tradifyId !== invoice.id) continue;
    if (countsMoney(ctx, cliniko, patients.get(attr(cliniko, 'patientId') ?? ''))) counted.add(invoice.id);
  }
  return counted;
}

/**
 * Tradify invoices: counts trade invoices, counts the money of live Cliniko-referenced
 * invoices not already counted as a Cliniko invoice's copy, and reports a reference to a
 * Cliniko invoice that does not exist (deleted and archived invoices were read too) as an
 * orphan.
 */
export async function compareTradifyInvoices(ctx: CompareContext): Promise<void> {
  await forEachStagedPage(ctx, 'tradify', STAGED.tradifyInvoice, async (invoices) => {
    const referenced = invoices.filter((i) => attr(i, 'clinikoId') !== null);
    ctx.records.tradeInvoices += invoices.length - referenced.length;
    const live = referenced.filter((i) => attr(i, 'status') !== 'cancelled' && attr(i, 'unreadable') === null);
    const staged = await stagedMany(ctx, 'cliniko', STAGED.clinikoInvoice, live.map((i) => attr(i, 'clinikoId')!));
    const copies = await countedAsCopies(ctx, live, staged);
    for (const invoice of live) {
      const clinikoId = attr(invoice, 'clinikoId')!;
      if (!copies.has(invoice.id)) ctx.money.addInvoice(clinikoId, undefined, await tradifyMoney(ctx, invoice));
      if (!staged.has(clinikoId) && ctx.since === undefined) {
        addFinding(ctx, 'orphan', { entity: 'invoice', clinikoId, tradifyId: invoice.id, reason: 'cliniko-record-missing', month: attr(invoice, 'invoiceDate')?.slice(0, 7) ?? null });
      }
    }
  });
}
