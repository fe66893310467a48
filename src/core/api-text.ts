/**
 * The allow-list for text an API sends in an error body. A server may echo the values it was
 * sent (a patient's name, quoted or not), so free text never reaches an error's `message` or
 * `errors`: only codes, field names, id tokens and a fixed set of known messages do.
 *
 * @internal
 * @module
 */

/** A snake_case code such as `invalid_state`, `duplicate` or `validation_failed`. */
const CODE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
/** A field path such as `first_name`, `Idempotency-Key` or `lineItems[0].description`. */
const FIELD = /^[A-Za-z_][\w-]*(?:\[\d+\])*(?:\.[A-Za-z_][\w-]*(?:\[\d+\])*)*$/;
/** An opaque id or request id: a GUID, `cus_1`, `req_7f3a-91`. */
const ID_TOKEN = /^[A-Za-z0-9][\w.:~-]*$/;
/** A lower-case column name inside a known message. */
const COLUMN = '[a-z][a-z0-9_]*';
const COUNT = '\\d+(?:\\.\\d+)?';

/**
 * Messages Cliniko (Rails validations) and the Tradify contract are known to send. Each is
 * fixed text, or fixed text around a number or a column name, so none can carry a value.
 */
const KNOWN_MESSAGES: readonly RegExp[] = [
  /^can[’']t be blank$/,
  /^can[’']t be empty$/,
  /^is invalid$/,
  /^is not valid$/,
  /^has already been taken$/,
  /^is not a number$/,
  /^must be an integer$/,
  /^must exist$/,
  /^must be blank$/,
  /^must be accepted$/,
  /^is reserved$/,
  /^is not included in the list$/,
  /^is included in the list$/,
  /^must be an (?:object|array)$/,
  new RegExp(`^is too (?:long|short) \\((?:maximum|minimum) is ${COUNT} characters?\\)$`),
  new RegExp(`^is the wrong length \\(should be ${COUNT} characters?\\)$`),
  new RegExp(`^must be (?:greater|less) than(?: or equal to)? ${COUNT}$`),
  new RegExp(`^must be (?:equal to|other than) ${COUNT}$`),
  /^must be (?:odd|even)$/,
  /^Validation Failed$/,
  /^This column is not searchable\.$/,
  new RegExp(`^${COLUMN} is not filterable$`),
  new RegExp(`^Filter value for ${COLUMN} must be a (?:number|date|boolean|string)$`),
  /^Requires a user agent$/,
  /^Too many requests$/,
];

const MAX_TOKEN = 128;

/** A code from an error body, or `undefined` when it is not one. */
export function safeApiCode(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 64 && CODE.test(value) ? value : undefined;
}

/** An id (e.g. a 409's `existingId`, a request id), or `undefined` when it is not a plain token. */
export function safeApiId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_TOKEN && ID_TOKEN.test(value) ? value : undefined;
}

/** A field name from an error body, or `undefined` when it is not an identifier path. */
export function safeFieldName(value: string): string | undefined {
  return value.length <= MAX_TOKEN && FIELD.test(value) ? value : undefined;
}

/** An API's top-level error message when it is one of the known fixed messages, else `undefined`. */
export function safeApiMessage(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text.length <= 200 && KNOWN_MESSAGES.some((known) => known.test(text)) ? text : undefined;
}

/**
 * A field's message (a string, or several as Cliniko may send): each kept when it is a known
 * message or a code, else `'invalid'`; several are joined with `'; '`.
 */
export function safeFieldMessage(value: unknown): string {
  const parts = Array.isArray(value) ? value : [value];
  return parts.length === 0 ? 'invalid' : parts.map((part) => safeApiMessage(part) ?? safeApiCode(part) ?? 'invalid').join('; ');
}
