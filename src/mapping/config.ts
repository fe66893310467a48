/**
 * `MappingConfig`: everything an integrator can change about the mapping, and its validation.
 *
 * @module
 */

import { ConfigError } from '../core/errors.js';
import { Decimal } from '../core/decimal.js';
import { parseDuration } from '../core/dates.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import type { ClinikoInvoice } from '../cliniko/schemas/invoice.js';
import type { ClinikoInvoiceItem } from '../cliniko/schemas/invoice-item.js';
import type { ClinikoPatient } from '../cliniko/schemas/patient.js';
import type { TradifyCustomerInput, TradifyCustomFields, TradifyInvoiceInput } from '../tradify/port.js';
import type { MappingContext } from './context.js';

/** A callback's refusal of a record, with a reason code kept in the dead-letter/skip log. */
export interface MappingVeto {
  readonly veto: true;
  /** A short reason code or sentence, e.g. `'staff-account'`. Never patient data. */
  readonly reason: string;
}

/**
 * Builds the value a `customer` or `invoice` callback returns to refuse a record.
 *
 * @example
 * ```ts
 * mapping: { customer: (draft, patient) => (patient.email?.endsWith('@clinic.example') ? veto('staff-account') : draft) }
 * ```
 */
export function veto(reason: string): MappingVeto {
  return { veto: true, reason };
}

/** True when a callback's result is a {@link MappingVeto}. */
export function isVeto(value: unknown): value is MappingVeto {
  return typeof value === 'object' && value !== null && (value as { veto?: unknown }).veto === true;
}

/** Changes or vetoes the drafted customer. Return the (changed) draft, {@link veto}(reason), or `null` (veto without a reason). */
export type CustomerCallback = (draft: TradifyCustomerInput, patient: ClinikoPatient, ctx: MappingContext) => TradifyCustomerInput | MappingVeto | null;

/** Changes or vetoes the drafted invoice. Return the (changed) draft, {@link veto}(reason), or `null`. */
export type InvoiceCallback = (
  draft: TradifyInvoiceInput,
  invoice: ClinikoInvoice,
  items: readonly ClinikoInvoiceItem[],
  ctx: MappingContext,
) => TradifyInvoiceInput | MappingVeto | null;

/** Where a Tradify custom field takes its value from. */
export type CustomFieldSource =
  /** A top-level patient field, e.g. `{ patientField: 'medicare' }`. */
  | { patientField: string }
  /** A Cliniko custom field, by section name and field name (compared ignoring case). */
  | { section: string; field: string };

/** What the sync does with a Cliniko invoice status. */
export type StatusBehaviour = 'open' | 'paid' | 'closed' | 'review' | 'skip';

/** Cliniko invoice status → behaviour. Keys: `'10'`, `'20'`, `'30'`, `'40'`, and `'null'` for a missing status. */
export type StatusTable = Partial<Record<'10' | '20' | '30' | '40' | 'null', StatusBehaviour>>;

/** One entry of the tax table: a Cliniko tax (by name and/or percent) → a Tradify tax rate (by id or name). */
export interface TaxTableEntry {
  /** The Cliniko `tax_name`, compared ignoring case and surrounding spaces, e.g. `'GST'`. */
  clinikoName?: string | undefined;
  /** The rate in percent as a decimal string, e.g. `'10'`. */
  percent?: string | undefined;
  /** The Tradify tax rate's id. Give this or `tradifyTaxRateName`. */
  tradifyTaxRateId?: string | undefined;
  /** The Tradify tax rate's display name (ignoring case). */
  tradifyTaxRateName?: string | undefined;
}

/** When a mapped invoice is approved in Tradify. */
export interface ApprovalPolicy {
  /** @defaultValue `'settled'` */
  when?: 'settled' | 'immediately' | 'manual' | undefined;
  /** How long an open invoice must be unchanged before it is approved (`'settled'`). @defaultValue `'24h'` */
  settleAfter?: string | number | undefined;
  /** What happens when an approved invoice's Cliniko content changes. @defaultValue `'review'` */
  onChangeAfterApproval?: 'review' | 'reissue' | undefined;
}

