/**
 * Verify before committing money: the totals Tradify computed for an invoice against the
 * figures Cliniko states for it (`total_amount`, `tax_amount`, and each live line's
 * `net_price` and `total_including_tax`), to the cent, in exact decimals. Nothing is compared
 * with the mapper's own recalculation, so a backend or adapter whose GST arithmetic differs
 * from the contract's shows up here, before the invoice is approved or paid.
 *
 * @module
 */
import { Decimal } from '../core/decimal.js';
import type { ClinikoInvoice } from '../cliniko/schemas/invoice.js';
import type { ClinikoInvoiceItem } from '../cliniko/schemas/invoice-item.js';
import type { TradifyInvoice } from '../tradify/port.js';

const HALF_CENT = Decimal.from('0.005');

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
 * taxes; Tradify rounds each line's tax to the cent (`docs/tradify-contract.md#arithmetic`), so with every line total agreeing
 * the two may differ by up to half a cent per line. Beyond that it is a difference.
 */
function taxAgrees(raw: Decimal, actual: Decimal, lines: number): boolean {
  if (agreesToTheCent(raw, actual)) return true;
  return raw.sub(actual).abs().cmp(HALF_CENT.mul(Math.max(1, lines))) <= 0;
}

/** One figure on which Tradify's invoice and Cliniko's disagree. Both values are money. */
export interface TotalsDifference {
  /** `subtotal`, `tax`, `total`, `line-count`, or `line.<n>.net` / `line.<n>.total` (1-based, in Cliniko's item order). */
  field: string;
  /** Cliniko's figure as it states it (it may carry more than 2 places). */
  cliniko: string;
  /** Tradify's figure. */
  tradify: string;
}

function sumOf(values: ReadonlyArray<Decimal | undefined>): Decimal | undefined {
  let sum = Decimal.ZERO;
  for (const value of values) {
    if (value === undefined) return undefined;
    sum = sum.add(value);
  }
  return sum;
}

/** Cliniko's total, tax and subtotal; from the lines when the invoice does not state them. */
function clinikoTotals(invoice: ClinikoInvoice, live: readonly ClinikoInvoiceItem[]) {
  const lineTotals = live.map((i) => Decimal.tryFrom(i.total_including_tax));
  const lineTaxes = live.map((i, n) => {
    const net = Decimal.tryFrom(i.net_price);
    return net === undefined ? undefined : lineTotals[n]?.sub(net);
  });
  const total = Decimal.tryFrom(invoice.total_amount) ?? sumOf(lineTotals);
  const tax = Decimal.tryFrom(invoice.tax_amount) ?? sumOf(lineTaxes);
  return { total, tax, subtotal: total !== undefined && tax !== undefined ? total.sub(tax) : undefined };
}

type Agrees = (raw: Decimal, actual: Decimal) => boolean;

function compare(out: TotalsDifference[], field: string, raw: Decimal | undefined, tradify: string | undefined, agrees: Agrees): void {
  if (raw === undefined) return;
  const actual = Decimal.tryFrom(tradify);
  if (actual === undefined || !agrees(raw, actual)) out.push({ field, cliniko: raw.toString(), tradify: tradify ?? 'none' });
}

function compareLines(out: TotalsDifference[], live: readonly ClinikoInvoiceItem[], tradify: TradifyInvoice): void {
  live.forEach((item, i) => {
    const line = tradify.lineItems[i];
    compare(out, `line.${i + 1}.net`, Decimal.tryFrom(item.net_price), line?.amountExTax, agreesToTheCent);
    compare(out, `line.${i + 1}.total`, Decimal.tryFrom(item.total_including_tax), line?.amountIncTax, agreesToTheCent);
  });
}

/**
 * The figures on which `tradify` disagrees with Cliniko's invoice; empty when every one agrees
 * to the cent.
 *
 * @param live - the invoice's live items, in the order their lines were written.
 * @param sentLines - how many lines were written (a rounding line comes after the items);
 *   when given, another count on Tradify is a `line-count` difference and lines are not
 *   compared one by one.
 * @example
 * ```ts
 * const differences = totalsDifferences(invoice, liveItems(items), await tradify.invoices.retrieve(id), draft.lineItems.length);
 * if (differences.length > 0) { } // do not approve, do not pay
 * ```
 */
export function totalsDifferences(invoice: ClinikoInvoice, live: readonly ClinikoInvoiceItem[], tradify: TradifyInvoice, sentLines?: number): TotalsDifference[] {
  const out: TotalsDifference[] = [];
  const cliniko = clinikoTotals(invoice, live);
  const byLines: Agrees = (raw, actual) => taxAgrees(raw, actual, live.length);
  compare(out, 'subtotal', cliniko.subtotal, tradify.subtotal, byLines);
  compare(out, 'tax', cliniko.tax, tradify.totalTax, byLines);
  compare(out, 'total', cliniko.total, tradify.total, agreesToTheCent);
  if (sentLines !== undefined && tradify.lineItems.length !== sentLines) {
    out.push({ field: 'line-count', cliniko: String(sentLines), tradify: String(tradify.lineItems.length) });
  } else {
    compareLines(out, live, tradify);
  }
  return out;
}
