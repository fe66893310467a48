/**
 * Reading the ids behind Cliniko's links without a request: an invoice's `patient`,
 * `practitioner`, `business`; a practitioner's `user`; a patient's `merged_with_patient`; an
 * item's `invoice`. Cliniko links are absolute URLs ending in the record's id.
 *
 * @module
 */
import type { ClinikoLinkRef } from './schemas/common.js';

const ID_SEGMENT = /^\d{1,20}$/;
/** The common case, read without building a `URL`: `…/<resource>/<digits>` with no query. */
const TRAILING_ID = /\/(\d{1,20})\/?$/;
const PLAIN_DIGITS = /^\d+$/;

/**
 * The id at the end of a link, or `null` when the link is absent or ends in no id.
 *
 * @param link - a normalised link (`{ links: { self } }`), a bare URL, or `null`/`undefined`.
 * @returns the id as a string (never a number), or `null`.
 * @example
 * ```ts
 * linkedId(invoice.patient);               // '1390710863102485699'
 * linkedId(patient.merged_with_patient);   // null when not merged
 * ```
 */
export function linkedId(link: ClinikoLinkRef | string | null | undefined): string | null {
  const url = typeof link === 'string' ? link : link?.links.self;
  if (!url) return null;
  if (!url.includes('?')) {
    const fast = TRAILING_ID.exec(url);
    if (fast) return fast[1]!;
  }
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    pathname = url.split('?')[0] ?? '';
  }
  const last = pathname.replace(/\/+$/, '').split('/').pop() ?? '';
  return ID_SEGMENT.test(last) ? last : null;
}

/**
 * Compare two Cliniko ids numerically (as `BigInt`): 18- and 19-digit ids sort wrongly as text.
 *
 * @returns a negative number, zero or a positive number, for `Array.prototype.sort`.
 * @example
 * ```ts
 * ['9999999999999999999', '100000000000000000'].sort(compareIds);
 * ```
 */
export function compareIds(a: string, b: string): number {
  // Digit strings without leading zeros order by length, then as text: the BigInt order, cheaply.
  if (PLAIN_DIGITS.test(a) && PLAIN_DIGITS.test(b) && a[0] !== '0' && b[0] !== '0') {
    return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
