import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from 'cliniko-tradify/mapping';
import { isClinikoTradifyError } from 'cliniko-tradify';
import { dec } from '../../src/core/decimal.js';

describe('Decimal parsing', () => {
  it.each([
    ['81.818', '81.818'],
    ['100.0', '100'],
    ['-0.50', '-0.5'],
    ['  7 ', '7'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['1e-3', '0.001'],
    ['1.5E+2', '150'],
    ['+3', '3'],
  ])('reads %j as %s', (input, expected) => {
    expect(dec(input).toString()).toBe(expected);
  });

  it('reads JSON numbers through String(n), so 0.1 is exactly one tenth', () => {
    expect(dec(0.1).toString()).toBe('0.1');
    expect(dec(0.1).add(0.2).toString()).toBe('0.3');
    expect(dec(90).toString()).toBe('90');
    expect(dec(1e21).toString()).toBe('1000000000000000000000');
  });

  it.each(['', 'abc', '1.2.3', '1,5', 'NaN', '--1', '.'])('refuses %j without echoing it', (input) => {
    expect(Decimal.tryFrom(input)).toBeUndefined();
    try {
      dec(input);
      expect.unreachable();
    } catch (e) {
      expect(isClinikoTradifyError(e)).toBe(true);
      if (input !== '') expect((e as Error).message).not.toContain(input);
    }
  });

  it('refuses non-finite numbers and reads null as undefined', () => {
    expect(Decimal.tryFrom(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(Decimal.tryFrom(Number.NaN)).toBeUndefined();
    expect(Decimal.tryFrom(null)).toBeUndefined();
  });
});

describe('Decimal arithmetic', () => {
  it('adds, subtracts and multiplies exactly', () => {
    expect(dec('81.818').add('8.182').toString()).toBe('90');
    expect(dec('0.1').sub('0.3').toString()).toBe('-0.2');
    expect(dec('100.0').mul('0.818182').toString()).toBe('81.8182');
  });

  it.each([
    ['0.125', 2, '0.13'],
    ['-0.125', 2, '-0.13'],
    ['0.124', 2, '0.12'],
    ['-0.124', 2, '-0.12'],
    ['2.5', 0, '3'],
    ['-2.5', 0, '-3'],
    ['8.1818', 2, '8.18'],
    ['81.818', 2, '81.82'],
    ['1.005', 2, '1.01'],
  ])('rounds %s to %i places half away from zero: %s', (input, places, expected) => {
    expect(dec(input).toFixed(places)).toBe(expected);
  });

  it('divides with an explicit scale, rounding half away from zero', () => {
    expect(dec('90').div('81.818', 6).toString()).toBe('1.100002');
    expect(dec('1').div('3', 4).toString()).toBe('0.3333');
    expect(dec('2').div('3', 4).toString()).toBe('0.6667');
    expect(dec('-2').div('3', 4).toString()).toBe('-0.6667');
    expect(dec('2').div('-3', 4).toString()).toBe('-0.6667');
    expect(() => dec('1').div('0', 2)).toThrow(RangeError);
  });

  it('compares across scales', () => {
    expect(dec('1.50').eq('1.5')).toBe(true);
    expect(dec('-1').cmp('0.001')).toBe(-1);
    expect(dec('10.01').cmp('10.001')).toBe(1);
    expect(dec('0.000').isZero()).toBe(true);
    expect(dec('-3').sign()).toBe(-1);
    expect(dec('-3').abs().toString()).toBe('3');
  });

  it('writes fixed places with padding and counts needed places', () => {
    expect(dec('90').toFixed(2)).toBe('90.00');
    expect(dec('-0.5').toFixed(2)).toBe('-0.50');
    expect(dec('-0.004').toFixed(2)).toBe('0.00');
    expect(dec('2.50').decimalPlaces()).toBe(1);
    expect(JSON.stringify({ a: dec('1.10') })).toBe('{"a":"1.1"}');
  });

  it('rounding matches an independent string-based half-away-from-zero rounding (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 6 }), (units, scale, places) => {
        const value = Decimal.ofUnits(units, scale);
        // oracle: scale up by 2·10^k, add sign·10^k … done with plain bigint arithmetic on |units|
        if (places >= scale) return value.round(places).eq(value);
        const factor = 10n ** BigInt(scale - places);
        const abs = units < 0n ? -units : units;
        let q = abs / factor;
        if ((abs % factor) * 2n >= factor) q += 1n;
        const expected = Decimal.ofUnits(units < 0n ? -q : q, places);
        return value.round(places).eq(expected);
      }),
    );
  });
});
