/**
 * Cliniko invoices ↔ Tradify invoices, with Cliniko's RAW figures (`total_amount`,
 * `tax_amount`, per-line `total_including_tax` and the rate by DESIGN §5's precedence) — never
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
import { taxShare } from './money.js';
import { STAGED } from './stage.js';

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

/**
 * Whether a 2-place figure agrees with Cliniko's raw one to the cent. Cliniko keeps some
 * figures to 3 or more places (`"5.455"`); either cent next to such a figure is a faithful
 * 2-place copy, since which one depends on where the other system rounds.
 */
export function agreesToTheCent(raw: Decimal, actual: Decimal): boolean {
  if (raw.decimalPlaces() <= 2) return raw.eq(actual);
  return raw.sub(actual).abs().cmp('0.01') < 0;
}

/**
 * Whether Tradify's GST agrees with Cliniko's invoice `tax_amount`. Cliniko sums unrounded line
 * taxes; Tradify rounds each line's tax to the cent (§9.5), so with every line total agreeing
 * the two may differ by up to half a cent per line. Beyond that it is a finding. The money
 * summary still shows any such cents per month.
 */
export function taxAgrees(raw: Decimal, actual: Decimal, lines: number): boolean {
  if (agreesToTheCent(raw, actual)) return true;
  return raw.sub(actual).abs().cmp(Decimal.from('0.005').mul(Math.max(1, lines))) <= 0;
}

function compareMoney(ctx: CompareContext, invoice: StagingRow, tradify: StagingRow): void {
  const lines = Number(attr(invoice, 'lineCount') ?? '0');
  const total = amount(invoice, 'total') ?? Decimal.ZERO;
  const tradifyTotal = amount(tradify, 'total') ?? Decimal.ZERO;
  if (!agreesToTheCent(total, tradifyTotal)) mismatch(ctx, invoice, tradify, 'total', total.toFixed(2), tradifyTotal.toFixed(2));
  const tax = amount(invoice, 'tax') ?? Decimal.ZERO;
  const tradifyTax = amount(tradify, 'tax') ?? Decimal.ZERO;
  const sameLines = String(lines) === attr(tradify, 'lineCount');
  if (!(sameLines ? taxAgrees(tax, tradifyTax, lines) : agreesToTheCent(tax, tradifyTax))) mismatch(ctx, invoice, tradify, 'tax', tax.toFixed(2), tradifyTax.toFixed(2));
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
  const clinikoValue = `${attr(invoice, 'status')}${attr(invoice, 'deleted') === 'true' ? ' (deleted)' : ''}`;
  mismatch(ctx, invoice, tradify, 'status', clinikoValue, attr(tradify, 'status'), { reason: verdict.reason, fixable: verdict.fixable });
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
  if (!agreesToTheCent(mappedTotal, amount(tradify, 'total') ?? Decimal.ZERO) || !taxAgrees(mappedTax, amount(tradify, 'tax') ?? Decimal.ZERO, lines)) return;
  if (ctx.judgeStatus(invoice, tradify).agrees) ctx.draftsExplained.set(invoice.id, why);
}

function compareLinked(ctx: CompareContext, invoice: StagingRow, tradify: StagingRow): void {
  if (attr(tradify, 'unreadable') !== null) return; // reported when it was read
  compareStatus(ctx, invoice, tradify);
  const status = attr(tradify, 'status') ?? '';
  if (status !== 'cancelled' && attr(invoice, 'deleted') !== 'true') {
    compareMoney(ctx, invoice, tradify);
    noteExplainedDraft(ctx, invoice, tradify);
  }
}

