import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLeaseOwner, type PageCommit, type ReconciliationFinding } from 'cliniko-tradify';
import { runReconciliation } from '../../src/sync/reconcile/index.js';
import { minimalSync, startHarness } from './reconcile-helpers.js';
import type { Harness } from './reconcile-helpers.js';

let h: Harness;

async function linkOf(kind: 'patient' | 'invoice', clinikoId: string): Promise<string> {
  const link = (await h.store.links.getMany('default', kind, [clinikoId])).get(clinikoId);
  if (!link) throw new Error(`no link for ${kind} ${clinikoId}`);
  return link.tradifyId;
}

async function commit(page: PageCommit): Promise<void> {
  const lease = await h.store.acquireLease('default', { owner: createLeaseOwner(), ttlMs: 60_000 });
  await h.store.commitPage('default', lease.token, page);
  await h.store.releaseLease('default', lease.token);
}

function livePatients() {
  return h.fc.db.patients.all().filter((p) => p.deleted_at === null && p.archived_at === null && p.merged_at === null);
}

function syncedInvoices(status: number) {
  return h.fc.db.invoices.all().filter((i) => i.status === status && i.deleted_at === null && i.archived_at === null);
}

function only(findings: readonly ReconciliationFinding[], kind: ReconciliationFinding['kind']) {
  return findings.filter((f) => f.kind === kind);
}

beforeEach(async () => {
  h = await startHarness();
  await minimalSync(h);
});
afterEach(async () => h.close());

describe('a clean sync', () => {
  it('reconciles with no findings, counting both sides', async () => {
    const report = await runReconciliation(h.internals);
    expect(report.findings).toEqual([]);
    expect(report.summary.totalFindings).toBe(0);
    expect(report.summary.records.clinikoPatients).toBe(h.fc.db.patients.all().filter((p) => p.deleted_at === null).length);
    expect(report.summary.records.tradifyCustomers).toBe(h.ft.state.customers.all().length);
    expect(report.summary.records.tradifyInvoices).toBe(h.ft.state.invoices.all().length);
    // the closed and open-credit invoices were deliberately not synced: skipped, not missing
    expect(report.summary.records.skippedInvoices).toBeGreaterThan(0);
  });

  it('does not call family members sharing an email duplicates', async () => {
    const emails = livePatients().map((p) => p.email?.toLowerCase());
    expect(new Set(emails).size).toBeLessThan(emails.length); // the seed has a shared family email
    const report = await runReconciliation(h.internals);
    expect(only(report.findings, 'duplicate')).toEqual([]);
  });

  it('clears its staging and releases the lease', async () => {
    const report = await runReconciliation(h.internals);
    const count = await h.store.staging.count('default', { runId: report.summary.runId, side: 'cliniko', kind: 'patient' });
    expect(count).toBe(0);
    expect(await h.store.getLease('default')).toBeUndefined();
  });
});

