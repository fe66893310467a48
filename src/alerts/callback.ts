/**
 * An alerter that hands each alert to the integrator's function.
 *
 * @module
 */
import { defaultLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import type { Alert, Alerter } from '../sync/ports.js';
import { ALERT_DELIVERY, destinationName, failureCode } from './delivery.js';
import type { AlertDeliveryHooks } from './delivery.js';

/** The function a {@link CallbackAlerter} calls. */
export type AlertCallback = (alert: Alert, options: { signal?: AbortSignal | undefined }) => void | Promise<void>;

/** Options of {@link CallbackAlerter}. */
export interface CallbackAlerterOptions {
  /**
   * Where a failing callback is reported. The engine reports there once per incident; without
   * it, in the engine's logger. @defaultValue the library's default logger
   */
  logger?: Logger | undefined;
  /**
   * Re-throw the callback's error from `notify` instead of logging it. Either way the engine
   * records the alert as not delivered and sends it again on the next run. @defaultValue `false`
   */
  throwOnFailure?: boolean | undefined;
  /** The destination's name in the stored delivery state. @defaultValue `'callback'` */
  name?: string | undefined;
}

const CALLBACK_ALERTER_SHAPE = { logger: true, throwOnFailure: true, name: true } as const satisfies OptionShape<CallbackAlerterOptions>;

/**
 * Calls `fn` with each alert (ids and counts only). A throwing callback is logged (by error
 * name, not message) and does not break the sync, unless `throwOnFailure` is set.
 *
 * @example
 * ```ts
 * const alerter = new CallbackAlerter(async (alert) => pager.send(alert.summary));
 * ```
 * @throws ConfigError at construction when `name` is not a plain name.
 */
export class CallbackAlerter implements Alerter {
  /** The destination's name in the stored delivery state. */
  readonly name: string;
  readonly #fn: AlertCallback;
  readonly #logger: Logger | undefined;
  readonly #throw: boolean;

  /** @throws ConfigError for an unknown option, naming the nearest valid one. */
  constructor(fn: AlertCallback, options: CallbackAlerterOptions = {}) {
    rejectUnknownOptions(options, CALLBACK_ALERTER_SHAPE, { owner: 'CallbackAlerter' });
    this.#fn = fn;
    this.#logger = options.logger;
    this.#throw = options.throwOnFailure ?? false;
    this.name = destinationName(options.name, 'callback');
  }

  /** Calls the function and awaits it. */
  async notify(alert: Alert, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    try {
      await this.#deliver(alert, options);
    } catch (error) {
      if (this.#throw) throw error;
      (this.#logger ?? defaultLogger).warn('alert callback failed', { kind: alert.kind, fingerprint: alert.fingerprint, error: failureCode(error) });
    }
  }

  async #deliver(alert: Alert, options: { signal?: AbortSignal | undefined }): Promise<void> {
    await this.#fn(alert, { signal: options.signal });
  }

  /** @internal */
  [ALERT_DELIVERY](): AlertDeliveryHooks {
    return { deliver: (alert, options) => this.#deliver(alert, options), logger: this.#logger, throwOnFailure: this.#throw };
  }
}
