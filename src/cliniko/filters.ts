/**
 * Typed `q[]` filters (`docs/cliniko-api-notes.md#filters`). Each endpoint has a whitelist of filterable fields
 * with a type, and each type its operators. A filter is a tuple — `[field, op]` for the
 * value-less operators (`?`, `!?`, `*`) or `[field, op, value]` — so a field outside the
 * whitelist or an operator its type lacks is a type error, and {@link compileFilters} rejects
 * the same mistakes at run time with a {@link ConfigError}.
 *
 * @example
 * ```ts
 * const filters: ClinikoFilter<'patients'>[] = [
 *   ['updated_at', '>=', new Date('2026-01-01T00:00:00Z')],
 *   ['email', '=', 'jo+physio@example.com'],   // '+' is sent as %2B
 *   ['archived_at', '*'],
 * ];
 * cliniko.patients.list({ filters });
 * ```
 *
 * @module
 */
import { ConfigError } from '../core/errors.js';
import { toWholeSecondIso } from '../core/dates.js';

/** The type of a filterable field, which decides its operators. */
export type ClinikoFieldType = 'datetime' | 'date' | 'integer' | 'string' | 'boolean' | 'array';

/** The filterable fields of every endpoint this client lists: Cliniko answers 400 for any other field. */
export const CLINIKO_FILTER_FIELDS = Object.freeze({
  patients: {
    accepted_privacy_policy: 'boolean',
    archived_at: 'datetime',
    created_at: 'datetime',
    date_of_birth: 'date',
    email: 'string',
    first_name: 'string',
    id: 'integer',
    last_name: 'string',
    old_reference_id: 'string',
    preferred_first_name: 'string',
    updated_at: 'datetime',
  },
  invoices: {
    appointment_id: 'integer',
    archived_at: 'datetime',
    attendee_id: 'integer',
    business_id: 'integer',
    closed_at: 'datetime',
    created_at: 'datetime',
    deleted_at: 'datetime',
    id: 'integer',
    issue_date: 'date',
    number: 'integer',
    original_invoice_id: 'integer',
    patient_id: 'integer',
    practitioner_id: 'integer',
    status: 'integer',
    updated_at: 'datetime',
  },
  invoiceItems: {
    archived_at: 'datetime',
    created_at: 'datetime',
    deleted_at: 'datetime',
    id: 'integer',
    invoice_id: 'integer',
    source_item_id: 'integer',
    updated_at: 'datetime',
  },
  users: { created_at: 'datetime', id: 'integer', updated_at: 'datetime' },
  practitioners: {
    active: 'boolean',
    created_at: 'datetime',
    id: 'integer',
    show_in_online_bookings: 'boolean',
    updated_at: 'datetime',
    user_id: 'integer',
  },
  businesses: {
    appointment_type_ids: 'array',
    archived_at: 'datetime',
    created_at: 'datetime',
    deleted_at: 'datetime',
    id: 'integer',
    show_in_online_bookings: 'boolean',
    updated_at: 'datetime',
  },
  taxes: { created_at: 'datetime', id: 'integer', updated_at: 'datetime' },
} as const);

/** An endpoint with a filter whitelist. */
export type ClinikoFilterEndpoint = keyof typeof CLINIKO_FILTER_FIELDS;

/** The filterable fields of endpoint `E` and their types. */
export type ClinikoFilterFields<E extends ClinikoFilterEndpoint> = (typeof CLINIKO_FILTER_FIELDS)[E];

/** Operators that take a value, per field type (a date-time has no `=`). */
export interface ClinikoValueOperators {
  datetime: '>=' | '>' | '<=' | '<';
  date: '=' | '>=' | '>' | '<=' | '<';
  integer: '=' | '!=' | '>=' | '>' | '<=' | '<';
  string: '=' | '!=' | '~' | '~~';
  boolean: '=' | '!=';
  array: '~';
}

/** Operators without a value, per field type: `?` not null, `!?` null, `*` any (includes archived/deleted). */
export interface ClinikoBareOperators {
  datetime: '?' | '!?' | '*';
  date: '?' | '!?';
  integer: '?' | '!?';
  string: '?' | '!?';
  boolean: never;
  array: never;
}

/** What a value may be, per field type. Ids are strings (or bigints); a list is sent comma-joined for `=`. */
export interface ClinikoFilterValues {
  datetime: Date | string;
  date: string;
  integer: string | bigint | number | ReadonlyArray<string | bigint | number>;
  string: string;
  boolean: boolean;
  array: string;
}

