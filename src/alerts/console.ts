/**
 * The default alerter: one line per alert on the console.
 *
 * @module
 */
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import type { Alert, Alerter } from '../sync/ports.js';
import { ALERT_DELIVERY, destinationName } from './delivery.js';
import type { AlertDeliveryHooks } from './delivery.js';
import { alertLine } from './format.js';

/** Options of {@link ConsoleAlerter}. */
export interface ConsoleAlerterOptions {
  /**
   * Where lines go. @defaultValue `console.error` for critical alerts, `console.warn` otherwise
   */
  write?: ((line: string, alert: Alert) => void) | undefined;
  /** Prefix of every line. @defaultValue `'[cliniko-tradify] alert'` */
  prefix?: string | undefined;
  /** The destination's name in the stored delivery state. @defaultValue `'console'` */
  name?: string | undefined;
}

const CONSOLE_ALERTER_SHAPE = { write: true, prefix: true, name: true } as const satisfies OptionShape<ConsoleAlerterOptions>;

/**
 * Prints each alert as one line (ids and counts only). The engine's default alerter.
 *
 * @example
 * ```ts
 * const engine = new SyncEngine({ cliniko, tradify, store, alerter: new ConsoleAlerter() });
 * ```
 * @throws ConfigError at construction when `name` is not a plain name.
 */
export class ConsoleAlerter implements Alerter {
  /** The destination's name in the stored delivery state. */
  readonly name: string;
  readonly #write: (line: string, alert: Alert) => void;
  readonly #prefix: string;

  /** @throws ConfigError for an unknown option, naming the nearest valid one. */
  constructor(options: ConsoleAlerterOptions = {}) {
    rejectUnknownOptions(options, CONSOLE_ALERTER_SHAPE, { owner: 'ConsoleAlerter' });
    this.#write = options.write ?? ((line, alert) => (alert.severity === 'critical' ? console.error(line) : console.warn(line)));
    this.#prefix = options.prefix ?? '[cliniko-tradify] alert';
    this.name = destinationName(options.name, 'console');
  }

  /** Writes the alert's line. Never throws for a write failure. */
  async notify(alert: Alert): Promise<void> {
    try {
      await this.#deliver(alert);
    } catch {
      // a broken console must not break a sync
    }
  }

  async #deliver(alert: Alert): Promise<void> {
    this.#write(`${this.#prefix} ${alertLine(alert)}`, alert);
  }

  /** @internal */
  [ALERT_DELIVERY](): AlertDeliveryHooks {
    return { deliver: (alert) => this.#deliver(alert), logger: undefined, throwOnFailure: false };
  }
}
