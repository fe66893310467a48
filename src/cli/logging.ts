/**
 * The CLI's log lines on stderr: `pretty` for people (`<time> WARN  message key=value …`) or
 * `json` for log pipelines (one object per line with `time`, `level`, `msg` and the fields).
 * Whatever the text, an entry is exactly one line: line breaks and other control characters
 * are escaped, never written.
 *
 * @module
 */
import type { LogFields, Logger } from '../core/logger.js';

/** Log levels, least to most severe; `silent` logs nothing. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** A `--log-level`. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The formats of `--log-format`. */
export const LOG_FORMATS = ['pretty', 'json'] as const;

/** A `--log-format`. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A level an entry can have. */
export type EntryLevel = Exclude<LogLevel, 'silent'>;

/** The level `-v` stands for: the one that shows request retries and rate-limit pauses. */
export const VERBOSE_LEVEL: LogLevel = 'warn';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };
const RESERVED = new Set(['time', 'level', 'msg']);
// C0 and C1 controls (line breaks, ESC of terminal sequences) and the Unicode line separators
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `text` with every character that could break or redraw a line escaped. */
export function oneLine(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** The fields of an entry, minus `undefined`, renaming any that would hide `time`/`level`/`msg`. */
function entryFields(fields: LogFields | undefined): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value !== undefined) out[RESERVED.has(key) ? `field.${key}` : key] = value;
  }
  return out;
}

function prettyValue(value: string | number | boolean | null): string {
  if (typeof value !== 'string') return String(value);
  return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
}

/** One entry as one line of the format, without the trailing newline. */
export function formatEntry(format: LogFormat, time: Date, level: EntryLevel, message: string, fields?: LogFields): string {
  const rest = entryFields(fields);
  if (format === 'json') return oneLine(JSON.stringify({ time: time.toISOString(), level, msg: message, ...rest }));
  const detail = Object.entries(rest).map(([key, value]) => ` ${oneLine(key)}=${oneLine(prettyValue(value))}`);
  return `${time.toISOString()} ${level.toUpperCase().padEnd(5)} ${oneLine(message)}${detail.join('')}`;
}

/** What {@link createLineLogger} writes and how. */
export interface LineLoggerOptions {
  format: LogFormat;
  /** Entries below this level are dropped. */
  level: LogLevel;
  /** Receives each line, newline included. */
  write: (line: string) => void;
  /** @defaultValue `Date.now` */
  now?: (() => number) | undefined;
}

/** A {@link Logger} writing one line per entry at or above `level`. */
export function createLineLogger(options: LineLoggerOptions): Logger {
  const now = options.now ?? Date.now;
  const entry = (level: EntryLevel) => (message: string, fields?: LogFields): void => {
    if (RANK[level] < RANK[options.level]) return;
    options.write(`${formatEntry(options.format, new Date(now()), level, message, fields)}\n`);
  };
  return { debug: entry('debug'), info: entry('info'), warn: entry('warn'), error: entry('error') };
}

/** `--log-format`, defaulting to `pretty` on a terminal and `json` otherwise. */
export function logFormatFor(requested: string | undefined, isTTY: boolean | undefined): LogFormat {
  if (requested === 'pretty' || requested === 'json') return requested;
  return isTTY ? 'pretty' : 'json';
}

/**
 * `--log-level`; without it, `-v` means {@link VERBOSE_LEVEL} (or the default, if that already
 * shows more), else the default: `info` for the long-running commands, `error` for the others.
 */
export function logLevelFor(requested: string | undefined, verbose: boolean, longRunning: boolean): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(requested ?? '')) return requested as LogLevel;
  const fallback: LogLevel = longRunning ? 'info' : 'error';
  return verbose && RANK[VERBOSE_LEVEL] < RANK[fallback] ? VERBOSE_LEVEL : fallback;
}

/** The value of `--log-format` in raw arguments (`--log-format json` or `--log-format=json`). */
export function logFormatInArgs(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === '--log-format') found = argv[i + 1];
    else if (arg.startsWith('--log-format=')) found = arg.slice('--log-format='.length);
  });
  return found;
}
