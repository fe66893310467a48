import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** `YYYY-MM-DD` plus whole days, in UTC arithmetic (test-side oracle). */
function plusDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map((part) => Number.parseInt(part, 10));
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}

describe('SyncEngine: invoice due date from the customer (issue date + defaultInvoiceDueDays)', () => {
  it('uses 14 days when the customer has no defaultInvoiceDueDays', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 8 } });
    await h.engine.run();
    const invoices = h.ft.state.invoices.all().filter((i) => i.externalReference?.startsWith('cliniko:invoice:'));
    expect(invoices.length).toBeGreaterThan(0);
    for (const invoice of invoices) expect(invoice.dueDate, invoice.id).toBe(plusDays(invoice.invoiceDate, 14));
  });

  it("uses the customer's defaultInvoiceDueDays learned from the customer we wrote", async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 8 }, engine: { mapping: { customer: (draft) => ({ ...draft, defaultInvoiceDueDays: 30 }) } } });
    await h.engine.run();
    const invoices = h.ft.state.invoices.all().filter((i) => i.externalReference?.startsWith('cliniko:invoice:'));
    expect(invoices.length).toBeGreaterThan(0);
    for (const invoice of invoices) expect(invoice.dueDate, invoice.id).toBe(plusDays(invoice.invoiceDate, 30));
  });

  it('picks up due days set in Tradify later (from the updatedSince listing) for the next change of a draft, with no extra reads', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 8 }, engine: { mapping: { approval: { when: 'manual' } } } });
    await h.engine.run();
    const draft = h.ft.state.invoices.all().find((i) => i.status === 'draft' && i.externalReference?.startsWith('cliniko:invoice:'))!;
    expect(draft).toBeDefined();
    await h.tradify.customers.update(draft.customerId, { defaultInvoiceDueDays: 7 });
    // the same draft is unchanged in Cliniko: its due date must not move on its own
    const clinikoId = draft.externalReference!.split(':')[2]!;
    const quiet = await h.newEngine().run();
    expect(quiet.created).toBe(0);
    expect(h.ft.state.invoices.get(draft.id)!.dueDate).toBe(plusDays(draft.invoiceDate, 14));
    // a Cliniko edit of that invoice re-maps it with the customer's 7 days
    h.fc.db.invoices.update(clinikoId, { notes: 'edited in Cliniko' } as never);
    h.clock.advance(5_000);
    const before = h.ft.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/customers/')).length;
    await h.newEngine().run();
    expect(h.ft.state.invoices.get(draft.id)!.dueDate).toBe(plusDays(draft.invoiceDate, 7));
    expect(h.ft.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/customers/')).length).toBe(before);
  });
});
