import { afterEach, describe, expect, it } from 'vitest';
import { toLocalDate } from 'cliniko-tradify/mapping';
import { startHarness, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HOUR = 3_600_000;

function tradifyInvoice(harness: Harness, clinikoId: string) {
  const found = harness.ft.state.invoices.all().filter((i) => i.externalReference === `cliniko:invoice:${clinikoId}`);
  expect(found.length, `Tradify invoices for ${clinikoId}`).toBeLessThanOrEqual(1);
  return found[0];
}

function paymentsOf(harness: Harness, tradifyId: string) {
  return harness.ft.state.payments.all().filter((p) => p.invoiceId === tradifyId);
}

function invoiceWithStatus(harness: Harness, status: number) {
  const row = harness.fc.db.invoices.all().find((i) => i.status === status && i.deleted_at === null);
  if (!row) throw new Error(`seed has no invoice with status ${status}`);
  return row;
}

async function openReviews(harness: Harness, recordId: string): Promise<string[]> {
  const page = await harness.engine.reviews.list({ status: 'open', recordId });
  return page.items.map((r) => r.reasonCode);
}

describe('SyncEngine: status transitions (docs/architecture.md#status-transitions)', () => {
  it('Open stays a draft until unchanged for settleAfter, then is approved (injected clock)', async () => {
    h = await startHarness({ engine: { mapping: { approval: { when: 'settled', settleAfter: '24h' } } } });
    const open = invoiceWithStatus(h, 10);
    h.fc.db.invoices.update(open.id, { notes: 'touched' });
    h.clock.ms = h.fc.db.clock.now();
    await h.engine.run();
    expect(tradifyInvoice(h, open.id)?.status).toBe('draft');
    h.clock.advance(23 * HOUR);
    await h.engine.run();
    expect(tradifyInvoice(h, open.id)?.status).toBe('draft');
    h.clock.advance(2 * HOUR);
    const summary = await h.engine.run();
    expect(tradifyInvoice(h, open.id)?.status).toBe('approved');
    expect(summary.updated).toBe(1);
  });

  it('Paid: approved and paid for amountDue, dated on closed_at in the business zone', async () => {
    h = await startHarness();
    await h.engine.run();
    const paid = invoiceWithStatus(h, 20);
    const inv = tradifyInvoice(h, paid.id)!;
    expect(inv.status).toBe('paid');
    const payments = paymentsOf(h, inv.id);
    expect(payments).toHaveLength(1);
    expect(payments[0]!.amount).toBe(inv.total);
    expect(payments[0]!.date).toBe(toLocalDate(paid.closed_at!, 'Australia/Sydney'));
  });

  it('first seen Closed is skipped with a reason; Closed then reopened goes to review', async () => {
    h = await startHarness();
    const skipped: string[] = [];
    h.engine.on('recordSkipped', (e) => skipped.push(`${e.clinikoId}:${e.reason}`));
    await h.engine.run();
    const closed = invoiceWithStatus(h, 30);
    expect(tradifyInvoice(h, closed.id)).toBeUndefined();
    expect(skipped).toContain(`${closed.id}:first-seen-closed`);
    h.fc.db.invoices.update(closed.id, { status: 10, closed_at: null });
    await h.engine.run();
    expect(await openReviews(h, closed.id)).toContain('closed-reopened');
    expect(tradifyInvoice(h, closed.id)).toBeUndefined();
  });

  it('Paid → Open deletes our payment; Open → Closed cancels the approved invoice', async () => {
    h = await startHarness({ engine: { mapping: { approval: { when: 'immediately' } } } });
    await h.engine.run();
    const paid = invoiceWithStatus(h, 20);
    const id = tradifyInvoice(h, paid.id)!.id;
    h.fc.db.invoices.update(paid.id, { status: 10, closed_at: null });
    await h.engine.run();
    expect(tradifyInvoice(h, paid.id)?.status).toBe('approved');
    expect(paymentsOf(h, id)).toHaveLength(0);
    h.fc.db.clock.advance(1000); // Cliniko timestamps have one-second resolution
    h.fc.db.invoices.update(paid.id, { status: 30, closed_at: new Date(h.fc.db.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    await h.engine.run();
    expect(tradifyInvoice(h, paid.id)?.status).toBe('cancelled');
  });

  it('Open → Closed deletes a draft', async () => {
    h = await startHarness({ engine: { mapping: { approval: { when: 'manual' } } } });
    await h.engine.run();
    const open = invoiceWithStatus(h, 10);
    expect(tradifyInvoice(h, open.id)?.status).toBe('draft');
    h.fc.db.invoices.update(open.id, { status: 30, closed_at: new Date(h.fc.db.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    await h.engine.run();
    expect(tradifyInvoice(h, open.id)).toBeUndefined();
  });

  it('Paid → Closed, Open credit and status null go to review; nothing is written for them', async () => {
    h = await startHarness();
    await h.engine.run();
    const credit = invoiceWithStatus(h, 40);
    expect(await openReviews(h, credit.id)).toContain('open-credit');
    const paid = invoiceWithStatus(h, 20);
    h.fc.db.invoices.update(paid.id, { status: 30 });
    const open = invoiceWithStatus(h, 10);
    h.fc.db.invoices.update(open.id, { status: null });
    const before = h.ft.requests.filter((r) => r.method !== 'GET').length;
    await h.engine.run();
    expect(await openReviews(h, paid.id)).toContain('paid-then-closed');
    expect(await openReviews(h, open.id)).toContain('status-unknown');
    expect(h.ft.requests.filter((r) => r.method !== 'GET').length).toBe(before);
    expect(tradifyInvoice(h, paid.id)?.status).toBe('paid');
  });

  it('deleted in Cliniko: draft deleted, approved cancelled, paid → review', async () => {
    h = await startHarness({ cliniko: { invoices: 12 }, engine: { mapping: { approval: { when: 'manual' } } } });
    await h.engine.run();
    const opens = h.fc.db.invoices.all().filter((i) => i.status === 10 && i.deleted_at === null);
    const draft = opens[0]!;
    expect(tradifyInvoice(h, draft.id)?.status).toBe('draft');
    h.fc.db.invoices.delete(draft.id);
    await h.engine.run();
    expect(tradifyInvoice(h, draft.id)).toBeUndefined();

    const h2 = await startHarness({ engine: { mapping: { approval: { when: 'immediately' } } } });
    try {
      await h2.engine.run();
      const approved = invoiceWithStatus(h2, 10);
      const paid = invoiceWithStatus(h2, 20);
      h2.fc.db.invoices.delete(approved.id);
      h2.fc.db.invoices.delete(paid.id);
      await h2.engine.run();
      expect(tradifyInvoice(h2, approved.id)?.status).toBe('cancelled');
      expect(tradifyInvoice(h2, paid.id)?.status).toBe('paid');
      expect(await openReviews(h2, paid.id)).toContain('deleted-but-paid');
    } finally {
      await h2.close();
    }
  });
});

/** Archives an invoice the way Cliniko does: the invoice and its items. */
function archiveInvoice(harness: Harness, invoiceId: string): void {
  for (const item of harness.fc.db.invoiceItems.all().filter((i) => i.invoice_id === invoiceId)) harness.fc.db.invoiceItems.archive(item.id);
  harness.fc.db.invoices.archive(invoiceId);
}

describe('SyncEngine: archived invoices are withdrawn like deleted ones', () => {
  it('an invoice first seen archived is skipped with a reason, never written as an empty draft', async () => {
    h = await startHarness({ engine: { mapping: { approval: { when: 'immediately' } } } });
    const open = invoiceWithStatus(h, 10);
    const paid = invoiceWithStatus(h, 20);
    archiveInvoice(h, open.id);
    archiveInvoice(h, paid.id);
    const skipped: string[] = [];
    h.engine.on('recordSkipped', (e) => skipped.push(`${e.clinikoId}:${e.reason}`));
    await h.engine.run();
    expect(tradifyInvoice(h, open.id)).toBeUndefined();
    expect(tradifyInvoice(h, paid.id)).toBeUndefined();
    expect(skipped).toEqual(expect.arrayContaining([`${open.id}:archived`, `${paid.id}:archived`]));
    expect(await openReviews(h, paid.id)).toEqual([]);
  });

  it('archived after syncing: draft deleted, approved cancelled, paid → review', async () => {
    h = await startHarness({ cliniko: { invoices: 12 }, engine: { mapping: { approval: { when: 'manual' } } } });
    await h.engine.run();
    const draft = h.fc.db.invoices.all().find((i) => i.status === 10 && i.deleted_at === null)!;
    expect(tradifyInvoice(h, draft.id)?.status).toBe('draft');
    archiveInvoice(h, draft.id);
    await h.engine.run();
    expect(tradifyInvoice(h, draft.id)).toBeUndefined();

    const h2 = await startHarness({ engine: { mapping: { approval: { when: 'immediately' } } } });
    try {
      await h2.engine.run();
      const approved = invoiceWithStatus(h2, 10);
      const paid = invoiceWithStatus(h2, 20);
      archiveInvoice(h2, approved.id);
      archiveInvoice(h2, paid.id);
      await h2.engine.run();
      expect(tradifyInvoice(h2, approved.id)?.status).toBe('cancelled');
      expect(tradifyInvoice(h2, paid.id)?.status).toBe('paid');
      expect(await openReviews(h2, paid.id)).toEqual(['archived-but-paid']);
    } finally {
      await h2.close();
    }
  });
});

describe('SyncEngine: patient lifecycle propagation', () => {
  it('archive → inactive, unarchive → active, merge → inactive with the link moved', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 0 } });
    await h.engine.run();
    const [a, b, c] = h.fc.db.patients.all().filter((p) => p.archived_at === null && p.merged_at == null);
    const customer = (id: string) => h!.ft.state.customers.all().find((x) => x.externalReference === `cliniko:patient:${id}`)!;
    h.fc.db.patients.archive(a!.id);
    h.fc.db.patients.merge(b!.id, c!.id);
    await h.engine.run();
    expect(customer(a!.id).active).toBe(false);
    expect(customer(b!.id).active).toBe(false);
    expect(customer(c!.id).active).toBe(true);
    const link = (await h.store.links.getMany('default', 'patient', [b!.id])).get(b!.id);
    expect(link?.mergedIntoClinikoId).toBe(c!.id);
    h.fc.db.patients.unarchive(a!.id);
    await h.engine.run();
    expect(customer(a!.id).active).toBe(true);
  });
});
