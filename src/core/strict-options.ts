/**
 * Options objects checked against a strict zod schema: an unknown key, or a value of the
 * wrong kind, is one {@link ConfigError} naming the option, never quoting the value given. An
 * unknown key is reported by the shared {@link unknownOptionError}, naming the nearest valid one.
 *
 * @module
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { unknownOptionError } from './options.js';

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

function issueError(schema: z.ZodType, issue: z.core.$ZodIssue, owner: string): ConfigError {
  const base = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return unknownOptionError([...base, key].join('.'), key, keysAt(schema, issue.path), owner);
  }
  const setting = base.join('.') || 'options';
  return new ConfigError(setting, `${owner}: option \`${setting}\` is not valid (${issue.message}).`);
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
