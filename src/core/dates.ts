/**
 * Plain dates, time zones, financial periods and durations, without the machine's zone.
 *
 * A plain date is a `YYYY-MM-DD` string and never becomes a `Date`: arithmetic on it is
 * integer day arithmetic on the proleptic Gregorian calendar. A UTC instant becomes a local
 * plain date through a cached `Intl.DateTimeFormat` per IANA zone.
 *
 * @module
 */

import { ConfigError } from './errors.js';

/** A calendar date with no zone, `YYYY-MM-DD`. */
export type PlainDate = string;

/** The zone used when neither the engine nor a business names one. @defaultValue `'Australia/Sydney'` */
export const DEFAULT_TIME_ZONE = 'Australia/Sydney';

const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      calendar: 'gregory',
      numberingSystem: 'latn',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when `timeZone` is an IANA zone this runtime knows (e.g. `'Australia/Perth'`). */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Milliseconds since the epoch of an ISO-8601 instant, a `Date` or a number.
 *
 * @throws RangeError when the instant cannot be read.
 */
export function instantToEpochMs(instant: string | Date | number): number {
  const ms = typeof instant === 'number' ? instant : typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('Not a valid instant');
  return ms;
}

/**
 * An instant as ISO 8601 UTC in whole seconds, `2026-01-15T01:00:05Z`: the form Cliniko's
 * filters take and the engine keeps cursors in. Milliseconds are dropped, not rounded.
 *
 * @throws RangeError for an invalid instant.
 */
