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
  RedirectError,
  ResponseTooLargeError,
  AbortError,
  ResponseValidationError,
  ConfigError,
  LeaseHeldError,
  LeaseLostError,
  MismatchedResponseError,
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

// --- core: http, logger, clock ---
export { createHttpClient, HttpClient, encodeQuery, assertSafeBaseUrl } from './core/http.js';
export type { ApiName, HttpClientOptions, HttpTransportOptions, HttpRequest, HttpResponse, HttpStats } from './core/http.js';
export type { HttpErrorBodyParser, HttpErrorDetails } from './core/http.js';
export { RETRY_DEFAULTS, backoffDelayMs, isRetryableMethod, worstCaseRequestMs } from './core/retry.js';
export type { RetryOptions } from './core/retry.js';
export { RequestLimiter, sharedLimiter } from './core/pacing.js';
export { systemClock } from './core/clock.js';
export type { Clock } from './core/clock.js';
export { defaultLogger, silentLogger } from './core/logger.js';
export type { Logger, LogFields } from './core/logger.js';

// --- core: decimal, dates ---
export { Decimal, dec } from './core/decimal.js';
export type { DecimalInput } from './core/decimal.js';
export {
  DEFAULT_TIME_ZONE,
  toLocalDate,
  addDays,
  daysBetween,
  isPlainDate,
  isValidTimeZone,
  monthKey,
  financialYearOf,
  basQuarterOf,
  parseDuration,
} from './core/dates.js';
export type { PlainDate, FinancialYear, BasQuarter } from './core/dates.js';

// --- cliniko ---
export { ClinikoClient } from './cliniko/client.js';
export { CLINIKO_DEFAULTS } from './cliniko/options.js';
export type { ClinikoClientOptions } from './cliniko/options.js';
export { shardFromApiKey, clinikoBaseUrl, DEFAULT_CLINIKO_SHARD } from './cliniko/shard.js';
export { CLINIKO_FILTER_FIELDS, compileFilters, toClinikoTimestamp } from './cliniko/filters.js';
export type {
  ClinikoFilter,
  ClinikoFilterEndpoint,
  ClinikoFilterFields,
  ClinikoFieldType,
  ClinikoValueOperators,
  ClinikoBareOperators,
  ClinikoFilterValues,
} from './cliniko/filters.js';
export { linkedId, compareIds } from './cliniko/links.js';
export { ClinikoList } from './cliniko/listing.js';
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
export { clinikoPatientSchema } from './cliniko/schemas/patient.js';
export type { ClinikoPatient } from './cliniko/schemas/patient.js';
export { clinikoInvoiceSchema, CLINIKO_INVOICE_STATUS } from './cliniko/schemas/invoice.js';
export type { ClinikoInvoice } from './cliniko/schemas/invoice.js';
export { clinikoInvoiceItemSchema } from './cliniko/schemas/invoice-item.js';
export type { ClinikoInvoiceItem } from './cliniko/schemas/invoice-item.js';
export { clinikoUserSchema } from './cliniko/schemas/user.js';
export type { ClinikoUser } from './cliniko/schemas/user.js';
export { clinikoPractitionerSchema } from './cliniko/schemas/practitioner.js';
export type { ClinikoPractitioner } from './cliniko/schemas/practitioner.js';
export { clinikoBusinessSchema } from './cliniko/schemas/business.js';
export type { ClinikoBusiness } from './cliniko/schemas/business.js';
export { clinikoTaxSchema } from './cliniko/schemas/tax.js';
export type { ClinikoTax } from './cliniko/schemas/tax.js';
export { clinikoSettingsSchema } from './cliniko/schemas/settings.js';
export type { ClinikoSettings } from './cliniko/schemas/settings.js';
export { clinikoPhoneNumberSchema } from './cliniko/schemas/common.js';
export type { ClinikoLinkRef, ClinikoPhoneNumber } from './cliniko/schemas/common.js';

// --- tradify ---
export { HttpTradifyClient } from './tradify/http-client.js';
export { TRADIFY_DEFAULTS } from './tradify/options.js';
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