/** Whether a GST-free, labelled rounding line may make the invoice total match Cliniko's. */
export interface RoundingPolicy {
  /** @defaultValue `false` */
  allowRoundingLine?: boolean | undefined;
  /** The largest difference a rounding line may absorb, as a decimal string. @defaultValue `'0.05'` */
  maxAmount?: string | undefined;
  /** @defaultValue `'Rounding (to match Cliniko total)'` */
  description?: string | undefined;
}

/** Everything an integrator can set about the mapping. Every key is optional. */
export interface MappingConfig {
  customer?: CustomerCallback | undefined;
  invoice?: InvoiceCallback | undefined;
  /** Return `false` to leave a patient out. */
  filterPatient?: ((patient: ClinikoPatient, ctx: MappingContext) => boolean) | undefined;
  /** Return `false` to leave an invoice out. */
  filterInvoice?: ((invoice: ClinikoInvoice, items: readonly ClinikoInvoiceItem[], ctx: MappingContext) => boolean) | undefined;
  /** Sync invoices of patients that `filterPatient` left out. @defaultValue `false` */
  includeInvoicesOfFilteredPatients?: boolean | undefined;
  /** Tradify `customFields.custom1..4` ← a patient field or a Cliniko custom field. */
  customFields?: Partial<Record<keyof TradifyCustomFields, CustomFieldSource>> | undefined;
  /** Overrides of the default status table (10 open, 20 paid, 30 closed, 40 and null review). */
  statusTable?: StatusTable | undefined;
  taxTable?: readonly TaxTableEntry[] | undefined;
  approval?: ApprovalPolicy | undefined;
  /** @defaultValue `'cliniko-wins'` */
  conflictPolicy?: 'cliniko-wins' | 'review' | undefined;
  paymentTerms?: { /** @defaultValue `14` */ defaultDueDays?: number | undefined } | undefined;
  rounding?: RoundingPolicy | undefined;
  /** `'legal'` (first + last name) or `'preferred'` (preferred first name when set). @defaultValue `'legal'` */
  name?: 'legal' | 'preferred' | undefined;
  /** The customer's contact name: `invoice_default_to`, none, or your function. @defaultValue `'invoice_default_to'` */
  contactName?: 'invoice_default_to' | 'none' | ((patient: ClinikoPatient, ctx: MappingContext) => string | null) | undefined;
  /** A customer's owner (Cliniko patients have none): return a Tradify staff id or `null`. */
  customerOwner?: ((patient: ClinikoPatient, ctx: MappingContext) => string | null) | undefined;
}

/** A validated {@link MappingConfig} with every default filled in. */
export interface ResolvedMappingConfig {
  readonly customer: CustomerCallback | undefined;
  readonly invoice: InvoiceCallback | undefined;
  readonly filterPatient: ((patient: ClinikoPatient, ctx: MappingContext) => boolean) | undefined;
  readonly filterInvoice: ((invoice: ClinikoInvoice, items: readonly ClinikoInvoiceItem[], ctx: MappingContext) => boolean) | undefined;
  readonly includeInvoicesOfFilteredPatients: boolean;
  readonly customFields: Readonly<Partial<Record<keyof TradifyCustomFields, CustomFieldSource>>>;
  readonly statusTable: Readonly<Record<'10' | '20' | '30' | '40' | 'null', StatusBehaviour>>;
  readonly taxTable: readonly TaxTableEntry[];
  readonly approval: { readonly when: 'settled' | 'immediately' | 'manual'; readonly settleAfterMs: number; readonly onChangeAfterApproval: 'review' | 'reissue' };
  readonly conflictPolicy: 'cliniko-wins' | 'review';
  readonly defaultDueDays: number;
  readonly rounding: { readonly allowRoundingLine: boolean; readonly maxAmount: Decimal; readonly description: string };
  readonly name: 'legal' | 'preferred';
  readonly contactName: 'invoice_default_to' | 'none' | ((patient: ClinikoPatient, ctx: MappingContext) => string | null);
  readonly customerOwner: ((patient: ClinikoPatient, ctx: MappingContext) => string | null) | undefined;
}

/** The default status table: Cliniko status → behaviour (`docs/architecture.md#status-transitions`). */
export const DEFAULT_STATUS_TABLE: Readonly<Record<'10' | '20' | '30' | '40' | 'null', StatusBehaviour>> = Object.freeze({
  '10': 'open',
  '20': 'paid',
  '30': 'closed',
  '40': 'review',
  null: 'review',
});