export function toWholeSecondIso(instant: number | Date): string {
  return new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The local calendar date of a UTC instant in an IANA zone.
 *
 * @example
 * ```ts
 * toLocalDate('2026-06-30T14:30:00Z', 'Australia/Sydney'); // '2026-07-01'
 * toLocalDate('2026-06-30T14:30:00Z', 'Australia/Perth');  // '2026-06-30'
 * ```
 * @throws RangeError for an unreadable instant or an unknown zone.
 */
export function toLocalDate(instant: string | Date | number, timeZone: string = DEFAULT_TIME_ZONE): PlainDate {
  const ms = instantToEpochMs(instant);
  let year = '';
  let month = '';
  let day = '';
  for (const part of formatterFor(timeZone).formatToParts(ms)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year.padStart(4, '0')}-${month}-${day}`;
}

/** The parts of a plain date, or `undefined` when it is not a real `YYYY-MM-DD` date. */
export function parsePlainDate(text: string): { year: number; month: number; day: number } | undefined {
  const match = PLAIN_DATE.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** True for a real calendar date written `YYYY-MM-DD` (`'2026-02-29'` is false). */
export function isPlainDate(text: unknown): text is PlainDate {
  return typeof text === 'string' && parsePlainDate(text) !== undefined;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function requirePlainDate(text: string): { year: number; month: number; day: number } {
  const parts = parsePlainDate(text);
  if (!parts) throw new RangeError('Not a YYYY-MM-DD calendar date');
  return parts;
}

// Days from civil and back (H. Hinnant's algorithms), all integer arithmetic.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function civilFromDays(days: number): PlainDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The plain date `days` days after (or before, when negative) `date`.
 *
 * @example
 * ```ts
 * addDays('2026-06-20', 14); // '2026-07-04'
 * ```
 * @throws RangeError when `date` is not a calendar date or `days` not an integer.
 */
export function addDays(date: PlainDate, days: number): PlainDate {
  if (!Number.isInteger(days)) throw new RangeError('Days must be an integer');
  const { year, month, day } = requirePlainDate(date);
  return civilFromDays(daysFromCivil(year, month, day) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: PlainDate, to: PlainDate): number {
  const a = requirePlainDate(from);
  const b = requirePlainDate(to);
  return daysFromCivil(b.year, b.month, b.day) - daysFromCivil(a.year, a.month, a.day);
}

/** Orders two plain dates: −1, 0 or 1 (valid `YYYY-MM-DD` strings sort as text). */
export function comparePlainDates(a: PlainDate, b: PlainDate): -1 | 0 | 1 {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** The month of a plain date, `YYYY-MM`. */
export function monthKey(date: PlainDate): string {
  requirePlainDate(date);
  return date.slice(0, 7);
}

/** An Australian financial year: 1 July to 30 June, named by the years it spans. */
export interface FinancialYear {
  /** E.g. `'FY2026-27'` for 1 July 2026 – 30 June 2027. */
  label: string;
  /** The calendar year it ends in (the ATO's "2027 income year"). */
  endYear: number;
  start: PlainDate;
  end: PlainDate;
}

/**
 * The Australian financial year a plain date falls in.
 *
 * @example
 * ```ts
 * financialYearOf('2026-07-01').label; // 'FY2026-27'
 * financialYearOf('2026-06-30').label; // 'FY2025-26'
 * ```
 */
export function financialYearOf(date: PlainDate): FinancialYear {
  const { year, month } = requirePlainDate(date);
  const startYear = month >= 7 ? year : year - 1;
  const endYear = startYear + 1;
  return {
    label: `FY${startYear}-${String(endYear % 100).padStart(2, '0')}`,
    endYear,
    start: `${startYear}-07-01`,
    end: `${endYear}-06-30`,
  };
}

/** A BAS quarter: Q1 Jul–Sep, Q2 Oct–Dec, Q3 Jan–Mar, Q4 Apr–Jun of a financial year. */
export interface BasQuarter {
  /** E.g. `'FY2026-27 Q1'`. */
  label: string;
  financialYear: FinancialYear;
  quarter: 1 | 2 | 3 | 4;
  start: PlainDate;
  end: PlainDate;
}

const QUARTER_MONTHS: Record<1 | 2 | 3 | 4, { startMonth: number; endMonth: number; endDay: number }> = {
  1: { startMonth: 7, endMonth: 9, endDay: 30 },
  2: { startMonth: 10, endMonth: 12, endDay: 31 },
  3: { startMonth: 1, endMonth: 3, endDay: 31 },
  4: { startMonth: 4, endMonth: 6, endDay: 30 },
};

/**
 * The BAS (GST) quarter a plain date falls in.
 *
 * @example
 * ```ts
 * basQuarterOf('2026-10-04').label; // 'FY2026-27 Q2'
 * ```
 */
export function basQuarterOf(date: PlainDate): BasQuarter {
  const { month } = requirePlainDate(date);
  const financialYear = financialYearOf(date);
  const quarter = ((Math.floor((month - 1) / 3) + 2) % 4) + 1;
  const q = quarter as 1 | 2 | 3 | 4;
  const { startMonth, endMonth, endDay } = QUARTER_MONTHS[q];
  const year = q <= 2 ? financialYear.endYear - 1 : financialYear.endYear;
  const mm = (m: number) => String(m).padStart(2, '0');
  return {
    label: `${financialYear.label} Q${q}`,
    financialYear,
    quarter: q,
    start: `${year}-${mm(startMonth)}-01`,
    end: `${year}-${mm(endMonth)}-${endDay}`,
  };
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Milliseconds in a duration written like `'24h'`, `'90m'`, `'1h30m'`, `'2d'`, `'500ms'`,
 * or a non-negative number of milliseconds.
 *
 * @param setting - the config key named in the error (e.g. `'mapping.approval.settleAfter'`).
 * @throws ConfigError naming `setting` when the text is not a duration.
 * @example
 * ```ts
 * parseDuration('24h'); // 86_400_000
 * ```
 */
export function parseDuration(text: string | number, setting = 'duration'): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return text;
    throw new ConfigError(setting, `${setting} must be a non-negative number of milliseconds or text like '24h'.`);
  }
  const compact = text.trim().toLowerCase().replace(/\s+/g, '');
  const pieces = compact.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d|w)/g);
  if (compact === '' || !pieces || pieces.join('') !== compact) {
    throw new ConfigError(setting, `${setting} must be a duration like '24h', '90m', '1h30m' or '2d' (units ms, s, m, h, d, w).`);
  }
  let total = 0;
  for (const piece of pieces) {
    const unit = /(ms|s|m|h|d|w)$/.exec(piece)![1]!;
    total += Number(piece.slice(0, -unit.length)) * DURATION_UNITS[unit]!;
  }
  return Math.round(total);
}
