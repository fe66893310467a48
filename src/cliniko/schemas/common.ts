/**
 * Field schemas shared by every Cliniko wire schema. Each one accepts every shape real
 * payloads carry (`docs/cliniko-api-notes.md#odd-shapes-the-schemas-accept`) and outputs one canonical form, so mapping code never sees
 * the odd shapes:
 *
 * - ids: 64-bit integers as decimal strings (a JSON number is accepted only when it is a safe integer);
 * - timestamps: `YYYY-MM-DDTHH:MM:SSZ` or `null` (`""` and absent become `null`);
 * - plain dates: `YYYY-MM-DD` strings or `null`, never a `Date`;
 * - decimals: exact decimal strings (a JSON number is read with `String(n)`) or `null`;
 * - optional text: a string or `null` (`""` becomes `null`);
 * - single links: `{ links: { self } }` or `null` (absent, `null` and `{links:{self:null}}` become `null`).
 *
 * @module
 */
import { z } from 'zod';
import { toWholeSecondIso } from '../../core/dates.js';
import type { ClinikoLinkRef } from '../../core/ids.js';

export type { ClinikoLinkRef } from '../../core/ids.js';

const ID_PATTERN = /^\d{1,20}$/;
const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;
const INTEGER_PATTERN = /^-?\d+$/;
const PLAIN_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const CANONICAL_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/*
 * Speed note: every field below is ONE `z.transform` that checks and normalises in a single
 * step. The obvious `z.union([...]).nullish().transform()` chains cost 4–8 inner parses per
 * field and dominated the mapping bench; the accepted shapes and outputs are the same.
 * `z.transform` is optional on input, so an absent key reaches the function as `undefined`.
 */

/** The context `z.transform` passes: the value being parsed and a way to report an issue. */
type IssueSink = z.core.$RefinementCtx;

/** Report a wrong JSON type; zod's own message is used ("expected string, received number"). */
function wrongType(sink: IssueSink, expected: string, path?: PropertyKey[]): never {
  sink.addIssue({ code: 'invalid_type', expected, input: sink.value, ...(path ? { path } : {}) } as z.core.$ZodSuperRefineIssue);
  return z.NEVER;
}

/** Report a string that does not have the required form. */
function wrongFormat(sink: IssueSink, format: string, message: string): never {
  sink.addIssue({ code: 'invalid_format', format, message, input: sink.value } as z.core.$ZodSuperRefineIssue);
  return z.NEVER;
}

/** Report a value refused by a custom rule. */
function refused(sink: IssueSink, message: string): never {
  sink.addIssue({ code: 'custom', message, input: sink.value });
  return z.NEVER;
}

