import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReconciliation } from '../../src/sync/reconcile/index.js';
import type { MoneyRow } from '../../src/sync/report/types.js';
import { TIME_ZONE, minimalSync, startHarness } from './reconcile-helpers.js';
import type { Harness } from './reconcile-helpers.js';

// Independent arithmetic: integer cents from decimal text, rounding half away from zero.
function cents(text: string | null): bigint {
  const [whole = '0', frac = ''] = (text ?? '0').replace('-', '').split('.');
  const thousandths = BigInt(whole) * 1000n + BigInt((frac + '000').slice(0, 3));
  const rounded = (thousandths + 5n) / 10n;
  return (text ?? '').startsWith('-') ? -rounded : rounded;
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
  await minimalSync(h);
});
afterEach(async () => h.close());

function clinikoSums(): { issue: Sums; quarter: Sums; cash: Sums } {
  const issue: Sums = new Map();
  const quarter: Sums = new Map();
  const cash: Sums = new Map();
  for (const inv of h.fc.db.invoices.all()) {
    if ((inv.status !== 10 && inv.status !== 20) || inv.deleted_at !== null || inv.archived_at !== null) continue;
    const [t, g] = [cents(inv.total_amount), cents(inv.tax_amount)];
    add(issue, inv.issue_date.slice(0, 7), t, g);
    add(quarter, quarterOf(inv.issue_date), t, g);
    if (inv.status === 20) add(cash, (inv.closed_at ? localDate.format(new Date(inv.closed_at)) : inv.issue_date).slice(0, 7), t, g);
  }
  return { issue, quarter, cash };
}

function tradifySums(): { issue: Sums; cash: Sums } {
  const issue: Sums = new Map();
  const cash: Sums = new Map();
  for (const inv of h.ft.state.invoices.all()) {
    if (!inv.externalReference?.startsWith('cliniko:invoice:') || inv.status === 'cancelled') continue;
    add(issue, inv.invoiceDate.slice(0, 7), cents(inv.total), cents(inv.totalTax));
    for (const p of h.ft.state.payments.all().filter((x) => x.invoiceId === inv.id)) add(cash, p.date.slice(0, 7), cents(p.amount), cents(inv.totalTax));
  }
  return { issue, cash };
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

describe('the money summary', () => {
  it('matches sums computed independently, per issue month, payment month and BAS quarter', async () => {
    // make one month disagree: raise one synced unpaid invoice's first line by 10.00
    const draft = h.ft.state.invoices.all().find((i) => (i.status === 'draft' || i.status === 'approved') && i.externalReference?.startsWith('cliniko:invoice:'))!;
    const stored = h.ft.state.invoices.stored(draft.id)!;
    const first = stored.lineItems[0]!;
    h.ft.state.invoices.tamper(draft.id, { lineItems: [{ ...first, unitPrice: text(cents(first.unitPrice) + 1000n) }, ...stored.lineItems.slice(1)] });

    const report = await runReconciliation(h.internals);
    const c = clinikoSums();
    const t = tradifySums();
    expectRows(report.summary.money.byIssueMonth, c.issue, t.issue);
    expectRows(report.summary.money.byPaymentMonth, c.cash, t.cash);
    const tQuarter: Sums = new Map();
    for (const [month, v] of t.issue) add(tQuarter, quarterOf(`${month}-01`), v.total, v.tax);
    expectRows(report.summary.money.byBasQuarter, c.quarter, tQuarter);
    const differing = report.summary.money.byIssueMonth.filter((r) => r.difference.total !== '0.00');
    expect(differing.map((r) => r.period)).toEqual([draft.invoiceDate.slice(0, 7)]);
    expect(c.cash.size).toBeGreaterThan(0);
  });

  it('puts July–September in Q1 of the financial year', async () => {
    const report = await runReconciliation(h.internals);
    for (const row of report.summary.money.byBasQuarter) expect(row.period).toMatch(/^FY\d{4}-\d{2} Q[1-4]$/);
    const julyRows = report.summary.money.byIssueMonth.filter((r) => /-0[789]$/.test(r.period));
    for (const r of julyRows) {
      const year = Number(r.period.slice(0, 4));
      expect(report.summary.money.byBasQuarter.map((q) => q.period)).toContain(`FY${year}-${String((year + 1) % 100).padStart(2, '0')} Q1`);
    }
  });
});