describe('finding kinds, each from tampering after a clean sync', () => {
  it('missing-in-tradify: a new patient, and an invoice whose Tradify copy and link are gone', async () => {
    const patient = h.fc.db.patients.insert({ first_name: 'New', last_name: 'Patient', email: 'new.patient@example.com' });
    const invoice = syncedInvoices(10)[0]!;
    h.ft.state.invoices.delete(await linkOf('invoice', invoice.id));
    await commit({ unlinks: [{ kind: 'invoice', clinikoId: invoice.id }] });
    const report = await runReconciliation(h.internals);
    const missing = only(report.findings, 'missing-in-tradify');
    expect(missing.map((f) => [f.entity, f.clinikoId])).toEqual([
      ['patient', patient.id],
      ['invoice', invoice.id],
    ]);
    expect(missing.every((f) => f.fixable)).toBe(true);
    expect(report.summary.counts['missing-in-tradify']).toBe(2);
  });

  it('orphan: a link to a missing customer, and references to Cliniko records that do not exist', async () => {
    const patient = livePatients()[0]!;
    const customerId = await linkOf('patient', patient.id);
    h.ft.state.customers.delete(customerId);
    const stray = await h.tradify.customers.create({ name: 'Stray', externalReference: 'cliniko:patient:999999999999' });
    const someCustomer = await linkOf('patient', livePatients()[1]!.id);
    const strayInvoice = await h.tradify.invoices.create({ customerId: someCustomer, invoiceDate: '2024-05-01', externalReference: 'cliniko:invoice:888888888888', lineItems: [{ description: 'x', quantity: '1', unitPrice: '10.00' }] });
    const report = await runReconciliation(h.internals);
    const orphans = only(report.findings, 'orphan').map((f) => [f.entity, f.clinikoId, f.tradifyId, f.reason]);
    expect(orphans).toEqual(
      expect.arrayContaining([
        ['patient', patient.id, customerId, 'linked-tradify-record-missing'],
        ['patient', '999999999999', stray.id, 'cliniko-record-missing'],
        ['invoice', '888888888888', strayInvoice.id, 'cliniko-record-missing'],
      ]),
    );
    expect(orphans).toHaveLength(3);
  });

  it('duplicate: two customers holding one patient reference, and two unlinked customers with one email', async () => {
    const patient = livePatients()[2]!;
    const linked = await linkOf('patient', patient.id);
    const copy = await h.tradify.customers.create({ name: 'Copy' });
    h.ft.state.customers.tamper(copy.id, { externalReference: `cliniko:patient:${patient.id}` });
    const a = await h.tradify.customers.create({ name: 'Trade A', email: 'Shared@Trade.example' });
    const b = await h.tradify.customers.create({ name: 'Trade B', email: 'shared@trade.example' });
    const report = await runReconciliation(h.internals);
    const dups = only(report.findings, 'duplicate');
    expect(dups.map((f) => [f.reason, f.clinikoId, [...(f.tradifyIds ?? [])].sort()])).toEqual([
      ['customers-share-reference', patient.id, [linked, copy.id].sort()],
      ['unlinked-customers-share-email', null, [a.id, b.id].sort()],
    ]);
  });

  it('field-mismatch: customer text fields and invoice money, GST rate, date and status', async () => {
    const patient = livePatients()[3]!;
    const customerId = await linkOf('patient', patient.id);
    h.ft.state.customers.tamper(customerId, { name: 'Someone Else', email: 'other@example.com', phone: '0400 000 999', mobile: null });
    const paid = syncedInvoices(20)[0]!;
    const paidId = await linkOf('invoice', paid.id);
    h.ft.state.invoices.tamper(paidId, { invoiceDate: '2001-01-01' });
    for (const p of h.ft.state.payments.all().filter((x) => x.invoiceId === paidId)) h.ft.state.payments.delete(p.id);
    h.ft.state.invoices.tamper(paidId, { status: 'approved' });
    const open = syncedInvoices(10).find((i) => i.tax_amount !== null && i.tax_amount !== '0.0' && Number(i.tax_amount) > 0)!;
    const openId = await linkOf('invoice', open.id);
    const stored = h.ft.state.invoices.stored(openId)!;
    const gstFree = h.ft.state.taxRates.all().find((r) => r.isNoTax)!;
    const taxedLine = stored.lineItems.findIndex((l) => (l.taxRatePercent ?? 0) > 0);
    h.ft.state.invoices.tamper(openId, { lineItems: stored.lineItems.map((l, i) => (i === taxedLine ? { ...l, taxRateId: gstFree.id, taxRatePercent: 0 } : l)) });
    const report = await runReconciliation(h.internals);
    const fields = (id: string) => only(report.findings, 'field-mismatch').filter((f) => f.clinikoId === id).map((f) => f.field);
    expect(fields(patient.id).sort()).toEqual(['email', 'name', 'phone']);
    expect(fields(paid.id).sort()).toEqual(['invoice-date', 'status']);
    const statusFinding = report.findings.find((f) => f.clinikoId === paid.id && f.field === 'status')!;
    expect([statusFinding.clinikoValue, statusFinding.tradifyValue]).toEqual(['20', 'approved']);
    expect(fields(open.id)).toEqual(expect.arrayContaining(['tax', 'tax-rate', 'line-total']));
    const rate = report.findings.find((f) => f.clinikoId === open.id && f.field === 'tax-rate')!;
    expect(rate.line).toBe(taxedLine + 1);
    expect(rate.tradifyValue).toBe('0');
    // text values are never carried into findings, only the field names
    expect(JSON.stringify(report.findings)).not.toContain('other@example.com');
  });

  it('link-drift: a customer that lost its reference, and a reference without a link', async () => {
    const [first, second] = livePatients();
    const firstCustomer = await linkOf('patient', first!.id);
    h.ft.state.customers.tamper(firstCustomer, { externalReference: null });
    const secondCustomer = await linkOf('patient', second!.id);
    await commit({ unlinks: [{ kind: 'patient', clinikoId: second!.id }] });
    const report = await runReconciliation(h.internals);
    expect(only(report.findings, 'link-drift').map((f) => [f.clinikoId, f.tradifyId, f.reason])).toEqual([
      [first!.id, firstCustomer, 'customer-reference-missing'],
      [second!.id, secondCustomer, 'reference-without-link'],
    ]);
  });

  it('possible-missed-link: a trade customer whose email matches an unlinked patient', async () => {
    const patient = h.fc.db.patients.insert({ first_name: 'Walk', last_name: 'In', email: 'Walk.In@Example.com' });
    const trade = await h.tradify.customers.create({ name: 'W. In', email: 'walk.in@example.com' });
    const report = await runReconciliation(h.internals);
    expect(only(report.findings, 'possible-missed-link').map((f) => [f.clinikoId, f.tradifyId])).toEqual([[patient.id, trade.id]]);
    expect(only(report.findings, 'orphan')).toEqual([]);
  });

  it('deleted-patient: a linked patient whose id no longer answers (not also an orphan)', async () => {
    const patient = livePatients()[4]!;
    const customerId = await linkOf('patient', patient.id);
    h.fc.db.patients.update(patient.id, { deleted_at: '2026-01-01T00:00:00Z' });
    const report = await runReconciliation(h.internals);
    expect(only(report.findings, 'deleted-patient').map((f) => [f.clinikoId, f.tradifyId])).toEqual([[patient.id, customerId]]);
    expect(only(report.findings, 'orphan')).toEqual([]);
  });

  it('an archived patient is still found (archived_at:*), not reported deleted or orphaned', async () => {
    const patient = livePatients()[5]!;
    h.fc.db.patients.archive(patient.id);
    const report = await runReconciliation(h.internals);
    expect(only(report.findings, 'deleted-patient')).toEqual([]);
    expect(only(report.findings, 'orphan')).toEqual([]);
    // archived → the customer should now be inactive: a field mismatch on `active`
    expect(report.findings.map((f) => [f.kind, f.clinikoId, f.field])).toEqual([['field-mismatch', patient.id, 'active']]);
  });
});

describe('trade records', () => {
  it('counts Tradify-only customers and invoices, never as orphans', async () => {
    await h.close();
    h = await startHarness({ tradeCustomers: 3 });
    await minimalSync(h);
    const trade = h.ft.state.customers.all().find((c) => c.externalReference === null)!;
    await h.tradify.invoices.create({ customerId: trade.id, invoiceDate: '2024-03-01', lineItems: [{ description: 'Gutter clean', quantity: '1', unitPrice: '150.00' }] });
    const report = await runReconciliation(h.internals);
    expect(report.summary.records.tradeCustomers).toBe(3);
    expect(report.summary.records.tradeInvoices).toBe(1);
    expect(only(report.findings, 'orphan')).toEqual([]);
    expect(only(report.findings, 'missing-in-tradify')).toEqual([]);
  });
});
