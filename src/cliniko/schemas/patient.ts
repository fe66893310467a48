/**
 * The Cliniko patient as the API returns it (`GET /patients`), snake_case, normalised.
 *
 * @module
 */
import { z } from 'zod';
import {
  clinikoIdSchema,
  linkRefSchema,
  nullableBooleanSchema,
  nullablePlainDateSchema,
  nullableTextSchema,
  nullableTimestampSchema,
  phoneNumbersSchema,
  selfLinksSchema,
  textOrEmptySchema,
  timestampSchema,
} from './common.js';

/**
 * Zod schema of a Cliniko patient. A loose object: unknown fields pass through untouched.
 *
 * @example
 * ```ts
 * const patient = clinikoPatientSchema.parse(json);
 * patient.address_2; // string | null — never ""
 * ```
 */
export const clinikoPatientSchema = z.looseObject({
  id: clinikoIdSchema,
  created_at: timestampSchema,
  updated_at: timestampSchema,
  archived_at: nullableTimestampSchema,
  deleted_at: nullableTimestampSchema,
  merged_at: nullableTimestampSchema,
  title: nullableTextSchema,
  first_name: textOrEmptySchema,
  last_name: textOrEmptySchema,
  preferred_first_name: nullableTextSchema,
  label: nullableTextSchema,
  email: nullableTextSchema,
  date_of_birth: nullablePlainDateSchema,
  sex: nullableTextSchema,
  gender_identity: nullableTextSchema,
  gender: nullableTextSchema,
  address_1: nullableTextSchema,
  address_2: nullableTextSchema,
  address_3: nullableTextSchema,
  city: nullableTextSchema,
  state: nullableTextSchema,
  post_code: nullableTextSchema,
  country: nullableTextSchema,
  country_code: nullableTextSchema,
  patient_phone_numbers: phoneNumbersSchema,
  emergency_contact: nullableTextSchema,
  occupation: nullableTextSchema,
  notes: nullableTextSchema,
  medicare: nullableTextSchema,
  old_reference_id: nullableTextSchema,
  invoice_default_to: nullableTextSchema,
  invoice_email: nullableTextSchema,
  invoice_extra_information: nullableTextSchema,
  referral_source: nullableTextSchema,
  reminder_type: nullableTextSchema,
  accepted_privacy_policy: nullableBooleanSchema,
  accepted_email_marketing: nullableBooleanSchema,
  accepted_sms_marketing: nullableBooleanSchema,
  time_zone: nullableTextSchema,
  custom_fields: z.transform((v: unknown) => v ?? null),
  merged_with_patient: linkRefSchema,
  concession_type: linkRefSchema,
  referring_doctor: linkRefSchema,
  links: selfLinksSchema,
});

/** A Cliniko patient after normalisation (see `schemas/common.ts` for the canonical forms). */
export type ClinikoPatient = z.output<typeof clinikoPatientSchema>;
