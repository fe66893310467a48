/**
 * The "reconciliation discrepancies above threshold" alert, deduplicated across runs: the same
 * unchanged discrepancies alert once; when they are gone the incident is resolved. Differences
 * the engine already explains (known items) never raise it.
 *
 * @module
 */
import { DedupingAlerter, alertFingerprint } from '../../alerts/dedupe.js';
import type { Clock } from '../../core/clock.js';
import type { Alert } from '../ports.js';
import type { Discrepancy, FindingKind, ReconciliationFinding, ReconciliationSummary } from '../report/types.js';
import type { ReconcileInternals } from './types.js';

const SAMPLE_IDS = 20;

/** Kinds that make the alert a warning: money or records that are wrong or absent. */
const WARNING_KINDS: ReadonlySet<FindingKind> = new Set(['missing-in-tradify', 'field-mismatch', 'duplicate', 'unreadable-record']);

function findingIdentity(f: ReconciliationFinding): string {
  return [f.kind, f.entity, f.clinikoId ?? '', f.tradifyId ?? '', f.field ?? '', f.line ?? '', f.path ?? '', f.reason].join(':');
}

/** "Reconciliation found 1 discrepancy" (a discrepancy is a record that needs a person). */
function headline(count: number): string {
  return `Reconciliation found ${count} ${count === 1 ? 'discrepancy' : 'discrepancies'}`;
}

/** The alert for a run's discrepancies (ids and counts only): records per kind, not fields. */
export function reconciliationAlert(summary: ReconciliationSummary, discrepancies: readonly Discrepancy[], at: string): Alert {
  const counts: Record<string, number> = {};
  for (const d of discrepancies) for (const kind of d.kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  const ids = [...new Set(discrepancies.map((d) => d.clinikoId ?? d.tradifyId).filter((id): id is string => id !== null))];
  return {
    kind: 'reconciliation',
    severity: discrepancies.some((d) => d.kinds.some((k) => WARNING_KINDS.has(k))) ? 'warning' : 'info',
    accountId: summary.accountId,
    summary: headline(discrepancies.length),
    counts,
    recordIds: ids.slice(0, SAMPLE_IDS),
    fingerprint: alertFingerprint('reconciliation', discrepancies.flatMap((d) => d.findings.map(findingIdentity))),
    runId: summary.runId,
    at,
  };
}

/**
 * Alerts when the discrepancies exceed `threshold`, not again while they are unchanged, and
 * resolves the previous reconciliation incident when they changed or went away. Then sends
 * the account's earlier alerts whose delivery failed, to every destination that did not just
 * fail. A failed delivery is recorded and logged once per incident and destination, never thrown.
 */
export async function alertOnDiscrepancies(internals: ReconcileInternals, clock: Pick<Clock, 'now'>, summary: ReconciliationSummary, discrepancies: readonly Discrepancy[], threshold: number, signal?: AbortSignal): Promise<void> {
  if (!internals.alerter) return;
  const deduper = new DedupingAlerter({ alerter: internals.alerter, store: internals.store, clock, logger: internals.logger });
  const alert = discrepancies.length > threshold ? reconciliationAlert(summary, discrepancies, new Date(clock.now()).toISOString()) : undefined;
  try {
    const results = alert ? await deduper.sendEach(alert, { signal }) : [];
    await deduper.resolveAbsent(internals.accountId, alert ? [alert.fingerprint] : [], { kinds: ['reconciliation'], signal });
    const failed = results.filter((r) => r.status === 'failed').map((r) => r.destination);
    await deduper.retryUndelivered(internals.accountId, { signal, except: failed });
  } catch (error) {
    internals.logger?.warn('reconciliation alert failed', { error: error instanceof Error ? error.name : 'unknown' });
  }
}
