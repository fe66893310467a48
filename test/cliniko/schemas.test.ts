import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  clinikoInvoiceItemSchema,
  clinikoInvoiceSchema,
  clinikoPatientSchema,
  clinikoPractitionerSchema,
  clinikoUserSchema,
  clinikoTaxSchema,
  clinikoBusinessSchema,
  clinikoSettingsSchema,
  linkedId,
} from 'cliniko-tradify/cliniko';
import { compareIds } from '../../src/cliniko/links.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/cliniko/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('golden fixtures (the documented example patient and invoice, verbatim)', () => {
  it('parses the example patient and normalises blank text to null', () => {
    const p = clinikoPatientSchema.parse(fixture('patient-5.5.json'));
    expect(p.id).toBe('1390710863102485699');
    expect(p.first_name).toBe('Jane');
    expect(p.date_of_birth).toBe('1988-07-14');
    expect(p.address_2).toBeNull();
    expect(p.emergency_contact).toBeNull();
    expect(p.archived_at).toBeNull();
    expect(p.merged_with_patient).toBeNull();
    expect(p.patient_phone_numbers).toEqual([{ phone_type: 'Mobile', number: '0412 345 678', normalized_number: '61412345678' }]);
    expect(p.links?.self).toBe('https://api.au1.cliniko.com/v1/patients/1390710863102485699');
    expect(p.old_reference_id).toBe('CRM-000123');
    // Loose: unmodelled fields pass through untouched.
    expect((p as Record<string, unknown>).medicare_reference_number).toBe('');
  });

  it('parses the example invoice with decimals as exact strings and links readable as ids', () => {
    const inv = clinikoInvoiceSchema.parse(fixture('invoice-6.5.json'));
    expect(inv.id).toBe('1390730000000000001');
    expect(inv.number).toBe(1042);
    expect(inv.status).toBe(10);
    expect(inv.total_amount).toBe('110.0');
    expect(inv.issue_date).toBe('2024-04-03');
    expect(linkedId(inv.patient)).toBe('1390710863102485699');
    expect(linkedId(inv.practitioner)).toBe('1390053863163176768');
    expect(linkedId(inv.business)).toBe('1390053865344214699');
    expect(linkedId(inv.appointment)).toBe('1390726237298631770');
    expect(inv.original_invoice).toBeNull();
  });
});

