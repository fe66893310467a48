/**
 * `npm run bench -- reconcile [patients] [invoices]`: reconciliation of a clean sync of 10,000
 * patients + 10,000 invoices at the sync bench rates (fake Cliniko 12,000/min in a child
 * process, fake Tradify 6,000/min, 20 ms latency each). Reports requests ÷ minimum and
 * wall ÷ floor per API (targets ≤ 1.10) and that a clean sync yields no findings.
 *
 * The Tradify side is seeded directly into the fake's state (what a sync would have written,
 * computed with the mapping's own line encoder), so the bench measures reconciliation only.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClinikoClient } from '../../src/cliniko/client.js';
import { linkedId } from '../../src/cliniko/links.js';
import type { ClinikoInvoice } from '../../src/cliniko/schemas/invoice.js';
import type { ClinikoInvoiceItem } from '../../src/cliniko/schemas/invoice-item.js';
import { toLocalDate } from '../../src/core/dates.js';
import { silentLogger } from '../../src/core/logger.js';
import { resolveMappingConfig } from '../../src/mapping/config.js';
import { checkTaxTable, mapInvoiceLines } from '../../src/mapping/tax.js';
import { SqliteStateStore } from '../../src/stores/sqlite.js';
import { createLeaseOwner } from '../../src/sync/ports.js';
import type { LinkUpsert } from '../../src/sync/ports.js';
import { clinikoSourceFromClient } from '../../src/sync/reconcile/cliniko-source.js';
import { runReconciliation } from '../../src/sync/reconcile/index.js';
import { defaultExpectedCustomer } from '../../src/sync/reconcile/normalise.js';
import { startFakeCliniko, startFakeTradify } from '../../src/testing/index.js';
import type { FakeTradify } from '../../src/testing/index.js';
import { HttpTradifyClient } from '../../src/tradify/http-client.js';
import { forkFakeCliniko } from '../lib/fake-cliniko-process.js';
import { peakRssMiB, type BenchResult } from '../lib/report.js';

const CLINIKO_RPM = 12_000;
const TRADIFY_RPM = 6_000;
const LATENCY_MS = 20;
const TIME_ZONE = 'Australia/Sydney';
const STAMP = '2026-01-01T00:00:00Z';

interface ClinikoSnapshot {
  patients: Awaited<ReturnType<ClinikoClient['patients']['retrieve']>>[];
  invoices: ClinikoInvoice[];
  items: Map<string, ClinikoInvoiceItem[]>;
}

/** Reads the same generated data (same seed) from an unthrottled in-process copy of the fake. */
async function snapshot(patients: number, invoices: number, seed: number): Promise<ClinikoSnapshot> {
  const fc = await startFakeCliniko({ patients, invoices, seed, rateLimit: false });
  const client = new ClinikoClient({ apiKey: fc.apiKey, userAgent: 'Reconcile Bench (bench@example.com)', baseUrl: fc.url, requestsPerMinute: 1_000_000, logger: silentLogger });
  const all = await client.patients.list({ includeArchived: true }).toArray();
  const live = (await client.invoices.list().toArray()).filter((i) => i.status === 10 || i.status === 20);
  const items = new Map<string, ClinikoInvoiceItem[]>();
  for (const item of await client.invoiceItems.list({ invoiceIds: live.map((i) => i.id) }).toArray()) {
    const id = linkedId(item.invoice)!;
    items.set(id, [...(items.get(id) ?? []), item]);
  }
  await fc.close();
  return { patients: all, invoices: live, items };
}

function seedCustomers(ft: FakeTradify, data: ClinikoSnapshot, links: LinkUpsert[]): Map<string, string> {
  const customers = new Map<string, string>();
  for (const patient of data.patients) {
    const e = defaultExpectedCustomer(patient);
    const id = `cus_b${patient.id}`;
    const externalReference = `cliniko:patient:${patient.id}`;
    ft.state.customers.insert({
      id, name: e.name, contactName: null, email: e.email ?? null, phone: e.phone ?? null, mobile: e.mobile ?? null, fax: null,
      physicalAddress: e.physicalAddress ?? null, postalAddress: e.physicalAddress ?? null, pricingLevelId: null, defaultInvoiceDueDays: null,
      taxMode: null, externalReference, customFields: { custom1: null, custom2: null, custom3: null, custom4: null }, ownerStaffId: null,
      active: e.active ?? true, createdAt: STAMP, updatedAt: STAMP,
    });
    customers.set(patient.id, id);
    links.push({ kind: 'patient', clinikoId: patient.id, tradifyId: id, externalReference });
  }
  return customers;
}

