import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from 'cliniko-tradify/mapping';
import type { MoneyRow, MoneySummary } from 'cliniko-tradify';
import { MoneyAccumulator, clinikoCents, judgeGst } from '../../src/sync/reconcile/money.js';
import type { InvoiceMoney } from '../../src/sync/reconcile/money.js';
import { runReconciliation } from '../../src/sync/reconcile/index.js';
import { describeMoneyRow, isMoneyRowFlagged } from '../../src/sync/report/money.js';
import { TIME_ZONE, minimalSync, startHarness } from './reconcile-helpers.js';
import type { Harness } from './reconcile-helpers.js';

// Independent arithmetic: ten-thousandths from decimal text, and cents as an invoice states them.
function units(text: string): bigint {
  const [whole = '0', frac = ''] = text.replace('-', '').split('.');
  const abs = BigInt(whole) * 10_000n + BigInt((frac + '0000').slice(0, 4));
  return text.startsWith('-') ? -abs : abs;
}
/** The nearest cent; exactly on a half cent, the neighbour Tradify shows (when it shows one). */
function cents(text: string | null, tradify?: string): bigint {
  const u = units(text ?? '0');
  const sign = u < 0n ? -1n : 1n;
  const abs = u < 0n ? -u : u;
  const down = abs / 100n;
  const rest = abs % 100n;
  if (rest !== 50n) return sign * (rest > 50n ? down + 1n : down);
  const shown = tradify === undefined ? undefined : units(tradify) / 100n;
  return shown === sign * down || shown === sign * (down + 1n) ? shown : sign * (down + 1n);
}
function text(c: bigint): string {
  const sign = c < 0n ? '-' : '';
  const abs = c < 0n ? -c : c;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
function quarterOf(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const startYear = month >= 7 ? year : year - 1;
  const q = month >= 7 ? (month <= 9 ? 1 : 2) : month <= 3 ? 3 : 4;
  return `FY${startYear}-${String((startYear + 1) % 100).padStart(2, '0')} Q${q}`;
}
const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

type Sums = Map<string, { total: bigint; tax: bigint }>;
function add(sums: Sums, period: string, total: bigint, tax: bigint): void {
  const cur = sums.get(period) ?? { total: 0n, tax: 0n };
  sums.set(period, { total: cur.total + total, tax: cur.tax + tax });
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ patients: 14, invoices: 30, seed: 5 });
});
afterEach(async () => h.close());

function tradifyCopy(clinikoId: string) {
  return h.ft.state.invoices.all().find((i) => i.externalReference === `cliniko:invoice:${clinikoId}` && i.status !== 'cancelled');
}

function clinikoSums(): Record<'issue' | 'quarter' | 'cash' | 'cashQuarter', Sums> {
  const sums = { issue: new Map(), quarter: new Map(), cash: new Map(), cashQuarter: new Map() } as Record<'issue' | 'quarter' | 'cash' | 'cashQuarter', Sums>;
  for (const inv of h.fc.db.invoices.all()) {
    if ((inv.status !== 10 && inv.status !== 20) || inv.deleted_at !== null || inv.archived_at !== null) continue;
    const copy = tradifyCopy(inv.id);
    const [t, g] = [cents(inv.total_amount, copy?.total), cents(inv.tax_amount, copy?.totalTax)];
    add(sums.issue, inv.issue_date.slice(0, 7), t, g);
    add(sums.quarter, quarterOf(inv.issue_date), t, g);
    if (inv.status !== 20) continue;
    const paidOn = inv.closed_at ? localDate.format(new Date(inv.closed_at)) : inv.issue_date;
    add(sums.cash, paidOn.slice(0, 7), t, g);
    add(sums.cashQuarter, quarterOf(paidOn), t, g);
  }
  return sums;
}