describe('odd shapes (docs/cliniko-api-notes.md#odd-shapes-the-schemas-accept)', () => {
  it('accepts quantity as an integer and total_including_tax as a string (legacy item)', () => {
    const item = clinikoInvoiceItemSchema.parse(fixture('invoice-item-legacy.json'));
    expect(item.quantity).toBe('1');
    expect(item.total_including_tax).toBe('90.0');
    expect(item.archived_at).toBeNull();
    expect(item.tax_rate).toBeNull();
    expect(item.concession_type_name).toBeNull();
    expect(linkedId(item.invoice)).toBe('1390730000000000001');
  });

  it('accepts quantity as a string and total_including_tax as a number (SPEC item)', () => {
    const item = clinikoInvoiceItemSchema.parse({ ...fixture('invoice-item-legacy.json'), quantity: '2.5', total_including_tax: 90.01, tax_rate: '10.0' });
    expect(item.quantity).toBe('2.5');
    expect(item.total_including_tax).toBe('90.01');
    expect(item.tax_rate).toBe('10.0');
  });

  it('rejects a float that cannot be written exactly and a non-decimal string', () => {
    expect(clinikoInvoiceItemSchema.safeParse({ ...fixture('invoice-item-legacy.json'), total_including_tax: 1e21 }).success).toBe(false);
    expect(clinikoInvoiceItemSchema.safeParse({ ...fixture('invoice-item-legacy.json'), unit_price: 'ten' }).success).toBe(false);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['{links:{self:null}}', { links: { self: null } }],
    ['{links:null}', { links: null }],
  ])('treats a %s link as null', (_label, value) => {
    const raw = { ...fixture('invoice-6.5.json') };
    if (value === undefined) delete raw.practitioner;
    else raw.practitioner = value;
    const inv = clinikoInvoiceSchema.parse(raw);
    expect(inv.practitioner).toBeNull();
    expect(linkedId(inv.practitioner)).toBeNull();
  });

  it('turns "" timestamps into null and canonicalises offsets to whole-second UTC', () => {
    const p = clinikoPatientSchema.parse({ ...fixture('patient-5.5.json'), archived_at: '', merged_at: '', updated_at: '2024-04-03T11:40:11.250+10:00' });
    expect(p.archived_at).toBeNull();
    expect(p.merged_at).toBeNull();
    expect(p.updated_at).toBe('2024-04-03T01:40:11Z');
  });

  it('rejects a malformed timestamp and names the path, never the value', () => {
    const r = clinikoPatientSchema.safeParse({ ...fixture('patient-5.5.json'), updated_at: 'yesterday-secret' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['updated_at']);
    expect(JSON.stringify(r.error?.issues)).not.toContain('yesterday-secret');
  });

  it('reads merged_with_patient, status null and a number id that is still safe', () => {
    const p = clinikoPatientSchema.parse({
      ...fixture('patient-5.5.json'),
      merged_with_patient: { links: { self: 'https://api.au1.cliniko.com/v1/patients/999' } },
    });
    expect(linkedId(p.merged_with_patient)).toBe('999');
    const inv = clinikoInvoiceSchema.parse({ ...fixture('invoice-6.5.json'), status: null, status_description: null, id: 12345 });
    expect(inv.status).toBeNull();
    expect(inv.id).toBe('12345');
  });

  it('refuses an id sent as an unsafe JSON number (precision already lost)', () => {
    expect(clinikoPatientSchema.safeParse({ ...fixture('patient-5.5.json'), id: Number('1390710863102485699') }).success).toBe(false);
  });

  it('parses the other resources', () => {
    const user = clinikoUserSchema.parse({ id: '7', first_name: 'A', last_name: 'B', email: 'a@b.co', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', links: { self: `x/users/7` } });
    expect(user.phone_numbers).toEqual([]);
    const pr = clinikoPractitionerSchema.parse({ id: '8', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', user: { links: { self: 'https://api.au1.cliniko.com/v1/users/7' } } });
    expect(linkedId(pr.user)).toBe('7');
    expect(clinikoTaxSchema.parse({ id: '9', name: 'GST', rate: '10.0', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' }).rate).toBe('10.0');
    expect(clinikoBusinessSchema.parse({ id: '1', time_zone_identifier: 'Australia/Sydney', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' }).time_zone_identifier).toBe('Australia/Sydney');
    expect(clinikoSettingsSchema.parse({ account: { country_code: 'AU', time_zone_support: true } }).account?.time_zone_support).toBe(true);
  });
});

describe('ids', () => {
  it('round-trips 19-digit ids above 2^53 exactly and orders them as BigInt', () => {
    const big = '9007199254740993123';
    const p = clinikoPatientSchema.parse({ ...fixture('patient-5.5.json'), id: big });
    expect(p.id).toBe(big);
    const ids = ['9223372036854775807', '999999999999999999', '1390710863102485699', '9007199254740993'];
    expect([...ids].sort(compareIds)).toEqual(['9007199254740993', '999999999999999999', '1390710863102485699', '9223372036854775807']);
    // As text the 18-digit id would wrongly sort last.
    expect([...ids].sort()[3]).toBe('999999999999999999');
  });

  it('linkedId reads the last path segment and ignores query strings and non-ids', () => {
    expect(linkedId('https://api.au4.cliniko.com/v1/users/1390053863163176768/')).toBe('1390053863163176768');
    expect(linkedId('https://api.au1.cliniko.com/v1/attendees?q%5B%5D=patient_id%3A%3D1')).toBeNull();
    expect(linkedId(undefined)).toBeNull();
  });
});