/** The keys of a {@link MappingConfig}; the tables' own keys are data, checked by their resolvers. */
const MAPPING_SHAPE = {
  customer: true,
  invoice: true,
  filterPatient: true,
  filterInvoice: true,
  includeInvoicesOfFilteredPatients: true,
  customFields: true,
  statusTable: true,
  taxTable: true,
  approval: { when: true, settleAfter: true, onChangeAfterApproval: true } satisfies OptionShape<ApprovalPolicy>,
  conflictPolicy: true,
  paymentTerms: { defaultDueDays: true } satisfies OptionShape<NonNullable<MappingConfig['paymentTerms']>>,
  rounding: { allowRoundingLine: true, maxAmount: true, description: true } satisfies OptionShape<RoundingPolicy>,
  name: true,
  contactName: true,
  customerOwner: true,
} as const satisfies OptionShape<MappingConfig>;

/**
 * Throws a `ConfigError` for a key a {@link MappingConfig} does not have (nested policies
 * included), naming the nearest valid key: "unknown option `mapping.aproval`; did you mean `approval`?".
 */
export function rejectUnknownMappingKeys(input: unknown, owner?: string): void {
  rejectUnknownOptions(input, MAPPING_SHAPE, { path: 'mapping', owner });
}

const CUSTOM_FIELD_KEYS = ['custom1', 'custom2', 'custom3', 'custom4'] as const;
const STATUS_KEYS = ['10', '20', '30', '40', 'null'] as const;
const STATUS_BEHAVIOURS: readonly StatusBehaviour[] = ['open', 'paid', 'closed', 'review', 'skip'];

function fail(setting: string, message: string): never {
  throw new ConfigError(`mapping.${setting}`, `mapping.${setting} ${message}`);
}

function optionalFunction<T>(value: T | undefined, key: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') fail(key, 'must be a function (or left out).');
  return value;
}

