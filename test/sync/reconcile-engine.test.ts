import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClinikoClient, MemoryStateStore, SyncEngine, HttpTradifyClient, silentLogger, CallbackAlerter } from 'cliniko-tradify';
import { startFakeCliniko, startFakeTradify, type FakeCliniko, type FakeTradify } from 'cliniko-tradify/testing';

let fc: FakeCliniko;
let ft: FakeTradify;
let engine: SyncEngine;
let store: MemoryStateStore;

beforeEach(async () => {
  fc = await startFakeCliniko({ patients: 12, invoices: 16, seed: 11, rateLimit: false });
  ft = await startFakeTradify({ seed: 11, rateLimit: false, customers: 2 });
  store = new MemoryStateStore();
  engine = new SyncEngine({
    cliniko: new ClinikoClient({ apiKey: fc.apiKey, userAgent: 'Reconcile Test (test@example.com)', baseUrl: fc.url, requestsPerMinute: 600_000, logger: silentLogger }),
    tradify: new HttpTradifyClient({ apiKey: ft.apiKey, baseUrl: ft.url, requestsPerMinute: 600_000 }),
    store,
    logger: silentLogger,
    alerter: new CallbackAlerter(() => undefined),
  });
  await engine.run();
});
afterEach(async () => {
  await Promise.all([fc.close(), ft.close()]);
});

describe('engine.reconcile() after engine.run()', () => {
  it('finds nothing about the records the engine synced, and counts the trade customers', async () => {
    const report = await engine.reconcile();
    expect(report.findings).toEqual([]);
    expect(report.summary.records.tradeCustomers).toBe(2);
    expect(report.summary.records.clinikoPatients).toBeGreaterThan(0);
  });

  it('repair: true re-pushes a new patient and a tampered customer inside its lease; a second pass is clean', async () => {
    const added = fc.db.patients.insert({ first_name: 'Late', last_name: 'Comer', email: 'late.comer@example.com' });
    const link = (await store.links.list('default', { kind: 'patient' })).items[0]!;
    ft.state.customers.tamper(link.tradifyId, { name: 'Edited In Tradify' });
    const report = await engine.reconcile({ repair: true });
    expect(report.findings.map((f) => [f.kind, f.clinikoId, f.field ?? null])).toEqual([
      ['field-mismatch', link.clinikoId, 'name'],
      ['missing-in-tradify', added.id, null],
    ]);
    expect(report.summary.repairs).toEqual({ repaired: 2, reviewed: 0, reviewsByEngine: 0, unchanged: 0, failed: 0 });
    expect(await store.getLease('default')).toBeUndefined();
    const after = await engine.reconcile();
    expect(after.findings).toEqual([]);
    const audit = (await store.audit.list('default', { action: 'repair', stream: 'reconcile' })).items;
    expect(audit.map((a) => a.clinikoId).sort()).toEqual([link.clinikoId, added.id].sort());
  });

  it('repair re-creates an invoice whose Tradify copy was deleted, with a fresh idempotency key', async () => {
    const links = (await store.links.list('default', { kind: 'invoice' })).items;
    const draft = links.find((l) => ['draft', 'approved'].includes(ft.state.invoices.get(l.tradifyId)?.status ?? ''));
    expect(draft).toBeDefined();
    ft.state.invoices.delete(draft!.tradifyId);
    const report = await engine.reconcile({ repair: true });
    expect(report.summary.repairs).toMatchObject({ repaired: 1, unchanged: 0, failed: 0 });
    const relinked = (await store.links.getMany('default', 'invoice', [draft!.clinikoId])).get(draft!.clinikoId);
    expect(relinked?.tradifyId).toBeDefined();
    expect(relinked!.tradifyId).not.toBe(draft!.tradifyId); // not the replayed create of the deleted record
    expect(ft.state.invoices.get(relinked!.tradifyId)?.externalReference).toBe(`cliniko:invoice:${draft!.clinikoId}`);
    expect((await engine.reconcile()).findings).toEqual([]);
  });

  it('a linked customer deleted in Tradify is an orphan the engine sends to a person', async () => {
    const link = (await store.links.list('default', { kind: 'patient' })).items[0]!;
    ft.state.customers.delete(link.tradifyId);
    const report = await engine.reconcile({ repair: true });
    expect(report.findings.map((f) => [f.kind, f.clinikoId, f.reason])).toEqual([['orphan', link.clinikoId, 'linked-tradify-record-missing']]);
    const reviews = (await store.reviews.list('default', { status: 'open', recordId: link.clinikoId })).items;
    expect(reviews.map((r) => [r.kind, r.reasonCode])).toEqual([['patient', 'tradify-customer-missing']]);
    // the engine answered the repair with a review: not counted as repaired
    expect(report.summary.repairs).toEqual({ repaired: 0, reviewed: 0, reviewsByEngine: 1, unchanged: 0, failed: 0 });
    const audit = (await store.audit.list('default', { stream: 'reconcile', clinikoId: link.clinikoId })).items;
    expect(audit.map((a) => a.action)).toEqual(['repair-reviewed']);
  });
});