const SETTLE_AFTER_MS = 24 * 3_600_000;

function settled(invoice: ClinikoInvoice, items: readonly ClinikoInvoiceItem[]): boolean {
  const lastChange = Math.max(Date.parse(invoice.updated_at), ...items.map((i) => Date.parse(i.updated_at)));
  return Date.now() - lastChange >= SETTLE_AFTER_MS;
}

function seedInvoices(ft: FakeTradify, data: ClinikoSnapshot, customers: Map<string, string>, links: LinkUpsert[]): number {
  const config = resolveMappingConfig({});
  const rates = ft.state.taxRates.all();
  const taxes = checkTaxTable(rates.map((r) => ({ ...r, rate: String(r.rate) })), config);
  let paid = 0;
  for (const inv of data.invoices) {
    const customerId = customers.get(linkedId(inv.patient) ?? '');
    if (!customerId || inv.issue_date === null) continue;
    const items = [...(data.items.get(inv.id) ?? [])].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const mapped = mapInvoiceLines({ invoiceId: inv.id, totalAmount: inv.total_amount, calculationMethod: inv.calculation_method, items, taxes, rounding: config.rounding });
    const id = `inv_b${inv.id}`;
    const externalReference = `cliniko:invoice:${inv.id}`;
    const isPaid = inv.status === 20 && mapped.lineItems.length > 0;
    // the default approval policy: an Open invoice unchanged for 24 h has been approved by the sync
    const isApproved = !isPaid && mapped.lineItems.length > 0 && settled(inv, items);
    ft.state.invoices.insert({
      id, invoiceNumber: isPaid || isApproved ? `B${inv.number}` : null, status: isPaid ? 'paid' : isApproved ? 'approved' : 'draft', customerId, siteId: null, jobIds: [], reference: `Cliniko #${inv.number}`,
      externalReference, invoiceDate: inv.issue_date, dueDate: null, taxMode: mapped.taxMode, currency: 'AUD', amountCredited: '0.00', ownerStaffId: null,
      sentAt: null, approvedAt: isPaid || isApproved ? STAMP : null, cancelledAt: null, createdAt: STAMP, updatedAt: STAMP,
      lineItems: mapped.lineItems.map((l, i) => ({
        id: `${id}_l${i}`, type: l.type ?? 'misc', itemCode: l.itemCode ?? null, description: l.description, quantity: l.quantity, unitPrice: l.unitPrice,
        discountPercent: l.discountPercent ?? '0', taxRateId: l.taxRateId ?? null, taxRatePercent: rates.find((r) => r.id === l.taxRateId)?.rate ?? null, accountCode: null,
      })),
    });
    if (isPaid) {
      const total = ft.state.invoices.get(id)!.total;
      const date = inv.closed_at ? toLocalDate(inv.closed_at, TIME_ZONE) : inv.issue_date;
      ft.state.payments.insert({ id: `pay_b${inv.id}`, invoiceId: id, date, amount: total, method: null, reference: null, note: null, createdAt: STAMP });
      paid += 1;
    }
    links.push({ kind: 'invoice', clinikoId: inv.id, tradifyId: id, externalReference });
  }
  return paid;
}

