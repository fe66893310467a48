/**
 * One patient's sync, Cliniko patient → Tradify customer: map, skip when unchanged, find or
 * create the customer, write, and note the link, hashes and audit entry in the page's work.
 * The patients stream runs it for each row; the invoices stream runs it for an invoice's
 * patient not synced yet; conflict repair and targeted syncs run it for one record.
 *
 * @module
 */
import { isConflictError, isMismatchedResponseError, isNotFoundError, isUnprocessableEntityError, isResponseValidationError } from '../../core/errors.js';
import type { ClinikoPatient } from '../../cliniko/schemas/patient.js';
import { mapPatientToCustomer, patientExternalReference } from '../../mapping/customer.js';
import type { TradifyCustomer, TradifyCustomerInput } from '../../tradify/port.js';
import { noteDueDays } from '../due-days.js';
import { requireEcho } from '../echo.js';
import { emailHash, payloadHash } from '../../core/hash.js';
import { idempotencyKey } from '../idempotency.js';
import { findCustomer } from '../linker.js';
import { existingByReference } from '../reference-lookup.js';
import type { LinkRecord, TradifyIndexEntry } from '../ports.js';
import type { PageWork } from './page-work.js';
import type { RunContext } from './context.js';
import { customerProjection } from './projection.js';

const STREAM = 'patients';

/** What the stream knows of a patient before syncing it. */
export interface PatientState {
  link: LinkRecord | undefined;
  hash: string | undefined;
}

/** Options of {@link syncPatient}. */
export interface SyncPatientOptions {
  /** Write even when the hash says nothing changed (conflict repair, replay, reconcile repair). */
  force?: boolean | undefined;
  /** Field names a Tradify-side edit changed that this write overwrites (conflict policy). */
  overwrittenFields?: string[] | undefined;
  /** The audit action of an update, e.g. `'conflict-overwrite'`, `'replay'`, `'repair'`. @defaultValue `'update'` */
  action?: string | undefined;
  /** Write only when the mapped payload's hash is this one (`apply()` of a saved plan). */
  expectedHash?: string | undefined;
}

/** What {@link syncPatient} did. */
export type PatientOutcome = 'written' | 'unchanged' | 'skipped' | 'dead-lettered' | 'refused' | 'planned' | 'review';

/** Loads the links and hashes of a page of patients in two store reads. */
export async function loadPatientStates(run: RunContext, ids: readonly string[]): Promise<Map<string, PatientState>> {
  const store = run.options.store;
  const [links, hashes] = await Promise.all([
    store.links.getMany(run.accountId, 'patient', ids, { signal: run.signal }),
    store.hashes.getMany(run.accountId, 'patient', ids, { signal: run.signal }),
  ]);
  return new Map(ids.map((id) => [id, { link: links.get(id), hash: hashes.get(id) }]));
}

/**
 * Sync one patient: map, skip when unchanged, else link or create and update. One create at a
 * time per patient id. Dead-letters bad data; lets `TargetDownError` and aborts through.
 */
export async function syncPatient(run: RunContext, patient: ClinikoPatient, state: PatientState, work: PageWork, options: SyncPatientOptions = {}): Promise<PatientOutcome> {
  const inFlight = run.patientsInFlight.get(patient.id);
  if (inFlight) await inFlight.catch(() => undefined);
  const job = syncPatientNow(run, patient, state, work, options);
  run.patientsInFlight.set(patient.id, job);
  try {
    return await job;
  } finally {
    if (run.patientsInFlight.get(patient.id) === job) run.patientsInFlight.delete(patient.id);
  }
}

