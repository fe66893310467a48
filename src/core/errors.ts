/**
 * The one error family of cliniko-tradify.
 *
 * Every error the library throws extends {@link ClinikoTradifyError} and carries a
 * machine-readable {@link ErrorCode}. HTTP failures are {@link ApiError} subclasses chosen by
 * one factory, {@link ApiError.from}. Errors keep the method, the path and the *names* of the
 * query parameters only: never values, headers, API keys or patient data. Text from an API's
 * error body is kept only through an allow-list (codes, field names, ids and known fixed
 * messages), because a server may echo the values it was sent
 * (`docs/architecture.md#privacy-by-shape`).
 *
 * @module
 */
import { safeApiCode, safeApiId, safeApiMessage, safeFieldMessage, safeFieldName } from './api-text.js';
import { retryAfterMsFromHeaders } from './retry.js';

/** Every `code` an error of this library can carry. */
export type ErrorCode =
  | 'authentication_failed'
  | 'permission_denied'
  | 'not_found'
  | 'conflict'
  | 'unprocessable_entity'
  | 'bad_request'
  | 'rate_limited'
  | 'server_error'
  | 'connection_failed'
  | 'timeout'
  | 'redirect_refused'
  | 'response_too_large'
  | 'aborted'
  | 'response_validation_failed'
  | 'config_invalid'
  | 'lease_held'
  | 'lease_lost'
  | 'state_conflict'
  | 'mapping_failed'
  | 'api_error'
  | 'response_mismatch';

const BRAND = Symbol.for('cliniko-tradify.error');

/** Options accepted by every error constructor. */
export interface ClinikoTradifyErrorOptions {
  /** The underlying error, when one exists. Never a ky error (it holds headers). */
  cause?: unknown;
}

/**
 * Base class for every error thrown by this package.
 *
 * Use {@link isClinikoTradifyError} rather than `instanceof` when two copies of the package
 * may be installed.
 */
export class ClinikoTradifyError extends Error {
  override readonly name: string = 'ClinikoTradifyError';
  /** A stable, machine-readable reason. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ClinikoTradifyErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  /** JSON form: name, code and message plus the subclass's safe fields. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    for (const [k, v] of Object.entries(this)) {
      if (k !== 'cause' && v !== undefined) out[k] = v;
    }
    return out;
  }
}

/** Where a failed request went, with nothing secret in it. */
export interface RequestDescription {
  /** HTTP method, upper case. */
  method: string;
  /** The URL path, e.g. `/v1/patients/123`. No query string, no host. */
  path: string;
  /** The names of the query parameters sent (values are never kept), e.g. `['q[]', 'page']`. */
  queryKeys: string[];
  /** Which API: `'cliniko'`, `'tradify'`, or the name an adapter gave its own HTTP client (`createHttpClient`'s `api`). */
  api: string;
}

/** Fields of an {@link ApiError}. */
export interface ApiErrorInit extends RequestDescription {
  status: number;
  /** The API's own request id, when it sends one; kept only when it is a plain token. */
  requestId?: string | undefined;
  /** The API's error message, when it sends one in JSON; shown only when it is a known fixed message. */
  apiMessage?: string | undefined;
  cause?: unknown;
}

function describe(init: RequestDescription): string {
  const q = init.queryKeys.length > 0 ? `?${[...new Set(init.queryKeys)].map((k) => `${k}=…`).join('&')}` : '';
  return `${init.method} ${init.path}${q}`;
}

/** An HTTP response with a failing status, or a request that got no response. */
export class ApiError extends ClinikoTradifyError {
  override readonly name: string = 'ApiError';
  /** HTTP status; `0` when no response arrived. */
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly queryKeys: string[];
  /** Which API answered: `'cliniko'`, `'tradify'`, or an adapter's own API name. */
  readonly api: string;
  readonly requestId: string | undefined;

