/**
 * Invoice owner: Cliniko practitioner → its user → the user's email → the Tradify staff
 * member with that email (compared lower-cased). No match or several → no owner, with a finding.
 *
 * @module
 */

import { linkedId } from '../core/ids.js';
import type { ClinikoPractitioner } from '../cliniko/schemas/practitioner.js';
import type { ClinikoUser } from '../cliniko/schemas/user.js';
import type { TradifyStaff } from '../tradify/port.js';
import { emailKey } from './emails.js';

/** The lookups owner resolution needs, built once per run by {@link buildOwnerDirectory}. */
export interface OwnerDirectory {
  /** Practitioner id → user id. */
  readonly practitionerUser: ReadonlyMap<string, string>;
  /** User id → lower-cased email. */
  readonly userEmail: ReadonlyMap<string, string>;
  /** Lower-cased email → the ids of active Tradify staff with it. */
  readonly staffByEmail: ReadonlyMap<string, readonly string[]>;
}

/**
 * Builds an {@link OwnerDirectory} from Cliniko practitioners and users and Tradify staff.
 * Inactive Tradify staff are left out.
 */
export function buildOwnerDirectory(input: {
  practitioners: readonly Pick<ClinikoPractitioner, 'id' | 'user'>[];
  users: readonly Pick<ClinikoUser, 'id' | 'email'>[];
  staff: readonly Pick<TradifyStaff, 'id' | 'email' | 'active'>[];
}): OwnerDirectory {
  const practitionerUser = new Map<string, string>();
  for (const p of input.practitioners) {
    const userId = linkedId(p.user);
    if (userId !== null) practitionerUser.set(p.id, userId);
  }
  const userEmail = new Map<string, string>();
  for (const u of input.users) if (u.email) userEmail.set(u.id, emailKey(u.email));
  const staffByEmail = new Map<string, string[]>();
  for (const s of input.staff) {
    if (!s.active || !s.email) continue;
    const key = emailKey(s.email);
    staffByEmail.set(key, [...(staffByEmail.get(key) ?? []), s.id]);
  }
  return { practitionerUser, userEmail, staffByEmail };
}

/** The outcome of {@link resolveOwner}. */
export type OwnerResolution =
  | { staffId: string }
  | { staffId: null; reason: 'no-practitioner' | 'no-user' | 'no-email' | 'no-staff' | 'several-staff' };

/**
 * The Tradify staff id owning an invoice of practitioner `practitionerId`.
 *
 * @example
 * ```ts
 * resolveOwner(linkedId(invoice.practitioner), directory); // { staffId: 'stf_1' }
 * ```
 */
export function resolveOwner(practitionerId: string | null, directory: OwnerDirectory): OwnerResolution {
  if (practitionerId === null) return { staffId: null, reason: 'no-practitioner' };
  const userId = directory.practitionerUser.get(practitionerId);
  if (userId === undefined) return { staffId: null, reason: 'no-user' };
  const email = directory.userEmail.get(userId);
  if (email === undefined) return { staffId: null, reason: 'no-email' };
  const staff = directory.staffByEmail.get(email) ?? [];
  if (staff.length === 1) return { staffId: staff[0]! };
  return { staffId: null, reason: staff.length === 0 ? 'no-staff' : 'several-staff' };
}
