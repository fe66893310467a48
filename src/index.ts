/**
 * cliniko-tradify: keep Tradify in step with Cliniko.
 *
 * This entry holds what an integrator needs: the two clients, the engine, the memory store, the
 * alerters, the scheduler, the reconciliation report, the error classes with their guards, and
 * the types those use. Other audiences have their own entry points: `cliniko-tradify/mapping`
 * (the pure mapping functions, for custom rules and their tests), `cliniko-tradify/cliniko`
 * (Cliniko's record schemas and link helpers), `cliniko-tradify/http` (the paced, retrying HTTP
 * client, for authors of a `TradifyPort` adapter), `cliniko-tradify/sqlite`,
 * `cliniko-tradify/postgres`, `cliniko-tradify/worker`, `cliniko-tradify/testing` and
 * `cliniko-tradify/testing/msw`.
 *
 * @packageDocumentation
 */

export { VERSION } from './version.js';

// --- errors and their guards --------------------------------------------------------------
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
  RedirectError,
  ResponseTooLargeError,
  AbortError,
  ResponseValidationError,
  ConfigError,
  LeaseHeldError,
  LeaseLostError,
  MismatchedResponseError,
} from './core/errors.js';
export {
  isClinikoTradifyError,
  isApiError,
  isAuthenticationError,
  isNotFoundError,
  isConflictError,
  isUnprocessableEntityError,
  isRateLimitError,
  isServerError,
  isResponseValidationError,
  isRedirectError,
  isResponseTooLargeError,
  isConfigError,
  isAbortError,
  isTransientError,
  isMismatchedResponseError,
} from './core/errors.js';
export type {
  ErrorCode,
  ClinikoTradifyErrorOptions,
  RequestDescription,
  ApiErrorInit,
  FieldIssue,
  ValidationIssue,
  RedirectErrorInit,
  RedirectRefusal,
  MismatchedResponseInit,
} from './core/errors.js';

// --- logging, time and transport settings shared by the clients -----------------------------
export { defaultLogger, silentLogger } from './core/logger.js';
export type { Logger, LogFields } from './core/logger.js';
export type { Clock } from './core/clock.js';
export type { HttpTransportOptions, HttpStats } from './core/http.js';
export type { RetryOptions } from './core/retry.js';
export { pinoLogger } from './core/pino.js';
export type { PinoLike, PinoLogMethod } from './core/pino.js';
export type { PlainDate, FinancialYear, BasQuarter } from './core/dates.js';

// --- the Cliniko client -------------------------------------------------------------------
export { ClinikoClient } from './cliniko/client.js';
export type { ClinikoClientOptions } from './cliniko/options.js';
export type { ClinikoList } from './cliniko/listing.js';
export type {
  ClinikoFilter,
  ClinikoFilterEndpoint,
  ClinikoFilterFields,
  ClinikoFieldType,
  ClinikoValueOperators,
  ClinikoBareOperators,
  ClinikoFilterValues,
} from './cliniko/filters.js';
export type { ReadablePage, UnreadableRow } from './cliniko/listing.js';
export type { ChangesOptions, KeysetPage, KeysetPosition, RejectedRecord } from './cliniko/keyset.js';
export type { RequestOptions, ListParams } from './cliniko/transport.js';
export type { Patients, PatientListParams, PatientRetrieveOptions, PatientCreateParams, PatientUpdateParams } from './cliniko/patients.js';
export type { Invoices, InvoiceListParams, InvoiceRetrieveOptions } from './cliniko/invoices.js';
export type { InvoiceItems, InvoiceItemListParams } from './cliniko/invoice-items.js';
export type { Users } from './cliniko/users.js';
export type { Practitioners, PractitionerListParams } from './cliniko/practitioners.js';
export type { Businesses, BusinessListParams } from './cliniko/businesses.js';
export type { Taxes } from './cliniko/taxes.js';
export type { Settings } from './cliniko/settings.js';
export type { ClinikoPatient } from './cliniko/schemas/patient.js';
export type { ClinikoInvoice } from './cliniko/schemas/invoice.js';
export type { ClinikoInvoiceItem } from './cliniko/schemas/invoice-item.js';
export type { ClinikoUser } from './cliniko/schemas/user.js';
export type { ClinikoPractitioner } from './cliniko/schemas/practitioner.js';
export type { ClinikoBusiness } from './cliniko/schemas/business.js';
export type { ClinikoTax } from './cliniko/schemas/tax.js';
export type { ClinikoSettings } from './cliniko/schemas/settings.js';
export type { ClinikoLinkRef, ClinikoPhoneNumber } from './cliniko/schemas/common.js';

