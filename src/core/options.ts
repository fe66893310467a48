/**
 * Strict options: every options object of the public API, and the CLI's config file, refuses a
 * key it does not know, naming the key and the nearest valid one, so a typo such as
 * `mapping.aproval` fails at once instead of silently leaving the default in force.
 *
 * @module
 */
import { ConfigError } from './errors.js';
import type { RetryOptions } from './retry.js';

/** The known keys of a nested options object; `true` marks a key whose value is not walked. */
export interface NestedShape {
  readonly [key: string]: true | NestedShape;
}

/**
 * The known keys of options type `T`. `true` marks a value this check does not walk (a scalar,
 * a function, an instance, or a table whose keys are data, such as a status or tax table); a
 * nested shape marks a nested options object whose keys are checked too.
 */
export type OptionShape<T> = { readonly [K in keyof Required<T>]-?: true | NestedShape };

/** The retry budget's keys (`retry` of both API clients). */
export const RETRY_OPTION_SHAPE = {
  maxRetries: true,
  baseDelayMs: true,
  maxDelayMs: true,
  maxRateLimitWaits: true,
  maxRateLimitWaitMs: true,
} as const satisfies OptionShape<RetryOptions>;

/** Where an unknown key was found, for the error message. */
export interface UnknownOptionContext {
  /** The dotted path of the object being checked, e.g. `'mapping'`; empty for a root object. */
  path?: string | undefined;
  /** Put before the message, e.g. `'ClinikoClient'` or `'Config file ./sync.mjs'`. */
  owner?: string | undefined;
}

/**
 * Throws a {@link ConfigError} for the first key of `value` (and of its nested options objects)
 * that `shape` does not list. Values that are not objects are left to the caller's own checks.
 *
 * @example
 * ```ts
 * rejectUnknownOptions({ aproval: {} }, { approval: { when: true } }, { path: 'mapping' });
 * // ConfigError: unknown option `mapping.aproval`; did you mean `approval`?
 * ```
 * @throws ConfigError whose `setting` is the dotted path of the unknown key.
 */
export function rejectUnknownOptions(value: unknown, shape: NestedShape, context: UnknownOptionContext = {}): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  for (const key of Object.keys(value)) {
    const path = context.path ? `${context.path}.${key}` : key;
    const rule = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (rule === undefined) throw unknownOptionError(path, key, Object.keys(shape), context.owner);
    if (rule !== true) rejectUnknownOptions((value as Record<string, unknown>)[key], rule, { ...context, path });
  }
}

/**
 * The one-line error for an unknown key: "unknown option `mapping.aproval`; did you mean
 * `approval`?", or the valid keys when none is near.
 */
export function unknownOptionError(path: string, key: string, valid: readonly string[], owner?: string): ConfigError {
  const near = nearestName(key, valid);
  const hint = near !== undefined ? `did you mean \`${near}\`?` : `valid options: ${valid.map((v) => `\`${v}\``).join(', ')}.`;
  const where = owner ? `${owner}: ` : '';
  return new ConfigError(path, `${where}unknown option \`${printable(path)}\`; ${hint}`);
}

/**
 * The candidate closest to `name` (case-insensitive edit distance, a swap of two neighbouring
 * letters counting once), or `undefined` when none is close enough to be a likely typo.
 */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  if (name.length > 64) return undefined;
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  const tolerance = Math.max(1, Math.floor(Math.max(name.length, best?.length ?? 0) / 3));
  return bestDistance <= tolerance ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/** A key as it may be shown on one line: control characters escaped, length capped. */
function printable(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1);
  return escaped.length > 80 ? `${escaped.slice(0, 80)}…` : escaped;
}
