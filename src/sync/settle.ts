/**
 * The settle sweep (approval policy `'settled'`, `docs/architecture.md#approval-policy`): an Open invoice stays an editable
 * draft until unchanged for `settleAfter`. Nothing in Cliniko changes when that time passes,
 * so each run looks at OUR drafts in Tradify and re-plans those whose last Cliniko change is
 * older than `settleAfter` (kept in the store), approving them by the injected clock.
 *
 * @module
 */
import { isTransientError } from '../core/errors.js';
import { instantToEpochMs } from '../core/dates.js';
import { PageWork } from './streams/page-work.js';
import type { RunContext } from './streams/context.js';
import { commit } from './streams/commit.js';
import type { StopReason } from './streams/runner.js';
import { syncInvoicesByIds } from './targeted.js';
import { TargetDownError, isTargetDown } from './record-retry.js';

async function linkedDrafts(run: RunContext): Promise<string[]> {
  const { tradify, store } = run.options;
  const ids: string[] = [];
  for await (const page of tradify.invoices.list({ status: 'draft', signal: run.signal, onUnreadable: run.unreadable.report }).pages()) {
    for (const invoice of page) {
      if (!invoice.externalReference?.startsWith('cliniko:invoice:')) continue;
      const link = await store.links.getByTradifyId(run.accountId, 'invoice', invoice.id, { signal: run.signal });
      if (link?.status === 'current' && !run.writtenInvoices.has(link.clinikoId)) ids.push(link.clinikoId);
    }
  }
  return ids;
}

async function dueForApproval(run: RunContext, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const lastChanges = await run.options.store.hashes.getMany(run.accountId, 'invoice-last-change', ids, { signal: run.signal });
  const now = run.options.clock.now();
  const settleAfter = run.options.mapping.approval.settleAfterMs;
  return ids.filter((id) => {
    const last = lastChanges.get(id);
    return last !== undefined && now - instantToEpochMs(last) >= settleAfter;
  });
}

/** Approves our settled drafts. Returns `'target-down'` when Tradify stays unavailable. */
export async function settleSweep(run: RunContext): Promise<StopReason | undefined> {
  if (run.dryRun || run.options.mapping.approval.when !== 'settled') return undefined;
  try {
    const due = await dueForApproval(run, await linkedDrafts(run));
    if (due.length === 0) return undefined;
    const work = new PageWork();
    await syncInvoicesByIds(run, due, work, () => ({ force: true, action: 'settle' }));
    await commit(run, work);
    return run.targetDown ? 'target-down' : undefined;
  } catch (error) {
    if (isTargetDown(error)) run.markTargetDown(error);
    else if (isTransientError(error)) run.markTargetDown(new TargetDownError(error));
    else throw error;
    return 'target-down';
  }
}