/** One typed filter for endpoint `E`. */
export type ClinikoFilter<E extends ClinikoFilterEndpoint> = {
  [K in keyof ClinikoFilterFields<E>]: ClinikoFilterFields<E>[K] extends ClinikoFieldType
    ?
        | readonly [K, ClinikoValueOperators[ClinikoFilterFields<E>[K]], ClinikoFilterValues[ClinikoFilterFields<E>[K]]]
        | readonly [K, ClinikoBareOperators[ClinikoFilterFields<E>[K]]]
    : never;
}[keyof ClinikoFilterFields<E>];

const VALUE_OPERATORS: Record<ClinikoFieldType, readonly string[]> = {
  datetime: ['>=', '>', '<=', '<'],
  date: ['=', '>=', '>', '<=', '<'],
  integer: ['=', '!=', '>=', '>', '<=', '<'],
  string: ['=', '!=', '~', '~~'],
  boolean: ['=', '!='],
  array: ['~'],
};
const BARE_OPERATORS: Record<ClinikoFieldType, readonly string[]> = {
  datetime: ['?', '!?', '*'],
  date: ['?', '!?'],
  integer: ['?', '!?'],
  string: ['?', '!?'],
  boolean: [],
  array: [],
};

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DATE_PATTERN = /^[\d*]{4}-[\d*]{2}-[\d*]{2}$/;
const INTEGER = /^-?\d{1,20}$/;

/**
 * A `Date` or ISO string as Cliniko's filter format: UTC, whole seconds, `Z`
 * (milliseconds are dropped, which widens a `>=` bound by under a second).
 *
 * @throws {@link ConfigError} for an invalid date.
 */
export function toClinikoTimestamp(value: Date | string, setting = 'filters'): string {
  if (typeof value === 'string' && ISO_UTC.test(value)) return value;
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new ConfigError(setting, `${setting}: expected a valid date-time`);
  return toWholeSecondIso(date);
}

function formatValue(endpoint: string, field: string, type: ClinikoFieldType, op: string, value: unknown): string {
  const fail = (what: string): never => {
    throw new ConfigError('filters', `Cliniko filter on ${endpoint}.${field} (${type}) ${what}`);
  };
  switch (type) {
    case 'datetime':
      if (!(value instanceof Date) && typeof value !== 'string') fail('needs a Date or an ISO timestamp');
      return toClinikoTimestamp(value as Date | string);
    case 'date':
      if (typeof value !== 'string' || !DATE_PATTERN.test(value)) fail('needs a plain YYYY-MM-DD date (* wildcards allowed)');
      return value as string;
    case 'integer': {
      const list = Array.isArray(value) ? (value as unknown[]) : [value];
      if (list.length === 0 || (list.length > 1 && op !== '=')) fail('takes a list only with =');
      return list
        .map((v) => {
          if (typeof v === 'number' && !Number.isSafeInteger(v)) fail('got an unsafe number: pass ids as strings');
          const text = typeof v === 'string' || typeof v === 'bigint' || typeof v === 'number' ? String(v) : '';
          if (!INTEGER.test(text)) fail('needs integers (ids as strings of digits)');
          return text;
        })
        .join(',');
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail('needs true or false');
      return String(value);
    default:
      if (typeof value !== 'string') fail('needs a string');
      return value as string;
  }
}

/**
 * Turn typed filters into `q[]` values (`field:OPvalue`), checking each against the endpoint's
 * whitelist and its type's operators.
 *
 * @returns strings to send as repeated `q[]` parameters (percent-encoding happens on send).
 * @throws {@link ConfigError} naming the field (never the value) for any misuse.
 * @example
 * ```ts
 * compileFilters('invoices', [['status', '=', [10, 40]], ['deleted_at', '*']]);
 * // ['status:=10,40', 'deleted_at:*']
 * ```
 */
export function compileFilters<E extends ClinikoFilterEndpoint>(endpoint: E, filters: ReadonlyArray<ClinikoFilter<E>>): string[] {
  const whitelist = CLINIKO_FILTER_FIELDS[endpoint] as Record<string, ClinikoFieldType>;
  return filters.map((filter) => {
    const [field, op, ...rest] = filter as unknown as [string, string, ...unknown[]];
    const type = Object.hasOwn(whitelist, field) ? whitelist[field] : undefined;
    if (type === undefined) {
      throw new ConfigError('filters', `Cliniko cannot filter ${endpoint} by '${String(field)}' (not searchable); filterable: ${Object.keys(whitelist).join(', ')}`);
    }
    if (rest.length === 0) {
      if (!BARE_OPERATORS[type].includes(op)) throw new ConfigError('filters', `Cliniko filter on ${endpoint}.${field} (${type}) does not support '${String(op)}' without a value`);
      return `${field}:${op}`;
    }
    if (!VALUE_OPERATORS[type].includes(op)) throw new ConfigError('filters', `Cliniko filter on ${endpoint}.${field} (${type}) does not support '${String(op)}'`);
    return `${field}:${op}${formatValue(endpoint, field, type, op, rest[0])}`;
  });
}
