/**
 * Exact decimal arithmetic for money, quantities, percentages and rates.
 *
 * A {@link Decimal} is an integer number of units (a `bigint`) and a scale (how many of the
 * digits are after the point), so `"81.818"` is `81818n` at scale 3. Nothing passes through a
 * float: JSON numbers are read with `String(n)`. Rounding is always half away from zero,
 * negatives included (`-0.125` → `-0.13`), as Cliniko and the Tradify contract round.
 *
 * @module
 */

import { ClinikoTradifyError } from './errors.js';

const POW10: bigint[] = [1n];
function pow10(n: number): bigint {
  for (let i = POW10.length; i <= n; i++) POW10.push(POW10[i - 1]! * 10n);
  return POW10[n]!;
}

const DECIMAL_PATTERN = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Anything {@link Decimal.from} accepts: a decimal string, a finite JSON number, or a Decimal. */
export type DecimalInput = Decimal | string | number | bigint;

/** The common wire form (`"81.818"`, `"-5"`): parsed without the general pattern's captures. */
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

function parseDecimalText(text: string): Decimal | undefined {
  return PLAIN_DECIMAL.test(text) ? parsePlainDecimal(text) : parseGeneralDecimal(text);
}

/** `text` matches {@link PLAIN_DECIMAL}; same result as the general parser, fewer allocations. */
function parsePlainDecimal(text: string): Decimal {
  const negative = text.charCodeAt(0) === 45; // '-'
  const digits = negative ? text.slice(1) : text;
  const dot = digits.indexOf('.');
  const units = BigInt(dot === -1 ? digits : digits.slice(0, dot) + digits.slice(dot + 1));
  return Decimal.ofUnits(negative ? -units : units, dot === -1 ? 0 : digits.length - dot - 1);
}

function parseGeneralDecimal(text: string): Decimal | undefined {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole = '', fraction = '', exponentText] = match;
  if (whole === '' && fraction === '') return undefined;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000) return undefined;
  let units = BigInt(`${whole}${fraction}` || '0');
  let scale = fraction.length - exponent;
  if (scale < 0) {
    units *= pow10(-scale);
    scale = 0;
  }
  return Decimal.ofUnits(sign === '-' ? -units : units, scale);
}

/** Divide with rounding half away from zero. */
function divideHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  const twiceRemainder = remainder < 0n ? -remainder * 2n : remainder * 2n;
  const absDenominator = denominator < 0n ? -denominator : denominator;
  if (twiceRemainder < absDenominator) return quotient;
  const negative = numerator < 0n !== denominator < 0n;
  return negative ? quotient - 1n : quotient + 1n;
}

/**
 * An immutable exact decimal number.
 *
 * @example
 * ```ts
 * const net = Decimal.from('100.0').mul('1').mul(Decimal.from('81.8182').div(100, 6));
 * net.toFixed(2); // '81.82'
 * Decimal.from('-0.125').round(2).toString(); // '-0.13'
 * ```
 */
export class Decimal {
  /** The value times 10^scale. */
  readonly units: bigint;
  /** Digits after the decimal point (≥ 0). */
  readonly scale: number;

  private constructor(units: bigint, scale: number) {
    this.units = units;
    this.scale = scale;
  }

  /** Zero, at scale 0. */
  static readonly ZERO = new Decimal(0n, 0);
  /** One, at scale 0. */
  static readonly ONE = new Decimal(1n, 0);
  /** One hundred, at scale 0. */
  static readonly HUNDRED = new Decimal(100n, 0);

  /** A decimal from integer units and a scale: `Decimal.ofUnits(8182n, 2)` is 81.82. */
  static ofUnits(units: bigint, scale: number): Decimal {
    if (!Number.isInteger(scale) || scale < 0) throw new RangeError('A decimal scale must be a non-negative integer');
    return new Decimal(units, scale);
  }

  /**
   * Reads a decimal string (`"81.818"`, `"-5"`, `"1e-3"`), a finite number (through
   * `String(n)`, so `0.1` is exactly 0.1), a bigint, or returns a Decimal as is.
   *
   * @throws ClinikoTradifyError (`mapping_failed`) when the input is not a finite decimal. The
   *   message never repeats the input.
   */
  static from(input: DecimalInput): Decimal {
    if (input instanceof Decimal) return input;
    if (typeof input === 'bigint') return new Decimal(input, 0);
    const parsed = Decimal.tryFrom(input);
    if (parsed === undefined) throw new ClinikoTradifyError('mapping_failed', 'Not a finite decimal number');
    return parsed;
  }