export async function run(args: readonly string[]): Promise<BenchResult> {
  const patients = Number(args[0] ?? 10_000);
  const invoices = Number(args[1] ?? 10_000);
  const seed = 42;
  const data = await snapshot(patients, invoices, seed);
  const forked = await forkFakeCliniko({ patients, invoices, seed, latencyMs: LATENCY_MS, rateLimit: { perMinute: CLINIKO_RPM, window: 'fixed' } });
  const ft = await startFakeTradify({ seed, latencyMs: LATENCY_MS, rateLimit: { perMinute: TRADIFY_RPM } });
  const dir = await mkdtemp(join(tmpdir(), 'ct-bench-reconcile-'));
  const store = new SqliteStateStore({ path: join(dir, 'state.db') });
  try {
    const links: LinkUpsert[] = [];
    const paid = seedInvoices(ft, data, seedCustomers(ft, data, links), links);
    const lease = await store.acquireLease('default', { owner: createLeaseOwner(), ttlMs: 600_000 });
    await store.commitPage('default', lease.token, { links });
    await store.releaseLease('default', lease.token);

    const cliniko = new ClinikoClient({ apiKey: forked.apiKey, userAgent: 'Reconcile Bench (bench@example.com)', baseUrl: forked.url, requestsPerMinute: CLINIKO_RPM, logger: silentLogger });
    const tradify = new HttpTradifyClient({ apiKey: ft.apiKey, baseUrl: ft.url, requestsPerMinute: TRADIFY_RPM });
    const started = performance.now();
    const eluBefore = performance.eventLoopUtilization();
    const report = await runReconciliation({ accountId: 'default', timeZone: TIME_ZONE, store, cliniko: clinikoSourceFromClient(cliniko), tradify, logger: process.env.BENCH_DEBUG ? { ...silentLogger, debug: (m, f) => console.error(Math.round(performance.now() - started), m, f) } : silentLogger });
    if (process.env.BENCH_DEBUG) console.error(JSON.stringify(report.findings.slice(0, 8)), JSON.stringify(report.summary.counts));
    if (process.env.BENCH_DEBUG) {
      // Tradify requests per second of the run, by path family: where the paced stream ran dry
      const t0 = ft.requests[0]?.at ?? 0;
      const perSecond = new Map<number, Record<string, number>>();
      for (const r of ft.requests) {
        const s = Math.floor((r.at - t0) / 1000);
        const family = r.path.includes('/payments') ? 'pay' : r.path.replace('/v1/', '');
        const row = perSecond.get(s) ?? {};
        row[family] = (row[family] ?? 0) + 1;
        perSecond.set(s, row);
      }
      for (const [s, row] of [...perSecond].sort((a, b) => a[0] - b[0])) console.error(s, JSON.stringify(row));
    }
    const wallMs = performance.now() - started;
    // how busy this process's event loop was (fake Tradify, both clients, the store): near 1 means CPU-bound, not paced
    const eventLoopBusy = Math.round(performance.eventLoopUtilization(eluBefore).utilization * 100) / 100;

    const liveItems = [...data.items.values()].reduce((n, list) => n + list.length, 0);
    const clinikoMin = Math.ceil(report.summary.records.clinikoPatients / 100) + Math.ceil(report.summary.records.clinikoInvoices / 100) + Math.ceil(liveItems / 100);
    const tradifyMin = 1 + Math.ceil(report.summary.records.tradifyCustomers / 200) + Math.ceil(report.summary.records.tradifyInvoices / 200) + paid;
    const floorMs = Math.max((clinikoMin / CLINIKO_RPM) * 60_000, (tradifyMin / TRADIFY_RPM) * 60_000);
    const fakeStats = await forked.stats();
    const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
    return {
      scenario: 'reconcile',
      notes: [
        `${patients} patients, ${invoices} invoices (${liveItems} live items of synced invoices); Cliniko fake ${CLINIKO_RPM}/min in a child process, Tradify fake ${TRADIFY_RPM}/min in-process, ${LATENCY_MS} ms latency; SQLite store.`,
        'Minimum: Cliniko pages of 100 (patients, invoices with archived/deleted, items); Tradify 1 tax-rate read, pages of 200, one payment listing per paid referenced invoice (cash basis needs payment dates).',
        'Floor: the slower API\u2019s minimum requests at its rate (both sides are read at once).',
      ],
      cases: [
        {
          name: `reconcile ${patients} patients + ${invoices} invoices`,
          metrics: {
            'cliniko requests': report.summary.requests.cliniko,
            'cliniko minimum': clinikoMin,
            'tradify requests': report.summary.requests.tradify,
            'tradify minimum': tradifyMin,
            'cliniko 429s': fakeStats.tooMany,
            'wall ms': Math.round(wallMs),
            'floor ms': Math.round(floorMs),
            'wall / floor': ratio(wallMs, floorMs),
            findings: report.summary.totalFindings,
            'event loop busy': eventLoopBusy,
            'peak RSS MiB': peakRssMiB(),
          },
          targets: {
            'cliniko requests / minimum <= 1.10': report.summary.requests.cliniko / clinikoMin <= 1.1,
            'tradify requests / minimum <= 1.10': report.summary.requests.tradify / tradifyMin <= 1.1,
            'wall / floor <= 1.10': wallMs / floorMs <= 1.1,
            'clean sync has no findings': report.summary.totalFindings === 0,
          },
        },
      ],
    };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
    await forked.close();
    await ft.close();
  }
}
