/**
 * cliniko-tradify: keep Tradify in step with Cliniko.
 *
 * @packageDocumentation
 */

export { VERSION } from './version.js';

// --- core: errors -------------------------------------------------------------------------
export {
  ClinikoTradifyError,
  ApiError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  ServerError,
  ConnectionError,
  TimeoutError,
  AbortError,
  ResponseValidationError,
  ConfigError,
  LeaseHeldError,
  LeaseLostError,
  isClinikoTradifyError,
  isApiError,
  isAuthenticationError,
  isNotFoundError,
  isConflictError,
  isUnprocessableEntityError,
  isRateLimitError,
  isServerError,
  isResponseValidationError,
  isConfigError,
  isAbortError,
  isTransientError,
} from './core/errors.js';
export type {
  ErrorCode,
  ClinikoTradifyErrorOptions,
  RequestDescription,
  ApiErrorInit,
  FieldIssue,
  ValidationIssue,
} from './core/errors.js';

// --- core: http, logger, clock (helper A) ------------------------------------------------

// --- core: decimal, dates (helper C) ------------------------------------------------------

// --- cliniko (helper A) -------------------------------------------------------------------

// --- tradify (helper B) -------------------------------------------------------------------

// --- mapping (helper C) -------------------------------------------------------------------

// --- sync ports and stores (helper D) -----------------------------------------------------

// --- sync engine --------------------------------------------------------------------------

// --- alerts -------------------------------------------------------------------------------
