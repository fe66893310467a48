/**
 * Money as each invoice states it, in cents, and the money summary built from it.
 *
 * Every invoice is judged on its own, and each period's difference is the sum of those
 * judgements: GST per-line rounding within its per-invoice bound (explained in words), an
 * invoice the engine already knows about (a known item), or a discrepancy, which flags every
 * period its money lands in. A period never absorbs a difference: only invoices do, within
 * their own bound. Only a handful of periods and the differing invoices are kept in memory.
 *
 * @module
 */
import { basQuarterOf, monthKey } from '../../core/dates.js';
import { Decimal } from '../../core/decimal.js';
import type { MoneyRow, MoneySummary } from '../report/types.js';

const HALF_CENT = Decimal.from('0.005');

/**
 * A Cliniko figure in cents, as its invoice states it. Cliniko keeps nets to 3 places, so a
 * figure can sit exactly on a half cent (a $60.00 tax-inclusive line: net 54.545, GST 5.455,
 * the exact GST being 5.4545…); both neighbouring cents state it equally well, and the one
 * Tradify shows is taken when it shows one. Rounding such figures up instead made Tradify's
 * correct GST read as a cent short, always the same way. Anything else is the nearest cent.
 *
 * @param raw - Cliniko's figure, any number of places
 * @param tradify - Tradify's figure for the same invoice, when there is one
 */
export function clinikoCents(raw: Decimal, tradify?: Decimal): Decimal {
  if (tradify !== undefined && raw.decimalPlaces() > 2 && raw.sub(tradify).abs().eq(HALF_CENT)) return tradify;
  return raw.round(2);
}

/**
 * How an invoice's GST compares: `'same'` to the cent; `'rounding'` when it differs by no more
 * than half a cent per line that carries GST (Cliniko sums exact line taxes, Tradify rounds
 * each line's tax to the cent); `'differs'` beyond that.
 */
export type GstVerdict = 'same' | 'rounding' | 'differs';

/**
 * Judges one invoice's GST, Cliniko's raw `tax_amount` against Tradify's `totalTax`.
 *
 * @param taxedLines - lines carrying GST, when both sides have the same lines; `undefined`
 *   otherwise, and then only the same cents agree
 */
export function judgeGst(raw: Decimal, tradify: Decimal, taxedLines: number | undefined): GstVerdict {
  if (clinikoCents(raw, tradify).eq(tradify)) return 'same';
  if (taxedLines === undefined) return 'differs';
  return raw.sub(tradify).abs().cmp(HALF_CENT.mul(Math.max(1, taxedLines))) <= 0 ? 'rounding' : 'differs';
}

/**
 * The GST share of a part payment: `tax × amount / total`, rounded half away from zero to the
 * cent. A full payment carries the whole tax.
 */
export function taxShare(amount: Decimal, total: Decimal, tax: Decimal): Decimal {
  if (total.isZero() || amount.eq(total)) return tax;
  return tax.mul(amount).div(total, 2);
}

/** One invoice's money on one side, in cents. */
export interface InvoiceMoney {
  /** The plain date it was issued (Cliniko `issue_date`, Tradify `invoiceDate`). */
  issueDate: string;
  total: Decimal;
  tax: Decimal;
  /** Money received (cash basis), each with its GST share. */
  payments: readonly { date: string; amount: Decimal; tax: Decimal }[];
}

type View = keyof MoneySummary;
const VIEWS: readonly View[] = ['byIssueMonth', 'byPaymentMonth', 'byBasQuarter', 'byBasQuarterCash'];

interface Amounts {
  total: Decimal;
  tax: Decimal;
}

/** Amounts per view and period: `"<view> <period>"` → amounts. */
type Spread = Map<string, Amounts & { view: View; period: string }>;

function addTo(spread: Spread, view: View, period: string, total: Decimal, tax: Decimal): void {
  const key = `${view} ${period}`;
  const cell = spread.get(key);
  spread.set(key, { view, period, total: (cell?.total ?? Decimal.ZERO).add(total), tax: (cell?.tax ?? Decimal.ZERO).add(tax) });
}

/** Where one side of an invoice lands: its issue month and quarter, and its payments' months and quarters. */
function spreadOf(money: InvoiceMoney): Spread {
  const spread: Spread = new Map();
  addTo(spread, 'byIssueMonth', monthKey(money.issueDate), money.total, money.tax);
  addTo(spread, 'byBasQuarter', basQuarterOf(money.issueDate).label, money.total, money.tax);
  for (const payment of money.payments) {
    addTo(spread, 'byPaymentMonth', monthKey(payment.date), payment.amount, payment.tax);
    addTo(spread, 'byBasQuarterCash', basQuarterOf(payment.date).label, payment.amount, payment.tax);
  }
  return spread;
}

