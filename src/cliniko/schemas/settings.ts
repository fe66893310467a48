/**
 * Cliniko account settings (`GET /settings`, `docs/cliniko-api-notes.md#the-records-the-library-reads`). Needs a role that can view settings.
 *
 * @module
 */
import { z } from 'zod';
import { clinikoIdSchema, nullableBooleanSchema, nullableTextSchema } from './common.js';

/** Zod schema of `GET /settings`; only `account` is modelled, the rest passes through. */
export const clinikoSettingsSchema = z.looseObject({
  account: z
    .looseObject({
      id: clinikoIdSchema.nullish().transform((v) => v ?? null),
      name: nullableTextSchema,
      subdomain: nullableTextSchema,
      country: nullableTextSchema,
      country_code: nullableTextSchema,
      currency_symbol: nullableTextSchema,
      time_zone_support: nullableBooleanSchema,
    })
    .nullish()
    .transform((v) => v ?? null),
});

/** Cliniko settings after normalisation. */
export type ClinikoSettings = z.output<typeof clinikoSettingsSchema>;
