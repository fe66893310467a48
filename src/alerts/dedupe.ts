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
import { routesOf } from './routing.js';

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

/** The most undelivered alerts one `retryUndelivered` call re-sends per destination (the rest wait for the next). */
const MAX_RETRIES_PER_CALL = 20;

interface Attempt {
  result: AlertSendResult;
  delivery: AlertDelivery;
  error?: unknown;
}

/** One place alerts go: a plain alerter, or one route of an {@link AlertRouter}. */
interface Destination {
  readonly name: string;
  readonly hooks: AlertDeliveryHooks;
  readonly logger: Logger;
  takes(alert: Alert): boolean;
}

function destinationsOf(alerter: Alerter, logger: Logger | undefined): Destination[] {
  const routes = routesOf(alerter);
  const of = (name: string, target: Alerter, takes: (alert: Alert) => boolean): Destination => {
    const hooks = deliveryHooks(target);
    return { name, hooks, logger: hooks.logger ?? logger ?? defaultLogger, takes };
  };
  if (routes) return routes.map((route) => of(route.name, route.alerter, route.takes));
  return [of(destinationOf(alerter), alerter, () => true)];
}

/**
 * The incident's delivery state per destination. An incident written before delivery state was
 * kept has none: if it was alerted, it counts as delivered everywhere.
 */
function deliveriesOf(incident: AlertIncident, destinations: readonly Destination[]): Record<string, AlertDelivery> {
  if (incident.deliveries) return incident.deliveries;
  const at = incident.lastAlertedAt;
  if (at === undefined) return {};
  return Object.fromEntries(destinations.map((d) => [d.name, { status: 'delivered', failures: 0, lastAttemptAt: at, deliveredAt: at, errorCode: undefined } satisfies AlertDelivery]));
}

/** One result standing for several: the first failure, else the first delivery, else suppressed. */
function overall(results: readonly AlertSendResult[], fallback: string): AlertSendResult {
  return results.find((r) => r.status === 'failed') ?? results.find((r) => r.status === 'delivered') ?? results[0] ?? { status: 'suppressed', destination: fallback };
}

/** Options of {@link DedupingAlerter.retryUndelivered}. */
export interface RetryUndeliveredOptions {
  signal?: AbortSignal | undefined;
  /** Destinations not to try now (e.g. those that just failed: they are still down). */
  except?: Iterable<string> | undefined;
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
 * Wrapping an {@link AlertRouter}, each route is a destination of its own: an alert goes to the
 * routes that take it, its delivery is recorded per route, and only the routes where it failed
 * are tried again.
 *
 * @example
 * ```ts
 * const alerter = new DedupingAlerter({ alerter: new WebhookAlerter({ url }), store });
 * ```
 * @throws ConfigError at construction when an alerter's `name` is not a plain name.
 */
export class DedupingAlerter implements Alerter {
  /** The wrapped alerter's name (a router's own name when it wraps an {@link AlertRouter}). */
  readonly name: string;
  readonly #destinations: readonly Destination[];
  readonly #store: Pick<StateStore, 'incidents'>;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #renotifyAfterMs: number | undefined;

  /** @throws ConfigError for an unknown option, naming the nearest valid one. */
  constructor(options: DedupingAlerterOptions) {
    rejectUnknownOptions(options, DEDUPING_ALERTER_SHAPE, { owner: 'DedupingAlerter' });
    this.name = destinationOf(options.alerter);
    this.#destinations = destinationsOf(options.alerter, options.logger);
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#renotifyAfterMs = options.renotifyAfterMs;
  }

  /** The names of the destinations whose delivery state this keeps. */
  get destinations(): string[] {
    return this.#destinations.map((d) => d.name);
  }

