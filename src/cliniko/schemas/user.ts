/**
 * The Cliniko user (`GET /users`), read-only; users cannot be filtered by email.
 *
 * @module
 */
import { z } from 'zod';
import {
  clinikoIdSchema,
  nullableBooleanSchema,
  nullableTextSchema,
  nullableTimestampSchema,
  phoneNumbersSchema,
  selfLinksSchema,
  timestampSchema,
} from './common.js';

/** Zod schema of a Cliniko user. `time_zone` is a Cliniko label; `time_zone_identifier` is IANA. */
export const clinikoUserSchema = z.looseObject({
  id: clinikoIdSchema,
  title: nullableTextSchema,
  first_name: nullableTextSchema,
  last_name: nullableTextSchema,
  email: nullableTextSchema,
  role: nullableTextSchema,
  active: nullableBooleanSchema,
  user_active: nullableBooleanSchema,
  time_zone: nullableTextSchema,
  time_zone_identifier: nullableTextSchema,
  phone_numbers: phoneNumbersSchema,
  created_at: timestampSchema,
  updated_at: timestampSchema,
  archived_at: nullableTimestampSchema,
  links: selfLinksSchema,
});

/** A Cliniko user after normalisation. */
export type ClinikoUser = z.output<typeof clinikoUserSchema>;
