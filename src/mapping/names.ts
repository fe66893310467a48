/**
 * Names and other length-limited text, cut at a grapheme boundary so an emoji, a flag or an
 * accented letter written as two code points is never split.
 *
 * @module
 */

import type { ClinikoPatient } from '../cliniko/schemas/patient.js';

let segmenter: Intl.Segmenter | undefined;

/** The result of {@link cutToLength}. */
export interface CutText {
  text: string;
  /** True when characters were removed. */
  cut: boolean;
}

/**
 * Cuts `text` to at most `max` UTF-16 code units (what servers count as string length)
 * without splitting a grapheme cluster, and trims trailing spaces left by the cut.
 *
 * @example
 * ```ts
 * cutToLength('Zoë 👩‍👩‍👧', 5); // { text: 'Zoë', cut: true }
 * ```
 */
export function cutToLength(text: string, max: number): CutText {
  if (text.length <= max) return { text, cut: false };
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  let length = 0;
  for (const { segment, index } of segmenter.segment(text)) {
    if (length + segment.length > max) return { text: text.slice(0, index).trimEnd(), cut: true };
    length += segment.length;
  }
  return { text, cut: false };
}

/**
 * Drops control characters and collapses runs of white space to one space, then trims: the
 * form of every single-line text the mapping writes.
 */
export function tidySpaces(text: string | null | undefined): string {
  if (!text) return '';
  const clean = HAS_CONTROL.test(text) ? text.replace(CONTROL, '') : text;
  return UNTIDY.test(clean) ? clean.replace(/\s+/g, ' ').trim() : clean;
}

// Cliniko text can hold NUL, BEL, ESC and the like (pasted from terminals and old systems);
// Tradify would store them and show them to people, so they never leave the mapping.
/* eslint-disable no-control-regex -- these patterns exist to find control characters */
/** C0 controls, DEL and C1 controls (U+0080–U+009F), except tab, line feed and carriage return. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const HAS_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Any C0 or C1 control, tab and line breaks included: the fast test for text needing no work. */
const ANY_CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
/* eslint-enable no-control-regex */

/**
 * Removes C0 and C1 control characters (NUL, BEL, ESC, DEL, U+0080–U+009F…). Tab and line
 * breaks are kept, as `\t` and `\n`, when the target field is `'multi-line'`; in a
 * `'single-line'` field each becomes a space. Nothing else changes (no trimming).
 *
 * @example
 * ```ts
 * stripControlCharacters('Jo\u0000hn\u001b\tSmith');                 // 'John Smith'
 * stripControlCharacters('Line 1\r\nLine 2\u0007', 'multi-line'); // 'Line 1\nLine 2'
 * ```
 */
function stripControlCharacters(text: string, field: 'single-line' | 'multi-line' = 'single-line'): string {
  const clean = HAS_CONTROL.test(text) ? text.replace(CONTROL, '') : text;
  if (!/[\t\n\r]/.test(clean)) return clean;
  return field === 'multi-line' ? clean.replace(/\r\n?/g, '\n') : clean.replace(/\r\n|[\t\n\r]/g, ' ');
}

/**
 * A copy of a draft (plain objects, arrays, strings) with control characters removed from every
 * string, keeping tab and line breaks only under the keys named in `multiLineKeys`. Returns the
 * same object when nothing needed changing. Used on what a mapping callback returns.
 */
export function withoutControlCharacters<T>(value: T, multiLineKeys: ReadonlySet<string> = NO_KEYS, key = ''): T {
  if (typeof value === 'string') return (ANY_CONTROL.test(value) ? stripControlCharacters(value, multiLineKeys.has(key) ? 'multi-line' : 'single-line') : value) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      const clean = withoutControlCharacters(item, multiLineKeys, key);
      if (clean !== item) (copy ??= [...value])[i] = clean;
    });
    return (copy ?? value) as T;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const k of Object.keys(record)) {
    const clean = withoutControlCharacters(record[k], multiLineKeys, k);
    if (clean !== record[k]) (copy ??= { ...record })[k] = clean;
  }
  return (copy ?? value) as T;
}

const NO_KEYS: ReadonlySet<string> = new Set();

/** Leading or trailing white space, a run of two, or any white space other than a plain space. */
const UNTIDY = /^\s|\s$|\s\s|[^\S ]/;

/** Which first name to use. */
export type NameStyle = 'legal' | 'preferred';

/**
 * The patient's full name: legal `first_name last_name`, or with the preferred first name
 * when `style` is `'preferred'` and one is set. Not yet cut to any length.
 */
export function patientFullName(patient: Pick<ClinikoPatient, 'first_name' | 'last_name' | 'preferred_first_name'>, style: NameStyle): string {
  const first = style === 'preferred' && tidySpaces(patient.preferred_first_name) !== '' ? patient.preferred_first_name : patient.first_name;
  return tidySpaces(`${tidySpaces(first)} ${tidySpaces(patient.last_name)}`);
}