function optionalObject<T>(value: T | undefined, key: string): T | undefined {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) fail(key, 'must be an object (or left out).');
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, key: string): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) fail(key, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}.`);
  return value as T;
}

function resolveCustomFields(input: MappingConfig['customFields']): ResolvedMappingConfig['customFields'] {
  if (input === undefined) return {};
  if (typeof input !== 'object' || input === null) fail('customFields', "must be an object like { custom1: { patientField: 'medicare' } }.");
  for (const [key, source] of Object.entries(input)) {
    if (!(CUSTOM_FIELD_KEYS as readonly string[]).includes(key)) fail(`customFields.${key}`, 'is not a Tradify custom field: use custom1, custom2, custom3 or custom4.');
    const s = source as Record<string, unknown> | undefined;
    const byPatientField = typeof s?.patientField === 'string' && s.patientField !== '';
    const bySection = typeof s?.section === 'string' && typeof s?.field === 'string';
    if (!byPatientField && !bySection) {
      fail(`customFields.${key}`, "must be { patientField: 'name' } or { section: 'Section name', field: 'Field name' }.");
    }
  }
  return { ...input };
}

function resolveStatusTable(input: StatusTable | undefined): ResolvedMappingConfig['statusTable'] {
  const table = { ...DEFAULT_STATUS_TABLE };
  for (const [key, behaviour] of Object.entries(input ?? {})) {
    if (!(STATUS_KEYS as readonly string[]).includes(key)) fail(`statusTable.${key}`, "is not a Cliniko invoice status: use '10', '20', '30', '40' or 'null'.");
    table[key as (typeof STATUS_KEYS)[number]] = oneOf(behaviour, STATUS_BEHAVIOURS, 'review', `statusTable.${key}`);
  }
  return Object.freeze(table);
}

function resolveTaxTable(input: readonly TaxTableEntry[] | undefined): readonly TaxTableEntry[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) fail('taxTable', "must be an array like [{ clinikoName: 'GST', tradifyTaxRateId: 'tax_gst' }].");
  input.forEach((entry, i) => {
    const key = `taxTable[${i}]`;
    if (entry.clinikoName === undefined && entry.percent === undefined) fail(key, 'needs clinikoName or percent to say which Cliniko tax it maps.');
    if (entry.percent !== undefined && Decimal.tryFrom(entry.percent) === undefined) fail(`${key}.percent`, "must be a decimal string such as '10'.");
    if ((entry.tradifyTaxRateId === undefined) === (entry.tradifyTaxRateName === undefined)) {
      fail(key, 'needs exactly one of tradifyTaxRateId or tradifyTaxRateName.');
    }
  });
  return Object.freeze(input.map((e) => ({ ...e })));
}

function resolveApproval(input: ApprovalPolicy | undefined): ResolvedMappingConfig['approval'] {
  optionalObject(input, 'approval');
  return Object.freeze({
    when: oneOf(input?.when, ['settled', 'immediately', 'manual'] as const, 'settled', 'approval.when'),
    settleAfterMs: parseDuration(input?.settleAfter ?? '24h', 'mapping.approval.settleAfter'),
    onChangeAfterApproval: oneOf(input?.onChangeAfterApproval, ['review', 'reissue'] as const, 'review', 'approval.onChangeAfterApproval'),
  });
}

function resolveDueDays(input: MappingConfig['paymentTerms']): number {
  const days = optionalObject(input, 'paymentTerms')?.defaultDueDays ?? 14;
  if (!Number.isInteger(days) || days < 0 || days > 3650) fail('paymentTerms.defaultDueDays', 'must be a whole number of days from 0 to 3650.');
  return days;
}

function resolveRounding(input: RoundingPolicy | undefined): ResolvedMappingConfig['rounding'] {
  optionalObject(input, 'rounding');
  const maxAmount = Decimal.tryFrom(input?.maxAmount ?? '0.05');
  if (maxAmount === undefined || maxAmount.sign() < 0) fail('rounding.maxAmount', "must be a non-negative decimal string such as '0.05'.");
  const description = input?.description ?? 'Rounding (to match Cliniko total)';
  if (typeof description !== 'string' || description.trim() === '' || description.length > 200) fail('rounding.description', 'must be 1–200 characters.');
  return Object.freeze({ allowRoundingLine: input?.allowRoundingLine === true, maxAmount, description });
}

function resolveContactName(input: MappingConfig['contactName']): ResolvedMappingConfig['contactName'] {
  if (typeof input === 'function') return input;
  return oneOf(input, ['invoice_default_to', 'none'] as const, 'invoice_default_to', 'contactName');
}

/**
 * Validates a {@link MappingConfig} and fills in the defaults.
 *
 * @throws ConfigError naming the key (e.g. `mapping.approval.when`) and the fix; for an unknown
 *   key, the nearest valid one.
 * @example
 * ```ts
 * const config = resolveMappingConfig({ approval: { when: 'immediately' }, paymentTerms: { defaultDueDays: 7 } });
 * ```
 */
export function resolveMappingConfig(input: MappingConfig = {}): ResolvedMappingConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ConfigError('mapping', 'mapping must be an object (a MappingConfig).');
  rejectUnknownMappingKeys(input);
  return Object.freeze({
    customer: optionalFunction(input.customer, 'customer'),
    invoice: optionalFunction(input.invoice, 'invoice'),
    filterPatient: optionalFunction(input.filterPatient, 'filterPatient'),
    filterInvoice: optionalFunction(input.filterInvoice, 'filterInvoice'),
    includeInvoicesOfFilteredPatients: input.includeInvoicesOfFilteredPatients === true,
    customFields: resolveCustomFields(input.customFields),
    statusTable: resolveStatusTable(input.statusTable),
    taxTable: resolveTaxTable(input.taxTable),
    approval: resolveApproval(input.approval),
    conflictPolicy: oneOf(input.conflictPolicy, ['cliniko-wins', 'review'] as const, 'cliniko-wins', 'conflictPolicy'),
    defaultDueDays: resolveDueDays(input.paymentTerms),
    rounding: resolveRounding(input.rounding),
    name: oneOf(input.name, ['legal', 'preferred'] as const, 'legal', 'name'),
    contactName: resolveContactName(input.contactName),
    customerOwner: optionalFunction(input.customerOwner, 'customerOwner'),
  });
}
