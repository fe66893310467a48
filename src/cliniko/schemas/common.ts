/**
 * Field schemas shared by every Cliniko wire schema. Each one accepts every shape real
 * payloads carry (DESIGN.md §1) and outputs one canonical form, so mapping code never sees
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

const ID_PATTERN = /^\d{1,20}$/;
const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;
const PLAIN_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const CANONICAL_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Rewrite an ISO timestamp with an offset or fractions as whole-second UTC (`…Z`). */
function canonicalTimestamp(value: string): string {
  if (CANONICAL_TIMESTAMP.test(value)) return value;
  return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A Cliniko id: a string of digits. A safe-integer JSON number is accepted and turned into a string. */
export const clinikoIdSchema = z.union([
  z.string().regex(ID_PATTERN, 'expected an id of digits'),
  z
    .number()
    .int()
    .refine((n) => Number.isSafeInteger(n) && n >= 0, 'id number beyond 2^53 lost precision')
    .transform((n) => String(n)),
]);

/** A required UTC timestamp, canonicalised to `YYYY-MM-DDTHH:MM:SSZ`. */
export const timestampSchema = z
  .string()
  .regex(TIMESTAMP_PATTERN, 'expected an ISO 8601 timestamp')
  .transform(canonicalTimestamp);

/** An optional UTC timestamp: `""`, `null` or absent become `null`. */
export const nullableTimestampSchema = z
  .union([z.literal(''), timestampSchema])
  .nullish()
  .transform((v) => (v === '' || v === undefined || v === null ? null : v));

/** An optional plain date `YYYY-MM-DD` kept as a string; `""`, `null` or absent become `null`. */
export const nullablePlainDateSchema = z
  .union([z.literal(''), z.string().regex(PLAIN_DATE_PATTERN, 'expected YYYY-MM-DD')])
  .nullish()
  .transform((v) => (v === '' || v === undefined || v === null ? null : v));

/** A required plain date `YYYY-MM-DD`. */
export const plainDateSchema = z.string().regex(PLAIN_DATE_PATTERN, 'expected YYYY-MM-DD');

const decimalFromNumber = z
  .number()
  .refine((n) => Number.isFinite(n) && !/e/i.test(String(n)), 'expected a plain decimal number')
  .transform((n) => String(n));

/** A required exact decimal: a decimal string, or a JSON number read with `String(n)`. */
export const decimalSchema = z.union([z.string().regex(DECIMAL_PATTERN, 'expected a decimal'), decimalFromNumber]);

/** An optional exact decimal: `""`, `null` or absent become `null`. */
export const nullableDecimalSchema = z
  .union([z.literal(''), decimalSchema])
  .nullish()
  .transform((v) => (v === '' || v === undefined || v === null ? null : v));

/** Optional text: `""`, `null` or absent become `null`. */
export const nullableTextSchema = z
  .string()
  .nullish()
  .transform((v) => (v === '' || v === undefined || v === null ? null : v));

/** Required text (may legitimately be `""`, e.g. a blank last name kept by Cliniko). */
export const textSchema = z.string();

/** An optional boolean: absent becomes `null`. */
export const nullableBooleanSchema = z
  .boolean()
  .nullish()
  .transform((v) => v ?? null);

/** An optional integer (e.g. invoice `status`); a digit string is accepted; `""`, absent become `null`. */
export const nullableIntegerSchema = z
  .union([z.number().int(), z.string().regex(/^-?\d+$/, 'expected an integer').transform((s) => Number.parseInt(s, 10)), z.literal('')])
  .nullish()
  .transform((v) => (v === '' || v === undefined || v === null ? null : v));

/** A link to a single resource, as Cliniko nests it: `{ links: { self } }`. */
export interface ClinikoLinkRef {
  links: { self: string };
}

/**
 * A link to one related record. Absent, `null`, `{links: null}` and `{links: {self: null}}`
 * all become `null`, so a present link always has a `self` URL.
 */
export const linkRefSchema = z
  .looseObject({
    links: z
      .looseObject({ self: z.string().nullish() })
      .nullish(),
  })
  .nullish()
  .transform((v): ClinikoLinkRef | null => {
    const self = v?.links?.self;
    return typeof self === 'string' && self !== '' ? { links: { self } } : null;
  });

/** A record's own `links` block: `{ self }`; tolerated absent or `null`. */
export const selfLinksSchema = z
  .looseObject({ self: z.string().nullish() })
  .nullish()
  .transform((v): { self: string } | null => (typeof v?.self === 'string' && v.self !== '' ? { self: v.self } : null));

/** One phone number as Cliniko returns it. */
export const clinikoPhoneNumberSchema = z.looseObject({
  phone_type: nullableTextSchema,
  number: nullableTextSchema,
  normalized_number: nullableTextSchema,
});

/** A phone number of a patient or user. */
export type ClinikoPhoneNumber = z.output<typeof clinikoPhoneNumberSchema>;

/** An optional array of phone numbers: absent or `null` becomes `[]`. */
export const phoneNumbersSchema = z
  .array(clinikoPhoneNumberSchema)
  .nullish()
  .transform((v) => v ?? []);
