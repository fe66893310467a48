/**
 * The one-pass field schemas of `schemas/common.ts` (task P): the shapes and outputs the old
 * union/nullish/transform chains gave, the issue paths, and no exception escaping `safeParse`.
 */
import { describe, expect, it } from 'vitest';
import {
  clinikoIdSchema,
  linkRefSchema,
  nullableDecimalSchema,
  nullableIntegerSchema,
  nullableTextSchema,
  nullableTimestampSchema,
  phoneNumbersSchema,
  selfLinksSchema,
  timestampSchema,
} from '../../src/cliniko/schemas/common.js';
import { clinikoInvoiceItemSchema, clinikoPatientSchema } from 'cliniko-tradify/cliniko';

const patient = {
  id: '1390710863102485699',
  created_at: '2024-04-02T19:12:05Z',
  updated_at: '2024-04-03T01:40:11Z',
  first_name: 'Jane',
  last_name: 'Citizen',
};

const item = {
  id: '1390730000000000010',
  created_at: '2024-04-03T00:15:02Z',
  updated_at: '2024-04-03T00:15:02Z',
};

describe('single-pass field schemas', () => {
  it('normalises each accepted shape exactly as documented', () => {
    expect(clinikoIdSchema.parse(12345)).toBe('12345');
    expect(clinikoIdSchema.parse('9007199254740993123')).toBe('9007199254740993123');
    expect(timestampSchema.parse('2024-04-03T11:40:11.250+10:00')).toBe('2024-04-03T01:40:11Z');
    expect(nullableTimestampSchema.parse('')).toBeNull();
    expect(nullableDecimalSchema.parse(90.01)).toBe('90.01');
    expect(nullableDecimalSchema.parse('')).toBeNull();
    expect(nullableIntegerSchema.parse('20')).toBe(20);
    expect(nullableIntegerSchema.parse('')).toBeNull();
    expect(nullableTextSchema.parse('')).toBeNull();
    expect(linkRefSchema.parse({ links: { self: '' } })).toBeNull();
    expect(linkRefSchema.parse({ links: { self: 'https://x/v1/patients/1', extra: 1 }, other: 2 })).toEqual({ links: { self: 'https://x/v1/patients/1' } });
    expect(selfLinksSchema.parse(null)).toBeNull();
  });

  it('refuses what the old chains refused', () => {
    expect(clinikoIdSchema.safeParse(-1).success).toBe(false);
    expect(clinikoIdSchema.safeParse(2 ** 53).success).toBe(false);
    expect(clinikoIdSchema.safeParse('12a').success).toBe(false);
    expect(nullableDecimalSchema.safeParse(1e-7).success).toBe(false);
    expect(nullableDecimalSchema.safeParse(Number.NaN).success).toBe(false);
    expect(nullableIntegerSchema.safeParse(1.5).success).toBe(false);
    expect(nullableIntegerSchema.safeParse(2 ** 53).success).toBe(false);
    expect(nullableTextSchema.safeParse(5).success).toBe(false);
    expect(linkRefSchema.safeParse([]).success).toBe(false);
  });

  it('reports a timestamp with no such instant as an issue instead of throwing', () => {
    const result = timestampSchema.safeParse('2024-13-45T99:00:00+10:00');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe('invalid_format');
  });

  it('keeps an item quantity of "" an error (it is not a blank), and null/absent null', () => {
    expect(clinikoInvoiceItemSchema.safeParse({ ...item, quantity: '' }).success).toBe(false);
    expect(clinikoInvoiceItemSchema.parse({ ...item, quantity: null }).quantity).toBeNull();
    expect(clinikoInvoiceItemSchema.parse(item).quantity).toBeNull();
    expect(clinikoInvoiceItemSchema.parse({ ...item, quantity: 2 }).quantity).toBe('2');
  });

  it('names the nested path of a bad link or phone field, never its value', () => {
    const link = clinikoPatientSchema.safeParse({ ...patient, merged_with_patient: { links: { self: 42 } } });
    expect(link.error?.issues.map((i) => i.path)).toEqual([['merged_with_patient', 'links', 'self']]);
    const phone = clinikoPatientSchema.safeParse({ ...patient, patient_phone_numbers: [{ number: '1' }, { number: 'secret-0412', phone_type: 7 }] });
    expect(phone.error?.issues.map((i) => i.path)).toEqual([['patient_phone_numbers', 1, 'phone_type']]);
    expect(JSON.stringify(phone.error?.issues)).not.toContain('secret-0412');
  });
});

describe('phone numbers in one pass', () => {
  it('gives the three fields first, blanks as null, and keeps unknown keys untouched', () => {
    const [phone] = phoneNumbersSchema.parse([{ extension: '12', number: '0412 345 678', phone_type: 'Mobile', normalized_number: '' }]);
    expect(phone).toEqual({ phone_type: 'Mobile', number: '0412 345 678', normalized_number: null, extension: '12' });
    expect(Object.keys(phone!)).toEqual(['phone_type', 'number', 'normalized_number', 'extension']);
  });

  it('reads absent and null as an empty list and refuses a non-array or a non-object entry', () => {
    expect(phoneNumbersSchema.parse(undefined)).toEqual([]);
    expect(phoneNumbersSchema.parse(null)).toEqual([]);
    expect(phoneNumbersSchema.safeParse({}).success).toBe(false);
    expect(phoneNumbersSchema.safeParse([null]).error?.issues[0]?.path).toEqual([0]);
  });
});
