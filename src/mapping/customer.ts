/**
 * Patient → Tradify customer (`docs/mapping.md`).
 *
 * @module
 */

import { linkedId } from '../core/ids.js';
import type { ClinikoPatient } from '../cliniko/schemas/patient.js';
import { ownersOn } from '../tradify/capabilities.js';
import type { TradifyCustomerInput } from '../tradify/port.js';
import { isVeto, type ResolvedMappingConfig } from './config.js';
import type { MappingContext } from './context.js';
import { mapAddress } from './address.js';
import { mapCustomFields } from './custom-fields.js';
import { mapEmails } from './emails.js';
import { finding, type Finding } from './findings.js';
import { cutToLength, patientFullName, tidySpaces, withoutControlCharacters } from './names.js';
import { mapPhones } from './phones.js';

/** Tradify's limit on a customer name. */
export const CUSTOMER_NAME_LIMIT = 100;

/** The `externalReference` of a patient's customer: `cliniko:patient:<id>`. */
export function patientExternalReference(patientId: string): string {
  return `cliniko:patient:${patientId}`;
}

/** Cliniko facts the engine records in the audit log. */
export interface AuditStamp {
  clinikoCreatedAt: string;
  clinikoUpdatedAt: string;
}

/** Common to every {@link CustomerMapping}. */
/** Fields every customer mapping result carries. */
export interface CustomerMappingBase {
  patientId: string;
  findings: Finding[];
  audit: AuditStamp;
}

/** The outcome of {@link mapPatientToCustomer}. */
export type CustomerMapping =
  | (CustomerMappingBase & {
      status: 'mapped';
      draft: TradifyCustomerInput;
      /** Lower-cased emails, for linking by email. */
      emailKeys: string[];
      /** The patient this one was merged into, when merged: the engine moves the link there. */
      mergedWithPatientId: string | null;
    })
  | (CustomerMappingBase & { status: 'skipped'; reason: 'patient-filtered' | 'vetoed'; detail?: string | undefined })
  | (CustomerMappingBase & { status: 'failed'; reason: 'callback-failed' | 'invalid-data' });

function customerName(patient: ClinikoPatient, config: ResolvedMappingConfig, findings: Finding[]): string {
  const full = patientFullName(patient, config.name);
  if (full === '') {
    findings.push(finding('name-missing', 'warning', patient.id, 'Patient has no name; the customer is named by its Cliniko id', 'first_name'));
    return `Cliniko patient ${patient.id}`;
  }
  const { text, cut } = cutToLength(full, CUSTOMER_NAME_LIMIT);
  if (cut) findings.push(finding('name-truncated', 'warning', patient.id, `Customer name cut to ${CUSTOMER_NAME_LIMIT} characters`, 'name'));
  return text;
}

function cleanContactName(raw: string | null | undefined): string | null {
  const text = tidySpaces(raw);
  return text === '' ? null : cutToLength(text, CUSTOMER_NAME_LIMIT).text;
}

/** Runs the integrator's functions that fill draft fields (contact name, owner). */
function applyFieldCallbacks(draft: TradifyCustomerInput, patient: ClinikoPatient, config: ResolvedMappingConfig, ctx: MappingContext): void {
  if (typeof config.contactName === 'function') draft.contactName = cleanContactName(config.contactName(patient, ctx));
  if (config.customerOwner && ownersOn(ctx.capabilities, 'customers')) draft.ownerStaffId = config.customerOwner(patient, ctx);
}

function contactFindings(patient: ClinikoPatient, emails: ReturnType<typeof mapEmails>, droppedPhones: number): Finding[] {
  const out: Finding[] = [];
  if (emails.invalid > 0) out.push(finding('email-invalid', 'warning', patient.id, `${emails.invalid} email address(es) are not valid and were left out`, 'email'));
  if (emails.dropped > 0) out.push(finding('email-too-long', 'info', patient.id, `${emails.dropped} email address(es) did not fit Tradify's email field`, 'email'));
  if (droppedPhones > 0) out.push(finding('phone-dropped', 'info', patient.id, `${droppedPhones} phone number(s) had no free Tradify field`, 'patient_phone_numbers'));
  return out;
}

