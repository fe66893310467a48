/**
 * Syncing chosen records by id (replay, review resolutions, `apply()`, reconcile repair):
 * re-read from Cliniko in batches (archived and deleted included), then synced like the streams do.
 *
 * @module
 */
import type { ClinikoInvoice } from '../cliniko/schemas/invoice.js';
import type { ClinikoPatient } from '../cliniko/schemas/patient.js';
import type { PageWork } from './streams/page-work.js';
import type { RunContext } from './streams/context.js';
import { ensureCustomers, loadInvoiceStates, NO_INVOICE_STATE, syncInvoice, type InvoiceOutcome, type SyncInvoiceOptions } from './streams/invoices.js';
import { loadPatientStates, syncPatient, type PatientOutcome, type SyncPatientOptions } from './streams/patient-sync.js';
import { invoicesByIds, patientsByIds } from './streams/source.js';

/** What happened to each requested id; `'missing'` when Cliniko no longer has it. */
export type TargetOutcome = PatientOutcome | InvoiceOutcome | 'missing';

/** Per-id options (e.g. the planned hash for `apply()`). */
export type PerRecord<O> = (id: string, record: { updated_at: string }) => O;

/** Re-reads patients by id and syncs each. */
export async function syncPatientsByIds(
  run: RunContext,
  ids: readonly string[],
  work: PageWork,
  options: PerRecord<SyncPatientOptions>,
): Promise<Map<string, TargetOutcome>> {
  const outcomes = new Map<string, TargetOutcome>(ids.map((id) => [id, 'missing']));
  const fetched = await patientsByIds(run.options.cliniko, ids, run.signal);
  const patients: ClinikoPatient[] = fetched.records;
  for (const [id, issues] of fetched.rejected) {
    run.deadLetter(work, 'patients', id, undefined, 'schema', `Cliniko patient ${id} does not match the schema`, issues.map((i) => i.path));
    outcomes.set(id, 'dead-lettered');
  }
  const states = await loadPatientStates(run, patients.map((p) => p.id));
  for (const patient of patients) {
    const outcome = await syncPatient(run, patient, states.get(patient.id) ?? { link: undefined, hash: undefined }, work, options(patient.id, patient));
    outcomes.set(patient.id, outcome);
    if (outcome !== 'refused') work.markSeen('patients', { id: patient.id, updatedAt: patient.updated_at });
  }
  return outcomes;
}

/** Re-reads invoices (and their items) by id and syncs each, their customers first. */
export async function syncInvoicesByIds(
  run: RunContext,
  ids: readonly string[],
  work: PageWork,
  options: PerRecord<SyncInvoiceOptions>,
): Promise<Map<string, TargetOutcome>> {
  const outcomes = new Map<string, TargetOutcome>(ids.map((id) => [id, 'missing']));
  const fetched = await invoicesByIds(run.options.cliniko, ids, run.signal);
  const invoices: ClinikoInvoice[] = fetched.records;
  for (const [id, issues] of fetched.rejected) {
    run.deadLetter(work, 'invoices', id, undefined, 'schema', `Cliniko invoice ${id} does not match the schema`, issues.map((i) => i.path));
    outcomes.set(id, 'dead-lettered');
  }
  if (invoices.length === 0) return outcomes;
  const items = await run.items.read(invoices.map((i) => i.id), run.signal);
  await ensureCustomers(run, invoices, work);
  const states = await loadInvoiceStates(run, invoices.map((i) => i.id));
  for (const invoice of invoices) {
    if (items.rejected.has(invoice.id)) {
      run.deadLetter(work, 'invoices', invoice.id, invoice.updated_at, 'schema', `An item of Cliniko invoice ${invoice.id} does not match the schema`, items.rejected.get(invoice.id)!.map((i) => i.path));
      outcomes.set(invoice.id, 'dead-lettered');
      continue;
    }
    const outcome = await syncInvoice(run, invoice, items.byInvoice.get(invoice.id) ?? [], states.get(invoice.id) ?? NO_INVOICE_STATE, work, options(invoice.id, invoice));
    outcomes.set(invoice.id, outcome);
    if (outcome !== 'refused') work.markSeen('invoices', { id: invoice.id, updatedAt: invoice.updated_at });
  }
  return outcomes;
}