async function syncPatientNow(run: RunContext, patient: ClinikoPatient, state: PatientState, work: PageWork, options: SyncPatientOptions): Promise<PatientOutcome> {
  const mapping = mapPatientToCustomer(patient, run.options.mapping, await run.mappingContext());
  if (mapping.status === 'skipped') {
    if (mapping.reason === 'patient-filtered') run.filteredPatients.add(patient.id);
    run.skip(STREAM, patient.id, mapping.reason);
    return 'skipped';
  }
  if (mapping.status === 'failed') {
    run.deadLetter(work, STREAM, patient.id, patient.updated_at, 'mapping-failed', `The customer callback threw for patient ${patient.id}`);
    return 'dead-lettered';
  }
  const draft = mapping.draft;
  const hash = payloadHash(draft);
  if (options.expectedHash !== undefined && options.expectedHash !== hash) return 'refused';
  const linkedId = state.link?.tradifyId ?? run.customerIds.get(patient.id);
  if (linkedId !== undefined && state.hash === hash && !options.force) {
    run.customerIds.set(patient.id, linkedId);
    run.unchanged(STREAM, patient.id);
    return 'unchanged';
  }
  const reference = draft.externalReference ?? patientExternalReference(patient.id);
  const candidate = await findCustomer(run, patient.id, reference, mapping.emailKeys, linkedId);
  const unreadable = await run.unreadable.customerHold({
    tradifyId: candidate.kind === 'none' ? undefined : candidate.tradifyId,
    unlinked: candidate.kind === 'none' || candidate.kind === 'email',
    reference,
    emailKey: mapping.emailKeys[0],
  });
  if (unreadable !== undefined) {
    run.hold(work, STREAM, patient.id, patient.updated_at, `customers:${unreadable}`);
    return 'dead-lettered';
  }
  if (run.dryRun) {
    run.planned.push({ stream: STREAM, clinikoId: patient.id, updatedAt: patient.updated_at, action: candidate.kind === 'none' ? 'create' : 'update', hash, reason: candidate.kind });
    const planned = candidate.kind === 'none' ? `planned:patient:${patient.id}` : candidate.tradifyId;
    run.customerIds.set(patient.id, planned);
    run.uncommittedCustomers.set(planned, patient.id);
    return 'planned';
  }
  try {
    const written =
      candidate.kind === 'none'
        ? await createCustomer(run, patient, draft, hash, work)
        : await updateCustomer(run, candidate.tradifyId, draft, candidate.kind === 'linked' ? 'update' : 'link');
    recordWrite(run, work, patient, written.customer, hash, mapping, {
      action: written.action,
      reason: candidate.kind === 'none' ? candidate.reason : candidate.kind,
      overwrittenFields: options.overwrittenFields,
      auditAction: options.action,
    });
    return 'written';
  } catch (error) {
    return handleWriteError(run, work, patient, error, state);
  }
}

interface Written {
  customer: TradifyCustomer;
  action: 'create' | 'update' | 'link';
}

async function createCustomer(run: RunContext, patient: ClinikoPatient, draft: TradifyCustomerInput, hash: string, work: PageWork): Promise<Written> {
  const existing = await existingByReference(run, 'customers', draft.externalReference);
  if (existing !== undefined) return adoptCustomer(run, patient, existing, draft, work);
  const key = idempotencyKey({ accountId: run.accountId, stream: STREAM, recordId: patient.id, updatedAt: patient.updated_at, payloadHash: hash });
  try {
    const customer = await run.write(STREAM, () => run.options.tradify.customers.create(draft, { idempotencyKey: key, signal: run.signal }));
    requireEcho('customers', 'externalReference', draft.externalReference, { id: customer.id, echoed: customer.externalReference });
    return { customer, action: 'create' };
  } catch (error) {
    if (isConflictError(error) && error.existingId !== undefined) return adoptCustomer(run, patient, error.existingId, draft, work);
    throw error;
  }
}

/** A crash after a create but before its checkpoint: the reference is ours, so the record is adopted. */
function adoptCustomer(run: RunContext, patient: ClinikoPatient, tradifyId: string, draft: TradifyCustomerInput, work: PageWork): Promise<Written> {
  work.audit.push({ runId: run.runId, stream: STREAM, action: 'adopt', clinikoId: patient.id, tradifyId, reasonCode: 'duplicate-external-reference' });
  return updateCustomer(run, tradifyId, draft, 'link');
}

async function updateCustomer(run: RunContext, tradifyId: string, draft: TradifyCustomerInput, action: 'update' | 'link'): Promise<Written> {
  const customer = await run.write(STREAM, () => run.options.tradify.customers.update(tradifyId, draft, { signal: run.signal }));
  return { customer, action };
}

