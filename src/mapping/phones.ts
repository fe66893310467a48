/**
 * Phones: Cliniko's typed list → Tradify's `mobile`, `phone` and `fax`.
 *
 * Mobile → `mobile`; Home, then Work → `phone`; Fax → `fax`; Other → `phone`. Each field
 * takes the first number of its kind (Cliniko keeps the order entered); then a second
 * mobile may fill a free `phone`, and an Other (or unknown type) a free `phone` or `mobile`;
 * a Home/Work landline never goes to `mobile` nor a fax to a voice field. Numbers with nowhere to go are counted so the caller can report them.
 *
 * @module
 */

import type { ClinikoPhoneNumber } from '../cliniko/schemas/common.js';
import { tidySpaces } from './names.js';

/** Tradify's three phone fields. */
export interface MappedPhones {
  phone: string | null;
  mobile: string | null;
  fax: string | null;
  /** How many numbers found no free field. */
  dropped: number;
}

type Slot = 'phone' | 'mobile' | 'fax';

const PRIMARY: Readonly<Record<string, Slot>> = { mobile: 'mobile', home: 'phone', work: 'phone', fax: 'fax', other: 'phone' };
const ORDER = ['mobile', 'home', 'work', 'fax', 'other'];

/** The number's type in lower case; unknown types count as `other`. */
function typeOf(n: ClinikoPhoneNumber): string {
  const type = n.phone_type === null ? 'other' : n.phone_type.trim().toLowerCase();
  return Object.hasOwn(PRIMARY, type) ? type : 'other';
}

/** Where a number goes when its own field is taken: a landline never lands in `mobile`, a fax never in a voice field. */
const FALLBACK: Readonly<Record<string, readonly Slot[]>> = { mobile: ['phone'], home: [], work: [], fax: [], other: ['phone', 'mobile'] };

/**
 * Maps a patient's phone numbers by type.
 *
 * @example
 * ```ts
 * mapPhones([{ phone_type: 'Work', number: '03 9000 0000', normalized_number: null }]).phone; // '03 9000 0000'
 * ```
 */
export function mapPhones(numbers: readonly ClinikoPhoneNumber[]): MappedPhones {
  const out: MappedPhones = { phone: null, mobile: null, fax: null, dropped: 0 };
  const leftovers: Array<{ type: string; number: string }> = [];
  // Tidied once per number, not once per type pass.
  const tidied = numbers.map((n) => ({ type: typeOf(n), number: tidySpaces(n.number) }));
  for (const type of ORDER) {
    for (const { type: numberType, number } of tidied) {
      if (number === '' || numberType !== type) continue;
      const slot = PRIMARY[type]!;
      if (out[slot] === null) out[slot] = number;
      else leftovers.push({ type, number });
    }
  }
  for (const { type, number } of leftovers) {
    const slot = FALLBACK[type]!.find((s) => out[s] === null);
    if (slot) out[slot] = number;
    else out.dropped += 1;
  }
  return out;
}