/** Rewrite an ISO timestamp with an offset or fractions as whole-second UTC (`…Z`); `null` when no such instant exists. */
function canonicalTimestamp(value: string): string | null {
  if (CANONICAL_TIMESTAMP.test(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : toWholeSecondIso(ms);
}

function readId(value: unknown, sink: IssueSink): string {
  if (typeof value === 'string') return ID_PATTERN.test(value) ? value : wrongFormat(sink, 'regex', 'expected an id of digits');
  if (typeof value !== 'number' || !Number.isFinite(value)) return wrongType(sink, 'string');
  if (!Number.isInteger(value)) return wrongType(sink, 'int');
  return Number.isSafeInteger(value) && value >= 0 ? String(value) : refused(sink, 'id number beyond 2^53 lost precision');
}

function readTimestamp(value: unknown, sink: IssueSink): string {
  if (typeof value !== 'string') return wrongType(sink, 'string');
  if (!TIMESTAMP_PATTERN.test(value)) return wrongFormat(sink, 'regex', 'expected an ISO 8601 timestamp');
  return canonicalTimestamp(value) ?? wrongFormat(sink, 'regex', 'expected an ISO 8601 timestamp');
}

function readPlainDate(value: unknown, sink: IssueSink): string {
  if (typeof value !== 'string') return wrongType(sink, 'string');
  return PLAIN_DATE_PATTERN.test(value) ? value : wrongFormat(sink, 'regex', 'expected YYYY-MM-DD');
}

function readDecimal(value: unknown, sink: IssueSink): string {
  if (typeof value === 'string') return DECIMAL_PATTERN.test(value) ? value : wrongFormat(sink, 'regex', 'expected a decimal');
  if (typeof value !== 'number' || !Number.isFinite(value)) return wrongType(sink, 'string');
  const text = String(value);
  return text.includes('e') ? refused(sink, 'expected a plain decimal number') : text;
}

function readInteger(value: unknown, sink: IssueSink): number {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : wrongType(sink, 'int');
  if (typeof value !== 'string') return wrongType(sink, 'int');
  return INTEGER_PATTERN.test(value) ? Number.parseInt(value, 10) : wrongFormat(sink, 'regex', 'expected an integer');
}

/** `""`, `null` and absent mean "no value" for every nullable scalar field. */
function isBlank(value: unknown): value is '' | null | undefined {
  return value === '' || value === null || value === undefined;
}

/** A Cliniko id: a string of digits. A safe-integer JSON number is accepted and turned into a string. */
export const clinikoIdSchema = z.transform((value: unknown, sink) => readId(value, sink));

/** A required UTC timestamp, canonicalised to `YYYY-MM-DDTHH:MM:SSZ`. */
export const timestampSchema = z.transform((value: unknown, sink) => readTimestamp(value, sink));

/** An optional UTC timestamp: `""`, `null` or absent become `null`. */
export const nullableTimestampSchema = z.transform((value: unknown, sink): string | null =>
  isBlank(value) ? null : readTimestamp(value, sink),
);

/** An optional plain date `YYYY-MM-DD` kept as a string; `""`, `null` or absent become `null`. */
export const nullablePlainDateSchema = z.transform((value: unknown, sink): string | null =>
  isBlank(value) ? null : readPlainDate(value, sink),
);

/** A required plain date `YYYY-MM-DD`. */
export const plainDateSchema = z.string().regex(PLAIN_DATE_PATTERN, 'expected YYYY-MM-DD');

/** A required exact decimal: a decimal string, or a JSON number read with `String(n)`. */
export const decimalSchema = z.transform((value: unknown, sink) => readDecimal(value, sink));

/** An optional exact decimal: `""`, `null` or absent become `null`. */
export const nullableDecimalSchema = z.transform((value: unknown, sink): string | null =>
  isBlank(value) ? null : readDecimal(value, sink),
);

/**
 * An optional exact decimal where `""` is NOT blank (e.g. an item's `quantity`): `null` or
 * absent become `null`, `""` is refused like any non-decimal text.
 */
export const nullableStrictDecimalSchema = z.transform((value: unknown, sink): string | null =>
  value === null || value === undefined ? null : readDecimal(value, sink),
);

/** Optional text: `""`, `null` or absent become `null`. */
export const nullableTextSchema = z.transform((value: unknown, sink): string | null => {
  if (typeof value === 'string') return value === '' ? null : value;
  return value === null || value === undefined ? null : wrongType(sink, 'string');
});

/** Required text (may legitimately be `""`, e.g. a blank last name kept by Cliniko). */
export const textSchema = z.string();

/** Text that `null` or absent turn into `""` (a patient's names). */
export const textOrEmptySchema = z.transform((value: unknown, sink): string => {
  if (typeof value === 'string') return value;
  return value === null || value === undefined ? '' : wrongType(sink, 'string');
});

/** An optional boolean: absent becomes `null`. */
export const nullableBooleanSchema = z.transform((value: unknown, sink): boolean | null => {
  if (typeof value === 'boolean') return value;
  return value === null || value === undefined ? null : wrongType(sink, 'boolean');
});

/** An optional integer (e.g. invoice `status`); a digit string is accepted; `""`, absent become `null`. */
export const nullableIntegerSchema = z.transform((value: unknown, sink): number | null =>
  isBlank(value) ? null : readInteger(value, sink),
);

/** Zod's notion of an object: not `null`, not an array. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Read `self` from a `{ self }` block: a non-empty string, else `null`; a non-string is an issue. */
function readSelf(block: unknown, sink: IssueSink, path: PropertyKey[]): string | null {
  if (block === null || block === undefined) return null;
  if (!isPlainObject(block)) return wrongType(sink, 'object', path);
  const self = block.self;
  if (typeof self === 'string') return self === '' ? null : self;
  return self === null || self === undefined ? null : wrongType(sink, 'string', [...path, 'self']);
}

/**
 * A link to one related record. Absent, `null`, `{links: null}` and `{links: {self: null}}`
 * all become `null`, so a present link always has a `self` URL.
 */
export const linkRefSchema = z.transform((value: unknown, sink): ClinikoLinkRef | null => {
  if (value === null || value === undefined) return null;
  if (!isPlainObject(value)) return wrongType(sink, 'object');
  const self = readSelf(value.links, sink, ['links']);
  return self === null ? null : { links: { self } };
});

/** A record's own `links` block: `{ self }`; tolerated absent or `null`. */
export const selfLinksSchema = z.transform((value: unknown, sink): { self: string } | null => {
  const self = readSelf(value, sink, []);
  return self === null ? null : { self };
});

/** One phone number as Cliniko returns it. */
export const clinikoPhoneNumberSchema = z.looseObject({
  phone_type: nullableTextSchema,
  number: nullableTextSchema,
  normalized_number: nullableTextSchema,
});

/** A phone number of a patient or user. */
export type ClinikoPhoneNumber = z.output<typeof clinikoPhoneNumberSchema>;

const PHONE_FIELDS: ReadonlySet<string> = new Set(['phone_type', 'number', 'normalized_number']);

/** A phone field: text, with `""`, `null` and absent read as `null` (as {@link nullableTextSchema}). */
function readPhoneText(phone: Record<string, unknown>, key: string, sink: IssueSink, index: number): string | null {
  const value = phone[key];
  if (typeof value === 'string') return value === '' ? null : value;
  return value === null || value === undefined ? null : wrongType(sink, 'string', [index, key]);
}

/** One phone as {@link clinikoPhoneNumberSchema} outputs it: the three fields, then unknown keys untouched. */
function readPhone(phone: unknown, sink: IssueSink, index: number): ClinikoPhoneNumber {
  if (!isPlainObject(phone)) return wrongType(sink, 'object', [index]);
  const out: ClinikoPhoneNumber = {
    phone_type: readPhoneText(phone, 'phone_type', sink, index),
    number: readPhoneText(phone, 'number', sink, index),
    normalized_number: readPhoneText(phone, 'normalized_number', sink, index),
  };
  for (const key in phone) if (!PHONE_FIELDS.has(key) && key !== '__proto__') out[key] = phone[key];
  return out;
}

/**
 * An optional array of phone numbers, each normalised as {@link clinikoPhoneNumberSchema}
 * does: absent or `null` becomes `[]`. (One pass instead of an array of loose objects: it is
 * on every patient.)
 */
export const phoneNumbersSchema = z.transform((value: unknown, sink): ClinikoPhoneNumber[] => {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) return wrongType(sink, 'array');
  const phones: ClinikoPhoneNumber[] = new Array<ClinikoPhoneNumber>(value.length);
  for (let i = 0; i < value.length; i++) phones[i] = readPhone(value[i], sink, i);
  return phones;
});