/** Cliniko minus Tradify per view and period, the cells that are not zero. */
function differences(cliniko: Spread, tradify: Spread): Spread {
  const out: Spread = new Map();
  for (const cell of cliniko.values()) addTo(out, cell.view, cell.period, cell.total, cell.tax);
  for (const cell of tradify.values()) addTo(out, cell.view, cell.period, cell.total.neg(), cell.tax.neg());
  for (const [key, cell] of out) if (cell.total.isZero() && cell.tax.isZero()) out.delete(key);
  return out;
}

interface Side {
  total: Decimal;
  tax: Decimal;
  count: number;
}

interface Period {
  cliniko: Side;
  tradify: Side;
  rounding: { invoices: number; tax: Decimal };
  /** Cliniko ids of the invoices whose money differs here beyond any rounding bound. */
  differing: string[];
}

const emptySide = (): Side => ({ total: Decimal.ZERO, tax: Decimal.ZERO, count: 0 });

/**
 * Accumulates the four money views, one invoice at a time: accrual by issue month, cash by
 * payment month, and both bases by BAS quarter (Jul–Sep is Q1 of the financial year).
 */
export class MoneyAccumulator {
  readonly #periods = new Map<View, Map<string, Period>>(VIEWS.map((v) => [v, new Map()]));

  #period(view: View, period: string): Period {
    const periods = this.#periods.get(view)!;
    let row = periods.get(period);
    if (!row) {
      row = { cliniko: emptySide(), tradify: emptySide(), rounding: { invoices: 0, tax: Decimal.ZERO }, differing: [] };
      periods.set(period, row);
    }
    return row;
  }

  #count(side: 'cliniko' | 'tradify', spread: Spread): void {
    for (const cell of spread.values()) {
      const row = this.#period(cell.view, cell.period);
      const s = row[side];
      row[side] = { total: s.total.add(cell.total), tax: s.tax.add(cell.tax), count: s.count + 1 };
    }
  }

  /**
   * Counts one invoice: Cliniko's side, Tradify's side, or both when they are the same invoice.
   * `gst` is the invoice's own GST verdict, given when both sides are present; a difference
   * that is only that GST rounding is explained, anything else makes the invoice differ in
   * every period where its two sides do not cancel out.
   */
  addInvoice(clinikoId: string, cliniko: InvoiceMoney | undefined, tradify: InvoiceMoney | undefined, gst?: GstVerdict): void {
    const c = cliniko ? spreadOf(cliniko) : new Map();
    const t = tradify ? spreadOf(tradify) : new Map();
    this.#count('cliniko', c);
    this.#count('tradify', t);
    const diff = differences(c, t);
    if (diff.size === 0) return;
    const gstGap = cliniko && tradify ? cliniko.tax.sub(tradify.tax) : undefined;
    const onlyRounding = gst === 'rounding' && gstGap !== undefined && [...diff.values()].every((d) => d.total.isZero() && d.tax.eq(gstGap));
    for (const cell of diff.values()) {
      const row = this.#period(cell.view, cell.period);
      if (onlyRounding) row.rounding = { invoices: row.rounding.invoices + 1, tax: row.rounding.tax.add(cell.tax) };
      else row.differing.push(clinikoId);
    }
  }

  /**
   * The four views. `isKnown` says which differing invoices the engine already explains (e.g.
   * one waiting in the review queue); every other one is a discrepancy and flags its periods.
   */
  summary(isKnown: (clinikoId: string) => boolean = () => false): MoneySummary {
    const rows = (view: View): MoneyRow[] => {
      const periods = this.#periods.get(view)!;
      return [...periods.keys()].sort().map((period) => toRow(period, periods.get(period)!, isKnown));
    };
    return { byIssueMonth: rows('byIssueMonth'), byPaymentMonth: rows('byPaymentMonth'), byBasQuarter: rows('byBasQuarter'), byBasQuarterCash: rows('byBasQuarterCash') };
  }
}

function toRow(period: string, row: Period, isKnown: (clinikoId: string) => boolean): MoneyRow {
  const { cliniko, tradify, rounding } = row;
  const known = row.differing.filter(isKnown).length;
  return {
    period,
    cliniko: { total: cliniko.total.toFixed(2), tax: cliniko.tax.toFixed(2) },
    tradify: { total: tradify.total.toFixed(2), tax: tradify.tax.toFixed(2) },
    difference: { total: cliniko.total.sub(tradify.total).toFixed(2), tax: cliniko.tax.sub(tradify.tax).toFixed(2) },
    invoices: { cliniko: cliniko.count, tradify: tradify.count },
    gstRounding: { invoices: rounding.invoices, tax: rounding.tax.toFixed(2) },
    knownItems: known,
    discrepancies: row.differing.length - known,
  };
}
