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
type RepairAction = { kind: 'relink'; entity: 'patient' | 'invoice'; clinikoId: string; tradifyId: string } | { kind: 'repush'; entity: 'patient' | 'invoice'; clinikoId: string };

const RELINK_REASONS = new Set(['reference-without-link', 'customer-reference-missing']);

function actionFor(finding: ReconciliationFinding): RepairAction | undefined {
  if (!finding.fixable || finding.clinikoId === null) return undefined;
  if (finding.kind === 'link-drift' && RELINK_REASONS.has(finding.reason) && finding.tradifyId !== null) {
    return { kind: 'relink', entity: finding.entity, clinikoId: finding.clinikoId, tradifyId: finding.tradifyId };
  }
  return { kind: 'repush', entity: finding.entity, clinikoId: finding.clinikoId };
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

/**
 * Performs the repairs and opens the reviews. A failed repair is logged by error code, audited
 * as `repair-failed`, and the next one goes on; an abort stops at once.
 */
export async function repairFindings(internals: ReconcileInternals, findings: readonly ReconciliationFinding[], context: RepairContext): Promise<RepairSummary> {
  const { actions, toReview } = planRepairs(internals.repairer ? findings : []);
  const reviewList = internals.repairer ? toReview : findings;
  let repaired = 0;
  let failed = 0;
  for (const action of actions) {
    try {
      await perform(internals, action, context);
      repaired += 1;
      await internals.store.audit.append(internals.accountId, [auditOf(context.runId, action, 'repair')], { signal: context.signal });
    } catch (error) {
      if (isAbortError(error) || context.signal?.aborted) throw error;
      failed += 1;
      const code = isClinikoTradifyError(error) ? error.code : 'unexpected';
      internals.logger?.warn('reconciliation repair failed', { clinikoId: action.clinikoId, entity: action.entity, code });
      await internals.store.audit.append(internals.accountId, [auditOf(context.runId, action, 'repair-failed', code)], { signal: context.signal });
    }
  }
  const reviewed = await openReviews(internals, context.runId, reviewList, context.signal);
  return { repaired, reviewed, failed };
}