function tradifySums(): Record<'issue' | 'quarter' | 'cash' | 'cashQuarter', Sums> {
  const sums = { issue: new Map(), quarter: new Map(), cash: new Map(), cashQuarter: new Map() } as Record<'issue' | 'quarter' | 'cash' | 'cashQuarter', Sums>;
  for (const inv of h.ft.state.invoices.all()) {
    if (!inv.externalReference?.startsWith('cliniko:invoice:') || inv.status === 'cancelled') continue;
    add(sums.issue, inv.invoiceDate.slice(0, 7), cents(inv.total), cents(inv.totalTax));
    add(sums.quarter, quarterOf(inv.invoiceDate), cents(inv.total), cents(inv.totalTax));
    for (const p of h.ft.state.payments.all().filter((x) => x.invoiceId === inv.id)) {
      expect(p.amount).toBe(inv.total); // full payments only here, so each carries the whole GST
      add(sums.cash, p.date.slice(0, 7), cents(p.amount), cents(inv.totalTax));
      add(sums.cashQuarter, quarterOf(p.date), cents(p.amount), cents(inv.totalTax));
    }
  }
  return sums;
}

function expectRows(rows: readonly MoneyRow[], cliniko: Sums, tradify: Sums): void {
  const periods = [...new Set([...cliniko.keys(), ...tradify.keys()])].sort();
  expect(rows.map((r) => r.period)).toEqual(periods);
  for (const row of rows) {
    const c = cliniko.get(row.period) ?? { total: 0n, tax: 0n };
    const t = tradify.get(row.period) ?? { total: 0n, tax: 0n };
    expect([row.cliniko.total, row.cliniko.tax, row.tradify.total, row.tradify.tax, row.difference.total, row.difference.tax]).toEqual([
      text(c.total), text(c.tax), text(t.total), text(t.tax), text(c.total - t.total), text(c.tax - t.tax),
    ]);
  }
}

function allRows(money: MoneySummary): MoneyRow[] {
  return [...money.byIssueMonth, ...money.byPaymentMonth, ...money.byBasQuarter, ...money.byBasQuarterCash];
}

function rowOf(rows: readonly MoneyRow[], period: string): MoneyRow {
  const row = rows.find((r) => r.period === period);
  if (!row) throw new Error(`no row for ${period}`);
  return row;
}

/** Adds a tax-inclusive invoice to the fake Cliniko, its items' figures as Cliniko keeps them (nets to 3 places). */
function insertInclusiveInvoice(issueDate: string, lines: ReadonlyArray<{ unit: string; discount?: string; net: string; total: number }>, paidAt?: string): string {
  const patientId = h.fc.db.patients.all().find((p) => p.merged_at === null)!.id;
  const invoice = h.fc.db.invoices.insert({
    issue_date: issueDate,
    number: 9000 + h.fc.db.invoices.all().length,
    status: paidAt ? 20 : 10,
    status_description: paidAt ? 'Paid' : 'Open',
    calculation_method: 3,
    calculation_method_description: 'Tax inclusive',
    closed_at: paidAt ?? null,
    patient_id: patientId,
  });
  for (const line of lines) {
    h.fc.db.invoiceItems.insert({
      invoice_id: invoice.id,
      name: 'Remedial massage',
      unit_price: line.unit,
      quantity: '1.0',
      discount_percentage: line.discount ?? '0.0',
      net_price: line.net,
      tax_name: 'GST',
      tax_rate: '10.0',
      tax_amount: '10.0',
      total_including_tax: line.total,
    });
  }
  h.fc.db.invoices.recalculate(invoice.id);
  return invoice.id;
}