  /**
   * Sends the alert wherever its incident is not open and already delivered; records the
   * sighting and the delivery.
   *
   * @throws the alerter's error when delivery failed and the alerter throws on failure (a
   *   custom alerter, or `throwOnFailure: true`); the failure is recorded first.
   */
  async notify(alert: Alert, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    const attempts = await this.#send(alert, options.signal);
    const thrown = attempts.find((a) => a.result.status === 'failed' && this.#destination(a.result.destination)?.hooks.throwOnFailure);
    if (thrown) throw thrown.error;
  }

  /**
   * {@link DedupingAlerter.notify} that reports a failed delivery in its result instead of
   * throwing it: with several destinations, the first failure, else the first delivery, else
   * `'suppressed'`. Throws only when the store fails or `signal` fires.
   */
  async send(alert: Alert, options: { signal?: AbortSignal | undefined } = {}): Promise<AlertSendResult> {
    return overall(await this.sendEach(alert, options), this.name);
  }

  /** {@link DedupingAlerter.send} with one result per destination that takes the alert. */
  async sendEach(alert: Alert, options: { signal?: AbortSignal | undefined } = {}): Promise<AlertSendResult[]> {
    return (await this.#send(alert, options.signal)).map((a) => a.result);
  }

  /**
   * Sends again, oldest incident first, the account's alerts whose delivery failed (at most 20
   * a call per destination), whether their incident is still open or since resolved. A
   * destination is not tried again in the same call after a failure (it is still down); that
   * failure is not logged again.
   */
  async retryUndelivered(accountId: string, options: RetryUndeliveredOptions = {}): Promise<AlertSendResult[]> {
    const down = new Set(options.except ?? []);
    const tried = new Map<string, number>();
    const results: AlertSendResult[] = [];
    for (const incident of await this.#store.incidents.list(accountId, { undelivered: true }, { signal: options.signal })) {
      const alert = incident.alert;
      if (alert === undefined) continue;
      const due = this.#destinations.filter((d) => !down.has(d.name) && (tried.get(d.name) ?? 0) < MAX_RETRIES_PER_CALL && incident.deliveries?.[d.name]?.status === 'failed' && d.takes(alert));
      if (due.length === 0) continue;
      const deliveries = { ...incident.deliveries };
      let lastAlertedAt = incident.lastAlertedAt;
      for (const destination of due) {
        tried.set(destination.name, (tried.get(destination.name) ?? 0) + 1);
        const attempt = await this.#attempt(destination, alert, deliveries[destination.name], options.signal);
        deliveries[destination.name] = attempt.delivery;
        results.push(attempt.result);
        if (attempt.result.status === 'delivered') lastAlertedAt = attempt.delivery.deliveredAt;
        else down.add(destination.name);
      }
      await this.#store.incidents.put(accountId, { ...incident, lastAlertedAt, deliveries }, { signal: options.signal });
    }
    return results;
  }

  /**
   * @internal When the engine wraps this deduper in its own, a failure here must reach it too
   * (already logged here, so the outer one stays quiet).
   */
  [ALERT_DELIVERY](): AlertDeliveryHooks {
    const deliver = async (alert: Alert, options: { signal?: AbortSignal | undefined }): Promise<void> => {
      const failed = (await this.#send(alert, options.signal)).find((a) => a.result.status === 'failed');
      if (failed) throw failed.error;
    };
    return { deliver, logger: silentLogger, throwOnFailure: this.#destinations.some((d) => d.hooks.throwOnFailure) };
  }

  #destination(name: string): Destination | undefined {
    return this.#destinations.find((d) => d.name === name);
  }

  /** One read of the incident, a delivery to each destination that is due, one write. */
  async #send(alert: Alert, signal: AbortSignal | undefined): Promise<Attempt[]> {
    const now = this.#clock.now();
    const existing = await this.#store.incidents.get(alert.accountId, alert.fingerprint, { signal });
    const open = existing?.state === 'open' ? existing : undefined;
    const deliveries = open ? { ...deliveriesOf(open, this.#destinations) } : {};
    const attempts: Attempt[] = [];
    for (const destination of this.#destinations.filter((d) => d.takes(alert))) {
      const previous = deliveries[destination.name];
      const attempt = this.#isDue(previous, now) ? await this.#attempt(destination, alert, previous, signal) : this.#suppressed(destination, previous!);
      deliveries[destination.name] = attempt.delivery;
      attempts.push(attempt);
    }
    const incident: AlertIncident = {
      fingerprint: alert.fingerprint,
      firstSeenAt: open?.firstSeenAt ?? now,
      lastSeenAt: now,
      lastAlertedAt: attempts.some((a) => a.result.status === 'delivered') ? now : open?.lastAlertedAt,
      count: (open?.count ?? 0) + 1,
      state: 'open',
      alert,
      deliveries,
    };
    await this.#store.incidents.put(alert.accountId, incident, { signal });
    return attempts;
  }

  #suppressed(destination: Destination, delivered: AlertDelivery): Attempt {
    return { result: { status: 'suppressed', destination: destination.name }, delivery: delivered };
  }

  #isDue(previous: AlertDelivery | undefined, now: number): boolean {
    if (previous?.status !== 'delivered' || previous.deliveredAt === undefined) return true;
    return this.#renotifyAfterMs !== undefined && now - previous.deliveredAt >= this.#renotifyAfterMs;
  }

  /** One delivery. A failure is logged only when the previous attempt there had not failed. */
  async #attempt(destination: Destination, alert: Alert, previous: AlertDelivery | undefined, signal: AbortSignal | undefined): Promise<Attempt> {
    try {
      await destination.hooks.deliver(alert, { signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      return this.#failure(destination, alert, previous, error);
    }
    const at = this.#clock.now();
    return { result: { status: 'delivered', destination: destination.name }, delivery: { status: 'delivered', failures: 0, lastAttemptAt: at, deliveredAt: at, errorCode: undefined } };
  }

  #failure(destination: Destination, alert: Alert, previous: AlertDelivery | undefined, error: unknown): Attempt {
    const errorCode = failureCode(error);
    if (previous?.status !== 'failed') {
      destination.logger.error('alert not delivered; it is sent again on the next run', { accountId: alert.accountId, kind: alert.kind, fingerprint: alert.fingerprint, destination: destination.name, code: errorCode });
    }
    const delivery: AlertDelivery = { status: 'failed', failures: (previous?.status === 'failed' ? previous.failures : 0) + 1, lastAttemptAt: this.#clock.now(), deliveredAt: previous?.deliveredAt, errorCode };
    return { result: { status: 'failed', destination: destination.name, errorCode }, delivery, error };
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
