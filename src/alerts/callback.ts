/**
 * An alerter that hands each alert to the integrator's function.
 *
 * @module
 */
import { defaultLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import type { Alert, Alerter } from '../sync/ports.js';

/** The function a {@link CallbackAlerter} calls. */
export type AlertCallback = (alert: Alert, options: { signal?: AbortSignal | undefined }) => void | Promise<void>;

/** Options of {@link CallbackAlerter}. */
export interface CallbackAlerterOptions {
  /** Where a failing callback is reported. @defaultValue the library's default logger */
  logger?: Logger | undefined;
  /** Re-throw the callback's error instead of logging it. @defaultValue `false` */
  throwOnFailure?: boolean | undefined;
}

const CALLBACK_ALERTER_SHAPE = { logger: true, throwOnFailure: true } as const satisfies OptionShape<CallbackAlerterOptions>;

/**
 * Calls `fn` with each alert (ids and counts only). A throwing callback is logged (by error
 * name, not message) and does not break the sync, unless `throwOnFailure` is set.
 *
 * @example
 * ```ts
 * const alerter = new CallbackAlerter(async (alert) => pager.send(alert.summary));
 * ```
 */
export class CallbackAlerter implements Alerter {
  readonly #fn: AlertCallback;
  readonly #logger: Logger;
  readonly #throw: boolean;

  /** @throws ConfigError for an unknown option, naming the nearest valid one. */
  constructor(fn: AlertCallback, options: CallbackAlerterOptions = {}) {
    rejectUnknownOptions(options, CALLBACK_ALERTER_SHAPE, { owner: 'CallbackAlerter' });
    this.#fn = fn;
    this.#logger = options.logger ?? defaultLogger;
    this.#throw = options.throwOnFailure ?? false;
  }

  /** Calls the function and awaits it. */
  async notify(alert: Alert, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    try {
      await this.#fn(alert, { signal: options.signal });
    } catch (error) {
      if (this.#throw) throw error;
      this.#logger.warn('alert callback failed', { kind: alert.kind, fingerprint: alert.fingerprint, error: error instanceof Error ? error.name : 'unknown' });
    }
  }
}
