/**
 * Per-run alert aggregation (DESIGN §6.6): problems are counted during the run and sent as ONE
 * alert per kind when it ends, with counts and a bounded sample of ids.
 *
 * @module
 */
import type { Alert, AlertKind, AlertSeverity, Alerter } from './ports.js';
import type { Logger } from '../core/logger.js';
import { sha256 } from './hash.js';

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
        // same kind + same reasons + same records → same problem across runs (the alerting layer dedupes on it)
        fingerprint: sha256(`${accountId}|${kind}|${reasons.join(',')}|${[...bucket.recordIds].sort().join(',')}`).slice(0, 24),
        runId,
        at,
      };
    });
  }

  /** Sends every aggregated alert; a failing alerter is logged, never thrown. */
  async flush(alerter: Alerter | undefined, logger: Logger, accountId: string, runId: string, at: string, signal?: AbortSignal): Promise<Alert[]> {
    const alerts = this.build(accountId, runId, at);
    if (!alerter) return alerts;
    for (const alert of alerts) {
      try {
        await alerter.notify(alert, { signal });
      } catch {
        logger.warn('alerter failed to deliver an alert', { kind: alert.kind, runId });
      }
    }
    return alerts;
  }
}
