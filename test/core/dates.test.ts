import { describe, expect, it } from 'vitest';
import { toLocalDate } from 'cliniko-tradify/mapping';
import { isConfigError } from 'cliniko-tradify';
import { addDays, basQuarterOf, daysBetween, financialYearOf, isPlainDate, isValidTimeZone, monthKey, parseDuration } from '../../src/core/dates.js';

describe('toLocalDate (independent of the machine zone)', () => {
  it.each([
    ['2026-04-04T12:59:59Z', 'Australia/Sydney', '2026-04-04'],
    ['2026-04-04T13:00:00Z', 'Australia/Sydney', '2026-04-05'],
    ['2026-10-03T13:59:59Z', 'Australia/Sydney', '2026-10-03'],
    ['2026-10-03T14:00:00Z', 'Australia/Sydney', '2026-10-04'],
    ['2026-06-30T14:30:00Z', 'Australia/Sydney', '2026-07-01'],
    ['2026-06-30T15:59:59Z', 'Australia/Perth', '2026-06-30'],
    ['2026-06-30T16:00:00Z', 'Australia/Perth', '2026-07-01'],
    ['2026-01-15T13:59:59Z', 'Australia/Brisbane', '2026-01-15'],
    ['2026-01-15T14:00:00Z', 'Australia/Brisbane', '2026-01-16'],
    ['2026-07-15T13:59:59Z', 'Australia/Brisbane', '2026-07-15'],
    ['2026-07-15T14:00:00Z', 'Australia/Brisbane', '2026-07-16'],
  ])('%s in %s is %s', (instant, zone, expected) => {
    expect(toLocalDate(instant, zone)).toBe(expected);
  });

  it('crosses the Sydney DST boundary as Sydney does, not the machine', () => {
    // 2026-04-05 03:00 AEDT → 02:00 AEST: local midnight moves from 13:00Z to 14:00Z.
    expect(toLocalDate('2026-04-05T13:30:00Z', 'Australia/Sydney')).toBe('2026-04-05');
    expect(toLocalDate('2026-04-05T14:00:00Z', 'Australia/Sydney')).toBe('2026-04-06');
    expect(toLocalDate('2026-04-05T13:30:00Z', 'Australia/Brisbane')).toBe('2026-04-05');
  });

  it('defaults to Sydney and takes Date and epoch input', () => {
    expect(toLocalDate('2026-06-30T14:30:00Z')).toBe('2026-07-01');
    expect(toLocalDate(new Date('2026-06-30T14:30:00Z'), 'Australia/Perth')).toBe('2026-06-30');
    expect(toLocalDate(Date.UTC(2026, 5, 30, 16), 'Australia/Perth')).toBe('2026-07-01');
  });

  it('refuses an unreadable instant and an unknown zone', () => {
    expect(() => toLocalDate('yesterday', 'Australia/Sydney')).toThrow(RangeError);
    expect(() => toLocalDate('2026-01-01T00:00:00Z', 'Mars/Olympus')).toThrow(RangeError);
    expect(isValidTimeZone('Australia/Perth')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('plain dates without Date', () => {
  it.each([
    ['2026-06-20', 14, '2026-07-04'],
    ['2026-12-25', 14, '2027-01-08'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2027-02-28', 1, '2027-03-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2000-02-28', 1, '2000-02-29'],
    ['2100-02-28', 1, '2100-03-01'],
    ['2026-04-05', 0, '2026-04-05'],
  ])('%s + %i days = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it('counts days between dates and agrees with addDays over a long range', () => {
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
    let d = '1999-12-01';
    for (let i = 0; i < 1200; i++) {
      const next = addDays(d, 1);
      expect(daysBetween(d, next)).toBe(1);
      expect(isPlainDate(next)).toBe(true);
      d = next;
    }
    expect(d).toBe('2003-03-15');
  });

  it('validates calendar dates', () => {
    expect(isPlainDate('2026-02-29')).toBe(false);
    expect(isPlainDate('2028-02-29')).toBe(true);
    expect(isPlainDate('2026-13-01')).toBe(false);
    expect(isPlainDate('2026-1-01')).toBe(false);
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
  });

  it('gives month keys, financial years and BAS quarters', () => {
    expect(monthKey('2026-07-01')).toBe('2026-07');
    expect(financialYearOf('2026-07-01')).toEqual({ label: 'FY2026-27', endYear: 2027, start: '2026-07-01', end: '2027-06-30' });
    expect(financialYearOf('2026-06-30').label).toBe('FY2025-26');
    expect(financialYearOf('2099-12-31').label).toBe('FY2099-00');
    const cases: Array<[string, string, string, string]> = [
      ['2026-07-01', 'FY2026-27 Q1', '2026-07-01', '2026-09-30'],
      ['2026-10-04', 'FY2026-27 Q2', '2026-10-01', '2026-12-31'],
      ['2027-01-01', 'FY2026-27 Q3', '2027-01-01', '2027-03-31'],
      ['2026-06-30', 'FY2025-26 Q4', '2026-04-01', '2026-06-30'],
    ];
    for (const [date, label, start, end] of cases) {
      const q = basQuarterOf(date);
      expect([q.label, q.start, q.end]).toEqual([label, start, end]);
    }
  });
});

describe('parseDuration', () => {
  it.each([
    ['24h', 86_400_000],
    ['90m', 5_400_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['500ms', 500],
    ['0.5h', 1_800_000],
    [' 15 s ', 15_000],
  ])('%j is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '24', 'h', '24x', '-1h', '1h foo'])('refuses %j with a ConfigError naming the setting', (text) => {
    try {
      parseDuration(text, 'mapping.approval.settleAfter');
      expect.unreachable();
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      expect((e as { setting: string }).setting).toBe('mapping.approval.settleAfter');
    }
  });
});
