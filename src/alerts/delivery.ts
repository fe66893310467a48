/**
 * How the dedupe layer drives an alerter so that it learns of every failed delivery, whatever
 * the alerter's `throwOnFailure`: the built-in alerters expose a delivery that throws and never
 * logs (under a `Symbol.for` key, so it works across two copies of the package); any other
 * alerter is driven through `notify` (resolves = delivered, throws = failed).
 *
 * @internal
 * @module
 */
import { ConfigError, isClinikoTradifyError } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Alert, Alerter } from '../sync/ports.js';

/** The key under which a built-in alerter exposes its {@link AlertDeliveryHooks}. */
export const ALERT_DELIVERY: unique symbol = Symbol.for('cliniko-tradify.alert-delivery') as never;

/** What the dedupe layer needs of an alerter. */
export interface AlertDeliveryHooks {
  /** Sends the alert, or throws why it could not; never logs the failure. */
  deliver(alert: Alert, options: { signal?: AbortSignal | undefined }): Promise<void>;
  /** The logger the alerter was given, if one was given: its failures are reported there. */
  logger: Logger | undefined;
  /** Whether the alerter's own `notify` throws a failed delivery. */
  throwOnFailure: boolean;
}

/** A built-in alerter. */
interface DeliveringAlerter extends Alerter {
  [ALERT_DELIVERY](): AlertDeliveryHooks;
}

/** The delivery hooks of `alerter`: its own, or `notify` for an alerter that has none. */
export function deliveryHooks(alerter: Alerter): AlertDeliveryHooks {
  const own = (alerter as Partial<DeliveringAlerter>)[ALERT_DELIVERY];
  if (typeof own === 'function') return own.call(alerter);
  return { deliver: (alert, options) => alerter.notify(alert, options), logger: undefined, throwOnFailure: true };
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** The destination name of a custom alerter that names none. */
const DEFAULT_DESTINATION = 'custom';

/**
 * An alerter's `name` option, checked: it keys stored delivery state, so it must be short and
 * plain (which also keeps a URL out of it).
 *
 * @throws ConfigError when it is not 1–64 letters, digits, `.`, `_` or `-`.
 */
export function destinationName(name: string | undefined, fallback: string, setting = 'name'): string {
  if (name === undefined) return fallback;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ConfigError(setting, `${setting} must be 1-64 letters, digits, ".", "_" or "-" (a URL is not a name).`);
  }
  return name;
}

/**
 * Where `alerter` delivers, as kept in the store.
 *
 * @throws ConfigError when its `name` is not a plain name.
 */
export function destinationOf(alerter: Alerter): string {
  return destinationName(alerter.name, DEFAULT_DESTINATION, 'alerter.name');
}

/** A failure's code for the store and the log: the library's code, else the error's class name. */
export function failureCode(error: unknown): string {
  if (isClinikoTradifyError(error)) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}

/** Why one delivery attempt of a built-in alerter did not get through (never a URL, a password or a server's text). */
export class AttemptFailure extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  /** Whether another attempt may get through (a timeout, a lost connection, a 5xx or an SMTP 4xx). */
  readonly retryable: boolean;
  constructor(code: ErrorCode, detail: string, retryable: boolean) {
    super(detail);
    this.code = code;
    this.detail = detail;
    this.retryable = retryable;
  }
}
