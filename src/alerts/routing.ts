/**
 * Alert routing: one run's alerts go to several destinations, each taking only the alerts at
 * or above its severity threshold and of its kinds (e.g. email for reconciliation findings, a
 * chat webhook for outages). Delivery state is kept per destination, so a failing destination
 * is retried without repeating the others.
 *
 * @module
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { parseStrictOptions } from '../core/strict-options.js';
import type { Alert, AlertKind, AlertSeverity, Alerter } from '../sync/ports.js';
import { destinationName, destinationOf } from './delivery.js';

/** Every alert kind. */
export const ALERT_KINDS = ['dead-letters', 'reviews', 'outage', 'reconciliation', 'lease', 'run-failed', 'config'] as const satisfies readonly AlertKind[];

/** Severities, least urgent first. */
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const satisfies readonly AlertSeverity[];

/** One destination of alerts and the alerts it takes. */
export interface AlertRoute {
  /** Where these alerts go. Its `name` keys its delivery state, so each route needs its own. */
  alerter: Alerter;
  /** Alerts less severe than this are not sent here. @defaultValue `'info'` (every alert) */
  minSeverity?: AlertSeverity | undefined;
  /** Only alerts of these kinds are sent here. @defaultValue every kind */
  kinds?: readonly AlertKind[] | undefined;
}

/** What the engine's `alerter` option takes: one alerter, or several (alerters or routes). */
export type AlertDestinations = Alerter | ReadonlyArray<Alerter | AlertRoute>;

/** A route after validation. */
export interface ResolvedAlertRoute {
  /** The destination's name: the key of its delivery state. */
  readonly name: string;
  readonly alerter: Alerter;
  readonly minSeverity: AlertSeverity;
  /** `undefined`: every kind. */
  readonly kinds: readonly AlertKind[] | undefined;
  /** Whether this route takes `alert`. */
  takes(alert: Alert): boolean;
}

/** The key under which an {@link AlertRouter} exposes its routes to the dedupe layer (works across package copies). */
const ALERT_ROUTES: unique symbol = Symbol.for('cliniko-tradify.alert-routes') as never;

const isAlerter = (value: unknown): value is Alerter => typeof (value as Partial<Alerter> | null)?.notify === 'function';

const routeSchema = z
  .object({
    alerter: z.custom<Alerter>(isAlerter, { message: 'expected an alerter (an object with a notify method)' }),
    minSeverity: z.enum(ALERT_SEVERITIES).optional(),
    kinds: z.array(z.enum(ALERT_KINDS)).readonly().optional(),
  })
  .strict();

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

function resolveRoute(entry: Alerter | AlertRoute, index: number): ResolvedAlertRoute {
  const route: AlertRoute = isAlerter(entry) ? { alerter: entry } : parseStrictOptions(routeSchema, entry, `alert route ${index}`);
  const minSeverity = route.minSeverity ?? 'info';
  const kinds = route.kinds ? [...route.kinds] : undefined;
  return {
    name: destinationOf(route.alerter),
    alerter: route.alerter,
    minSeverity,
    kinds,
    takes: (alert) => RANK[alert.severity] >= RANK[minSeverity] && (kinds === undefined || kinds.includes(alert.kind)),
  };
}

/**
 * Checks a list of alerters or routes.
 *
 * @throws ConfigError for a route with an unknown option or a bad threshold or kind, or two
 *   destinations sharing one name (they would share delivery state).
 */
function resolveAlertRoutes(entries: ReadonlyArray<Alerter | AlertRoute>): ResolvedAlertRoute[] {
  if (!Array.isArray(entries)) throw new ConfigError('alerter', 'alert routes must be an array of alerters or { alerter, minSeverity, kinds }.');
  const routes = entries.map(resolveRoute);
  const seen = new Set<string>();
  for (const { name } of routes) {
    if (seen.has(name)) throw new ConfigError('alerter', `two alert destinations are named '${name}': give each alerter its own name option, since the name keys its delivery state.`);
    seen.add(name);
  }
  return routes;
}

/** Options of {@link AlertRouter}. */
export interface AlertRouterOptions {
  /** The router's own name (used only when it is itself wrapped as one destination). @defaultValue `'routes'` */
  name?: string | undefined;
}

/**
 * Sends each alert to every route that takes it. Given to the engine (or as a list in the
 * engine's `alerter` option), each route is its own destination: an unchanged problem is
 * delivered once per destination, and a destination whose delivery failed is retried on the
 * next run without repeating the others.
 *
 * @example
 * ```ts
 * const alerter = new AlertRouter([
 *   { alerter: email, kinds: ['reconciliation', 'dead-letters', 'reviews'] },
 *   { alerter: new WebhookAlerter({ url, format: 'slack' }), minSeverity: 'critical' },
 * ]);
 * ```
 * @throws ConfigError at construction for a bad route or two destinations sharing one name.
 */
export class AlertRouter implements Alerter {
  /** The router's name. */
  readonly name: string;
  /** The routes, checked. */
  readonly routes: readonly ResolvedAlertRoute[];

  constructor(routes: ReadonlyArray<Alerter | AlertRoute>, options: AlertRouterOptions = {}) {
    this.routes = Object.freeze(resolveAlertRoutes(routes));
    this.name = destinationName(parseStrictOptions(z.object({ name: z.string().optional() }).strict(), options, 'AlertRouter').name, 'routes');
  }

  /**
   * Sends the alert to every route that takes it, each through its alerter's own `notify`.
   *
   * @throws the first route's error, once every route was tried, when any alerter threw.
   */
  async notify(alert: Alert, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    const failures: unknown[] = [];
    for (const route of this.routes) {
      if (!route.takes(alert)) continue;
      await route.alerter.notify(alert, options).catch((error: unknown) => failures.push(error));
    }
    if (failures.length > 0) throw failures[0];
  }

  /** @internal */
  [ALERT_ROUTES](): readonly ResolvedAlertRoute[] {
    return this.routes;
  }
}

/** The routes of `alerter` when it is a router (of this or another copy of the package). */
export function routesOf(alerter: Alerter): readonly ResolvedAlertRoute[] | undefined {
  const own = (alerter as { [ALERT_ROUTES]?: unknown })[ALERT_ROUTES];
  return typeof own === 'function' ? (own as () => readonly ResolvedAlertRoute[]).call(alerter) : undefined;
}

/** The engine's `alerter` option as one alerter: a list becomes an {@link AlertRouter}. */
export function alerterOf(destinations: AlertDestinations | undefined): Alerter | undefined {
  if (destinations === undefined) return undefined;
  if (Array.isArray(destinations)) return new AlertRouter(destinations as ReadonlyArray<Alerter | AlertRoute>);
  destinationOf(destinations as Alerter);
  return destinations as Alerter;
}
