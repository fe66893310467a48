import { describe, expect, it } from 'vitest';
import { compareIds, compareIdsShorterFirst } from '../../src/core/ids.js';

const byBigInt = (a: string, b: string): number => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

describe('id order', () => {
  it('is one order for Cliniko ids, the stores and the fakes: numeric for digit strings without leading zeros', () => {
    const ids = ['9223372036854775807', '10', '999999999999999999', '1390710863102485699', '9', '9007199254740993'];
    const numeric = [...ids].sort(byBigInt);
    expect([...ids].sort(compareIds)).toEqual(numeric);
    expect([...ids].sort(compareIdsShorterFirst)).toEqual(numeric);
  });

  it('compares ids with leading zeros by value for Cliniko, and by length then text as SQL pages them', () => {
    expect(compareIds('007', '10')).toBeLessThan(0);
    expect(compareIds('007', '7')).toBe(0);
    expect(compareIdsShorterFirst('007', '10')).toBeGreaterThan(0);
  });

  it('orders any id text shorter first for the stores (Tradify ids are opaque)', () => {
    expect(['inv-10', 'inv-9', 'cus-b', 'cus-a'].sort(compareIdsShorterFirst)).toEqual(['cus-a', 'cus-b', 'inv-9', 'inv-10']);
    expect(() => compareIds('inv-9', 'inv-10')).toThrow(SyntaxError);
  });
});