// --- the Tradify client and the port it implements ------------------------------------------
export { HttpTradifyClient } from './tradify/http-client.js';
export type { HttpTradifyClientOptions, TradifyAuthStrategy } from './tradify/options.js';
export type {
  TradifyPort,
  TradifyCapabilities,
  TradifyEntityCapabilities,
  TradifyPortStats,
  TradifyListing,
  TradifyRequestOptions,
  TradifyListOptions,
  TradifyListedResource,
  TradifyUnreadableRow,
  TradifyCreateOptions,
  TradifyTaxMode,
  TradifyInvoiceStatus,
  TradifyLineItemType,
  TradifyAddress,
  TradifyCustomFields,
  TradifyCustomer,
  TradifyCustomerInput,
  TradifyCustomerPatch,
  TradifyCustomerQuery,
  TradifyLineItem,
  TradifyLineItemInput,
  TradifyInvoice,
  TradifyInvoiceInput,
  TradifyInvoicePatch,
  TradifyInvoiceQuery,
  TradifyPayment,
  TradifyPaymentInput,
  TradifyStaff,
  TradifyTaxRate,
  TradifyCustomersResource,
  TradifyInvoicesResource,
  TradifyPaymentsResource,
  TradifyStaffResource,
  TradifyTaxRatesResource,
} from './tradify/port.js';

// --- the mapping settings of the engine (the mapping functions: cliniko-tradify/mapping) ----
export { veto } from './mapping/config.js';
export type {
  MappingConfig,
  MappingVeto,
  CustomerCallback,
  InvoiceCallback,
  CustomFieldSource,
  StatusBehaviour,
  StatusTable,
  TaxTableEntry,
  ApprovalPolicy,
  RoundingPolicy,
} from './mapping/config.js';
export type { MappingContext } from './mapping/context.js';

// --- the engine ---------------------------------------------------------------------------
export { SyncEngine } from './sync/engine.js';
export type { EngineCallOptions } from './sync/engine.js';
export type { SyncEngineOptions } from './sync/engine-options.js';
export type { SyncEventMap, SyncEventName, SyncEventListener, SyncStream } from './sync/events.js';
export type { SyncSummary, StreamCursorView, PendingWork } from './sync/summary.js';
export type { SyncPlan, PlannedItem, ApplyResult } from './sync/plan.js';
export type { DeadLetterApi, ReplayOptions, ReplayResult } from './sync/dead-letters.js';
export type { ReviewApi, ReviewResolution } from './sync/reviews.js';
export type { AuditApi } from './sync/audit.js';
export type { SyncEstimate } from './sync/estimate.js';
export type { Eta } from './sync/eta.js';
export { ExponentialBackoffRetryPolicy } from './sync/retry-policy.js';
export type { ExponentialBackoffRetryPolicyOptions } from './sync/retry-policy.js';

// --- the ports: state store, retry policy, alerter ------------------------------------------
export { createLeaseOwner } from './sync/ports.js';
export type {
  StateStore,
  StoreCallOptions,
  JsonValue,
  PageOptions,
  StorePage,
  LinkKind,
  Lease,
  AcquireLeaseOptions,
  StreamCursor,
  SeenEntry,
  LinkRecord,
  LinkUpsert,
  LinkRemoval,
  LinkListOptions,
  HashWrite,
  DeadLetter,
  DeadLetterStatus,
  NewDeadLetter,
  DeadLetterClose,
  DeadLetterListOptions,
  Review,
  NewReview,
  ReviewListOptions,
  AuditEntry,
  NewAuditEntry,
  AuditListOptions,
  RunRecord,
  RunStatus,
  RunListOptions,
  AlertIncident,
  AlertDelivery,
  IncidentListFilter,
  SavedPlan,
  StagingRow,
  StagingSide,
  StagingSelector,
  TradifyIndexEntry,
  PageCommit,
  RetryPolicy,
  RetryContext,
  RetryDecision,
  Alert,
  AlertKind,
  AlertSeverity,
  Alerter,
} from './sync/ports.js';

// --- the memory store (SQLite: cliniko-tradify/sqlite; PostgreSQL: cliniko-tradify/postgres) -
export { MemoryStateStore } from './stores/memory.js';
export type { MemoryStateStoreOptions } from './stores/memory.js';

// --- alerters -----------------------------------------------------------------------------
export { ConsoleAlerter, CallbackAlerter, WebhookAlerter, DedupingAlerter } from './alerts/index.js';
export type {
  ConsoleAlerterOptions,
  AlertCallback,
  CallbackAlerterOptions,
  WebhookAlerterOptions,
  DedupingAlerterOptions,
  AlertSendResult,
} from './alerts/index.js';

export { AlertRouter, ALERT_KINDS, ALERT_SEVERITIES } from './alerts/index.js';
export type { RetryUndeliveredOptions, AlertRoute, AlertRouterOptions, AlertDestinations, ResolvedAlertRoute } from './alerts/index.js';

// --- reconciliation and its report --------------------------------------------------------
export { ReconciliationReport, writeReportFiles, KNOWN_REASONS } from './sync/report/index.js';
export type {
  ReportFormat,
  WriteReportFilesOptions,
  FindingKind,
  FindingEntity,
  MismatchField,
  ReconciliationFinding,
  MoneyPair,
  MoneyRow,
  MoneySummary,
  RecordCounts,
  RepairSummary,
  ReconciliationSummary,
  ReconciliationReportData,
  ReconciliationReportInput,
  Discrepancy,
  KnownItem,
  KnownReason,
  KnownSummary,
  KnownSummaryRow,
} from './sync/report/index.js';
export type { ReconcileOptions } from './sync/reconcile/index.js';

// --- the scheduler ------------------------------------------------------------------------
export { createScheduler } from './sync/scheduler.js';
export type { Scheduler, SchedulerOptions, SchedulableEngine, ScheduledJob, TickOutcome } from './sync/scheduler.js';
