/**
 * The `q[]` filter grammar and the per-endpoint whitelists (`docs/cliniko-api-notes.md#filters`).
 * A filter is `field:OPERATORvalue`; the operator is the longest match, checked in the
 * order `!?`, `!=`, `>=`, `<=`, `~~`, `?`, `*`, `>`, `<`, `~`, `=`.
 *
 * @module
 */
import { formatTimestamp } from './generate-support.js';

/** The type of a filterable field, which decides its operators. */
export type FilterFieldType = 'date' | 'datetime' | 'numeric' | 'string' | 'boolean' | 'array';

/** Filterable fields of one endpoint and their types. */
export type FilterWhitelist = Readonly<Record<string, FilterFieldType>>;

const OPERATORS = ['!?', '!=', '>=', '<=', '~~', '?', '*', '>', '<', '~', '='] as const;
/** One of the grammar's operators. */
export type FilterOperator = (typeof OPERATORS)[number];

const ALLOWED: Record<FilterFieldType, readonly FilterOperator[]> = {
  date: ['=', '>=', '>', '<=', '<', '?', '!?'],
  datetime: ['>=', '>', '<=', '<', '?', '!?', '*'],
  numeric: ['=', '!=', '>=', '>', '<=', '<', '?', '!?'],
  string: ['=', '!=', '~', '~~', '?', '!?'],
  boolean: ['=', '!='],
  array: ['~'],
};
const VALUELESS: readonly FilterOperator[] = ['?', '!?', '*'];

const TIMESTAMPS = { archived_at: 'datetime', created_at: 'datetime', updated_at: 'datetime' } as const;
const ARCHIVED_DELETED = { archived_at: 'datetime', deleted_at: 'datetime' } as const;

/** The whitelists per endpoint: any other field is a 400. Keys are route names. */
export const FILTER_WHITELISTS = {
  patients: {
    accepted_privacy_policy: 'boolean', ...TIMESTAMPS, date_of_birth: 'date', email: 'string', first_name: 'string',
    id: 'numeric', last_name: 'string', old_reference_id: 'string', preferred_first_name: 'string',
  },
  patient: { archived_at: 'datetime' },
  invoices: {
    appointment_id: 'numeric', ...TIMESTAMPS, attendee_id: 'numeric', business_id: 'numeric', closed_at: 'datetime',
    deleted_at: 'datetime', id: 'numeric', issue_date: 'date', number: 'numeric', original_invoice_id: 'numeric',
    patient_id: 'numeric', practitioner_id: 'numeric', status: 'numeric',
  },
  invoice: ARCHIVED_DELETED,
  invoice_items: { ...TIMESTAMPS, deleted_at: 'datetime', id: 'numeric', invoice_id: 'numeric', source_item_id: 'numeric' },
  invoice_item: ARCHIVED_DELETED,
  users: { created_at: 'datetime', id: 'numeric', updated_at: 'datetime' },
  practitioners: {
    active: 'boolean', created_at: 'datetime', id: 'numeric', show_in_online_bookings: 'boolean', updated_at: 'datetime', user_id: 'numeric',
  },
  businesses: { appointment_type_ids: 'array', ...TIMESTAMPS, deleted_at: 'datetime', id: 'numeric', show_in_online_bookings: 'boolean' },
  business: ARCHIVED_DELETED,
  taxes: { created_at: 'datetime', id: 'numeric', updated_at: 'datetime' },
  none: {},
} as const satisfies Record<string, FilterWhitelist>;

/** A parsed, validated filter. */
export interface ParsedFilter {
  field: string;
  operator: FilterOperator;
  /** Whether a row passes. */
  test(row: object): boolean;
  /** For `>`/`>=` on a date or DateTime: the bound as stored text, so a sorted scan can skip ahead. */
  lowerBound?: { inclusive: boolean; text: string };
}

/** The outcome of parsing: the filters, or the 400 message. */
export type ParseFiltersResult = { ok: true; filters: ParsedFilter[] } | { ok: false; message: string };

/** The message Cliniko sends for a field outside the whitelist. */
export const NOT_SEARCHABLE = 'This column is not searchable.';

/**
 * Parses and validates every raw filter against a whitelist.
 *
 * @param raw - the `q[]` (and bare `q`) values, decoded
 * @param whitelist - the endpoint's fields
 * @returns the filters, or the message of the 400 response
 * @example
 * ```ts
 * parseFilters(['status:=10,40'], FILTER_WHITELISTS.invoices);
 * ```
 */
export function parseFilters(raw: readonly string[], whitelist: FilterWhitelist): ParseFiltersResult {
  const filters: ParsedFilter[] = [];
  for (const text of raw) {
    const parsed = parseOne(text, whitelist);
    if (typeof parsed === 'string') return { ok: false, message: parsed };
    filters.push(parsed);
  }
  return { ok: true, filters };
}

/** Whether any filter names `field` (which reveals archived or deleted rows). */
export function mentions(filters: readonly ParsedFilter[], field: string): boolean {
  return filters.some((filter) => filter.field === field);
}

function parseOne(text: string, whitelist: FilterWhitelist): ParsedFilter | string {
  const colon = text.indexOf(':');
  if (colon <= 0) return 'Invalid filter format.';
  const field = text.slice(0, colon);
  const type = Object.hasOwn(whitelist, field) ? whitelist[field] : undefined;
  if (type === undefined) return NOT_SEARCHABLE;
  const rest = text.slice(colon + 1);
  const operator = OPERATORS.find((op) => rest.startsWith(op));
  if (operator === undefined || !ALLOWED[type].includes(operator)) return `Invalid filter operator for ${field}.`;
  const value = rest.slice(operator.length);
  if (VALUELESS.includes(operator)) {
    return value === '' ? { field, operator, test: presenceTest(field, operator) } : `Invalid filter value for ${field}.`;
  }
  const test = valueTest(type, field, operator, value);
  if (typeof test === 'string') return test;
  return { field, operator, test, ...lowerBoundOf(type, operator, value) };
}

