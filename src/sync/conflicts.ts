/**
 * The Tradify side of a run (`docs/architecture.md#conflicts`): the customer index (one full
 * listing on the first run, an `updatedSince` listing after), and records edited in Tradify
 * since our last write, handled by `conflictPolicy`.
 *
 * @module
 */
import type { TradifyCustomer, TradifyInvoice } from '../tradify/port.js';
import { dueDaysFromListing } from './due-days.js';
import { payloadHash } from '../core/hash.js';
import { PageWork } from './streams/page-work.js';
import type { RunContext } from './streams/context.js';
import { indexEntry, loadPatientStates, syncPatient } from './streams/patient-sync.js';
import { customerProjection, changedFieldNames, invoiceProjection } from './streams/projection.js';
import { syncInvoicesByIds } from './targeted.js';
import { patientsByIds } from './streams/source.js';
import { commit } from './streams/commit.js';
import type { StopReason } from './streams/runner.js';
import { mapPatientToCustomer } from '../mapping/customer.js';
import { isTransientError } from '../core/errors.js';
import { TargetDownError, isTargetDown } from './record-retry.js';

/** The pseudo-stream whose cursor records when customers were last listed. */
const CUSTOMERS_CURSOR = 'tradify-customers';
const INVOICES_CURSOR = 'tradify-invoices';
/** Our invoice references: `cliniko:invoice:<id>` or, after a reissue, `cliniko:invoice:<id>:r<n>`. */
const INVOICE_REFERENCE = /^cliniko:invoice:(\d+)(?::r\d+)?$/;
/** Re-list a little before the last listing, so clock skew between us and Tradify loses nothing. */
const SKEW_MARGIN_MS = 5 * 60_000;

/** A linked customer someone edited in Tradify since our last write. */
export interface CustomerConflict {
  patientId: string;
  customer: TradifyCustomer;
}

const pending = new WeakMap<RunContext, CustomerConflict[]>();

/** A Tradify invoice of ours edited by someone else since our last write. */
export interface InvoiceConflict {
  clinikoId: string;
  invoice: TradifyInvoice;
}

const pendingInvoices = new WeakMap<RunContext, InvoiceConflict[]>();

/**
 * Brings the customer index up to date and notes linked customers edited in Tradify.
 * The index holds ids, references and email hashes only.
 */
export async function refreshTradifyIndex(run: RunContext): Promise<StopReason | undefined> {
  try {
    await refreshIndexNow(run);
    return undefined;
  } catch (error) {
    if (!isTransientError(error)) throw error;
    run.markTargetDown(new TargetDownError(error));
    return 'target-down';
  }
}

async function refreshIndexNow(run: RunContext): Promise<void> {
  const { store, tradify, clock } = run.options;
  const cursor = await store.cursors.get(run.accountId, CUSTOMERS_CURSOR, { signal: run.signal });
  const listedAt = new Date(clock.now()).toISOString();
  const updatedSince = cursor ? new Date(Date.parse(cursor.updatedAt) - SKEW_MARGIN_MS).toISOString() : undefined;
  const conflicts: CustomerConflict[] = [];
  const listing = tradify.customers.list({ includeInactive: true, updatedSince, signal: run.signal, onUnreadable: run.unreadable.report });
  for await (const customers of listing.pages()) {
    const work = new PageWork();
    run.unreadable.customersRead(customers.map((c) => c.id));
    for (const customer of customers) {
      work.tradifyIndex.push(indexEntry(run.accountId, customer));
      const dueDays = dueDaysFromListing(run, customer);
      if (dueDays) work.hashes.push(dueDays);
    }
    if (cursor) conflicts.push(...(await editedSinceOurWrite(run, customers)));
    if (!run.dryRun) await run.unreadable.flush(work);
    await store.commitPage(run.accountId, run.token, work.toCommit(), { signal: run.signal });
  }
  const invoiceCursor = await store.cursors.get(run.accountId, INVOICES_CURSOR, { signal: run.signal });
  // the first run has nothing of ours to protect: it only starts the invoice cursor
  pendingInvoices.set(run, invoiceCursor ? await listEditedInvoices(run, new Date(Date.parse(invoiceCursor.updatedAt) - SKEW_MARGIN_MS).toISOString()) : []);
  if (!run.dryRun) {
    const work = new PageWork();
    work.cursors[CUSTOMERS_CURSOR] = { updatedAt: listedAt, id: '0' };
    work.cursors[INVOICES_CURSOR] = { updatedAt: listedAt, id: '0' };
    await store.commitPage(run.accountId, run.token, work.toCommit(), { signal: run.signal });
  }
  pending.set(run, conflicts);
}

/** Tradify invoices of ours updated since `updatedSince` whose content differs from what we last wrote. */
async function listEditedInvoices(run: RunContext, updatedSince: string): Promise<InvoiceConflict[]> {
  const out: InvoiceConflict[] = [];
  for await (const invoices of run.options.tradify.invoices.list({ updatedSince, signal: run.signal, onUnreadable: run.unreadable.report }).pages()) {
    for (const invoice of invoices) {
      const conflict = await invoiceEditedSinceOurWrite(run, invoice);
      if (conflict) out.push(conflict);
    }
  }
  return out;
}

