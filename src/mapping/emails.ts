/**
 * Emails: trimmed, comma/semicolon lists split, compared lower-cased, written as given.
 *
 * Tradify's `email` may hold several addresses separated by commas. We write every valid
 * address Cliniko holds, in order, joined by `", "`, as long as the whole stays within
 * {@link EMAIL_FIELD_LIMIT} characters; addresses that do not fit are dropped (the first
 * always fits or the field is left empty) and reported.
 *
 * @module
 */

/** The most characters written to Tradify's `email` field. @defaultValue 50 */
export const EMAIL_FIELD_LIMIT = 50;

const EMAIL_PATTERN = /^[A-Z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Z0-9.-]+\.[A-Z]{2,63}$/i;

/** The result of {@link mapEmails}. */
export interface MappedEmails {
  /** What to write to Tradify (`null` when none). */
  email: string | null;
  /** Every valid address, as given (trimmed). */
  all: string[];
  /** The lower-cased forms, for matching. */
  keys: string[];
  invalid: number;
  /** Valid addresses left out because the field would exceed its limit. */
  dropped: number;
}

/** Splits an email field on commas and semicolons, trimming each part. */
export function splitEmails(text: string | null | undefined): string[] {
  return (text ?? '').split(/[,;]/).map((s) => s.trim()).filter((s) => s !== '');
}

/** The comparison key of an email: trimmed and lower-cased. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** True for an address that matches Cliniko's email pattern (case-insensitive). */
export function isValidEmail(email: string): boolean {
  return EMAIL_PATTERN.test(email);
}

/**
 * Normalises a Cliniko email field for Tradify.
 *
 * @example
 * ```ts
 * mapEmails(' Jane@Example.com, jane@example.com ; bob@example.com').email; // 'Jane@Example.com, bob@example.com'
 * ```
 */
export function mapEmails(text: string | null | undefined, limit: number = EMAIL_FIELD_LIMIT): MappedEmails {
  const all: string[] = [];
  const keys: string[] = [];
  let invalid = 0;
  for (const part of splitEmails(text)) {
    if (!isValidEmail(part)) invalid += 1;
    else if (!keys.includes(emailKey(part))) {
      all.push(part);
      keys.push(emailKey(part));
    }
  }
  let email = '';
  let dropped = 0;
  for (const address of all) {
    const next = email === '' ? address : `${email}, ${address}`;
    if (next.length <= limit) email = next;
    else dropped += 1;
  }
  return { email: email === '' ? null : email, all, keys, invalid, dropped };
}
