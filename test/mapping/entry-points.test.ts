/**
 * Custom mapping rules tested as docs/mapping.md ("Testing your rules") teaches: records built
 * with `cliniko-tradify/cliniko`'s schemas, mapped with `cliniko-tradify/mapping`.
 */
import { describe, expect, it } from 'vitest';
import { clinikoPatientSchema, linkedId } from 'cliniko-tradify/cliniko';
import { createMappingContext, mapPatientToCustomer, patientExternalReference, resolveMappingConfig, veto } from 'cliniko-tradify/mapping';

const ctx = createMappingContext({ timeZone: 'Australia/Sydney', now: '2026-07-01T00:00:00Z' });
const staffRule = resolveMappingConfig({
  customer: (draft, patient) => (patient.email?.endsWith('@clinic.example') ? veto('staff-account') : draft),
});

function rawPatient(email: string): Record<string, unknown> {
  return {
    id: '1390710863102485699',
    created_at: '2026-01-15T00:00:00Z',
    updated_at: '2026-01-15T00:00:00Z',
    first_name: 'Jo',
    last_name: 'Citizen',
    email,
    merged_with_patient: { links: { self: 'https://api.au1.cliniko.com/v1/patients/1390710863102485700' } },
  };
}

describe('a custom rule tested through the public entry points', () => {
  it('vetoes a staff account with the rule’s reason', () => {
    const patient = clinikoPatientSchema.parse(rawPatient('jo@clinic.example'));
    expect(mapPatientToCustomer(patient, staffRule, ctx)).toMatchObject({ status: 'skipped', reason: 'vetoed', detail: 'staff-account' });
  });

  it('maps anyone else to a customer carrying our reference, with the 19-digit id kept as text', () => {
    const patient = clinikoPatientSchema.parse(rawPatient('jo@example.com'));
    const mapped = mapPatientToCustomer(patient, staffRule, ctx);
    expect(mapped.status).toBe('mapped');
    if (mapped.status !== 'mapped') return;
    expect(mapped.draft.externalReference).toBe(patientExternalReference('1390710863102485699'));
    expect(mapped.draft.name).toBe('Jo Citizen');
    expect(linkedId(patient.merged_with_patient)).toBe('1390710863102485700');
  });
});