  constructor(code: ErrorCode, message: string, init: ApiErrorInit) {
    super(code, message, { cause: init.cause });
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.queryKeys = [...new Set(init.queryKeys)];
    this.api = init.api;
    this.requestId = safeApiId(init.requestId);
  }

  /**
   * Choose the error class for a failed response: the one factory of the family.
   *
   * The API's text passes an allow-list first: `apiMessage` is kept only when it is a known
   * fixed message (e.g. `This column is not searchable.`), field messages only when known or a
   * code (else `'invalid'`), reasons only when a code, ids only when a plain token.
   *
   * @param init - the request, the status and the API's own message.
   * @param body - the parsed JSON body (or `undefined` when it was not JSON).
   * @param headers - the response headers, read for `X-RateLimit-Reset`, `Retry-After` and `Date`.
   */
  static from(init: ApiErrorInit, body: unknown, headers?: Headers, now: number = Date.now()): ApiError {
    const where = describe(init);
    const apiMessage = safeApiMessage(init.apiMessage);
    const detail = apiMessage ? `: ${apiMessage}` : '';
    switch (true) {
      case init.status === 400:
        return new BadRequestError(`${init.api} rejected ${where} as a bad request${detail}`, init);
      case init.status === 401:
        return new AuthenticationError(init);
      case init.status === 403:
        return new PermissionDeniedError(
          `${init.api} refused ${where}: the key's user lacks permission${init.api === 'cliniko' ? " (check the user's security role)" : ''}`,
          init,
        );
      case init.status === 404:
        return new NotFoundError(`${init.api} has no resource at ${where}`, init);
      case init.status === 409:
        return ConflictError.fromBody(init, body, where);
      case init.status === 422:
        return UnprocessableEntityError.fromBody(init, body, where);
      case init.status === 429:
        return new RateLimitError(
          `${init.api} rate limit hit on ${where}`,
          init,
          // Cliniko's reset is an epoch; every other API (the Tradify contract, an adapter's own) is read the standard way, Retry-After first.
          retryAfterMsFromHeaders(headers, now, init.api === 'cliniko' ? 'cliniko' : 'tradify'),
        );
      case init.status >= 500:
        return new ServerError(`${init.api} failed with ${init.status} on ${where}${detail}`, init);
      default:
        return new ApiError('api_error', `${init.api} answered ${init.status} to ${where}${detail}`, init);
    }
  }
}

/** 400: a filter or request the API would not accept (e.g. Cliniko's "This column is not searchable."). */
export class BadRequestError extends ApiError {
  override readonly name: string = 'BadRequestError';
  constructor(message: string, init: ApiErrorInit) {
    super('bad_request', message, init);
  }
}

/** 401: the key is wrong, or (Cliniko) it is used on the wrong shard. */
export class AuthenticationError extends ApiError {
  override readonly name: string = 'AuthenticationError';
  constructor(init: ApiErrorInit, message?: string) {
    super('authentication_failed', message ?? authenticationMessage(init), init);
  }
}

function authenticationMessage(init: ApiErrorInit): string {
  if (init.api === 'cliniko') {
    return `Cliniko refused the API key on ${describe(init)} (401). Check the key, and check its suffix: the part after the last '-' (e.g. '-au2') names the shard, and a key used on the wrong shard is refused the same way.`;
  }
  if (init.api === 'tradify') return `Tradify refused the API key on ${describe(init)} (401). Check the key and the auth strategy.`;
  return `${init.api} refused the credentials on ${describe(init)} (401). Check the key or token the client sends.`;
}

/** 403: the key is valid but its user may not do this. */
export class PermissionDeniedError extends ApiError {
  override readonly name: string = 'PermissionDeniedError';
  constructor(message: string, init: ApiErrorInit) {
    super('permission_denied', message, init);
  }
}

/** 404: no such resource (Cliniko also answers 404 for an archived patient fetched without `archived_at:*`). */
export class NotFoundError extends ApiError {
  override readonly name: string = 'NotFoundError';
  constructor(message: string, init: ApiErrorInit) {
    super('not_found', message, init);
  }
}

/** 409: a duplicate `externalReference` (with `existingId`) or an edit in the wrong state (`invalid_state`). */
export class ConflictError extends ApiError {
  override readonly name: string = 'ConflictError';
  /** The id of the record that already holds the external reference, when the API says. */
  readonly existingId: string | undefined;
  /** The API's conflict reason, e.g. `'invalid_state'` or `'duplicate_external_reference'`. */
  readonly reason: string | undefined;