async function invoiceEditedSinceOurWrite(run: RunContext, invoice: TradifyInvoice): Promise<InvoiceConflict | undefined> {
  const { store } = run.options;
  if (!INVOICE_REFERENCE.test(invoice.externalReference ?? '')) return undefined;
  const link = await store.links.getByTradifyId(run.accountId, 'invoice', invoice.id, { signal: run.signal });
  if (!link || link.status !== 'current') return undefined;
  if (link.tradifyUpdatedAt !== undefined && link.tradifyUpdatedAt === invoice.updatedAt) return undefined;
  // a payment or an approval moves updatedAt but not the content we wrote
  const remote = await store.hashes.getMany(run.accountId, 'invoice-remote', [link.clinikoId], { signal: run.signal });
  if (remote.get(link.clinikoId) === payloadHash(invoiceProjection(invoice))) return undefined;
  return { clinikoId: link.clinikoId, invoice };
}

async function editedSinceOurWrite(run: RunContext, customers: readonly TradifyCustomer[]): Promise<CustomerConflict[]> {
  const { store } = run.options;
  const out: CustomerConflict[] = [];
  for (const customer of customers) {
    if (!customer.externalReference?.startsWith('cliniko:patient:')) continue;
    const link = await store.links.getByTradifyId(run.accountId, 'patient', customer.id, { signal: run.signal });
    if (!link || link.status !== 'current') continue;
    if (link.tradifyUpdatedAt !== undefined && link.tradifyUpdatedAt === customer.updatedAt) continue;
    const remote = await store.hashes.getMany(run.accountId, 'customer-remote', [link.clinikoId], { signal: run.signal });
    if (remote.get(link.clinikoId) === payloadHash(customerProjection(customer))) continue;
    out.push({ patientId: link.clinikoId, customer });
  }
  return out;
}

/**
 * After the streams: each customer edited in Tradify since our last write (and not rewritten by
 * this run) is overwritten from Cliniko, naming the overwritten fields in the audit log
 * (`'cliniko-wins'`), or sent to the review queue (`'review'`).
 */
export async function resolveConflicts(run: RunContext): Promise<StopReason | undefined> {
  const stopped = await resolveCustomerConflicts(run);
  return stopped ?? (await resolveInvoiceConflicts(run));
}

async function resolveCustomerConflicts(run: RunContext): Promise<StopReason | undefined> {
  const conflicts = (pending.get(run) ?? []).filter((c) => !run.writtenPatients.has(c.patientId));
  if (conflicts.length === 0) return undefined;
  const work = new PageWork();
  if (run.options.mapping.conflictPolicy === 'review') {
    for (const c of conflicts) run.review(work, 'patients', 'patient', c.patientId, 'tradify-edit-conflict', { tradifyId: c.customer.id });
  } else {
    await overwriteFromCliniko(run, conflicts, work);
  }
  await commit(run, work);
  return run.targetDown ? 'target-down' : undefined;
}

async function overwriteFromCliniko(run: RunContext, conflicts: CustomerConflict[], work: PageWork): Promise<void> {
  const { records: patients } = await patientsByIds(run.options.cliniko, conflicts.map((c) => c.patientId), run.signal);
  const states = await loadPatientStates(run, patients.map((p) => p.id));
  const ctx = await run.mappingContext();
  for (const patient of patients) {
    const conflict = conflicts.find((c) => c.patientId === patient.id)!;
    const mapping = mapPatientToCustomer(patient, run.options.mapping, ctx);
    const overwritten = mapping.status === 'mapped' ? changedFieldNames(mapping.draft, customerProjection(conflict.customer)) : [];
    try {
      await syncPatient(run, patient, states.get(patient.id) ?? { link: undefined, hash: undefined }, work, { force: true, overwrittenFields: overwritten, action: 'conflict-overwrite' });
    } catch (error) {
      if (!isTargetDown(error)) throw error;
      run.markTargetDown(error);
      return;
    }
  }
}

/**
 * Invoices edited in Tradify and not rewritten by this run go back through the planner marked
 * `editedInTradify`: `'cliniko-wins'` puts Cliniko's content back on a draft (audited as
 * `conflict-overwrite` with the fields), `'review'` opens a review instead.
 */
async function resolveInvoiceConflicts(run: RunContext): Promise<StopReason | undefined> {
  const ids = [...new Set((pendingInvoices.get(run) ?? []).map((c) => c.clinikoId))].filter((id) => !run.writtenInvoices.has(id));
  if (ids.length === 0) return undefined;
  const work = new PageWork();
  try {
    await syncInvoicesByIds(run, ids, work, () => ({ force: true, editedInTradify: true, action: 'conflict-overwrite' }));
  } catch (error) {
    if (!isTargetDown(error)) throw error;
    run.markTargetDown(error);
  }
  await commit(run, work);
  return run.targetDown ? 'target-down' : undefined;
}
