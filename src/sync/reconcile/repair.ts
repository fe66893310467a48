/**
 * `repair: true`: fixable findings become engine work (re-push, re-link) inside the
 * reconciliation's lease; the rest become reviews. Every step is in the audit log.
 *
 * @module
 */
import { isAbortError, isClinikoTradifyError } from '../../core/errors.js';
import type { NewAuditEntry } from '../ports.js';
import type { ReconciliationFinding, RepairSummary } from '../report/types.js';
import type { ReconcileInternals, RepairContext } from './types.js';

/** What a fixable finding turns into. */
type RepairAction =
  | { kind: 'relink'; entity: 'patient' | 'invoice'; clinikoId: string; tradifyId: string }
  /** `replacing`: the missing Tradify record the link points at; the repair must move the link off it. */
  | { kind: 'repush'; entity: 'patient' | 'invoice'; clinikoId: string; replacing?: string | undefined };

const RELINK_REASONS = new Set(['reference-without-link', 'customer-reference-missing']);

function actionFor(finding: ReconciliationFinding): RepairAction | undefined {
  if (!finding.fixable || finding.clinikoId === null) return undefined;
  if (finding.kind === 'link-drift' && RELINK_REASONS.has(finding.reason) && finding.tradifyId !== null) {
    return { kind: 'relink', entity: finding.entity, clinikoId: finding.clinikoId, tradifyId: finding.tradifyId };
  }
  const replacing = finding.kind === 'orphan' && finding.reason === 'linked-tradify-record-missing' ? (finding.tradifyId ?? undefined) : undefined;
  return { kind: 'repush', entity: finding.entity, clinikoId: finding.clinikoId, replacing };
}

/** One action per record, patients before invoices (invoices need their customers). */
export function planRepairs(findings: readonly ReconciliationFinding[]): { actions: RepairAction[]; toReview: ReconciliationFinding[] } {
  const actions = new Map<string, RepairAction>();
  const toReview: ReconciliationFinding[] = [];
  for (const finding of findings) {
    const action = actionFor(finding);
    if (!action) toReview.push(finding);
    else if (!actions.has(`${action.entity}:${action.clinikoId}`) || action.kind === 'relink') actions.set(`${action.entity}:${action.clinikoId}`, action);
  }
  const ordered = [...actions.values()].sort((a, b) => (a.entity === b.entity ? 0 : a.entity === 'patient' ? -1 : 1));
  return { actions: ordered, toReview };
}

async function perform(internals: ReconcileInternals, action: RepairAction, context: RepairContext): Promise<void> {
  const repairer = internals.repairer!;
  if (action.kind === 'relink') return repairer.relink(action.entity, action.clinikoId, action.tradifyId, context);
  return action.entity === 'patient' ? repairer.repushPatient(action.clinikoId, context) : repairer.repushInvoice(action.clinikoId, context);
}

function auditOf(runId: string, action: RepairAction, outcome: string, reasonCode?: string): NewAuditEntry {
  return {
    runId,
    stream: 'reconcile',
    action: outcome,
    clinikoId: action.clinikoId,
    tradifyId: action.kind === 'relink' ? action.tradifyId : undefined,
    reasonCode: reasonCode ?? `${action.kind}-${action.entity}`,
  };
}

async function openReviews(internals: ReconcileInternals, runId: string, findings: readonly ReconciliationFinding[], signal: AbortSignal | undefined): Promise<number> {
  let opened = 0;
  for (const f of findings) {
    const recordId = f.clinikoId ?? f.tradifyId ?? 'unknown';
    const detail = { entity: f.entity, tradifyIds: f.tradifyIds ?? (f.tradifyId ? [f.tradifyId] : []), field: f.field ?? null, line: f.line ?? null, runId };
    const { created } = await internals.store.reviews.open(internals.accountId, { kind: 'reconciliation', recordId, reasonCode: `${f.kind}:${f.reason}`, detail }, { signal });
    await internals.store.audit.append(internals.accountId, [{ runId, stream: 'reconcile', action: 'review', clinikoId: f.clinikoId ?? undefined, tradifyId: f.tradifyId ?? undefined, reasonCode: `${f.kind}:${f.reason}` }], { signal });
    if (created) opened += 1;
  }
  return opened;
}

