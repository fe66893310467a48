/**
 * Patients ↔ customers: missing, orphan, duplicate, field mismatch, link drift, possible missed
 * link and deleted patients.
 *
 * @module
 */
import type { LinkRecord, StagingRow } from '../ports.js';
import type { MismatchField } from '../report/types.js';
import { addFinding, attr, forEachStagedPage, stagedByKey, stagedMany } from './context.js';
import type { CompareContext } from './context.js';
import { CUSTOMER_FIELDS } from './normalise.js';
import { STAGED } from './stage.js';

const FIELD_NAMES: Record<(typeof CUSTOMER_FIELDS)[number], MismatchField> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  address: 'address',
  active: 'active',
};

async function linksOf(ctx: CompareContext, ids: readonly string[]): Promise<Map<string, LinkRecord>> {
  return ctx.internals.store.links.getMany(ctx.internals.accountId, 'patient', ids, { signal: ctx.signal });
}

function compareFields(ctx: CompareContext, patient: StagingRow, customer: StagingRow): void {
  for (const field of CUSTOMER_FIELDS) {
    if (patient.fields[field] !== customer.fields[field]) {
      addFinding(ctx, 'field-mismatch', { entity: 'patient', clinikoId: patient.id, tradifyId: customer.id, field: FIELD_NAMES[field], reason: 'value-differs', fixable: true });
    }
  }
}

function checkReference(ctx: CompareContext, patient: StagingRow, customer: StagingRow): boolean {
  if (attr(customer, 'clinikoId') === patient.id) return true;
  const reason = attr(customer, 'hasReference') === 'true' ? 'customer-references-other-patient' : 'customer-reference-missing';
  addFinding(ctx, 'link-drift', { entity: 'patient', clinikoId: patient.id, tradifyId: customer.id, reason, fixable: reason === 'customer-reference-missing' });
  return false;
}

function checkUnlinked(ctx: CompareContext, patient: StagingRow, referenced: readonly StagingRow[]): void {
  if (referenced.length === 1) {
    addFinding(ctx, 'link-drift', { entity: 'patient', clinikoId: patient.id, tradifyId: referenced[0]!.id, reason: 'reference-without-link', fixable: true });
    return;
  }
  const skipped = attr(patient, 'filtered') === 'true' || attr(patient, 'archived') === 'true' || attr(patient, 'mergedInto') !== null;
  if (referenced.length === 0 && !skipped) {
    addFinding(ctx, 'missing-in-tradify', { entity: 'patient', clinikoId: patient.id, reason: 'no-customer', fixable: true });
  }
}

function checkLinked(ctx: CompareContext, patient: StagingRow, link: LinkRecord, customer: StagingRow | undefined, referenced: readonly StagingRow[]): void {
  if (!customer) {
    addFinding(ctx, 'orphan', { entity: 'patient', clinikoId: patient.id, tradifyId: link.tradifyId, reason: 'linked-tradify-record-missing', fixable: true });
    return;
  }
  const other = referenced.find((c) => c.id !== customer.id);
  if (other && referenced.length === 1) {
    addFinding(ctx, 'link-drift', { entity: 'patient', clinikoId: patient.id, tradifyId: customer.id, tradifyIds: [customer.id, other.id], reason: 'reference-on-other-customer' });
  }
  if (checkReference(ctx, patient, customer) && attr(patient, 'filtered') !== 'true') compareFields(ctx, patient, customer);
}

/** Cliniko patients against their customers. */
export async function comparePatients(ctx: CompareContext): Promise<void> {
  await forEachStagedPage(ctx, 'cliniko', STAGED.patient, async (patients) => {
    const links = await linksOf(ctx, patients.map((p) => p.id));
    const customers = await stagedMany(ctx, 'tradify', STAGED.customer, [...links.values()].map((l) => l.tradifyId));
    for (const patient of patients) {
      if (attr(patient, 'unreadable') !== null) continue; // reported when it was read
      const referenced = await stagedByKey(ctx, 'tradify', STAGED.customer, patient.key!);
      if (referenced.length > 1) {
        addFinding(ctx, 'duplicate', { entity: 'patient', clinikoId: patient.id, tradifyId: referenced[0]!.id, tradifyIds: referenced.map((c) => c.id), reason: 'customers-share-reference' });
      }
      const link = links.get(patient.id);
      if (link) checkLinked(ctx, patient, link, customers.get(link.tradifyId), referenced);
      else checkUnlinked(ctx, patient, referenced);
    }
  });
}

/**
 * Tradify customers: counts trade customers; a `cliniko:` reference to a patient that no
 * longer answers (checked with `archived_at:*`) is an orphan.
 */
