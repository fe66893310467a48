/**
 * The Cliniko business (`GET /businesses`): a clinic location with its time zone.
 *
 * @module
 */
import { z } from 'zod';
import {
  clinikoIdSchema,
  nullableTextSchema,
  nullableTimestampSchema,
  selfLinksSchema,
  timestampSchema,
} from './common.js';

/** Zod schema of a Cliniko business. `time_zone_identifier` is IANA; `time_zone` is a label. */
export const clinikoBusinessSchema = z.looseObject({
  id: clinikoIdSchema,
  business_name: nullableTextSchema,
  display_name: nullableTextSchema,
  label: nullableTextSchema,
  address_1: nullableTextSchema,
  address_2: nullableTextSchema,
  city: nullableTextSchema,
  state: nullableTextSchema,
  post_code: nullableTextSchema,
  country: nullableTextSchema,
  country_code: nullableTextSchema,
  business_registration_name: nullableTextSchema,
  business_registration_value: nullableTextSchema,
  time_zone: nullableTextSchema,
  time_zone_identifier: nullableTextSchema,
  created_at: timestampSchema,
  updated_at: timestampSchema,
  archived_at: nullableTimestampSchema,
  deleted_at: nullableTimestampSchema,
  links: selfLinksSchema,
});

/** A Cliniko business after normalisation. */
export type ClinikoBusiness = z.output<typeof clinikoBusinessSchema>;
