import { describe, expect, it } from 'vitest';
import { toWholeSecondIso } from '../../src/core/dates.js';

describe('toWholeSecondIso', () => {
  it('writes an instant as UTC in whole seconds, dropping (not rounding) the milliseconds', () => {
    expect(toWholeSecondIso(Date.parse('2026-01-15T01:00:05.999Z'))).toBe('2026-01-15T01:00:05Z');
    expect(toWholeSecondIso(new Date('2026-01-15T12:00:05.001+11:00'))).toBe('2026-01-15T01:00:05Z');
  });

  it('throws a RangeError for an instant that does not exist', () => {
    expect(() => toWholeSecondIso(Number.NaN)).toThrow(RangeError);
  });
});
