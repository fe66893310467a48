/**
 * The Cliniko practitioner (`GET /practitioners`), read-only. Practitioners carry no email:
 * follow `user` (see `linkedId`) to the user's email.
 *
 * @module
 */
import { z } from 'zod';
import {
  clinikoIdSchema,
  linkRefSchema,
  nullableBooleanSchema,
  nullableTextSchema,
  selfLinksSchema,
  timestampSchema,
} from './common.js';

/** Zod schema of a Cliniko practitioner. */
export const clinikoPractitionerSchema = z.looseObject({
  id: clinikoIdSchema,
  title: nullableTextSchema,
  first_name: nullableTextSchema,
  last_name: nullableTextSchema,
  display_name: nullableTextSchema,
  label: nullableTextSchema,
  designation: nullableTextSchema,
  active: nullableBooleanSchema,
  show_in_online_bookings: nullableBooleanSchema,
  created_at: timestampSchema,
  updated_at: timestampSchema,
  user: linkRefSchema,
  links: selfLinksSchema,
});

/** A Cliniko practitioner after normalisation. */
export type ClinikoPractitioner = z.output<typeof clinikoPractitionerSchema>;
