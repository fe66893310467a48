/**
 * Validation of `POST /patients` and `PATCH /patients/{id}` bodies: only the writable
 * fields of SPEC's request body are applied, blank names and malformed values answer 422
 * `{"message":"Validation Failed","errors":{field: message}}` (a single string per field,
 * with the typographic apostrophe of "can’t be blank").
 *
 * @module
 */
import type { FakePatientRow, FakePhoneNumber } from './records.js';

/** The 422 message for a missing name (U+2019 apostrophe, as Cliniko sends it). */
export const CANT_BE_BLANK = 'can\u2019t be blank';

const TEXT_FIELDS = [
  'title', 'first_name', 'last_name', 'preferred_first_name', 'email', 'sex', 'gender_identity', 'address_1', 'address_2',
  'address_3', 'city', 'state', 'post_code', 'country', 'country_code', 'emergency_contact', 'occupation', 'notes',
  'appointment_notes', 'medicare', 'medicare_reference_number', 'dva_card_number', 'old_reference_id', 'invoice_default_to',
  'invoice_email', 'invoice_extra_information', 'referral_source', 'time_zone',
] as const;
const BOOLEAN_FIELDS = [
  'receives_confirmation_emails', 'receives_cancellation_emails', 'accepted_privacy_policy', 'accepted_email_marketing',
] as const;
const PHONE_TYPES = new Set(['Fax', 'Home', 'Mobile', 'Other', 'Work']);
const REMINDER_TYPES = new Set(['None', 'SMS', 'Email', 'SMS & Email']);
const EMAIL = /^[A-Z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Z0-9.-]+\.[A-Z]{2,63}$/i;

/** The outcome of validating a body: the fields to apply, or the 422 `errors` map. */
export type PatientWrite = { ok: true; fields: Partial<FakePatientRow> } | { ok: false; errors: Record<string, string> };

/**
 * Validates a create or update body.
 *
 * @param body - the parsed JSON body (a `{ patient: {...} }` wrapper is accepted too)
 * @param creating - `true` for POST: `first_name` and `last_name` are then required
 */
export function validatePatientWrite(body: Record<string, unknown>, creating: boolean): PatientWrite {
  const input = isObject(body.patient) ? body.patient : body;
  const fields: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const name of TEXT_FIELDS) readText(input, name, fields, errors);
  for (const name of BOOLEAN_FIELDS) readBoolean(input, name, fields, errors);
  for (const name of ['first_name', 'last_name'] as const) {
    const given = Object.hasOwn(input, name);
    if ((creating || given) && !(typeof fields[name] === 'string' && (fields[name] as string).trim() !== '')) errors[name] = CANT_BE_BLANK;
  }
  for (const name of ['email', 'invoice_email'] as const) {
    const value = fields[name];
    if (typeof value === 'string' && value !== '' && !EMAIL.test(value)) errors[name] = 'is invalid';
  }
  readSpecial(input, fields, errors);
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, fields: fields as Partial<FakePatientRow> };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readText(input: Record<string, unknown>, name: string, fields: Record<string, unknown>, errors: Record<string, string>): void {
  if (!Object.hasOwn(input, name)) return;
  const value = input[name];
  if (value === null || typeof value === 'string') fields[name] = value;
  else errors[name] = 'is invalid';
}

function readBoolean(input: Record<string, unknown>, name: string, fields: Record<string, unknown>, errors: Record<string, string>): void {
  if (!Object.hasOwn(input, name)) return;
  const value = input[name];
  if (value === null || typeof value === 'boolean') fields[name] = value;
  else errors[name] = 'is invalid';
}

function readSpecial(input: Record<string, unknown>, fields: Record<string, unknown>, errors: Record<string, string>): void {
  if (Object.hasOwn(input, 'date_of_birth')) {
    const value = input.date_of_birth;
    if (value === null || (typeof value === 'string' && isPlainDate(value))) fields.date_of_birth = value;
    else errors.date_of_birth = 'is invalid';
  }
  if (Object.hasOwn(input, 'reminder_type')) {
    const value = input.reminder_type;
    if (value === null || (typeof value === 'string' && REMINDER_TYPES.has(value))) fields.reminder_type = value;
    else errors.reminder_type = 'is not included in the list';
  }
  if (Object.hasOwn(input, 'custom_fields')) {
    const value = input.custom_fields;
    if (value === null || isObject(value)) fields.custom_fields = value;
    else errors.custom_fields = 'must be an object';
  }
  if (Object.hasOwn(input, 'patient_phone_numbers')) {
    const phones = readPhones(input.patient_phone_numbers);
    if (phones) fields.patient_phone_numbers = phones;
    else errors.patient_phone_numbers = 'is invalid';
  }
}

function isPlainDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const month = Number.parseInt(match[2] ?? '', 10);
  const day = Number.parseInt(match[3] ?? '', 10);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** Sending the array replaces the whole list (the natural reading; unverified). */
function readPhones(value: unknown): FakePhoneNumber[] | undefined {
  if (value === null) return [];
  if (!Array.isArray(value)) return undefined;
  const phones: FakePhoneNumber[] = [];
  for (const item of value) {
    if (!isObject(item) || typeof item.number !== 'string' || typeof item.phone_type !== 'string' || !PHONE_TYPES.has(item.phone_type)) return undefined;
    phones.push({ phone_type: item.phone_type, number: item.number, normalized_number: normalizePhone(item.number) });
  }
  return phones;
}

function normalizePhone(number: string): string {
  const digits = number.replace(/\D/g, '');
  return digits.startsWith('0') ? `61${digits.slice(1)}` : digits;
}
