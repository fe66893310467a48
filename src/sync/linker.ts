/**
 * Linking a patient to a Tradify customer (`docs/architecture.md#linking`): the link table first, then the
 * customer holding our `externalReference`, then email — only when exactly one unlinked
 * customer without a `cliniko:` reference has it AND exactly one Cliniko patient has it.
 * Emails are matched against the engine's own normalised index (hashes in the store), never
 * the server's `?email=` comparison.
 *
 * @module
 */
import type { RunContext } from './streams/context.js';
import { emailHash } from '../core/hash.js';
import { patientsWithEmail } from './streams/source.js';

/** How a customer for a patient was found, or why none was. */
export type LinkCandidate =
  | { kind: 'linked'; tradifyId: string }
  | { kind: 'external-reference'; tradifyId: string }
  | { kind: 'email'; tradifyId: string }
  | { kind: 'none'; reason: 'no-match' | 'ambiguous-email' };

async function isLinkedElsewhere(run: RunContext, tradifyId: string, patientId: string): Promise<boolean> {
  const link = await run.options.store.links.getByTradifyId(run.accountId, 'patient', tradifyId, { signal: run.signal });
  if (link && link.status === 'current' && link.clinikoId !== patientId) return true;
  const pending = run.uncommittedCustomers.get(tradifyId);
  return pending !== undefined && pending !== patientId;
}

async function byExternalReference(run: RunContext, patientId: string, reference: string): Promise<string | undefined> {
  const entries = await run.options.store.tradifyIndex.findByExternalReference(run.accountId, 'customer', reference, { signal: run.signal });
  for (const entry of entries) {
    if (!(await isLinkedElsewhere(run, entry.tradifyId, patientId))) return entry.tradifyId;
  }
  return undefined;
}

async function byEmail(run: RunContext, patientId: string, emailKeys: readonly string[]): Promise<LinkCandidate> {
  const key = emailKeys[0];
  if (key === undefined) return { kind: 'none', reason: 'no-match' };
  const entries = await run.options.store.tradifyIndex.findByEmailHash(run.accountId, 'customer', emailHash(run.accountId, key), { signal: run.signal });
  const free: string[] = [];
  for (const entry of entries) {
    if (entry.externalReference?.startsWith('cliniko:')) continue;
    if (!(await isLinkedElsewhere(run, entry.tradifyId, patientId))) free.push(entry.tradifyId);
  }
  if (free.length === 0) return { kind: 'none', reason: 'no-match' };
  if (free.length > 1) return { kind: 'none', reason: 'ambiguous-email' };
  // families share emails: the match holds only when no other Cliniko patient has this email
  const patients = await patientsWithEmail(run.options.cliniko, key, run.signal);
  if (patients?.length !== 1 || patients[0] !== patientId) return { kind: 'none', reason: 'ambiguous-email' };
  return { kind: 'email', tradifyId: free[0]! };
}

/**
 * Finds the Tradify customer a patient should be written to, without writing.
 *
 * @param linkedTradifyId - the customer of the patient's current link, when it has one.
 */
export async function findCustomer(
  run: RunContext,
  patientId: string,
  externalReference: string,
  emailKeys: readonly string[],
  linkedTradifyId: string | undefined,
): Promise<LinkCandidate> {
  if (linkedTradifyId !== undefined) return { kind: 'linked', tradifyId: linkedTradifyId };
  const byRef = await byExternalReference(run, patientId, externalReference);
  if (byRef !== undefined) return { kind: 'external-reference', tradifyId: byRef };
  return byEmail(run, patientId, emailKeys);
}
