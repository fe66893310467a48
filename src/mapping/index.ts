/**
 * The pure mapping layer: Cliniko patients → Tradify customers, Cliniko invoices → Tradify
 * invoices with exact GST, and the status planner. No I/O, no clock.
 *
 * @module
 */

export { mapAddress, normaliseState, countryCode, formatAddressLine } from './address.js';
export type { MappedAddress, NormalisedState } from './address.js';
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
export { mapCustomFields, customFieldText, CUSTOM_FIELD_LIMIT } from './custom-fields.js';
export { mapPatientToCustomer, patientExternalReference, CUSTOMER_NAME_LIMIT } from './customer.js';
export type { CustomerMapping, AuditStamp } from './customer.js';
export { mapEmails, splitEmails, emailKey, isValidEmail, EMAIL_FIELD_LIMIT } from './emails.js';
export { finding, hasBlockingFinding } from './findings.js';
export type { Finding, FindingCode, FindingSeverity } from './findings.js';
export { mapInvoice, invoiceExternalReference, parseExternalReference, liveItems } from './invoice.js';
export type { InvoiceMapping, InvoiceMappingInput } from './invoice.js';
export { cutToLength, tidySpaces, patientFullName } from './names.js';
export type { CutText, NameStyle } from './names.js';
export { buildOwnerDirectory, resolveOwner } from './owner.js';
export type { OwnerDirectory, OwnerResolution } from './owner.js';
export { mapPhones } from './phones.js';
export { planInvoiceActions, invoicePatch } from './status.js';
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
export { checkTaxTable, computeLineAmounts, lineTaxRate, mapInvoiceLines } from './tax.js';
export type {
  InvoiceLinesInput,
  LineAmounts,
  LineEncoding,
  LineRate,
  MappedLine,
  MappedLines,
  RateSource,
  ResolvedTaxTable,
  TaxRateChoice,
  TaxRateProblem,
} from './tax.js';
export type { CustomerMappingBase } from './customer.js';
export type { InvoiceMappingBase } from './invoice.js';
export type { AddressFields } from './address.js';
export type { MappedEmails } from './emails.js';
export type { MappedPhones } from './phones.js';
