/**
 * Alerting only when a person is needed: aggregation of one run's alerts, and dedupe across
 * runs through the store's alert incidents (same fingerprint, still open, delivered → not sent
 * again; not delivered → sent again).
 *
 * @module
 */
import { systemClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { defaultLogger, silentLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import { sha256 } from '../core/hash.js';
import type { Alert, AlertDelivery, AlertIncident, AlertSeverity, Alerter, StateStore } from '../sync/ports.js';
import { ALERT_DELIVERY, deliveryHooks, destinationOf, failureCode } from './delivery.js';
import type { AlertDeliveryHooks } from './delivery.js';

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
  /**
   * Where a failed delivery is reported (once per incident and destination) when the alerter
   * was given no logger of its own. @defaultValue the library's default logger
   */
  logger?: Logger | undefined;
}

/** What became of one alert at one destination. */
export interface AlertSendResult {
  /** `'suppressed'`: already delivered while the incident stays open and unchanged. */
  status: 'delivered' | 'failed' | 'suppressed';
  /** The alerter's name. */
  destination: string;
  /** Why it failed (an error code or class name), when it did. */
  errorCode?: string | undefined;
}

/** The most undelivered alerts one `retryUndelivered` call re-sends (the rest wait for the next). */
const MAX_RETRIES_PER_CALL = 20;

interface Attempt {
  result: AlertSendResult;
  delivery: AlertDelivery;
  error?: unknown;
}

/**
 * The incident's delivery state per destination. An incident written before delivery state was
 * kept has none: if it was alerted, it counts as delivered everywhere.
 */
function deliveriesOf(incident: AlertIncident, destination: string): Record<string, AlertDelivery> {
  if (incident.deliveries) return incident.deliveries;
  if (incident.lastAlertedAt === undefined) return {};
  return { [destination]: { status: 'delivered', failures: 0, lastAttemptAt: incident.lastAlertedAt, deliveredAt: incident.lastAlertedAt, errorCode: undefined } };
}

const DEDUPING_ALERTER_SHAPE = { alerter: true, store: true, clock: true, renotifyAfterMs: true, logger: true } as const satisfies OptionShape<DedupingAlerterOptions>;

/**
 * Wraps an alerter so the same unchanged problem (same fingerprint, incident still open) is
 * sent once, not on every run. An incident counts as alerted at a destination only once a
 * delivery there succeeded: a failed one is recorded (and logged once), and sent again by the
 * next {@link DedupingAlerter.notify} of the same problem or by
 * {@link DedupingAlerter.retryUndelivered}. Call {@link DedupingAlerter.resolveAbsent} at the
 * end of a run with the fingerprints still present, so a problem that went away and comes back
 * alerts again.
 *
 * @example
 * ```ts
 * const alerter = new DedupingAlerter({ alerter: new WebhookAlerter({ url }), store });
 * ```
 * @throws ConfigError at construction when the alerter's `name` is not a plain name.
 */
export class DedupingAlerter implements Alerter {
  /** The wrapped alerter's name: the destination whose delivery state this keeps. */
  readonly name: string;
  readonly #hooks: AlertDeliveryHooks;
  readonly #store: Pick<StateStore, 'incidents'>;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #renotifyAfterMs: number | undefined;
  readonly #logger: Logger;

  /** @throws ConfigError for an unknown option, naming the nearest valid one. */
  constructor(options: DedupingAlerterOptions) {
    rejectUnknownOptions(options, DEDUPING_ALERTER_SHAPE, { owner: 'DedupingAlerter' });
    this.name = destinationOf(options.alerter);
    this.#hooks = deliveryHooks(options.alerter);
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#renotifyAfterMs = options.renotifyAfterMs;
    this.#logger = this.#hooks.logger ?? options.logger ?? defaultLogger;
  }

  /**
   * Sends the alert unless its incident is open and already delivered here; records the
   * sighting and the delivery.
   *
   * @throws the alerter's error when delivery failed and the alerter throws on failure (a
   *   custom alerter, or `throwOnFailure: true`); the failure is recorded first.
   */
  async notify(alert: Alert, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    const { result, error } = await this.#send(alert, options.signal);
    if (result.status === 'failed' && this.#hooks.throwOnFailure) throw error;
  }

  /**
   * {@link DedupingAlerter.notify} that reports a failed delivery in its result instead of
   * throwing it. Throws only when the store fails or `signal` fires.
   */
  async send(alert: Alert, options: { signal?: AbortSignal | undefined } = {}): Promise<AlertSendResult> {
    return (await this.#send(alert, options.signal)).result;
  }

  /**
   * Sends again, oldest incident first, the account's alerts whose delivery here failed (at most
   * 20 a call), whether their incident is still open or since resolved.
   * Stops at the first failure (the destination is still down); that one is not logged again.
   */
  async retryUndelivered(accountId: string, options: { signal?: AbortSignal | undefined } = {}): Promise<AlertSendResult[]> {
    const undelivered = await this.#store.incidents.list(accountId, { undelivered: true }, options);
    const due = undelivered.filter((i) => i.alert !== undefined && i.deliveries?.[this.name]?.status === 'failed');
    const results: AlertSendResult[] = [];
    for (const incident of due.slice(0, MAX_RETRIES_PER_CALL)) {
      const attempt = await this.#attempt(incident.alert!, incident.deliveries?.[this.name], options.signal);
      const delivered = attempt.result.status === 'delivered';
      const deliveries = { ...incident.deliveries, [this.name]: attempt.delivery };
      await this.#store.incidents.put(accountId, { ...incident, lastAlertedAt: delivered ? attempt.delivery.deliveredAt : incident.lastAlertedAt, deliveries }, options);
      results.push(attempt.result);
      if (!delivered) break;
    }
    return results;
  }

  /**
   * @internal When the engine wraps this deduper in its own, a failure here must reach it too
   * (already logged here, so the outer one stays quiet).
   */
  [ALERT_DELIVERY](): AlertDeliveryHooks {
    const deliver = async (alert: Alert, options: { signal?: AbortSignal | undefined }): Promise<void> => {
      const { result, error } = await this.#send(alert, options.signal);
      if (result.status === 'failed') throw error;
    };
    return { deliver, logger: silentLogger, throwOnFailure: this.#hooks.throwOnFailure };
  }

  async #send(alert: Alert, signal: AbortSignal | undefined): Promise<Attempt> {
    const now = this.#clock.now();
    const existing = await this.#store.incidents.get(alert.accountId, alert.fingerprint, { signal });
    const open = existing?.state === 'open' ? existing : undefined;
    const deliveries = open ? deliveriesOf(open, this.name) : {};
    const previous = deliveries[this.name];
    const attempt = this.#isDue(previous, now) ? await this.#attempt(alert, previous, signal) : this.#suppressed(previous!);
    const incident: AlertIncident = {
      fingerprint: alert.fingerprint,
      firstSeenAt: open?.firstSeenAt ?? now,
      lastSeenAt: now,
      lastAlertedAt: attempt.result.status === 'delivered' ? now : open?.lastAlertedAt,
      count: (open?.count ?? 0) + 1,
      state: 'open',
      alert,
      deliveries: { ...deliveries, [this.name]: attempt.delivery },
    };
    await this.#store.incidents.put(alert.accountId, incident, { signal });
    return attempt;
  }

  #suppressed(delivered: AlertDelivery): Attempt {
    return { result: { status: 'suppressed', destination: this.name }, delivery: delivered };
  }

  #isDue(previous: AlertDelivery | undefined, now: number): boolean {
    if (previous?.status !== 'delivered' || previous.deliveredAt === undefined) return true;
    return this.#renotifyAfterMs !== undefined && now - previous.deliveredAt >= this.#renotifyAfterMs;
  }

  /** One delivery. A failure is logged only when the previous attempt here had not failed. */
  async #attempt(alert: Alert, previous: AlertDelivery | undefined, signal: AbortSignal | undefined): Promise<Attempt> {
    try {
      await this.#hooks.deliver(alert, { signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      return this.#failure(alert, previous, error);
    }
    const at = this.#clock.now();
    return { result: { status: 'delivered', destination: this.name }, delivery: { status: 'delivered', failures: 0, lastAttemptAt: at, deliveredAt: at, errorCode: undefined } };
  }

  #failure(alert: Alert, previous: AlertDelivery | undefined, error: unknown): Attempt {
    const errorCode = failureCode(error);
    if (previous?.status !== 'failed') {
      this.#logger.error('alert not delivered; it is sent again on the next run', { accountId: alert.accountId, kind: alert.kind, fingerprint: alert.fingerprint, destination: this.name, code: errorCode });
    }
    const delivery: AlertDelivery = { status: 'failed', failures: (previous?.status === 'failed' ? previous.failures : 0) + 1, lastAttemptAt: this.#clock.now(), deliveredAt: previous?.deliveredAt, errorCode };
    return { result: { status: 'failed', destination: this.name, errorCode }, delivery, error };
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