function lowerBoundOf(type: FilterFieldType, operator: FilterOperator, value: string): Pick<ParsedFilter, 'lowerBound'> {
  if (operator !== '>' && operator !== '>=') return {};
  if (type === 'date') return { lowerBound: { inclusive: operator === '>=', text: value } };
  if (type !== 'datetime') return {};
  const bound = dateTimeBound(operator, value);
  return bound ? { lowerBound: { inclusive: bound.operator === '>=', text: bound.text } } : {};
}

function read(row: object, field: string): unknown {
  const value = (row as Record<string, unknown>)[field];
  return value === undefined ? null : value;
}

function presenceTest(field: string, operator: FilterOperator): (row: object) => boolean {
  if (operator === '*') return () => true;
  const wantPresent = operator === '?';
  return (row) => (read(row, field) !== null) === wantPresent;
}

function valueTest(type: FilterFieldType, field: string, operator: FilterOperator, value: string): ((row: object) => boolean) | string {
  switch (type) {
    case 'numeric': return numericTest(field, operator, value);
    case 'date': return dateTest(field, operator, value);
    case 'datetime': return dateTimeTest(field, operator, value);
    case 'boolean': return booleanTest(field, operator, value);
    case 'array': return (row) => { const list = read(row, field); return Array.isArray(list) && list.some((item) => String(item) === value); };
    case 'string': return stringTest(field, operator, value);
  }
}

function compareBy(operator: FilterOperator, order: number): boolean {
  switch (operator) {
    case '>': return order > 0;
    case '>=': return order >= 0;
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '!=': return order !== 0;
    default: return order === 0;
  }
}

function numericTest(field: string, operator: FilterOperator, value: string): ((row: object) => boolean) | string {
  const parts = operator === '=' ? value.split(',') : [value];
  if (!parts.every((part) => /^-?\d+$/.test(part.trim()))) return `Filter value for ${field} must be a number`;
  const wanted = parts.map((part) => BigInt(part.trim()));
  const [single = 0n] = wanted;
  return (row) => {
    const cell = read(row, field);
    if (cell === null || cell === '') return false;
    const actual = BigInt(String(cell));
    if (operator === '=') return wanted.includes(actual);
    return compareBy(operator, actual < single ? -1 : actual > single ? 1 : 0);
  };
}

function dateTest(field: string, operator: FilterOperator, value: string): ((row: object) => boolean) | string {
  const pattern = operator === '=' ? /^[\d*]{4}-[\d*]{2}-[\d*]{2}$/ : /^\d{4}-\d{2}-\d{2}$/;
  if (!pattern.test(value)) return `Invalid filter value for ${field}.`;
  return (row) => {
    const cell = read(row, field);
    if (typeof cell !== 'string' || cell === '') return false;
    if (operator === '=') return cell.length === value.length && [...value].every((char, i) => char === '*' || char === cell[i]);
    return compareBy(operator, cell < value ? -1 : cell > value ? 1 : 0);
  };
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A DateTime filter value as a whole-second stored-text bound (fractions round inward). */
function dateTimeBound(operator: FilterOperator, value: string): { operator: FilterOperator; text: string } | undefined {
  if (!DATE_TIME.test(value)) return undefined;
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(value) && value.includes('T');
  const ms = Date.parse(hasZone ? value : value.includes('T') ? `${value}Z` : `${value}T00:00:00Z`);
  if (Number.isNaN(ms)) return undefined;
  // Stored timestamps are whole seconds, so a fractional bound becomes an inclusive whole-second one.
  if (ms % 1000 === 0) return { operator, text: formatTimestamp(ms) };
  const upward = operator === '>' || operator === '>=';
  return { operator: upward ? '>=' : '<=', text: formatTimestamp((upward ? Math.ceil(ms / 1000) : Math.floor(ms / 1000)) * 1000) };
}

function dateTimeTest(field: string, operator: FilterOperator, value: string): ((row: object) => boolean) | string {
  const bound = dateTimeBound(operator, value);
  if (!bound) return `Invalid filter value for ${field}.`;
  const { operator: effective, text } = bound;
  return (row) => {
    const cell = read(row, field);
    if (typeof cell !== 'string' || cell === '') return false;
    return compareBy(effective, cell < text ? -1 : cell > text ? 1 : 0);
  };
}

function booleanTest(field: string, operator: FilterOperator, value: string): ((row: object) => boolean) | string {
  if (value !== 'true' && value !== 'false') return `Filter value for ${field} must be true or false`;
  const wanted = value === 'true';
  return (row) => (read(row, field) === wanted) === (operator === '=');
}

function stringTest(field: string, operator: FilterOperator, value: string): (row: object) => boolean {
  const lower = value.toLowerCase();
  const like = operator === '~~' ? wildcardPattern(value) : undefined;
  return (row) => {
    const cell = read(row, field);
    if (typeof cell !== 'string') return false;
    switch (operator) {
      case '=': return cell === value;
      case '!=': return cell !== value;
      case '~': return cell.toLowerCase().includes(lower);
      default: return like?.test(cell) ?? false;
    }
  };
}

/** `%` matches any run of characters; everything else is literal; case-insensitive (ILIKE). */
function wildcardPattern(value: string): RegExp {
  const body = value.split('%').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 'is');
}
