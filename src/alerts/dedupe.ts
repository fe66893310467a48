/**
 * Alerting only when a person is needed: aggregation of one run's alerts, and dedupe across
 * runs through the store's alert incidents (same fingerprint, still open → not sent again).
 *
 * @module
 */
import { systemClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import { sha256 } from '../sync/hash.js';
import type { Alert, AlertIncident, AlertSeverity, Alerter, StateStore } from '../sync/ports.js';

/** The most record ids an aggregated alert keeps. */
export const MAX_ALERT_RECORD_IDS = 50;

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * A stable fingerprint of a problem: the kind plus a hash of its sorted parts (ids, reason
 * codes). The same unchanged problem gives the same fingerprint on every run.
 *
 * @example
 * ```ts
 * alertFingerprint('dead-letters', ['invoices:schema:123', 'invoices:schema:456']);
 * // 'dead-letters:3f1c…'
 * ```
 */
export function alertFingerprint(kind: string, parts: readonly string[]): string {
  const sorted = [...new Set(parts)].sort();
  return `${kind}:${sha256(sorted.join('\u001f')).slice(0, 24)}`;
}

function mergeGroup(group: readonly Alert[]): Alert {
  const first = group[0]!;
  if (group.length === 1) return first;
  const counts: Record<string, number> = {};
  for (const a of group) for (const [k, v] of Object.entries(a.counts)) counts[k] = (counts[k] ?? 0) + v;
  const ids = [...new Set(group.flatMap((a) => a.recordIds))];
  const severity = group.reduce<AlertSeverity>((s, a) => (SEVERITY_RANK[a.severity] > SEVERITY_RANK[s] ? a.severity : s), 'info');
  return {
    kind: first.kind,
    severity,
    accountId: first.accountId,
    summary: `${group.length} ${first.kind} alerts; first: ${first.summary}`,
    counts,
    recordIds: ids.slice(0, MAX_ALERT_RECORD_IDS),
    fingerprint: alertFingerprint(first.kind, group.map((a) => a.fingerprint)),
    runId: first.runId,
    at: group[group.length - 1]!.at,
  };
}

/**
 * Folds a run's alerts into one per account and kind: counts summed, ids merged (at most
 * {@link MAX_ALERT_RECORD_IDS}), the highest severity, a fingerprint of the parts.
 */
export function aggregateAlerts(alerts: readonly Alert[]): Alert[] {
  const groups = new Map<string, Alert[]>();
  for (const alert of alerts) {
    const key = `${alert.accountId}\u001f${alert.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), alert]);
  }
  return [...groups.values()].map(mergeGroup);
}

/** Options of {@link DedupingAlerter}. */
export interface DedupingAlerterOptions {
  /** Where alerts that pass go. */
  alerter: Alerter;
  /** The store holding the incidents (only `incidents` is used). */
  store: Pick<StateStore, 'incidents'>;
  /** @defaultValue the system clock */
  clock?: Pick<Clock, 'now'> | undefined;
  /**
   * Send again after this long even when unchanged (a daily reminder, say). @defaultValue never
   */
  renotifyAfterMs?: number | undefined;
}

const DEDUPING_ALERTER_SHAPE = { alerter: true, store: true, clock: true, renotifyAfterMs: true } as const satisfies OptionShape<DedupingAlerterOptions>;

/**
 * Wraps an alerter so the same unchanged problem (same fingerprint, incident still open) is
 * sent once, not on every run. Call {@link DedupingAlerter.resolveAbsent} at the end of a run
 * with the fingerprints still present, so a problem that went away and comes back alerts again.
 *
 * @example
 * ```ts
 * const alerter = new DedupingAlerter({ alerter: new WebhookAlerter({ url }), store });
 * ```
 */
export class DedupingAlerter implements Alerter {
  readonly #inner: Alerter;
  readonly #store: Pick<StateStore, 'incidents'>;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #renotifyAfterMs: number | undefined;

  /** @throws ConfigError for an unknown option, naming the nearest valid one. */
  constructor(options: DedupingAlerterOptions) {
    rejectUnknownOptions(options, DEDUPING_ALERTER_SHAPE, { owner: 'DedupingAlerter' });
    this.#inner = options.alerter;
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#renotifyAfterMs = options.renotifyAfterMs;
  }

  /** Sends the alert unless its incident is open and already alerted; records the sighting. */
  async notify(alert: Alert, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    const now = this.#clock.now();
    const existing = await this.#store.incidents.get(alert.accountId, alert.fingerprint, options);
    const open = existing?.state === 'open' ? existing : undefined;
    const suppressed = open?.lastAlertedAt !== undefined && (this.#renotifyAfterMs === undefined || now - open.lastAlertedAt < this.#renotifyAfterMs);
    let alertedAt = open?.lastAlertedAt;
    if (!suppressed) {
      await this.#inner.notify(alert, options);
      alertedAt = now;
    }
    const incident: AlertIncident = {
      fingerprint: alert.fingerprint,
      firstSeenAt: open?.firstSeenAt ?? now,
      lastSeenAt: now,
      lastAlertedAt: alertedAt,
      count: (open?.count ?? 0) + 1,
      state: 'open',
    };
    await this.#store.incidents.put(alert.accountId, incident, options);
  }

  /**
   * Marks the account's open incidents whose fingerprint is not in `present` as resolved.
   * Limit it to fingerprints starting with one of `kinds` (e.g. `['reconciliation']`) when a
   * run only re-checks some kinds. Returns how many were resolved.
   */
  async resolveAbsent(accountId: string, present: Iterable<string>, options: { kinds?: readonly string[] | undefined; signal?: AbortSignal | undefined } = {}): Promise<number> {
    const keep = new Set(present);
    const open = await this.#store.incidents.list(accountId, { state: 'open' }, { signal: options.signal });
    const inScope = (f: string) => !options.kinds || options.kinds.some((k) => f.startsWith(`${k}:`));
    const stale = open.filter((i) => !keep.has(i.fingerprint) && inScope(i.fingerprint));
    for (const incident of stale) {
      await this.#store.incidents.put(accountId, { ...incident, state: 'resolved' }, { signal: options.signal });
    }
    return stale.length;
  }
}