  constructor(message: string, init: ApiErrorInit, existingId?: string, reason?: string) {
    super('conflict', message, init);
    this.existingId = existingId;
    this.reason = reason;
  }

  /** Read `existingId` and the reason (codes and id tokens only) from a Tradify-contract error body. */
  static fromBody(init: ApiErrorInit, body: unknown, where: string): ConflictError {
    const error = (body as { error?: { code?: unknown; details?: unknown } } | undefined)?.error;
    const details = Array.isArray(error?.details) ? (error.details as Array<Record<string, unknown> | null>) : [];
    const existing = details.map((d) => safeApiId(d?.existingId)).find((id) => id !== undefined);
    const codeReason = safeApiCode(error?.code);
    const reason = existing ? 'duplicate_external_reference' : (details.map((d) => safeApiCode(d?.issue)).find((code) => code !== undefined) ?? (codeReason !== 'conflict' ? codeReason : undefined));
    const detail = existing ? ` (existing record ${existing})` : reason ? ` (${reason})` : '';
    return new ConflictError(`${init.api} reported a conflict on ${where}${detail}`, init, existing, reason);
  }
}

/** One field-level problem reported by a 422. Field names only; values are never kept. */
export interface FieldIssue {
  field: string;
  issue: string;
}

/** 422: the API's validation failed. Cliniko's `errors` map and Tradify's `details` are kept. */
export class UnprocessableEntityError extends ApiError {
  override readonly name: string = 'UnprocessableEntityError';
  /** Field → message, as the API reported it. */
  readonly errors: Record<string, string>;

  constructor(message: string, init: ApiErrorInit, errors: Record<string, string>) {
    super('unprocessable_entity', message, init);
    this.errors = errors;
  }

