/**
 * Exact decimal arithmetic for the fake Cliniko's generated invoices, written independently
 * of `src/core/decimal.ts` so the two can check each other. Values are BigInt counts of
 * ten-thousandths (4 decimal places, Cliniko's widest scale for percentages).
 *
 * @module
 */

/** Ten-thousandths: `1.5` is `15000n`. */
export type Fixed4 = bigint;

const SCALE = 10_000n;

/**
 * Parses a decimal string such as `"39.95"` or `"-18.1818"` (at most 4 decimals).
 *
 * @throws RangeError when the text is not a decimal with at most 4 places
 */
export function parseFixed4(text: string): Fixed4 {
  const match = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(text);
  if (!match) throw new RangeError('not a decimal with at most 4 places');
  const [, sign = '', whole = '0', fraction = ''] = match;
  const value = BigInt(whole) * SCALE + BigInt(fraction.padEnd(4, '0'));
  return sign === '-' ? -value : value;
}

/** Divides, rounding half away from zero (both signs). */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = (n * 2n + d) / (d * 2n);
  return negative ? -quotient : quotient;
}

/** Rounds a {@link Fixed4} to `places` decimals (0–4), half away from zero. */
export function roundTo(value: Fixed4, places: number): Fixed4 {
  const step = 10n ** BigInt(4 - places);
  return divideRounded(value, step) * step;
}

/** Multiplies two {@link Fixed4} values, rounding the product to `places` decimals. */
export function multiply(a: Fixed4, b: Fixed4, places: number): Fixed4 {
  const step = 10n ** BigInt(4 - places);
  return divideRounded(a * b, SCALE * step) * step;
}

/** Divides `a` by `b`, rounding the quotient to `places` decimals. */
export function divide(a: Fixed4, b: Fixed4, places: number): Fixed4 {
  const step = 10n ** BigInt(4 - places);
  return divideRounded(a * SCALE, b * step) * step;
}

/**
 * Formats like Rails' `BigDecimal#to_s` in Cliniko's JSON: trailing zeros dropped but at
 * least one decimal kept (`"50.0"`, `"39.95"`, `"81.818"`).
 */
export function formatFixed4(value: Fixed4): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / SCALE;
  const fraction = (abs % SCALE).toString().padStart(4, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}.${fraction === '' ? '0' : fraction}`;
}
