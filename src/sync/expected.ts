/**
 * The customer text fields the mapping would write for a patient, for reconciliation.
 *
 * @module
 */
import type { ClinikoPatient } from '../cliniko/schemas/patient.js';
import { createMappingContext } from '../mapping/context.js';
import { mapPatientToCustomer } from '../mapping/customer.js';
import type { ResolvedEngineOptions } from './engine-options.js';
import type { ExpectedCustomer } from './reconcile/types.js';

/** What the engine would write for `patient`, or `null` when filtered out, vetoed or failing. */
export function expectedCustomer(patient: ClinikoPatient, options: ResolvedEngineOptions): ExpectedCustomer | null {
  const ctx = createMappingContext({ timeZone: options.timeZone, now: options.clock.now(), accountId: options.accountId, capabilities: options.tradify.capabilities });
  const mapping = mapPatientToCustomer(patient, options.mapping, ctx);
  if (mapping.status !== 'mapped') return null;
  const { name, email, phone, mobile, physicalAddress, active } = mapping.draft;
  return { name, email, phone, mobile, physicalAddress, active };
}
