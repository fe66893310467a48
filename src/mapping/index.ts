/**
 * `cliniko-tradify/mapping`: the pure mapping layer, for custom rules and their tests. Cliniko
 * patients → Tradify customers, Cliniko invoices → Tradify invoices with exact GST, and the
 * status planner, exactly as the engine calls them. No I/O, no clock.
 *
 * @example
 * ```ts
 * import { createMappingContext, mapPatientToCustomer, resolveMappingConfig } from 'cliniko-tradify/mapping';
 * import { clinikoPatientSchema } from 'cliniko-tradify/cliniko';
 *
 * const config = resolveMappingConfig({ name: 'preferred' });
 * const ctx = createMappingContext({ timeZone: 'Australia/Sydney', now: '2026-07-01T00:00:00Z' });
 * const result = mapPatientToCustomer(clinikoPatientSchema.parse(rawPatient), config, ctx);
 * ```
 *
 * @packageDocumentation
 */

// --- the configuration --------------------------------------------------------------------
export { resolveMappingConfig, veto, isVeto, DEFAULT_STATUS_TABLE } from './config.js';
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
} from './config.js';
export { createMappingContext } from './context.js';
export type { MappingContext, MappingContextInit } from './context.js';

// --- patients → customers -----------------------------------------------------------------
export { mapPatientToCustomer, patientExternalReference } from './customer.js';
export type { CustomerMapping, CustomerMappingBase, AuditStamp } from './customer.js';

// --- invoices → invoices ------------------------------------------------------------------
export { mapInvoice, invoiceExternalReference, parseExternalReference } from './invoice.js';
export type { InvoiceMapping, InvoiceMappingBase, InvoiceMappingInput } from './invoice.js';
export { checkTaxTable, mapInvoiceLines } from './tax.js';
export type {
  ResolvedTaxTable,
  TaxRateChoice,
  TaxRateProblem,
  InvoiceLinesInput,
  MappedLines,
  MappedLine,
  LineAmounts,
  RateSource,
} from './tax.js';
export { buildOwnerDirectory, resolveOwner } from './owner.js';
export type { OwnerDirectory, OwnerResolution } from './owner.js';
export type { Finding, FindingCode, FindingSeverity } from './findings.js';

// --- the status planner -------------------------------------------------------------------
export { planInvoiceActions } from './status.js';
export type {
  InvoiceAction,
  InvoiceLinkInfo,
  PlannableMapping,
  PlannedInvoiceId,
  ReviewReason,
  SkipReason,
  StatusPlan,
  StatusPlanInput,
} from './status.js';

// --- the values mapping works in ----------------------------------------------------------
export { Decimal } from '../core/decimal.js';
export type { DecimalInput } from '../core/decimal.js';
export { toLocalDate } from '../core/dates.js';
export type { PlainDate } from '../core/dates.js';