// --- mapping ---
export {
  resolveMappingConfig,
  veto,
  isVeto,
  DEFAULT_STATUS_TABLE,
  createMappingContext,
  mapPatientToCustomer,
  patientExternalReference,
  mapInvoice,
  invoiceExternalReference,
  parseExternalReference,
  liveItems,
  checkTaxTable,
  computeLineAmounts,
  lineTaxRate,
  mapInvoiceLines,
  planInvoiceActions,
  invoicePatch,
  buildOwnerDirectory,
  resolveOwner,
  mapAddress,
  normaliseState,
  formatAddressLine,
  mapEmails,
  emailKey,
  mapPhones,
  cutToLength,
  hasBlockingFinding,
} from './mapping/index.js';
export type {
  MappingConfig,
  ResolvedMappingConfig,
  MappingVeto,
  CustomerCallback,
  InvoiceCallback,
  CustomFieldSource,
  StatusBehaviour,
  StatusTable,
  TaxTableEntry,
  ApprovalPolicy,
  RoundingPolicy,
  MappingContext,
  MappingContextInit,
  CustomerMapping,
  AuditStamp,
  InvoiceMapping,
  InvoiceMappingInput,
  InvoiceAction,
  InvoiceLinkInfo,
  PlannableMapping,
  PlannedInvoiceId,
  ReviewReason,
  SkipReason,
  StatusPlan,
  StatusPlanInput,
  ResolvedTaxTable,
  TaxRateChoice,
  MappedLines,
  MappedLine,
  LineAmounts,
  OwnerDirectory,
  OwnerResolution,
  Finding,
  FindingCode,
  FindingSeverity,
  CustomerMappingBase,
  InvoiceMappingBase,
  AddressFields,
  MappedAddress,
  NormalisedState,
  RateSource,
  LineRate,
  TaxRateProblem,
  LineEncoding,
  InvoiceLinesInput,
  CutText,
  MappedEmails,
  MappedPhones,
} from './mapping/index.js';

// --- sync ports and stores ---
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
export { ExponentialBackoffRetryPolicy } from './sync/retry-policy.js';
export type { ExponentialBackoffRetryPolicyOptions } from './sync/retry-policy.js';
export { MemoryStateStore } from './stores/memory.js';
export type { MemoryStateStoreOptions } from './stores/memory.js';

// --- sync engine --------------------------------------------------------------------------
export { SyncEngine } from './sync/engine.js';
export type { EngineCallOptions } from './sync/engine.js';
export { ENGINE_DEFAULTS } from './sync/engine-options.js';
export type { SyncEngineOptions, ResolvedEngineOptions } from './sync/engine-options.js';
export type { SyncEventMap, SyncEventName, SyncEventListener, SyncStream } from './sync/events.js';
export type { SyncSummary, StreamCursorView, PendingWork } from './sync/summary.js';
export type { SyncPlan, PlannedItem, ApplyResult } from './sync/plan.js';
export type { DeadLetterApi, ReplayOptions, ReplayResult } from './sync/dead-letters.js';
export type { ReviewApi, ReviewResolution } from './sync/reviews.js';
export type { AuditApi } from './sync/audit.js';
export { estimateEta } from './sync/eta.js';
export type { Eta, EtaInput } from './sync/eta.js';
export type { SyncEstimate } from './sync/estimate.js';
export { idempotencyKey } from './sync/idempotency.js';
export type { IdempotencyKeyParts } from './sync/idempotency.js';

// --- alerts -------------------------------------------------------------------------------
export { ConsoleAlerter, CallbackAlerter, WebhookAlerter, DedupingAlerter, aggregateAlerts, alertFingerprint, MAX_ALERT_RECORD_IDS } from './alerts/index.js';
export type { ConsoleAlerterOptions, AlertCallback, CallbackAlerterOptions, WebhookAlerterOptions, DedupingAlerterOptions, AlertSendResult } from './alerts/index.js';
// reconciliation reports and the scheduler
export { ReconciliationReport, writeReportFiles, FINDING_KINDS } from './sync/report/index.js';
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
} from './sync/report/index.js';
export type { ReconcileOptions } from './sync/reconcile/index.js';
export { createScheduler } from './sync/scheduler.js';
export type { Scheduler, SchedulerOptions, SchedulableEngine, ScheduledJob, TickOutcome } from './sync/scheduler.js';
