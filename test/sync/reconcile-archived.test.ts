/**
 * Reconciliation of invoices archived in Cliniko: the sync withdraws them like deleted ones,
 * and reconciliation judges their Tradify copies the same way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isMoneyRowFlagged } from '../../src/sync/report/money.js';
import { startHarness } from './helpers.js';
import type { Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function archiveInvoice(harness: Harness, invoiceId: string): void {
  for (const item of harness.fc.db.invoiceItems.all().filter((i) => i.invoice_id === invoiceId)) harness.fc.db.invoiceItems.archive(item.id);
  harness.fc.db.invoices.archive(invoiceId);
}

function liveInvoice(harness: Harness, status: number) {
  return harness.fc.db.invoices.all().find((i) => i.status === status && i.deleted_at === null && i.archived_at === null)!;
}

function copyOf(harness: Harness, clinikoId: string) {
  return harness.ft.state.invoices.all().find((i) => i.externalReference === `cliniko:invoice:${clinikoId}`);
}

describe('invoices archived in Cliniko', () => {
  it('once the sync has withdrawn them, reconcile finds nothing; the paid copy waiting for a person is a known item', async () => {
    h = await startHarness({ engine: { mapping: { approval: { when: 'immediately' } } } });
    await h.engine.run();
    const open = liveInvoice(h, 10);
    const paid = liveInvoice(h, 20);
    archiveInvoice(h, open.id);
    archiveInvoice(h, paid.id);
    await h.engine.run();
    expect([copyOf(h, open.id)?.status, copyOf(h, paid.id)?.status]).toEqual(['cancelled', 'paid']);

    const report = await h.engine.reconcile();
    expect(report.findings).toEqual([]);
    expect(report.discrepancies).toEqual([]);
    const reasons = (id: string) => report.knownItems().filter((k) => k.clinikoId === id).map((k) => [k.reason, k.detail]);
    expect([reasons(open.id), reasons(paid.id)]).toEqual([[['archived', null]], [['in-review', 'archived-but-paid']]]);
    const row = report.summary.money.byIssueMonth.find((r) => r.period === copyOf(h!, paid.id)!.invoiceDate.slice(0, 7))!;
    expect([row.knownItems, row.discrepancies, isMoneyRowFlagged(row)]).toEqual([1, 0, false]);
  });

  it('a draft left behind for an archived invoice is a fixable status finding, and repair deletes it', async () => {
    h = await startHarness({ cliniko: { invoices: 12 }, engine: { mapping: { approval: { when: 'manual' } } } });
    await h.engine.run();
    const open = liveInvoice(h, 10);
    expect(copyOf(h, open.id)?.status).toBe('draft');
    archiveInvoice(h, open.id); // archived since the last sync

    const report = await h.engine.reconcile({ repair: true });
    const status = report.findings.filter((f) => f.clinikoId === open.id && f.field === 'status');
    expect(status.map((f) => [f.clinikoValue, f.tradifyValue, f.reason, f.fixable])).toEqual([['10 (archived)', 'draft', 'sync-would-delete-draft', true]]);
    expect(report.toMarkdown()).toContain('| Status | Open, archived | Draft | yes |');
    expect(report.findings.filter((f) => f.clinikoId === open.id && f.field !== 'status')).toEqual([]);
    expect(copyOf(h, open.id)).toBeUndefined();
    // the link still names the deleted draft: expected for a withdrawn invoice, not an orphan
    expect((await h.engine.reconcile()).findings).toEqual([]);
  });

  it('a deleted invoice whose draft the sync deleted is not an orphan either', async () => {
    h = await startHarness({ cliniko: { invoices: 12 }, engine: { mapping: { approval: { when: 'manual' } } } });
    await h.engine.run();
    const open = liveInvoice(h, 10);
    h.fc.db.invoices.delete(open.id);
    await h.engine.run();
    expect(copyOf(h, open.id)).toBeUndefined();
    expect((await h.engine.reconcile()).findings).toEqual([]);
  });
});
