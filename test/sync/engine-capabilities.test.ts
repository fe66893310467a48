/**
 * The port's capabilities as the engine honours them: a backend that does not enforce unique
 * external references gets a look-up before each create (and the ETA counts those reads);
 * owners can be carried on customers and not on invoices.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, HttpTradifyClient, type TradifyCapabilities, type TradifyPort } from 'cliniko-tradify';
import { runEta } from '../../src/sync/eta.js';
import { startHarness, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function withCapabilities(port: TradifyPort, capabilities: TradifyCapabilities): TradifyPort {
  return { ...port, capabilities };
}

const NOT_UNIQUE: TradifyCapabilities = { ownerStaffId: true, uniqueExternalReference: false };
const RATES = { cliniko: 190, tradify: 95 };

function lookups(harness: Harness, path: string, from: number): number {
  return harness.ft.requests.slice(from).filter((r) => r.method === 'GET' && r.path === path && r.query.externalReference !== undefined).length;
}

function posts(harness: Harness, path: string, from: number): number {
  return harness.ft.requests.slice(from).filter((r) => r.method === 'POST' && r.path === path).length;
}

describe('uniqueExternalReference: false — the engine looks the reference up before a create', () => {
  it('adopts an invoice already holding our reference instead of creating one (a create lost before its checkpoint)', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 6 }, engine: { mapping: { approval: { when: 'manual' } } } });
    const open = h.fc.db.invoices.all().find((i) => i.status === 10 && i.deleted_at === null && i.archived_at === null)!;
    const holder = await h.tradify.customers.create({ name: 'Crash leftover' });
    const leftover = await h.tradify.invoices.create({
      customerId: holder.id,
      invoiceDate: '2026-01-01',
      externalReference: `cliniko:invoice:${open.id}`,
      lineItems: [{ description: 'Left by a crash', quantity: '1', unitPrice: '1.00' }],
    });
    const from = h.ft.requests.length;
    await h.newEngine({ tradify: withCapabilities(h.tradify, NOT_UNIQUE) }).run();

    const link = (await h.store.links.getMany('default', 'invoice', [open.id])).get(open.id)!;
    expect(link.tradifyId).toBe(leftover.id);
    const ours = h.ft.state.invoices.all().filter((i) => i.externalReference?.startsWith('cliniko:invoice:'));
    // every invoice but the adopted one was created once, and the adopted one never POSTed
    expect(posts(h, '/v1/invoices', from)).toBe(ours.length - 1);
    expect(lookups(h, '/v1/invoices', from)).toBe(ours.length);
    expect(h.ft.state.invoices.get(leftover.id)!.customerId).not.toBe(holder.id);
    expect((await h.engine.audit.list({ action: 'adopt' })).items.map((a) => a.tradifyId)).toContain(leftover.id);
  });

  it('adopts a customer already holding our reference that the customer index missed, and reads once per customer created', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 0 } });
    const patient = h.fc.db.patients.all().find((p) => p.archived_at === null)!;
    const leftover = await h.tradify.customers.create({ name: 'Crash leftover', externalReference: `cliniko:patient:${patient.id}` });
    const base = withCapabilities(h.tradify, NOT_UNIQUE);
    // the index listing (no reference filter) lags behind: it does not show the leftover yet
    const lagging: TradifyPort = {
      ...base,
      customers: { ...base.customers, list: (q) => (q?.externalReference === undefined ? h!.tradify.customers.list({ ...q, updatedSince: '2999-01-01T00:00:00Z' }) : h!.tradify.customers.list(q)) },
    };
    const from = h.ft.requests.length;
    await h.newEngine({ tradify: lagging }).run();

    const link = (await h.store.links.getMany('default', 'patient', [patient.id])).get(patient.id)!;
    expect(link.tradifyId).toBe(leftover.id);
    const created = h.ft.state.customers.all().filter((c) => c.externalReference?.startsWith('cliniko:patient:')).length - 1;
    expect(posts(h, '/v1/customers', from)).toBe(created);
    expect(lookups(h, '/v1/customers', from)).toBe(created + 1);
  });

  it('makes no look-up at all when the backend enforces unique references (HttpTradifyClient)', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 6 } });
    const from = h.ft.requests.length;
    await h.engine.run();
    expect(posts(h, '/v1/invoices', from)).toBeGreaterThan(0);
    expect(lookups(h, '/v1/invoices', from) + lookups(h, '/v1/customers', from)).toBe(0);
  });

  it('counts the look-ups in the ETA, per entity', async () => {
    const pending = { patients: 100, invoices: 200 };
    expect(runEta(pending, RATES).tradifyReads).toBe(0);
    const both = runEta(pending, RATES, { uniqueExternalReference: false });
    expect(both.tradifyReads).toBe(300);
    expect(both.tradifyWrites).toBe(100 + 3 * 200);
    expect(both.ms).toBeGreaterThan(runEta(pending, RATES).ms);
    expect(runEta(pending, RATES, { uniqueExternalReference: { customers: true, invoices: false } }).tradifyReads).toBe(200);
    expect(runEta(pending, RATES, {}).tradifyReads).toBe(300);

    h = await startHarness({ cliniko: { patients: 4, invoices: 6 } });
    const estimate = await h.newEngine({ tradify: withCapabilities(h.tradify, NOT_UNIQUE) }).estimate();
    expect(estimate.eta.tradifyReads).toBe(estimate.pending.patients + estimate.pending.invoices);
    expect((await h.engine.estimate()).eta.tradifyReads).toBe(0);
  });
});

describe('ownerStaffId per entity', () => {
  it('carries owners on customers only: invoices get none and no staff are read for them', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 6 } });
    const staffId = h.ft.state.staff.all().find((s) => s.active)!.id;
    const port = new HttpTradifyClient({ apiKey: h.ft.apiKey, baseUrl: h.ft.url, requestsPerMinute: 600_000, logger: silentLogger, capabilities: { ownerStaffId: { customers: true, invoices: false } } });
    const from = h.ft.requests.length;
    await h.newEngine({ tradify: port, mapping: { customerOwner: () => staffId } }).run();
    const customers = h.ft.state.customers.all().filter((c) => c.externalReference?.startsWith('cliniko:patient:'));
    expect(customers.length).toBeGreaterThan(0);
    expect(customers.every((c) => c.ownerStaffId === staffId)).toBe(true);
    expect(h.ft.state.invoices.all().filter((i) => i.ownerStaffId !== null)).toEqual([]);
    expect(h.ft.requests.slice(from).filter((r) => r.path === '/v1/staff')).toEqual([]);
  });
});
