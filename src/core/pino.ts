/**
 * An adapter from the {@link Logger} port to a pino logger. pino is not a dependency: any
 * object with pino's `(fields, msg)` methods fits.
 *
 * @module
 */
import type { LogFields, Logger } from './logger.js';

/** One pino log method: structured fields first, then the message. */
export type PinoLogMethod = (fields: Record<string, unknown>, msg: string) => void;

/** The part of a pino logger {@link pinoLogger} calls (a pino instance or a child fits). */
export interface PinoLike {
  debug: PinoLogMethod;
  info: PinoLogMethod;
  warn: PinoLogMethod;
  error: PinoLogMethod;
}

/**
 * Wraps a pino logger as a {@link Logger}: each entry becomes `pino[level](fields, message)`, so
 * the fields land as top-level keys of pino's JSON line. The library's fields hold ids, counts
 * and codes only. Levels map one to one; pino's own level decides what is written.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const logger = pinoLogger(pino({ level: 'info' }).child({ service: 'cliniko-tradify' }));
 * const engine = new SyncEngine({ cliniko, tradify, store, logger });
 * ```
 */
export function pinoLogger(pino: PinoLike): Logger {
  const method = (name: keyof PinoLike) => (message: string, fields?: LogFields): void => pino[name]({ ...fields }, message);
  return { debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') };
}
