/**
 * The transport-neutral request and answer of the fake Tradify's handler core, shared by the
 * node:http server and the msw handlers, and the contract's error answers (`docs/tradify-contract.md#errors`).
 *
 * @module
 */

/** One request, as either transport hands it to the core. */
export interface FakeHttpRequest {
  method: string;
  /** The pathname, e.g. `/v1/customers/cus_1`. */
  path: string;
  query: URLSearchParams;
  /** Reads a header, case-insensitively. */
  header(name: string): string | undefined;
  /** The raw body ('' when none). */
  body: string;
}

/** What the core answers: a response, or "destroy the connection". */
export type FakeHttpAnswer =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string | null }
  | { kind: 'drop' };

/** One field-level problem in an error body. */
export interface FakeErrorDetail {
  field?: string;
  issue?: string;
  existingId?: string;
  [key: string]: unknown;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  422: 'validation_failed',
  429: 'rate_limited',
};

/** An error answer thrown inside the core and turned into the contract's error body. */
export class FakeHttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FakeErrorDetail[];
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: { code?: string; details?: FakeErrorDetail[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = options.code ?? CODE_BY_STATUS[status] ?? 'server_error';
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
  }
}

/** 422 `validation_failed` for a list of `{ field, issue }`. */
export function validationFailed(details: FakeErrorDetail[]): FakeHttpError {
  return new FakeHttpError(422, 'The request failed validation.', { details });
}

/** 409 `invalid_state`: the record's state does not allow this action. */
export function invalidState(action: string, status: string): FakeHttpError {
  return new FakeHttpError(409, `Cannot ${action} an invoice in state ${status}.`, {
    code: 'invalid_state',
    details: [{ field: 'status', issue: 'invalid_state', status }],
  });
}

/** 409 `conflict` for a taken `externalReference`, carrying the holder's id. */
export function duplicateReference(existingId: string): FakeHttpError {
  return new FakeHttpError(409, 'externalReference is already used by another record.', {
    details: [{ field: 'externalReference', issue: 'duplicate', existingId }],
  });
}

/** 404 `not_found` for a resource kind (the id is not echoed). */
export function notFound(what: string): FakeHttpError {
  return new FakeHttpError(404, `No such ${what}.`);
}

/** The contract's error body (`docs/tradify-contract.md#errors`). */
export function errorBody(error: FakeHttpError, requestId: string): string {
  return JSON.stringify({ error: { code: error.code, message: error.message, details: error.details }, requestId });
}
