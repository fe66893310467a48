/**
 * Text normalisation for comparison, through the mapping's own helpers, and per-field hashes:
 * the staging area keeps hashes of normalised values, never the values.
 *
 * @module
 */
import type { ClinikoPatient } from '../../cliniko/schemas/patient.js';
import { mapAddress } from '../../mapping/address.js';
import { emailKey, mapEmails, splitEmails } from '../../mapping/emails.js';
import { patientFullName, tidySpaces } from '../../mapping/names.js';
import { mapPhones } from '../../mapping/phones.js';
import type { TradifyAddress, TradifyCustomer } from '../../tradify/port.js';
import { emailHash, sha256 } from '../hash.js';
import type { ExpectedCustomer } from './types.js';

/** The customer fields reconciliation compares. */
export const CUSTOMER_FIELDS = ['name', 'email', 'phone', 'address', 'active'] as const;

/** One compared customer field. */
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

/** The default expectation: legal name, emails, phones by type, address; archived → inactive. */
export function defaultExpectedCustomer(patient: ClinikoPatient): ExpectedCustomer {
  const phones = mapPhones(patient.patient_phone_numbers);
  return {
    name: patientFullName(patient, 'legal'),
    email: mapEmails(patient.email).email,
    phone: phones.phone,
    mobile: phones.mobile,
    physicalAddress: mapAddress(patient).address,
    active: patient.archived_at === null && patient.merged_at === null,
  };
}

function normaliseName(name: string | null | undefined): string {
  return tidySpaces(name).normalize('NFC').toLowerCase();
}

function normaliseEmails(email: string | null | undefined): string {
  return [...new Set(splitEmails(email).map(emailKey))].sort().join(',');
}

function normalisePhone(number: string | null | undefined): string {
  const text = tidySpaces(number);
  return text.startsWith('+') ? `+${text.replace(/\D/g, '')}` : text.replace(/\D/g, '');
}

function normaliseAddress(address: TradifyAddress | null | undefined): string {
  if (!address) return '';
  const parts = [address.line1, address.line2, address.suburb, address.state, address.postcode, address.country];
  const text = parts.map((p) => tidySpaces(p).toLowerCase()).join('|');
  return text.replace(/\|/g, '') === '' ? '' : text;
}

/** The normalised comparison text of each compared field. */
export function customerComparisonText(customer: ExpectedCustomer | TradifyCustomer): Record<CustomerField, string> {
  return {
    name: normaliseName(customer.name),
    email: normaliseEmails(customer.email),
    phone: `${normalisePhone(customer.phone)}/${normalisePhone(customer.mobile)}`,
    address: normaliseAddress(customer.physicalAddress),
    active: String(customer.active ?? true),
  };
}

/** A short salted hash of one normalised field value (the account salts it). */
export function fieldHash(accountId: string, field: string, text: string): string {
  return sha256(`field:${accountId}:${field}:${text}`).slice(0, 24);
}

/** Per-field hashes of a customer (expected or actual). */
export function customerFieldHashes(accountId: string, customer: ExpectedCustomer | TradifyCustomer): Record<string, string> {
  const texts = customerComparisonText(customer);
  const out: Record<string, string> = {};
  for (const field of CUSTOMER_FIELDS) out[field] = fieldHash(accountId, field, texts[field]);
  return out;
}

/** The salted hashes of every email in a field (lower-cased, de-duplicated). */
export function emailHashes(accountId: string, email: string | null | undefined): string[] {
  return [...new Set(splitEmails(email).map(emailKey))].map((e) => emailHash(accountId, e));
}
