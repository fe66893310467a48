/**
 * The money summary: totals and GST of Cliniko-referenced invoices per side, per period, in
 * exact decimals. Only a handful of periods exist, so this is the one part kept in memory.
 *
 * @module
 */
import { basQuarterOf, monthKey } from '../../core/dates.js';
import { Decimal } from '../../core/decimal.js';
import type { MoneyRow, MoneySummary } from '../report/types.js';

type Side = 'cliniko' | 'tradify';

interface Cell {
  total: Decimal;
  tax: Decimal;
  count: number;
}

const emptyCell = (): Cell => ({ total: Decimal.ZERO, tax: Decimal.ZERO, count: 0 });

/** Sums per period and side. */
class PeriodTotals {
  readonly #periods = new Map<string, Record<Side, Cell>>();

  add(period: string, side: Side, total: Decimal, tax: Decimal, countInvoice = true): void {
    const row = this.#periods.get(period) ?? { cliniko: emptyCell(), tradify: emptyCell() };
    const cell = row[side];
    row[side] = { total: cell.total.add(total), tax: cell.tax.add(tax), count: cell.count + (countInvoice ? 1 : 0) };
    this.#periods.set(period, row);
  }

  rows(): MoneyRow[] {
    return [...this.#periods.keys()].sort().map((period) => {
      const { cliniko, tradify } = this.#periods.get(period)!;
      return {
        period,
        cliniko: { total: cliniko.total.toFixed(2), tax: cliniko.tax.toFixed(2) },
        tradify: { total: tradify.total.toFixed(2), tax: tradify.tax.toFixed(2) },
        difference: { total: cliniko.total.sub(tradify.total).toFixed(2), tax: cliniko.tax.sub(tradify.tax).toFixed(2) },
        invoices: { cliniko: cliniko.count, tradify: tradify.count },
      };
    });
  }
}

/**
 * Accumulates the three views: accrual by issue month, cash by payment month, accrual by BAS
 * quarter (Jul–Sep is Q1 of the financial year).
 */
export class MoneyAccumulator {
  readonly #issue = new PeriodTotals();
  readonly #payment = new PeriodTotals();
  readonly #quarter = new PeriodTotals();

  /** An invoice counted on the accrual basis, by its issue date. */
  addIssued(side: Side, issueDate: string, total: string, tax: string): void {
    const t = Decimal.from(total);
    const g = Decimal.from(tax);
    this.#issue.add(monthKey(issueDate), side, t, g);
    this.#quarter.add(basQuarterOf(issueDate).label, side, t, g);
  }

  /** Money received on `date` (cash basis): `amount` and its GST share. */
  addPaid(side: Side, date: string, amount: Decimal, tax: Decimal, countInvoice = true): void {
    this.#payment.add(monthKey(date), side, amount, tax, countInvoice);
  }

  summary(): MoneySummary {
    return { byIssueMonth: this.#issue.rows(), byPaymentMonth: this.#payment.rows(), byBasQuarter: this.#quarter.rows() };
  }
}

/**
 * The GST share of a part payment: `tax × amount / total`, rounded half away from zero to the
 * cent. A full payment carries the whole tax.
 */
export function taxShare(amount: Decimal, total: Decimal, tax: Decimal): Decimal {
  if (total.isZero() || amount.eq(total)) return tax;
  return tax.mul(amount).div(total, 2);
}