  /**
   * Read Cliniko's `{message, errors}` or Tradify's `{error: {details}}`, keeping field names
   * and known messages or codes only (see {@link ApiError.from}).
   */
  static fromBody(init: ApiErrorInit, body: unknown, where: string): UnprocessableEntityError {
    const errors = fieldErrorsOf(body);
    const fields = Object.keys(errors);
    const apiMessage = safeApiMessage(init.apiMessage);
    const suffix = fields.length > 0 ? `: ${fields.map((f) => `${f} ${errors[f]}`).join(', ')}` : apiMessage ? `: ${apiMessage}` : '';
    return new UnprocessableEntityError(`${init.api} rejected ${where} (422)${suffix}`, init, errors);
  }
}

/** Field → allow-listed message from Cliniko's `errors` map and Tradify's `error.details`. */
function fieldErrorsOf(body: unknown): Record<string, string> {
  const errors: Record<string, string> = {};
  let unnamed = 0;
  const add = (field: string, message: unknown) => {
    errors[safeFieldName(field) ?? `(field ${(unnamed += 1)})`] = safeFieldMessage(message);
  };
  const b = body as Record<string, unknown> | undefined;
  if (b && typeof b.errors === 'object' && b.errors !== null) {
    for (const [field, message] of Object.entries(b.errors as Record<string, unknown>)) add(field, message);
  }
  const details = (b?.error as { details?: unknown } | undefined)?.details;
  if (Array.isArray(details)) {
    for (const d of details as Array<Record<string, unknown> | null>) {
      if (typeof d?.field === 'string') add(d.field, d.issue);
    }
  }
  return errors;
}

/** 429: over the rate limit. Thrown only once the client's own waiting has not helped. */
export class RateLimitError extends ApiError {
  override readonly name: string = 'RateLimitError';
  /** How long the API asked us to wait, in milliseconds, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, init: ApiErrorInit, retryAfterMs: number | undefined) {
    super('rate_limited', message, init);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx: the API failed (including Cliniko's HTML 504 pages). */
export class ServerError extends ApiError {
  override readonly name: string = 'ServerError';
  constructor(message: string, init: ApiErrorInit) {
    super('server_error', message, init);
  }
}

/** No response: DNS, refused or dropped connection. */
export class ConnectionError extends ApiError {
  override readonly name: string = 'ConnectionError';
  constructor(init: Omit<ApiErrorInit, 'status'>, cause?: unknown) {
    super('connection_failed', `${init.api} could not be reached for ${describe(init)}`, { ...init, status: 0, cause });
  }
}

/** The request took longer than the configured `timeout`. */
export class TimeoutError extends ApiError {
  override readonly name: string = 'TimeoutError';
  constructor(init: Omit<ApiErrorInit, 'status'>, timeoutMs: number) {
    super('timeout', `${init.api} did not answer ${describe(init)} within ${timeoutMs} ms`, { ...init, status: 0 });
  }
}

/**
 * Why a redirect was not followed: it pointed at another origin, the request was not a GET,
 * too many same-origin hops, no usable `Location`, or a custom `fetch` followed a redirect to
 * another origin itself (its answer is refused).
 */
export type RedirectRefusal = 'cross_origin' | 'not_get' | 'too_many' | 'no_location' | 'followed_by_fetch';

/**
 * Same-origin redirects followed for one GET before a {@link RedirectError}.
 * @internal
 */
export const MAX_REDIRECTS = 5;

const REFUSALS: Record<RedirectRefusal, string> = {
  cross_origin: 'it points at another origin, and the request is never sent there',
  not_get: 'only a GET follows a redirect (a body is never re-sent)',
  too_many: `${MAX_REDIRECTS} redirects were already followed`,
  no_location: 'it has no usable Location',
  followed_by_fetch: "the fetch followed it to another origin by itself, so the answer was refused (use a fetch that honours redirect: 'manual')",
};

/** What {@link RedirectError} is built from. */
export interface RedirectErrorInit extends Omit<ApiErrorInit, 'apiMessage'> {
  /** The redirect's origin (`scheme://host:port`), never its path or query; `undefined` when unknown. */
  targetOrigin: string | undefined;
  /** Why it was not followed. */
  reason: RedirectRefusal;
}

/**
 * The API answered with a redirect that was not followed. A request never follows a redirect
 * to another origin (the API key would go with it); a GET follows up to 5 same-origin
 * redirects; other methods follow none. Not retried: a redirect is configuration, not a
 * passing fault.
 */
export class RedirectError extends ApiError {
  override readonly name: string = 'RedirectError';
  /** The origin the API pointed at, e.g. `https://elsewhere.example`; `undefined` when it gave none. */
  readonly targetOrigin: string | undefined;
  /** Why it was not followed. */
  readonly reason: RedirectRefusal;

  constructor(init: RedirectErrorInit) {
    const target = init.targetOrigin === undefined ? '' : ` to ${init.targetOrigin}`;
    super('redirect_refused', `${init.api} redirected ${describe(init)} (${init.status})${target}; not followed: ${REFUSALS[init.reason]}`, init);
    this.targetOrigin = init.targetOrigin;
    this.reason = init.reason;
  }
}

/** A response body over the client's `maxResponseBytes`; it was not read further. Not retried. */
export class ResponseTooLargeError extends ApiError {
  override readonly name: string = 'ResponseTooLargeError';
  /** The cap that was exceeded, in bytes. */
  readonly limitBytes: number;

