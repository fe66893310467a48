/**
 * The fast path for plain decimal text (`"-81.8180"`) must read exactly what the general
 * parser reads: same units, same scale (trailing zeros kept until `normalize`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from 'cliniko-tradify/mapping';

/** Plain text for `units` at `scale`, with `pad` leading zeros. */
function plainText(units: bigint, scale: number, pad: number): string {
  const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
  const whole = '0'.repeat(pad) + digits.slice(0, digits.length - scale);
  const text = scale === 0 ? whole : `${whole}.${digits.slice(digits.length - scale)}`;
  return units < 0n ? `-${text}` : text;
}

describe('plain decimal text', () => {
  it('keeps the written scale and the sign', () => {
    const d = Decimal.from('-81.8180');
    expect([d.units, d.scale]).toEqual([-818180n, 4]);
    expect([Decimal.from('007').units, Decimal.from('007').scale]).toEqual([7n, 0]);
    expect(Decimal.from('-0').isZero()).toBe(true);
  });

  it('reads units and scale exactly, the same as the general parser (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 2 }), (units, scale, pad) => {
        const text = plainText(units, scale, pad);
        const fast = Decimal.from(text);
        // Surrounding spaces are trimmed by the general parser only, so this takes the other path.
        const general = Decimal.from(` ${text} `);
        expect([fast.units, fast.scale]).toEqual([units, scale]);
        expect([general.units, general.scale]).toEqual([units, scale]);
      }),
      { numRuns: 500 },
    );
  });
});
