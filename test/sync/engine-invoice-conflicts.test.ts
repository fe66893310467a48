import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, tradifyWrites, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MANUAL = { approval: { when: 'manual' as const } };

function ourDraft(harness: Harness) {
  const draft = harness.ft.state.invoices.all().find((i) => i.status === 'draft' && i.externalReference?.startsWith('cliniko:invoice:') && i.lineItems.length > 0);
  expect(draft).toBeDefined();
  return draft!;
}

describe('SyncEngine: invoices edited in Tradify (docs/architecture.md#conflicts)', () => {
  it("'cliniko-wins' puts Cliniko's content back on a draft edited in Tradify and audits the fields", async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 8 }, engine: { mapping: MANUAL } });
    await h.engine.run();
    const draft = ourDraft(h);
    await h.tradify.invoices.update(draft.id, { reference: 'Edited in Tradify' });
    expect(h.ft.state.invoices.get(draft.id)!.reference).toBe('Edited in Tradify');
    await h.newEngine().run();
    expect(h.ft.state.invoices.get(draft.id)!.reference).toBe(draft.reference);
    const audit = await h.engine.audit.list({ action: 'conflict-overwrite' });
    expect(audit.items.map((a) => a.tradifyId)).toContain(draft.id);
    expect(audit.items.find((a) => a.tradifyId === draft.id)!.changedFields).toEqual(['reference']);
  });

  it("'review' leaves a draft edited in Tradify alone and opens an edited-in-tradify review", async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 8 }, engine: { mapping: { ...MANUAL, conflictPolicy: 'review' } } });
    await h.engine.run();
    const draft = ourDraft(h);
    await h.tradify.invoices.update(draft.id, { reference: 'Edited in Tradify' });
    const writesBefore = tradifyWrites(h.ft);
    const summary = await h.newEngine().run();
    expect(h.ft.state.invoices.get(draft.id)!.reference).toBe('Edited in Tradify');
    expect(tradifyWrites(h.ft)).toBe(writesBefore);
    expect(summary.reviews).toBe(1);
    const reviews = await h.engine.reviews.list({ status: 'open' });
    expect(reviews.items.filter((r) => r.reasonCode === 'edited-in-tradify').map((r) => r.detail.tradifyId)).toEqual([draft.id]);
  });

  it('our own approvals and payments are not conflicts: the next run writes nothing', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 10 }, engine: { mapping: { approval: { when: 'immediately' } } } });
    await h.engine.run();
    expect(h.ft.state.invoices.all().some((i) => i.status === 'paid')).toBe(true);
    const writesBefore = tradifyWrites(h.ft);
    const requestsBefore = h.ft.requests.length;
    const summary = await h.newEngine().run();
    expect(tradifyWrites(h.ft)).toBe(writesBefore);
    // nothing was taken for an edit, so no invoice was re-read to re-plan it
    expect(h.ft.requests.slice(requestsBefore).filter((r) => r.method === 'GET' && /^\/v1\/invoices\/[^/]+$/.test(r.path))).toEqual([]);
    expect(summary.reviews).toBe(0);
    expect((await h.engine.audit.list({ action: 'conflict-overwrite' })).items).toHaveLength(0);
  });
});