  constructor(init: Omit<ApiErrorInit, 'apiMessage'>, limitBytes: number) {
    super('response_too_large', `${init.api} answered ${describe(init)} (${init.status}) with a body over the ${limitBytes}-byte limit (maxResponseBytes); it was not read`, init);
    this.limitBytes = limitBytes;
  }
}

/** The caller's `AbortSignal` fired. */
export class AbortError extends ClinikoTradifyError {
  override readonly name: string = 'AbortError';
  constructor(message = 'The operation was aborted', options?: ClinikoTradifyErrorOptions) {
    super('aborted', message, options);
  }
}

/** One zod issue, reduced to what is safe to keep: the path and the issue code. */
export interface ValidationIssue {
  /** Dotted path into the payload, e.g. `patients.3.id`. */
  path: string;
  /** zod's issue code, e.g. `invalid_type`. */
  code: string;
  /** zod's message, which never includes the input (`reportInput` stays off). */
  message: string;
}

/** A 2xx response whose body did not match the schema. Names the endpoint and the zod paths. */
export class ResponseValidationError extends ClinikoTradifyError {
  override readonly name: string = 'ResponseValidationError';
  /** Which API sent the body: `'cliniko'`, `'tradify'`, or an adapter's own API name. */
  readonly api: string;
  readonly method: string;
  /** The endpoint, e.g. `/v1/patients`. */
  readonly path: string;
  readonly issues: ValidationIssue[];

