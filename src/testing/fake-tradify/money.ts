/**
 * Exact money arithmetic for the fake Tradify (`docs/tradify-contract.md#arithmetic`), written independently of
 * `src/core/decimal.ts` so a misreading in one is caught by the other. Values are BigInt
 * counts of a fixed scale; nothing here ever touches a float.
 *
 * @module
 */

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Reads a wire decimal (a string, or a JSON number read with `String(n)`) as an integer count
 * of `10^-places`. Returns `undefined` when the text is not a plain decimal or has more than
 * `places` decimals, so a caller can report the field.
 */
export function parseScaled(value: unknown, places: number): bigint | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const match = DECIMAL.exec(text.trim());
  if (!match) return undefined;
  const [, sign = '', whole = '0', fraction = ''] = match;
  if (fraction.length > places) return undefined;
  const scaled = BigInt(whole) * 10n ** BigInt(places) + BigInt(fraction.padEnd(places, '0') || '0');
  return sign === '-' ? -scaled : scaled;
}

/** Divides, rounding half away from zero for both signs. */
export function divideHalfAway(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = (2n * n + d) / (2n * d);
  return negative ? -quotient : quotient;
}

/**
 * Formats a scaled integer with at least `minPlaces` decimals: trailing zeros beyond that are
 * dropped (`formatScaled(181818n, 4, 2)` → `"18.1818"`, `formatScaled(50000n, 4, 2)` → `"5.00"`).
 */
export function formatScaled(value: bigint, places: number, minPlaces = places): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(places);
  let fraction = (abs % unit).toString().padStart(places, '0');
  while (fraction.length > minPlaces && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  const text = fraction ? `${abs / unit}.${fraction}` : `${abs / unit}`;
  return negative ? `-${text}` : text;
}

/** Cents as a 2-place string: `-1n` → `"-0.01"`. */
export function formatCents(cents: bigint): string {
  return formatScaled(cents, 2);
}

/** The money of one line, in cents. */
export interface LineAmounts {
  net: bigint;
  amountExTax: bigint;
  taxAmount: bigint;
  amountIncTax: bigint;
}

/** The contract's tax modes. */
export type FakeTaxMode = 'exclusive' | 'inclusive' | 'no_tax';

/**
 * The contract's per-line arithmetic.
 *
 * @param quantity - hundredths (2 places)
 * @param unitPrice - cents (2 places)
 * @param discount - percent in ten-thousandths (4 places)
 * @param rate - percent in ten-thousandths (4 places); ignored for `no_tax`
 */
export function lineAmounts(quantity: bigint, unitPrice: bigint, discount: bigint, rate: bigint, mode: FakeTaxMode): LineAmounts {
  // qty/100 × price/100 × (1 − d/1e6) in cents = qty × price × (1e6 − d) / 1e8.
  const net = divideHalfAway(quantity * unitPrice * (1_000_000n - discount), 100_000_000n);
  if (mode === 'no_tax') return { net, amountExTax: net, taxAmount: 0n, amountIncTax: net };
  if (mode === 'exclusive') {
    const taxAmount = divideHalfAway(net * rate, 1_000_000n);
    return { net, amountExTax: net, taxAmount, amountIncTax: net + taxAmount };
  }
  const taxAmount = divideHalfAway(net * rate, 1_000_000n + rate);
  return { net, amountExTax: net - taxAmount, taxAmount, amountIncTax: net };
}