function recordWrite(
  run: RunContext,
  work: PageWork,
  patient: ClinikoPatient,
  customer: TradifyCustomer,
  hash: string,
  mapping: { emailKeys: string[]; mergedWithPatientId: string | null },
  how: { action: 'create' | 'update' | 'link'; reason: string; overwrittenFields?: string[] | undefined; auditAction?: string | undefined },
): void {
  run.customerIds.set(patient.id, customer.id);
  run.uncommittedCustomers.set(customer.id, patient.id);
  run.writtenPatients.add(patient.id);
  work.links.push({
    kind: 'patient',
    clinikoId: patient.id,
    tradifyId: customer.id,
    externalReference: customer.externalReference ?? undefined,
    tradifyUpdatedAt: customer.updatedAt ?? undefined,
    mergedIntoClinikoId: mapping.mergedWithPatientId ?? undefined,
  });
  work.hashes.push({ kind: 'patient', clinikoId: patient.id, hash });
  work.hashes.push({ kind: 'customer-remote', clinikoId: patient.id, hash: payloadHash(customerProjection(customer)) });
  work.hashes.push(noteDueDays(run, patient.id, customer));
  work.tradifyIndex.push(indexEntry(run.accountId, customer));
  work.audit.push({
    runId: run.runId,
    stream: STREAM,
    action: how.action === 'update' ? (how.auditAction ?? 'update') : how.action,
    clinikoId: patient.id,
    tradifyId: customer.id,
    clinikoCreatedAt: patient.created_at,
    clinikoUpdatedAt: patient.updated_at,
    tradifyUpdatedAt: customer.updatedAt ?? undefined,
    changedFields: how.overwrittenFields,
    reasonCode: how.reason === 'no-match' ? undefined : how.reason,
  });
  if (how.action === 'create') run.counters.created++;
  else run.counters.updated++;
  run.events.emit('recordWritten', { runId: run.runId, stream: STREAM, clinikoId: patient.id, tradifyId: customer.id, action: how.action === 'create' ? 'created' : how.action === 'link' ? 'linked' : 'updated' });
}

/** The index entry of a customer: id, reference, email hash — never the email. */
export function indexEntry(accountId: string, customer: TradifyCustomer): TradifyIndexEntry {
  const firstEmail = (customer.email ?? '').split(/[,;]/)[0]?.trim();
  return {
    kind: 'customer',
    tradifyId: customer.id,
    externalReference: customer.externalReference ?? undefined,
    emailHash: firstEmail ? emailHash(accountId, firstEmail) : undefined,
    updatedAt: customer.updatedAt ?? undefined,
    active: customer.active,
  };
}

function handleWriteError(run: RunContext, work: PageWork, patient: ClinikoPatient, error: unknown, state: PatientState): PatientOutcome {
  if (isUnprocessableEntityError(error)) {
    run.deadLetter(work, STREAM, patient.id, patient.updated_at, 'unprocessable', `Tradify rejected the customer for patient ${patient.id}`, Object.keys(error.errors));
  } else if (isResponseValidationError(error)) {
    run.deadLetter(work, STREAM, patient.id, patient.updated_at, 'schema', `Tradify's answer for patient ${patient.id} did not match the schema`, error.issues.map((i) => i.path));
  } else if (isMismatchedResponseError(error)) {
    run.deadLetter(work, STREAM, patient.id, patient.updated_at, 'response-mismatch', `Tradify answered the customer create for patient ${patient.id} with another record (${error.answeredId ?? 'no id'}); nothing was linked`, [error.field]);
  } else if (isNotFoundError(error) && state.link) {
    run.review(work, STREAM, 'patient', patient.id, 'tradify-customer-missing', { tradifyId: state.link.tradifyId });
    return 'review';
  } else if (isConflictError(error)) {
    run.deadLetter(work, STREAM, patient.id, patient.updated_at, 'conflict', `Tradify refused the customer for patient ${patient.id} (${error.reason ?? 'conflict'})`);
  } else {
    throw error;
  }
  return 'dead-lettered';
}
