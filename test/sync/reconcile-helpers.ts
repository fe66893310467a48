/**
 * Test helpers for reconciliation: the two fakes, real clients, a memory store, and a minimal
 * faithful sync written through the real Tradify client (used until/unless the engine is
 * driven directly), so reconciliation is tested against data it did not produce itself.
 */
import { ClinikoClient, type ClinikoInvoiceItem, MemoryStateStore, createLeaseOwner, type LinkUpsert, HttpTradifyClient } from 'cliniko-tradify';
import { linkedId } from 'cliniko-tradify/cliniko';
import { toLocalDate, resolveMappingConfig, checkTaxTable, mapInvoiceLines } from 'cliniko-tradify/mapping';
import { startFakeCliniko, startFakeTradify, type FakeCliniko, type FakeTradify } from 'cliniko-tradify/testing';
import { defaultExpectedCustomer } from '../../src/sync/reconcile/normalise.js';
import { clinikoSourceFromClient } from '../../src/sync/reconcile/cliniko-source.js';
import type { ReconcileInternals } from '../../src/sync/reconcile/types.js';
import { collect } from '../../src/tradify/pagination.js';

export const TIME_ZONE = 'Australia/Sydney';

export interface Harness {
  fc: FakeCliniko;
  ft: FakeTradify;
  cliniko: ClinikoClient;
  tradify: HttpTradifyClient;
  store: MemoryStateStore;
  internals: ReconcileInternals;
  close(): Promise<void>;
}

export async function startHarness(options: { patients?: number; invoices?: number; seed?: number; tradeCustomers?: number } = {}): Promise<Harness> {
  const fc = await startFakeCliniko({ patients: options.patients ?? 12, invoices: options.invoices ?? 16, seed: options.seed ?? 11, rateLimit: false });
  const ft = await startFakeTradify({ seed: options.seed ?? 11, rateLimit: false, customers: options.tradeCustomers ?? 0 });
  const cliniko = new ClinikoClient({ apiKey: fc.apiKey, userAgent: 'Reconcile Test (test@example.com)', baseUrl: fc.url, requestsPerMinute: 600_000 });
  const tradify = new HttpTradifyClient({ apiKey: ft.apiKey, baseUrl: ft.url, requestsPerMinute: 600_000 });
  const store = new MemoryStateStore();
  const internals: ReconcileInternals = { accountId: 'default', timeZone: TIME_ZONE, store, cliniko: clinikoSourceFromClient(cliniko), tradify };
  return { fc, ft, cliniko, tradify, store, internals, close: async () => void (await Promise.all([fc.close(), ft.close()])) };
}

async function syncPatients(h: Harness, links: LinkUpsert[]): Promise<Map<string, string>> {
  const customers = new Map<string, string>();
  for await (const patient of h.cliniko.patients.list({ includeArchived: true })) {
    const expected = defaultExpectedCustomer(patient);
    const externalReference = `cliniko:patient:${patient.id}`;
    const created = await h.tradify.customers.create({ ...expected, postalAddress: expected.physicalAddress, externalReference });
    customers.set(patient.id, created.id);
    links.push({ kind: 'patient', clinikoId: patient.id, tradifyId: created.id, externalReference });
  }
  return customers;
}

const SETTLE_AFTER_MS = 24 * 3_600_000;

function settled(invoice: { updated_at: string }, items: readonly { updated_at: string }[]): boolean {
  const lastChange = Math.max(Date.parse(invoice.updated_at), ...items.map((i) => Date.parse(i.updated_at)));
  return Date.now() - lastChange >= SETTLE_AFTER_MS;
}

async function syncInvoices(h: Harness, customers: Map<string, string>, links: LinkUpsert[]): Promise<void> {
  const config = resolveMappingConfig({});
  const taxes = checkTaxTable(await collect(h.tradify.taxRates.list()), config);
  for await (const invoice of h.cliniko.invoices.list()) {
    const customerId = customers.get(linkedId(invoice.patient) ?? '');
    if (!customerId || (invoice.status !== 10 && invoice.status !== 20) || invoice.issue_date === null) continue;
    const items: ClinikoInvoiceItem[] = await h.cliniko.invoiceItems.list({ invoiceIds: [invoice.id] }).toArray();
    items.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const mapped = mapInvoiceLines({ invoiceId: invoice.id, totalAmount: invoice.total_amount, calculationMethod: invoice.calculation_method, items, taxes, rounding: config.rounding });
    const externalReference = `cliniko:invoice:${invoice.id}`;
    const created = await h.tradify.invoices.create({ customerId, invoiceDate: invoice.issue_date, externalReference, reference: `Cliniko #${invoice.number}`, taxMode: mapped.taxMode, lineItems: mapped.lineItems });
    links.push({ kind: 'invoice', clinikoId: invoice.id, tradifyId: created.id, externalReference });
    if (created.lineItems.length === 0) continue;
    // the default approval policy: Open stays a draft until unchanged for 24 h; Paid is approved and paid
    if (invoice.status === 10) {
      if (settled(invoice, items)) await h.tradify.invoices.approve(created.id);
      continue;
    }
    const approved = await h.tradify.invoices.approve(created.id);
    const paidOn = invoice.closed_at ? toLocalDate(invoice.closed_at, TIME_ZONE) : invoice.issue_date;
    if (approved.amountDue !== '0.00') await h.tradify.payments.add(created.id, { date: paidOn, amount: approved.amountDue });
  }
}

/** Syncs every patient and every Open/Paid invoice, and records the links, as the engine would. */
export async function minimalSync(h: Harness): Promise<void> {
  const lease = await h.store.acquireLease('default', { owner: createLeaseOwner(), ttlMs: 60_000 });
  const links: LinkUpsert[] = [];
  const customers = await syncPatients(h, links);
  await syncInvoices(h, customers, links);
  await h.store.commitPage('default', lease.token, { links });
  await h.store.releaseLease('default', lease.token);
}
