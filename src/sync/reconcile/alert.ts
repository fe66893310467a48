/**
 * The "reconciliation findings above threshold" alert, deduplicated across runs: the same
 * unchanged findings alert once; when they are gone the incident is resolved.
 *
 * @module
 */
import { DedupingAlerter, alertFingerprint } from '../../alerts/dedupe.js';
import type { Clock } from '../../core/clock.js';
import type { Alert } from '../ports.js';
import type { ReconciliationFinding, ReconciliationSummary } from '../report/types.js';
import type { ReconcileInternals } from './types.js';

const SAMPLE_IDS = 20;

function findingIdentity(f: ReconciliationFinding): string {
  return [f.kind, f.entity, f.clinikoId ?? '', f.tradifyId ?? '', f.field ?? '', f.line ?? '', f.reason].join(':');
}

/** The alert for a run's findings (ids and counts only). */
export function reconciliationAlert(summary: ReconciliationSummary, findings: readonly ReconciliationFinding[], at: string): Alert {
  const counts: Record<string, number> = {};
  for (const [kind, n] of Object.entries(summary.counts)) if (n > 0) counts[kind] = n;
  const ids = [...new Set(findings.map((f) => f.clinikoId ?? f.tradifyId).filter((id): id is string => id !== null))];
  return {
    kind: 'reconciliation',
    severity: counts['missing-in-tradify'] || counts['field-mismatch'] || counts.duplicate ? 'warning' : 'info',
    accountId: summary.accountId,
    summary: `Reconciliation found ${summary.totalFindings} discrepancies`,
    counts,
    recordIds: ids.slice(0, SAMPLE_IDS),
    fingerprint: alertFingerprint('reconciliation', findings.map(findingIdentity)),
    runId: summary.runId,
    at,
  };
}

/**
 * Alerts when the findings exceed `threshold`, not again while they are unchanged, and
 * resolves the previous reconciliation incident when they changed or went away. Then sends
 * the account's earlier alerts whose delivery failed, to every destination that did not just
 * fail. A failed delivery is recorded and
 * logged once per incident and destination, never thrown.
 */
export async function alertOnFindings(internals: ReconcileInternals, clock: Pick<Clock, 'now'>, summary: ReconciliationSummary, findings: readonly ReconciliationFinding[], threshold: number, signal?: AbortSignal): Promise<void> {
  if (!internals.alerter) return;
  const deduper = new DedupingAlerter({ alerter: internals.alerter, store: internals.store, clock, logger: internals.logger });
  const alert = summary.totalFindings > threshold ? reconciliationAlert(summary, findings, new Date(clock.now()).toISOString()) : undefined;
  try {
    const results = alert ? await deduper.sendEach(alert, { signal }) : [];
    await deduper.resolveAbsent(internals.accountId, alert ? [alert.fingerprint] : [], { kinds: ['reconciliation'], signal });
    const failed = results.filter((r) => r.status === 'failed').map((r) => r.destination);
    await deduper.retryUndelivered(internals.accountId, { signal, except: failed });
  } catch (error) {
    internals.logger?.warn('reconciliation alert failed', { error: error instanceof Error ? error.name : 'unknown' });
  }
}
