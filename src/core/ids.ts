/**
 * Record ids: their order, and the id at the end of a Cliniko link, read without a request (an
 * invoice's `patient`, `practitioner`, `business`; a practitioner's `user`; a patient's
 * `merged_with_patient`; an item's `invoice`). Cliniko links are absolute URLs ending in the
 * record's id. Ids are strings everywhere: Cliniko's 18- and 19-digit ids do not fit a number.
 *
 * @module
 */

/** A link to a single resource, as Cliniko nests it: `{ links: { self } }`. */
export interface ClinikoLinkRef {
  links: { self: string };
}

const ID_SEGMENT = /^\d{1,20}$/;
/** The common case, read without building a `URL`: `…/<resource>/<digits>` with no query. */
const TRAILING_ID = /\/(\d{1,20})\/?$/;
/** Digits without a leading zero: such ids order by length, then as text. */
const CANONICAL_DIGITS = /^[1-9]\d*$/;

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
 * Orders two id strings shorter first, then as text: numeric order for digit strings without
 * leading zeros, and the order SQL gives with `ORDER BY length(id), id`, so the stores and the
 * fakes page every kind of id alike, without a `BigInt` per comparison.
 *
 * @returns a negative number, zero or a positive number, for `Array.prototype.sort`.
 */
export function compareIdsShorterFirst(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
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
  if (CANONICAL_DIGITS.test(a) && CANONICAL_DIGITS.test(b)) return compareIdsShorterFirst(a, b);
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
