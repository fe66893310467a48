import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('SyncEngine.reconcile (delegates to runReconciliation)', () => {
  it('finds nothing missing after a clean sync; a draft deleted in Tradify is an orphan link; the lease is released', async () => {
    h = await startHarness({ engine: { mapping: { approval: { when: 'manual' } } } });
    await h.engine.run();
    const clean = await h.engine.reconcile();
    expect(clean.findings.map((f) => f.kind)).not.toContain('missing-in-tradify');
    expect(clean.findings.map((f) => f.kind)).not.toContain('duplicate');
    const open = h.fc.db.invoices.all().find((i) => i.status === 10)!;
    const draft = h.ft.state.invoices.all().find((i) => i.externalReference === `cliniko:invoice:${open.id}`)!;
    await h.tradify.invoices.delete(draft.id);
    const report = await h.engine.reconcile({ repair: true });
    expect(report.findings.some((f) => f.kind === 'orphan' && f.clinikoId === open.id)).toBe(true);
    expect(await h.store.getLease('default')).toBeUndefined();
  });
});