/** The policy by which the sync never writes this invoice, if any. */
function policySkip(ctx: CompareContext, invoice: StagingRow, patient: StagingRow | undefined): KnownReason | undefined {
  if (attr(invoice, 'deleted') === 'true') return 'deleted';
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

/** Whether Cliniko's side of the money summary leaves this invoice out (archived ones too). */
function isSkipped(ctx: CompareContext, invoice: StagingRow, patient: StagingRow | undefined): boolean {
  return attr(invoice, 'archived') === 'true' || leftOut(ctx, invoice, patient) !== undefined;
}

/** Cliniko's side of the money summary: invoices the sync is meant to carry. */
function countClinikoMoney(ctx: CompareContext, invoice: StagingRow, patient: StagingRow | undefined): void {
  if (isSkipped(ctx, invoice, patient)) return;
  const issueDate = attr(invoice, 'issueDate');
  if (issueDate === null) return;
  // each invoice charges its figures to the cent: round before summing
  const total = (amount(invoice, 'total') ?? Decimal.ZERO).round(2);
  const tax = (amount(invoice, 'tax') ?? Decimal.ZERO).round(2);
  ctx.money.addIssued('cliniko', issueDate, total.toString(), tax.toString());
  const paidDate = attr(invoice, 'paidDate');
  if (behaviourOf(ctx, invoice) === 'paid' && paidDate !== null) ctx.money.addPaid('cliniko', paidDate, total, tax);
}

function checkInvoice(ctx: CompareContext, invoice: StagingRow, link: LinkRecord | undefined, linked: StagingRow | undefined, referenced: readonly StagingRow[], patient: StagingRow | undefined): void {
  const live = referenced.filter((r) => attr(r, 'status') !== 'cancelled');
  if (live.length > 1) {
    addFinding(ctx, 'duplicate', { entity: 'invoice', clinikoId: invoice.id, tradifyId: live[0]!.id, tradifyIds: live.map((r) => r.id), reason: 'invoices-share-reference', month: month(invoice) });
  }
  if (link && !linked) {
    addFinding(ctx, 'orphan', { entity: 'invoice', clinikoId: invoice.id, tradifyId: link.tradifyId, reason: 'linked-tradify-record-missing', month: month(invoice), fixable: true });
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
      countClinikoMoney(ctx, invoice, patient);
      const referenced = await stagedByKey(ctx, 'tradify', STAGED.tradifyInvoice, invoice.key!);
      checkInvoice(ctx, invoice, link, link ? linked.get(link.tradifyId) : undefined, referenced, patient);
    }
  });
}

async function countTradifyMoney(ctx: CompareContext, invoice: StagingRow): Promise<void> {
  const total = amount(invoice, 'total') ?? Decimal.ZERO;
  const tax = amount(invoice, 'tax') ?? Decimal.ZERO;
  ctx.money.addIssued('tradify', attr(invoice, 'invoiceDate')!, total.toString(), tax.toString());
  if ((amount(invoice, 'paid') ?? Decimal.ZERO).isZero()) return;
  const payments = await stagedByKey(ctx, 'tradify', STAGED.payment, invoice.id);
  payments.forEach((payment, i) => {
    const paid = amount(payment, 'amount') ?? Decimal.ZERO;
    ctx.money.addPaid('tradify', attr(payment, 'date')!, paid, taxShare(paid, total, tax), i === 0);
  });
}

/**
 * Tradify invoices: counts trade invoices, accumulates Tradify's money for live
 * Cliniko-referenced invoices, and reports a reference to a Cliniko invoice that does not
 * exist (deleted and archived invoices were read too) as an orphan.
 */
export async function compareTradifyInvoices(ctx: CompareContext): Promise<void> {
  await forEachStagedPage(ctx, 'tradify', STAGED.tradifyInvoice, async (invoices) => {
    const referenced = invoices.filter((i) => attr(i, 'clinikoId') !== null);
    ctx.records.tradeInvoices += invoices.length - referenced.length;
    const staged = await stagedMany(ctx, 'cliniko', STAGED.clinikoInvoice, referenced.map((i) => attr(i, 'clinikoId')!));
    for (const invoice of referenced) {
      if (attr(invoice, 'status') === 'cancelled' || attr(invoice, 'unreadable') !== null) continue;
      await countTradifyMoney(ctx, invoice);
      const clinikoId = attr(invoice, 'clinikoId')!;
      if (!staged.has(clinikoId) && ctx.since === undefined) {
        addFinding(ctx, 'orphan', { entity: 'invoice', clinikoId, tradifyId: invoice.id, reason: 'cliniko-record-missing', month: attr(invoice, 'invoiceDate')?.slice(0, 7) ?? null });
      }
    }
  });
}
