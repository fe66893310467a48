/**
 * `engine.apply(planId)`: write a saved dry run, refusing items whose Cliniko record changed since.
 *
 * @module
 */
import type { ApplyResult, SyncPlan } from './plan.js';
import { PageWork } from './streams/page-work.js';
import type { RunContext } from './streams/context.js';
import { commit } from './streams/commit.js';
import { syncInvoicesByIds, syncPatientsByIds } from './targeted.js';

/** Applies a plan's items inside the run's lease: patients first, then invoices. */
export async function applyPlanItems(run: RunContext, plan: SyncPlan): Promise<ApplyResult> {
  const result: ApplyResult = { planId: plan.id, applied: 0, refused: [] };
  for (const stream of ['patients', 'invoices'] as const) {
    const items = new Map(plan.items.filter((i) => i.stream === stream).map((i) => [i.clinikoId, i]));
    if (items.size === 0) continue;
    const work = new PageWork();
    const ids = [...items.keys()];
    const expected = (id: string, record: { updated_at: string }) => {
      const item = items.get(id)!;
      // a record edited since the plan is refused even when its mapping happens to hash the same
      return { expectedHash: record.updated_at === item.updatedAt ? item.hash : `changed:${record.updated_at}` };
    };
    const outcomes = stream === 'patients' ? await syncPatientsByIds(run, ids, work, expected) : await syncInvoicesByIds(run, ids, work, expected);
    for (const [id, outcome] of outcomes) {
      if (outcome === 'refused' || outcome === 'missing') result.refused.push({ stream, clinikoId: id, reason: outcome === 'missing' ? 'missing' : 'changed-since-plan' });
      else if (outcome === 'written') result.applied++;
    }
    await commit(run, work);
  }
  return result;
}