function draftCustomer(patient: ClinikoPatient, config: ResolvedMappingConfig, findings: Finding[]) {
  const emails = mapEmails(patient.email);
  const phones = mapPhones(patient.patient_phone_numbers);
  const address = mapAddress(patient);
  findings.push(...contactFindings(patient, emails, phones.dropped));
  if (address.stateUnrecognised) findings.push(finding('state-unrecognised', 'info', patient.id, 'State is not a recognised state or territory; kept as entered', 'state'));
  if (address.countryUnrecognised) findings.push(finding('country-unrecognised', 'warning', patient.id, 'Country is not recognised; left empty', 'country'));
  const merged = patient.merged_at !== null || linkedId(patient.merged_with_patient) !== null;
  const draft: TradifyCustomerInput = {
    name: customerName(patient, config, findings),
    contactName: config.contactName === 'invoice_default_to' ? cleanContactName(patient.invoice_default_to) : null,
    email: emails.email,
    phone: phones.phone,
    mobile: phones.mobile,
    fax: phones.fax,
    physicalAddress: address.address,
    postalAddress: address.address === null ? null : { ...address.address },
    externalReference: patientExternalReference(patient.id),
    active: patient.archived_at === null && patient.deleted_at === null && !merged,
  };
  if (Object.keys(config.customFields).length > 0) {
    const custom = mapCustomFields(patient, config.customFields);
    draft.customFields = custom.customFields;
    findings.push(...custom.findings);
  }
  return { draft, emailKeys: emails.keys, merged };
}

/**
 * Maps a Cliniko patient to a Tradify customer draft, applying the filter and the
 * `customer` callback. Never throws: a throwing callback gives `status: 'failed'`.
 *
 * @example
 * ```ts
 * const result = mapPatientToCustomer(patient, resolveMappingConfig(), ctx);
 * if (result.status === 'mapped') await tradify.customers.create(result.draft);
 * ```
 */
export function mapPatientToCustomer(patient: ClinikoPatient, config: ResolvedMappingConfig, ctx: MappingContext): CustomerMapping {
  const findings: Finding[] = [];
  const audit = { clinikoCreatedAt: patient.created_at, clinikoUpdatedAt: patient.updated_at };
  const patientId = patient.id;
  let stage: 'callback' | 'mapping' = 'callback';
  try {
    if (config.filterPatient && !config.filterPatient(patient, ctx)) return { patientId, findings, audit, status: 'skipped', reason: 'patient-filtered' };
    stage = 'mapping';
    const { draft, emailKeys, merged } = draftCustomer(patient, config, findings);
    stage = 'callback';
    applyFieldCallbacks(draft, patient, config, ctx);
    const mergedWithPatientId = linkedId(patient.merged_with_patient);
    if (merged) findings.push(finding('patient-merged', 'info', patient.id, mergedWithPatientId ? `Patient merged into ${mergedWithPatientId}; customer made inactive` : 'Patient merged; customer made inactive', 'merged_with_patient'));
    const changed = config.customer ? config.customer(draft, patient, ctx) : draft;
    if (changed === null || isVeto(changed)) {
      const detail = changed === null ? undefined : changed.reason;
      findings.push(finding('callback-vetoed', 'info', patient.id, `The customer callback vetoed this patient${detail ? ` (${detail})` : ''}`));
      return { patientId, findings, audit, status: 'skipped', reason: 'vetoed', detail };
    }
    // our own fields are already clean; a callback may hand back raw Cliniko text (no customer field is multi-line)
    const clean = config.customer ? withoutControlCharacters(changed) : changed;
    return { patientId, findings, audit, status: 'mapped', draft: clean, emailKeys, mergedWithPatientId };
  } catch (error) {
    const kind = error instanceof Error ? error.name : typeof error;
    if (stage === 'mapping') {
      findings.push(finding('invalid-data', 'error', patient.id, `The record could not be mapped (${kind})`));
      return { patientId, findings, audit, status: 'failed', reason: 'invalid-data' };
    }
    findings.push(finding('callback-failed', 'error', patient.id, `A mapping callback threw (${kind})`));
    return { patientId, findings, audit, status: 'failed', reason: 'callback-failed' };
  }
}