  /** Like {@link Decimal.from} but returns `undefined` instead of throwing. Empty text is `undefined`. */
  static tryFrom(input: DecimalInput | null | undefined): Decimal | undefined {
    if (input === null || input === undefined) return undefined;
    if (input instanceof Decimal) return input;
    if (typeof input === 'bigint') return new Decimal(input, 0);
    if (typeof input === 'number' && !Number.isFinite(input)) return undefined;
    return parseDecimalText(String(input));
  }

  /** The same value at a larger scale (exact). */
  private atScale(scale: number): bigint {
    return scale === this.scale ? this.units : this.units * pow10(scale - this.scale);
  }

  /** `this + other`, exact. */
  add(other: DecimalInput): Decimal {
    const o = Decimal.from(other);
    const scale = Math.max(this.scale, o.scale);
    return new Decimal(this.atScale(scale) + o.atScale(scale), scale);
  }

  /** `this − other`, exact. */
  sub(other: DecimalInput): Decimal {
    const o = Decimal.from(other);
    const scale = Math.max(this.scale, o.scale);
    return new Decimal(this.atScale(scale) - o.atScale(scale), scale);
  }

  /** `this × other`, exact (the scales add). */
  mul(other: DecimalInput): Decimal {
    const o = Decimal.from(other);
    return new Decimal(this.units * o.units, this.scale + o.scale);
  }

  /**
   * `this ÷ other`, rounded half away from zero to `scale` places.
   *
   * @throws RangeError when dividing by zero.
   */
  div(other: DecimalInput, scale: number): Decimal {
    const o = Decimal.from(other);
    if (o.units === 0n) throw new RangeError('Division by zero');
    const numerator = this.units * pow10(o.scale + scale);
    const denominator = o.units * pow10(this.scale);
    return new Decimal(divideHalfAwayFromZero(numerator, denominator), scale);
  }

  /** Rounded half away from zero to `scale` places (never adds digits: 1.5 at scale 3 stays 1.5). */
  round(scale: number): Decimal {
    if (scale >= this.scale) return this;
    return new Decimal(divideHalfAwayFromZero(this.units, pow10(this.scale - scale)), scale);
  }

  /** `-this`. */
  neg(): Decimal {
    return new Decimal(-this.units, this.scale);
  }

  /** `|this|`. */
  abs(): Decimal {
    return this.units < 0n ? this.neg() : this;
  }

  /** −1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    return this.units === 0n ? 0 : this.units < 0n ? -1 : 1;
  }

  /** True when the value is zero. */
  isZero(): boolean {
    return this.units === 0n;
  }

  /** −1, 0 or 1 as `this` is less than, equal to or greater than `other`. */
  cmp(other: DecimalInput): -1 | 0 | 1 {
    const o = Decimal.from(other);
    const scale = Math.max(this.scale, o.scale);
    const a = this.atScale(scale);
    const b = o.atScale(scale);
    return a === b ? 0 : a < b ? -1 : 1;
  }

  /** Numeric equality (`1.50` equals `1.5`). */
  eq(other: DecimalInput): boolean {
    return this.cmp(other) === 0;
  }

  /** The same value with trailing fractional zeros removed (`81.8180` → `81.818`). */
  normalize(): Decimal {
    let { units, scale } = this;
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale -= 1;
    }
    return scale === this.scale ? this : new Decimal(units, scale);
  }

  /** How many decimal places the value really needs (`"2.50"` → 1). */
  decimalPlaces(): number {
    return this.normalize().scale;
  }

  /** Rounded half away from zero to `places` and written with exactly that many (`'90.00'`). */
  toFixed(places: number): string {
    const rounded = this.round(places);
    return format(rounded.atScale(places), places);
  }

  /** The shortest exact text: `'81.818'`, `'10'`, `'-0.5'`. */
  toString(): string {
    const n = this.normalize();
    return format(n.units, n.scale);
  }

  /** JSON form: the exact text (a string, never a number). */
  toJSON(): string {
    return this.toString();
  }
}

function format(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const text = scale === 0 ? whole : `${whole}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}

/**
 * Shorthand for {@link Decimal.from}.
 *
 * @example
 * ```ts
 * dec('81.818').round(2).toString(); // '81.82'
 * ```
 */
export function dec(input: DecimalInput): Decimal {
  return Decimal.from(input);
}
