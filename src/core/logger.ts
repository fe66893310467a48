/**
 * The logger port. Log lines name records by id only: never names, emails, keys or payloads.
 *
 * @module
 */

/** Structured fields of a log line: ids, counts, codes — nothing personal or secret. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** A minimal structured logger; `console`-backed by default, replaceable by pino/winston adapters. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const noop = (): void => undefined;

/** One console line: the message (line breaks escaped) and the fields as compact JSON. */
function consoleLine(message: string, fields: LogFields | undefined): string {
  const text = `[cliniko-tradify] ${message}`.replace(/\r?\n/g, '\\n');
  return fields === undefined ? text : `${text} ${JSON.stringify(fields)}`;
}

/** The default logger: `debug` and `info` are silent; `warn` and `error` go to the console, one line each. */
export const defaultLogger: Logger = Object.freeze({
  debug: noop,
  info: noop,
  warn: (message: string, fields?: LogFields) => console.warn(consoleLine(message, fields)),
  error: (message: string, fields?: LogFields) => console.error(consoleLine(message, fields)),
});

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