type Outcome = 'repaired' | 'reviewsByEngine' | 'unchanged';

/** What the engine has recorded about one record in this run: its audited writes and open reviews. */
interface Trace {
  writes: number;
  reviewIds: Set<string>;
}

async function traceOf(internals: ReconcileInternals, action: RepairAction, context: RepairContext): Promise<Trace> {
  const { store, accountId } = internals;
  const stream = action.entity === 'patient' ? 'patients' : 'invoices';
  const [audit, reviews] = await Promise.all([
    store.audit.list(accountId, { runId: context.runId, stream, clinikoId: action.clinikoId, limit: 1000, signal: context.signal }),
    store.reviews.list(accountId, { status: 'open', kind: action.entity, recordId: action.clinikoId, limit: 1000, signal: context.signal }),
  ]);
  return { writes: audit.items.length, reviewIds: new Set(reviews.items.map((r) => r.id)) };
}

/**
 * Runs one repair and reads what the engine did from the store (the repairer answers nothing):
 * a new open review is the engine sending it to a person; a new audited write is a repair —
 * unless the record's link still points at the Tradify record that was missing (the write did
 * not land where it should, e.g. an idempotent create replayed onto the deleted record).
 */
async function performTraced(internals: ReconcileInternals, action: RepairAction, context: RepairContext): Promise<Outcome> {
  const before = await traceOf(internals, action, context);
  await perform(internals, action, context);
  const after = await traceOf(internals, action, context);
  if ([...after.reviewIds].some((id) => !before.reviewIds.has(id))) return 'reviewsByEngine';
  if (action.kind === 'repush' && action.replacing !== undefined && (await stillLinkedTo(internals, action, action.replacing, context))) {
    internals.logger?.warn('reconciliation repair left the link on a missing Tradify record', { clinikoId: action.clinikoId, entity: action.entity, tradifyId: action.replacing });
    return 'unchanged';
  }
  return after.writes > before.writes ? 'repaired' : 'unchanged';
}

async function stillLinkedTo(internals: ReconcileInternals, action: RepairAction, tradifyId: string, context: RepairContext): Promise<boolean> {
  const links = await internals.store.links.getMany(internals.accountId, action.entity, [action.clinikoId], { signal: context.signal });
  return links.get(action.clinikoId)?.tradifyId === tradifyId;
}

/**
 * Performs the repairs and opens the reviews. Each repair is counted by what the engine did
 * (see {@link RepairSummary}) and audited with that outcome; a failed repair is logged by
 * error code, audited as `repair-failed`, and the next one goes on; an abort stops at once.
 */
export async function repairFindings(internals: ReconcileInternals, findings: readonly ReconciliationFinding[], context: RepairContext): Promise<RepairSummary> {
  const { actions, toReview } = planRepairs(internals.repairer ? findings : []);
  const reviewList = internals.repairer ? toReview : findings;
  const counts = { repaired: 0, reviewsByEngine: 0, unchanged: 0, failed: 0 };
  for (const action of actions) {
    try {
      const outcome = await performTraced(internals, action, context);
      counts[outcome] += 1;
      const audited = outcome === 'repaired' ? 'repair' : outcome === 'reviewsByEngine' ? 'repair-reviewed' : 'repair-unchanged';
      await internals.store.audit.append(internals.accountId, [auditOf(context.runId, action, audited)], { signal: context.signal });
    } catch (error) {
      if (isAbortError(error) || context.signal?.aborted) throw error;
      counts.failed += 1;
      const code = isClinikoTradifyError(error) ? error.code : 'unexpected';
      internals.logger?.warn('reconciliation repair failed', { clinikoId: action.clinikoId, entity: action.entity, code });
      await internals.store.audit.append(internals.accountId, [auditOf(context.runId, action, 'repair-failed', code)], { signal: context.signal });
    }
  }
  const reviewed = await openReviews(internals, context.runId, reviewList, context.signal);
  return { ...counts, reviewed };
}