  constructor(init: Omit<RequestDescription, 'queryKeys'>, issues: ValidationIssue[], options?: ClinikoTradifyErrorOptions) {
    const shown = issues.slice(0, 5).map((i) => `${i.path || '(root)'} ${i.code}`).join('; ');
    super(
      'response_validation_failed',
      `${init.api} ${init.method} ${init.path} returned a body that does not match the schema: ${shown}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`,
      options,
    );
    this.api = init.api;
    this.method = init.method;
    this.path = init.path;
    this.issues = issues;
  }
}

/** A setting is missing or wrong. The message names the setting and the fix. */
export class ConfigError extends ClinikoTradifyError {
  override readonly name: string = 'ConfigError';
  /** The setting at fault, e.g. `userAgent` or `mapping.taxTable`. */
  readonly setting: string;
  constructor(setting: string, message: string, options?: ClinikoTradifyErrorOptions) {
    super('config_invalid', message, options);
    this.setting = setting;
  }
}

/** Another run holds this account's lease. */
export class LeaseHeldError extends ClinikoTradifyError {
  override readonly name: string = 'LeaseHeldError';
  readonly accountId: string;
  /** Who holds it, as the store records it (host:pid:random). */
  readonly holder: string | undefined;
  readonly expiresAt: string | undefined;
  constructor(accountId: string, holder?: string, expiresAt?: string) {
    super('lease_held', `Account '${accountId}' is being synced by another run${holder ? ` (${holder})` : ''}${expiresAt ? `; its lease expires at ${expiresAt}` : ''}.`);
    this.accountId = accountId;
    this.holder = holder;
    this.expiresAt = expiresAt;
  }
}

/** This process's lease expired or was taken over: it must not commit. */
export class LeaseLostError extends ClinikoTradifyError {
  override readonly name: string = 'LeaseLostError';
  readonly accountId: string;
  constructor(accountId: string) {
    super('lease_lost', `The lease on account '${accountId}' was lost (expired or taken over); this run stopped without committing.`);
    this.accountId = accountId;
  }
}

// ---------------------------------------------------------------------------------------------
// Guards: brand or name, so they work across two copies of the package.

function hasBrand(e: unknown): e is ClinikoTradifyError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

function isNamed<T>(e: unknown, names: readonly string[]): e is T {
  return hasBrand(e) && names.includes((e as Error).name);
}

const API_ERROR_NAMES = [
  'ApiError',
  'BadRequestError',
  'AuthenticationError',
  'PermissionDeniedError',
  'NotFoundError',
  'ConflictError',
  'UnprocessableEntityError',
  'RateLimitError',
  'ServerError',
  'ConnectionError',
  'TimeoutError',
  'RedirectError',
  'ResponseTooLargeError',
] as const;

/** True for any error of this package, from any copy of it. */
export function isClinikoTradifyError(e: unknown): e is ClinikoTradifyError {
  return hasBrand(e);
}
/** True for any HTTP-level error (a status, or no response at all). */
export function isApiError(e: unknown): e is ApiError {
  return isNamed(e, API_ERROR_NAMES);
}
/** True for a 401. */
export function isAuthenticationError(e: unknown): e is AuthenticationError {
  return isNamed(e, ['AuthenticationError']);
}
/** True for a 404. */
export function isNotFoundError(e: unknown): e is NotFoundError {
  return isNamed(e, ['NotFoundError']);
}
/** True for a 409. */
export function isConflictError(e: unknown): e is ConflictError {
  return isNamed(e, ['ConflictError']);
}
/** True for a 422. */
export function isUnprocessableEntityError(e: unknown): e is UnprocessableEntityError {
  return isNamed(e, ['UnprocessableEntityError']);
}
/** True for a 429 that outlasted the client's own waiting. */
export function isRateLimitError(e: unknown): e is RateLimitError {
  return isNamed(e, ['RateLimitError']);
}
/** True for a 5xx. */
export function isServerError(e: unknown): e is ServerError {
  return isNamed(e, ['ServerError']);
}
/** True for a redirect that was not followed. */
export function isRedirectError(e: unknown): e is RedirectError {
  return isNamed(e, ['RedirectError']);
}
/** True for a response body over `maxResponseBytes`. */
export function isResponseTooLargeError(e: unknown): e is ResponseTooLargeError {
  return isNamed(e, ['ResponseTooLargeError']);
}
/** True for a schema mismatch in a 2xx body. */
export function isResponseValidationError(e: unknown): e is ResponseValidationError {
  return isNamed(e, ['ResponseValidationError']);
}
/** True for a configuration problem. */
export function isConfigError(e: unknown): e is ConfigError {
  return isNamed(e, ['ConfigError']);
}
/** True when the caller aborted. */
export function isAbortError(e: unknown): e is AbortError {
  return isNamed(e, ['AbortError']);
}
/** True when the failure is worth retrying later: 5xx, no response, timeout or rate limit. */
export function isTransientError(e: unknown): boolean {
  return isNamed(e, ['ServerError', 'ConnectionError', 'TimeoutError', 'RateLimitError']);
}

// ---------------------------------------------------------------------------------------------

/** Which create a {@link MismatchedResponseError} is about, and the echoed field that differed. */
export interface MismatchedResponseInit {
  /** The resource created, e.g. `'customers'`, `'invoices'`, `'payments'`. */
  resource: string;
  /** The field the answer should have echoed, e.g. `'externalReference'`. Never its value. */
  field: string;
  /** The id of the record the answer carried (an opaque Tradify id), when it had one. */
  answeredId: string | undefined;
}

/**
 * A create was answered with a record that is not the one asked for: the answer's
 * `externalReference` (or another echoed field) differs from the request's. The record is not
 * linked, so a wrong answer never joins a Cliniko record to someone else's Tradify record.
 * Names the resource, the field and the answered id only, never the values.
 */
export class MismatchedResponseError extends ClinikoTradifyError {
  override readonly name: string = 'MismatchedResponseError';
  readonly api = 'tradify' as const;
  readonly resource: string;
  readonly field: string;
  readonly answeredId: string | undefined;

  constructor(init: MismatchedResponseInit, options?: ClinikoTradifyErrorOptions) {
    const record = init.answeredId === undefined ? 'a record' : `record ${init.answeredId}`;
    super('response_mismatch', `tradify answered a ${init.resource} create with ${record} whose ${init.field} is not the one sent; it was not linked`, options);
    this.resource = init.resource;
    this.field = init.field;
    this.answeredId = init.answeredId;
  }
}

/** True for a create answered with another record (see {@link MismatchedResponseError}), from any copy of the package. */
export function isMismatchedResponseError(e: unknown): e is MismatchedResponseError {
  return isNamed(e, ['MismatchedResponseError']);
}