export async function compareCustomers(ctx: CompareContext): Promise<void> {
  await forEachStagedPage(ctx, 'tradify', STAGED.customer, async (customers) => {
    const referenced = customers.filter((c) => attr(c, 'hasReference') === 'true' && c.key?.startsWith('cliniko:patient:'));
    ctx.records.tradeCustomers += customers.length - customers.filter((c) => attr(c, 'hasReference') === 'true').length;
    const ids = referenced.map((c) => attr(c, 'clinikoId')!);
    const staged = await stagedMany(ctx, 'cliniko', STAGED.patient, ids);
    const absent = [...new Set(ids.filter((id) => !staged.has(id)))];
    if (absent.length === 0) return;
    const answered = new Set((await ctx.internals.cliniko.patientsByIds(absent, { signal: ctx.signal })).map((p) => p.id));
    const links = await linksOf(ctx, absent);
    for (const customer of referenced) {
      const clinikoId = attr(customer, 'clinikoId')!;
      if (answered.has(clinikoId) || !absent.includes(clinikoId) || links.has(clinikoId)) continue;
      addFinding(ctx, 'orphan', { entity: 'patient', clinikoId, tradifyId: customer.id, reason: 'cliniko-record-missing' });
    }
  });
}

/** Linked patients whose ids no longer answer (checked with `archived_at:*`). */
export async function findDeletedPatients(ctx: CompareContext): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await ctx.internals.store.links.list(ctx.internals.accountId, { kind: 'patient', status: 'current', limit: 200, cursor, signal: ctx.signal });
    const staged = await stagedMany(ctx, 'cliniko', STAGED.patient, page.items.map((l) => l.clinikoId));
    const absent = page.items.filter((l) => !staged.has(l.clinikoId));
    if (absent.length > 0) {
      const answered = new Set((await ctx.internals.cliniko.patientsByIds(absent.map((l) => l.clinikoId), { signal: ctx.signal })).map((p) => p.id));
      for (const link of absent.filter((l) => !answered.has(l.clinikoId))) {
        addFinding(ctx, 'deleted-patient', { entity: 'patient', clinikoId: link.clinikoId, tradifyId: link.tradifyId, reason: 'patient-no-longer-answers' });
      }
    }
    await ctx.afterPage();
    cursor = page.next;
  } while (cursor !== undefined);
}

async function isLinkedCustomer(ctx: CompareContext, customerId: string): Promise<boolean> {
  const link = await ctx.internals.store.links.getByTradifyId(ctx.internals.accountId, 'patient', customerId, { signal: ctx.signal });
  return link?.status === 'current';
}

async function unlinkedPatientsWithEmail(ctx: CompareContext, key: string): Promise<string[]> {
  const rows = await stagedByKey(ctx, 'cliniko', STAGED.patientEmail, key);
  const patientIds = [...new Set(rows.map((r) => attr(r, 'patientId')!))];
  const links = await linksOf(ctx, patientIds);
  return patientIds.filter((id) => !links.has(id));
}

/**
 * Email checks: two or more UNLINKED customers sharing an email are duplicates (family members
 * linked to different patients are not); an unlinked customer without a `cliniko:` reference
 * whose email matches an unlinked patient is a possible missed link.
 */
export async function compareCustomerEmails(ctx: CompareContext): Promise<void> {
  const reportedKeys = new Set<string>();
  await forEachStagedPage(ctx, 'tradify', STAGED.customerEmail, async (rows) => {
    for (const row of rows) {
      const customerId = attr(row, 'customerId')!;
      if (await isLinkedCustomer(ctx, customerId)) continue;
      if (!reportedKeys.has(row.key!)) await checkSharedEmail(ctx, row.key!, reportedKeys);
      if (attr(row, 'hasReference') === 'true') continue;
      const patients = await unlinkedPatientsWithEmail(ctx, row.key!);
      if (patients.length > 0) {
        addFinding(ctx, 'possible-missed-link', { entity: 'patient', clinikoId: patients[0]!, tradifyId: customerId, reason: patients.length > 1 ? 'email-matches-several-patients' : 'email-matches-unlinked-patient' });
      }
    }
  });
}

async function checkSharedEmail(ctx: CompareContext, key: string, reportedKeys: Set<string>): Promise<void> {
  const rows = await stagedByKey(ctx, 'tradify', STAGED.customerEmail, key);
  const customerIds = [...new Set(rows.map((r) => attr(r, 'customerId')!))];
  if (customerIds.length < 2) return;
  const unlinked: string[] = [];
  for (const id of customerIds) if (!(await isLinkedCustomer(ctx, id))) unlinked.push(id);
  if (unlinked.length < 2) return;
  reportedKeys.add(key);
  addFinding(ctx, 'duplicate', { entity: 'patient', tradifyId: unlinked[0]!, tradifyIds: unlinked, reason: 'unlinked-customers-share-email' });
}
