/**
 * Options objects checked against a strict zod schema: an unknown key, or a value of the
 * wrong kind, is one {@link ConfigError} naming the option (and, for an unknown key, the
 * nearest valid one), never quoting the value given.
 *
 * @module
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** The keys the object schema at `path` allows. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const segment of path) {
    if (!(current instanceof z.ZodObject)) return [];
    current = unwrap((current.shape as Record<string, z.ZodType>)[String(segment)] ?? z.never());
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape as object) : [];
}

/** Levenshtein distance, case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[y.length]!;
}

/** The valid key closest to `key`, when close enough to be a likely typo. */
export function nearestKey(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = distance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** A key as it may be shown: escaped to one line, at most 60 characters. */
function shown(key: string): string {
  const text = JSON.stringify(key).slice(1, -1);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function issueError(schema: z.ZodType, issue: z.core.$ZodIssue, owner: string): ConfigError {
  const base = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const valid = keysAt(schema, issue.path);
    const near = nearestKey(key, valid);
    const setting = [...base, key].join('.');
    const hint = near ? `did you mean '${near}'?` : `valid options: ${valid.join(', ')}.`;
    return new ConfigError(setting, `${owner}: unknown option '${shown(setting)}'; ${hint}`);
  }
  const setting = base.join('.') || 'options';
  return new ConfigError(setting, `${owner}: option '${setting}' is not valid (${issue.message}).`);
}

/**
 * Parses `value` with a strict object schema.
 *
 * @param owner - who is being configured, e.g. `'EmailAlerter'`, put before the message.
 * @throws ConfigError naming the first unknown or invalid option; the value is never quoted.
 */
export function parseStrictOptions<S extends z.ZodType>(schema: S, value: unknown, owner: string): z.output<S> {
  const parsed = schema.safeParse(value, { reportInput: false });
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
  throw issueError(schema, first, owner);
}