describe('the money summary', () => {
  it('matches sums computed independently in all four views; only the tampered month is flagged', async () => {
    await minimalSync(h);
    // make one month disagree: raise one synced unpaid invoice's first line by 10.00
    const draft = h.ft.state.invoices.all().find((i) => (i.status === 'draft' || i.status === 'approved') && i.externalReference?.startsWith('cliniko:invoice:'))!;
    const stored = h.ft.state.invoices.stored(draft.id)!;
    const first = stored.lineItems[0]!;
    h.ft.state.invoices.tamper(draft.id, { lineItems: [{ ...first, unitPrice: text(cents(first.unitPrice) + 1000n) }, ...stored.lineItems.slice(1)] });

    const { money } = (await runReconciliation(h.internals)).summary;
    const c = clinikoSums();
    const t = tradifySums();
    expectRows(money.byIssueMonth, c.issue, t.issue);
    expectRows(money.byPaymentMonth, c.cash, t.cash);
    expectRows(money.byBasQuarter, c.quarter, t.quarter);
    expectRows(money.byBasQuarterCash, c.cashQuarter, t.cashQuarter);
    expect(c.cash.size).toBeGreaterThan(0);
    const month = draft.invoiceDate.slice(0, 7);
    expect(money.byIssueMonth.filter(isMoneyRowFlagged).map((r) => [r.period, r.discrepancies])).toEqual([[month, 1]]);
    expect(money.byBasQuarter.filter(isMoneyRowFlagged).map((r) => r.period)).toEqual([quarterOf(draft.invoiceDate)]);
    expect(money.byPaymentMonth.filter(isMoneyRowFlagged)).toEqual([]);
    // every other difference is GST rounding the row accounts for, never an unexplained cent
    for (const row of allRows(money).filter((r) => !isMoneyRowFlagged(r))) {
      expect([row.difference.total, row.difference.tax, row.knownItems]).toEqual(['0.00', row.gstRounding.tax, 0]);
    }
  });

  it("compares GST as the invoices state it: Cliniko's 5.455 on a $60.00 tax-inclusive line is Tradify's 5.45, not a cent short", async () => {
    const id = insertInclusiveInvoice('2020-01-15', [{ unit: '60.0', net: '54.545', total: 60 }]);
    await minimalSync(h);
    expect(h.fc.db.invoices.get(id).tax_amount).toBe('5.455');
    expect(tradifyCopy(id)!.totalTax).toBe('5.45');
    const report = await runReconciliation(h.internals);
    const row = rowOf(report.summary.money.byIssueMonth, '2020-01');
    expect([row.cliniko.tax, row.tradify.tax, row.difference.tax, row.gstRounding.invoices]).toEqual(['5.45', '5.45', '0.00', 0]);
    expect(describeMoneyRow(row)).toBe('Matches');
    expect(report.findings.filter((f) => f.clinikoId === id)).toEqual([]);
  });

  it('per-line GST rounding within the bound is explained in words on the accrual and cash rows, not flagged', async () => {
    // Cliniko: exact line taxes 5.455 + 4.909 + 1.364 = 11.728; Tradify rounds each line: 5.45 + 4.91 + 1.36 = 11.72
    const id = insertInclusiveInvoice(
      '2020-02-10',
      [{ unit: '60.0', net: '54.545', total: 60 }, { unit: '60.0', discount: '10.0', net: '49.091', total: 54 }, { unit: '15.0', net: '13.636', total: 15 }],
      '2020-02-12T01:00:00Z',
    );
    await minimalSync(h);
    expect([h.fc.db.invoices.get(id).tax_amount, tradifyCopy(id)!.totalTax]).toEqual(['11.728', '11.72']);
    const report = await runReconciliation(h.internals);
    expect(report.findings.filter((f) => f.clinikoId === id)).toEqual([]);
    const { money } = report.summary;
    for (const row of [rowOf(money.byIssueMonth, '2020-02'), rowOf(money.byPaymentMonth, '2020-02'), rowOf(money.byBasQuarter, 'FY2019-20 Q3'), rowOf(money.byBasQuarterCash, 'FY2019-20 Q3')]) {
      expect([row.cliniko.tax, row.tradify.tax, row.difference.tax, row.gstRounding, row.discrepancies]).toEqual(['11.73', '11.72', '0.01', { invoices: 1, tax: '0.01' }, 0]);
      expect(isMoneyRowFlagged(row)).toBe(false);
      expect(describeMoneyRow(row)).toBe('GST 0.01 lower in Tradify: per-line rounding on 1 invoice, within tolerance');
    }
  });

  it('a GST difference over the per-invoice bound is a discrepancy: a finding for that invoice, and its periods are flagged', async () => {
    const id = insertInclusiveInvoice(
      '2020-02-10',
      [{ unit: '60.0', net: '54.545', total: 60 }, { unit: '60.0', discount: '10.0', net: '49.091', total: 54 }, { unit: '15.0', net: '13.636', total: 15 }],
      '2020-02-12T01:00:00Z',
    );
    await minimalSync(h);
    // the last line's GST rate becomes 11 %: inclusive, so the total stays 129.00 and GST rises 0.13
    const copy = tradifyCopy(id)!;
    const stored = h.ft.state.invoices.stored(copy.id)!;
    h.ft.state.invoices.tamper(copy.id, { lineItems: [...stored.lineItems.slice(0, 2), { ...stored.lineItems[2]!, taxRatePercent: 11 }] });
    expect([tradifyCopy(id)!.total, tradifyCopy(id)!.totalTax]).toEqual(['129.00', '11.85']);

    const report = await runReconciliation(h.internals);
    const tax = report.findings.filter((f) => f.clinikoId === id && f.field === 'tax');
    expect(tax.map((f) => [f.clinikoValue, f.tradifyValue])).toEqual([['11.73', '11.85']]);
    for (const row of [rowOf(report.summary.money.byIssueMonth, '2020-02'), rowOf(report.summary.money.byPaymentMonth, '2020-02')]) {
      expect([row.difference.tax, row.gstRounding.invoices, row.discrepancies, isMoneyRowFlagged(row)]).toEqual(['-0.12', 0, 1, true]);
      expect(describeMoneyRow(row)).toBe('1 invoice differs with no known reason: see the findings');
    }
  });

  it('an invoice waiting in the review queue is a known item; once the review is resolved it is a discrepancy again', async () => {
    await minimalSync(h);
    const copy = h.ft.state.invoices.all().find((i) => (i.status === 'draft' || i.status === 'approved') && i.externalReference?.startsWith('cliniko:invoice:'))!;
    const clinikoId = copy.externalReference!.split(':')[2]!;
    const stored = h.ft.state.invoices.stored(copy.id)!;
    const first = stored.lineItems[0]!;
    h.ft.state.invoices.tamper(copy.id, { lineItems: [{ ...first, unitPrice: text(cents(first.unitPrice) + 1000n) }, ...stored.lineItems.slice(1)] });
    const { review } = await h.store.reviews.open('default', { kind: 'invoice', recordId: clinikoId, reasonCode: 'edited-in-tradify' });
    const month = copy.invoiceDate.slice(0, 7);

    const known = rowOf((await runReconciliation(h.internals)).summary.money.byIssueMonth, month);
    expect(known.difference.total).toMatch(/^-\d+\.\d\d$/);
    expect([known.knownItems, known.discrepancies, isMoneyRowFlagged(known)]).toEqual([1, 0, false]);
    expect(describeMoneyRow(known)).toContain('1 invoice differs for a known reason');

    await h.store.reviews.resolve('default', review.id, 'dismiss');
    const again = rowOf((await runReconciliation(h.internals)).summary.money.byIssueMonth, month);
    expect([again.difference.total, again.knownItems, again.discrepancies, isMoneyRowFlagged(again)]).toEqual([known.difference.total, 0, 1, true]);
  });

  it('puts July–September in Q1 of the financial year, on both bases', async () => {
    await minimalSync(h);
    const { money } = (await runReconciliation(h.internals)).summary;
    for (const row of [...money.byBasQuarter, ...money.byBasQuarterCash]) expect(row.period).toMatch(/^FY\d{4}-\d{2} Q[1-4]$/);
    const julyRows = money.byIssueMonth.filter((r) => /-0[789]$/.test(r.period));
    for (const r of julyRows) {
      const year = Number(r.period.slice(0, 4));
      expect(money.byBasQuarter.map((q) => q.period)).toContain(`FY${year}-${String((year + 1) % 100).padStart(2, '0')} Q1`);
    }
  });
});

