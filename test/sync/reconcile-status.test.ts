/**
 * Reconciliation judges invoice status through the engine's status planner, under each approval
 * policy: what the engine deliberately leaves (a draft awaiting manual approval or its settle
 * window) is not a finding; a status the sync would still change is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ReconciliationFinding } from 'cliniko-tradify';
import { startHarness } from './helpers.js';
import type { Harness } from './helpers.js';

const HOUR = 3_600_000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function invoicesWithStatus(harness: Harness, status: number) {
  return harness.fc.db.invoices.all().filter((i) => i.status === status && i.deleted_at === null && i.archived_at === null);
}

async function tradifyIdOf(harness: Harness, clinikoId: string): Promise<string> {
  return (await harness.store.links.getMany('default', 'invoice', [clinikoId])).get(clinikoId)!.tradifyId;
}

function statusFindings(findings: readonly ReconciliationFinding[]) {
  return findings.filter((f) => f.field === 'status').map((f) => [f.clinikoId, f.clinikoValue, f.tradifyValue, f.reason, f.fixable]);
}

describe("approval: { when: 'manual' }", () => {
  it('Paid invoices left as drafts are not findings; one a person approved but the sync has not paid is, and repair pays it', async () => {
    h = await startHarness({ cliniko: { invoices: 12 }, engine: { mapping: { approval: { when: 'manual' } } } });
    await h.engine.run();
    const paid = invoicesWithStatus(h, 20);
    expect(paid.length).toBeGreaterThan(0);
    const paidIds = await Promise.all(paid.map((p) => tradifyIdOf(h!, p.id)));
    expect(paidIds.map((id) => h!.ft.state.invoices.stored(id)!.status)).toEqual(paid.map(() => 'draft'));
    expect((await h.engine.reconcile()).findings).toEqual([]);

    await h.tradify.invoices.approve(paidIds[0]!);
    const report = await h.engine.reconcile({ repair: true });
    expect(statusFindings(report.findings)).toEqual([[paid[0]!.id, '20', 'approved', 'sync-would-pay', true]]);
    expect(report.summary.repairs).toEqual({ repaired: 1, reviewed: 0, failed: 0, reviewsByEngine: 0, unchanged: 0 });
    expect(h.ft.state.invoices.stored(paidIds[0]!)!.status).toBe('paid');
    expect((await h.engine.reconcile()).findings).toEqual([]);
  });
});

describe("approval: { when: 'settled' }", () => {
  it('an Open draft inside its settle window at the last sync is fine, even after the window passes; the next sync approves it', async () => {
    h = await startHarness({ engine: { mapping: { approval: { when: 'settled', settleAfter: '24h' } } } });
    const open = invoicesWithStatus(h, 10)[0]!;
    h.fc.db.invoices.update(open.id, { notes: 'touched' });
    h.clock.ms = h.fc.db.clock.now();
    await h.engine.run();
    const id = await tradifyIdOf(h, open.id);
    expect(h.ft.state.invoices.stored(id)!.status).toBe('draft');
    expect((await h.engine.reconcile()).findings).toEqual([]);
    h.clock.advance(25 * HOUR); // settled now, but no sync has run since
    expect((await h.engine.reconcile()).findings).toEqual([]);
    await h.engine.run();
    expect(h.ft.state.invoices.stored(id)!.status).toBe('approved');
    expect((await h.engine.reconcile()).findings).toEqual([]);
  });

  it('an Open draft already settled at the last sync, and a Paid invoice left a draft, are findings', async () => {
    h = await startHarness({ engine: { mapping: { approval: { when: 'settled', settleAfter: '24h' } } } });
    h.clock.advance(48 * HOUR); // the seeded invoices last changed long before the sync
    await h.engine.run();
    const open = invoicesWithStatus(h, 10).find((i) => h!.ft.state.invoices.all().some((t) => t.externalReference === `cliniko:invoice:${i.id}` && t.status === 'approved'))!;
    const openId = await tradifyIdOf(h, open.id);
    h.ft.state.invoices.tamper(openId, { status: 'draft' });
    const paid = invoicesWithStatus(h, 20)[0]!;
    const paidId = await tradifyIdOf(h, paid.id);
    for (const p of h.ft.state.payments.all().filter((x) => x.invoiceId === paidId)) h.ft.state.payments.delete(p.id);
    h.ft.state.invoices.tamper(paidId, { status: 'draft' });
    const report = await h.engine.reconcile();
    expect(statusFindings(report.findings).sort()).toEqual(
      [
        [open.id, '10', 'draft', 'sync-would-approve', true],
        [paid.id, '20', 'draft', 'sync-would-approve-pay', true],
      ].sort(),
    );
  });
});

describe("approval: { when: 'immediately' }", () => {
  it('a clean sync reconciles clean; a Paid invoice cancelled in Tradify needs a person (not fixable)', async () => {
    h = await startHarness({ engine: { mapping: { approval: { when: 'immediately' } } } });
    await h.engine.run();
    expect((await h.engine.reconcile()).findings).toEqual([]);
    const paid = invoicesWithStatus(h, 20)[0]!;
    const paidId = await tradifyIdOf(h, paid.id);
    for (const p of h.ft.state.payments.all().filter((x) => x.invoiceId === paidId)) h.ft.state.payments.delete(p.id);
    h.ft.state.invoices.tamper(paidId, { status: 'cancelled' });
    const report = await h.engine.reconcile();
    expect(statusFindings(report.findings)).toEqual([[paid.id, '20', 'cancelled', 'needs-review-cancelled-in-tradify', false]]);
  });
});
