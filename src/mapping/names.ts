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

/** Collapses runs of white space to one space and trims. */
export function tidySpaces(text: string | null | undefined): string {
  if (!text) return '';
  return UNTIDY.test(text) ? text.replace(/\s+/g, ' ').trim() : text;
}

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