describe('money judged per invoice, never per period', () => {
  const d = (s: string) => Decimal.from(s);
  const money = (tax: string, total = '110.00', paidOn?: string): InvoiceMoney => ({
    issueDate: '2026-08-03',
    total: d(total),
    tax: d(tax),
    payments: paidOn ? [{ date: paidOn, amount: d(total), tax: d(tax) }] : [],
  });

  it('a half-cent Cliniko figure is stated by either neighbouring cent; anything else by the nearest', () => {
    expect(clinikoCents(d('5.455'), d('5.45')).toString()).toBe('5.45');
    expect(clinikoCents(d('5.455'), d('5.46')).toString()).toBe('5.46');
    expect(clinikoCents(d('5.455'), d('5.44')).toString()).toBe('5.46');
    expect(clinikoCents(d('5.455')).toString()).toBe('5.46');
    expect(clinikoCents(d('5.458'), d('5.45')).toString()).toBe('5.46');
    expect(clinikoCents(d('5.45'), d('5.46')).toString()).toBe('5.45');
    expect(clinikoCents(d('-0.125'), d('-0.12')).toString()).toBe('-0.12');
    expect(judgeGst(d('5.455'), d('5.45'), 1)).toBe('same');
    expect(judgeGst(d('5.458'), d('5.45'), 1)).toBe('differs');
  });

  it('rounding on one invoice never absorbs a difference on another, even when the month nets to 0.00', () => {
    const acc = new MoneyAccumulator();
    acc.addInvoice('1', money('10.01'), money('10.00'), 'rounding');
    acc.addInvoice('2', money('5.00'), money('5.01'), 'differs');
    acc.addInvoice('3', money('9.00'), money('9.00'), 'same');
    const [row] = acc.summary().byIssueMonth;
    expect(row).toMatchObject({ period: '2026-08', difference: { total: '0.00', tax: '0.00' }, gstRounding: { invoices: 1, tax: '0.01' }, discrepancies: 1 });
    expect(isMoneyRowFlagged(row!)).toBe(true);
    expect(describeMoneyRow(row!)).toBe('1 invoice differs with no known reason: see the findings; GST 0.01 lower in Tradify: per-line rounding on 1 invoice, within tolerance');
  });

  it('a real 0.73 GST difference on one invoice flags its month among matching ones', () => {
    const acc = new MoneyAccumulator();
    for (let i = 0; i < 50; i++) acc.addInvoice(String(i), money('10.00'), money('10.00'), 'same');
    acc.addInvoice('50', money('10.00'), money('10.73'), 'differs');
    const [row] = acc.summary().byIssueMonth;
    expect([row!.difference.tax, row!.gstRounding.invoices, row!.discrepancies, isMoneyRowFlagged(row!)]).toEqual(['-0.73', 0, 1, true]);
  });

  it('an invoice counted on one side only differs in each period it lands in; the known ones do not flag', () => {
    const acc = new MoneyAccumulator();
    acc.addInvoice('7', money('10.00', '110.00', '2026-09-01'), undefined);
    acc.addInvoice('8', undefined, money('1.00', '11.00', '2026-10-02'));
    const summary = acc.summary((id) => id === '8');
    expect(summary.byIssueMonth.map((r) => [r.period, r.discrepancies, r.knownItems])).toEqual([['2026-08', 1, 1]]);
    expect(summary.byPaymentMonth.map((r) => [r.period, r.discrepancies, r.knownItems, isMoneyRowFlagged(r)])).toEqual([
      ['2026-09', 1, 0, true],
      ['2026-10', 0, 1, false],
    ]);
    expect(summary.byBasQuarterCash.map((r) => [r.period, r.cliniko.tax, r.tradify.tax])).toEqual([
      ['FY2026-27 Q1', '10.00', '0.00'],
      ['FY2026-27 Q2', '0.00', '1.00'],
    ]);
  });
});
