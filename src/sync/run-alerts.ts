/**
 * Per-run alert aggregation (`docs/architecture.md#alerting`): problems are counted during the run and sent as ONE
 * alert per kind when it ends, with counts and a bounded sample of ids.
 *
 * @module
 */
import type { Alert, AlertKind, AlertSeverity, Alerter, StateStore } from './ports.js';
import type { Logger } from '../core/logger.js';
import { DedupingAlerter, alertFingerprint } from '../alerts/dedupe.js';

const SAMPLE_SIZE = 20;

interface Bucket {
  severity: AlertSeverity;
  counts: Record<string, number>;
  recordIds: Set<string>;
  reasons: Set<string>;
}

/** Collects a run's problems and sends one alert per kind at the end. */
export class RunAlerts {
  readonly #buckets = new Map<AlertKind, Bucket>();

  /** Count one problem of `kind` (e.g. a dead letter with reason `schema` for record `123`). */
  add(kind: AlertKind, severity: AlertSeverity, reason: string, recordId?: string): void {
    let bucket = this.#buckets.get(kind);
    if (!bucket) this.#buckets.set(kind, (bucket = { severity, counts: {}, recordIds: new Set(), reasons: new Set() }));
    bucket.counts[reason] = (bucket.counts[reason] ?? 0) + 1;
    bucket.reasons.add(reason);
    if (recordId !== undefined && bucket.recordIds.size < SAMPLE_SIZE) bucket.recordIds.add(recordId);
    if (severity === 'critical') bucket.severity = 'critical';
  }

  /** The alerts this run would send, one per kind. */
  build(accountId: string, runId: string, at: string): Alert[] {
    return [...this.#buckets].map(([kind, bucket]) => {
      const total = Object.values(bucket.counts).reduce((a, b) => a + b, 0);
      const reasons = [...bucket.reasons].sort();
      return {
        kind,
        severity: bucket.severity,
        accountId,
        summary: `${total} ${kind} problem${total === 1 ? '' : 's'} in this run (${reasons.map((r) => `${r}: ${bucket.counts[r]}`).join(', ')})`,
        counts: { total, ...bucket.counts },
        recordIds: [...bucket.recordIds],
        // same kind + same reasons + same records → same problem across runs (deduped below)
        fingerprint: alertFingerprint(kind, [accountId, `reasons:${reasons.join(',')}`, ...[...bucket.recordIds].map((id) => `record:${id}`)]),
        runId,
        at,
      };
    });
  }

  /**
   * Sends every aggregated alert, not repeating a problem the account was already alerted about
   * while it stays unchanged (incidents in the store), and resolves the run kinds' incidents that
   * did not come back, so a problem that returns alerts again. Then sends the account's earlier
   * alerts whose delivery failed, to every destination that did not just fail. A failed delivery
   * is recorded and logged once per incident and destination, never thrown, whatever the
   * alerter's `throwOnFailure`.
   */
  async flush(alerter: Alerter | undefined, store: Pick<StateStore, 'incidents'>, logger: Logger, accountId: string, runId: string, at: string, signal?: AbortSignal): Promise<Alert[]> {
    const alerts = this.build(accountId, runId, at);
    if (!alerter) return alerts;
    const deduper = new DedupingAlerter({ alerter, store, logger, clock: { now: () => Date.parse(at) } });
    const failed = await sendAll(deduper, alerts, logger, runId, signal);
    await deduper
      .resolveAbsent(accountId, alerts.map((a) => a.fingerprint), { kinds: RUN_ALERT_KINDS, signal })
      .catch(() => logger.warn('could not resolve old alert incidents', { runId }));
    // a destination that just failed is still down: its earlier alerts wait for the next run
    await deduper.retryUndelivered(accountId, { signal, except: failed }).catch(() => logger.warn('could not retry undelivered alerts', { runId }));
    return alerts;
  }
}

/** Sends each alert through the deduper; the destinations where a delivery failed. */
async function sendAll(deduper: DedupingAlerter, alerts: readonly Alert[], logger: Logger, runId: string, signal: AbortSignal | undefined): Promise<Set<string>> {
  const failed = new Set<string>();
  for (const alert of alerts) {
    const results = await deduper.sendEach(alert, { signal }).catch(() => logger.warn('could not record an alert incident', { kind: alert.kind, runId }));
    for (const result of results ?? []) if (result.status === 'failed') failed.add(result.destination);
  }
  return failed;
}

/** The kinds a sync run raises (reconciliation manages its own incidents). */
const RUN_ALERT_KINDS: readonly AlertKind[] = ['dead-letters', 'reviews', 'outage', 'run-failed', 'lease', 'config'];
