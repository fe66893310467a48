/**
 * The Cliniko tax (`GET /taxes`). `rate` is a percentage string; `amount` is deprecated.
 *
 * @module
 */
import { z } from 'zod';
import { clinikoIdSchema, nullableDecimalSchema, nullableTextSchema, selfLinksSchema, timestampSchema } from './common.js';

/** Zod schema of a Cliniko tax. */
export const clinikoTaxSchema = z.looseObject({
  id: clinikoIdSchema,
  name: nullableTextSchema,
  rate: nullableDecimalSchema,
  amount: nullableDecimalSchema,
  created_at: timestampSchema,
  updated_at: timestampSchema,
  links: selfLinksSchema,
});

/** A Cliniko tax after normalisation. */
export type ClinikoTax = z.output<typeof clinikoTaxSchema>;
