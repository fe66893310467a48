/**
 * Writing one page's work: ONE fenced `commitPage` (`docs/architecture.md#checkpoint-per-page`).
 * The page loop, the settle sweep, conflict repair and the engine facades all commit through it.
 *
 * @module
 */
import type { RunContext } from './context.js';
import type { PageWork } from './page-work.js';

/** Writes a page's work in one fenced commit (nothing in a dry run), with the reviews of Tradify rows read since the last. */
export async function commit(run: RunContext, work: PageWork): Promise<void> {
  if (run.dryRun) return;
  await run.unreadable.flush(work);
  if (work.isEmpty) return;
  await run.options.store.commitPage(run.accountId, run.token, work.toCommit(), { signal: run.signal });
  for (const link of work.links) {
    if (link.kind === 'patient' && run.uncommittedCustomers.get(link.tradifyId) === link.clinikoId) run.uncommittedCustomers.delete(link.tradifyId);
  }
}
