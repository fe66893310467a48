import { describe, expect, it } from 'vitest';
import { resolveMappingConfig, createMappingContext, mapPatientToCustomer, type CustomerMapping } from 'cliniko-tradify/mapping';
import { veto, type MappingConfig } from 'cliniko-tradify';
import { patient } from './fixtures.js';

const ctx = createMappingContext({ now: '2026-07-01T00:00:00Z' });

function map(over: Record<string, unknown> = {}, config: MappingConfig = {}, c = ctx) {
  return mapPatientToCustomer(patient(over), resolveMappingConfig(config), c);
}

function mapped(result: CustomerMapping) {
  if (result.status !== 'mapped') throw new Error(`expected mapped, got ${result.status}`);
  return result;
}

describe('patient → customer', () => {
  it('maps the reference example field by field', () => {
    const r = mapped(map());
    expect(r.draft).toEqual({
      name: 'Jane Citizen',
      contactName: null,
      email: 'jane@example.com',
      phone: null,
      mobile: '0412 345 678',
      fax: null,
      physicalAddress: { line1: '1 Example St', line2: null, suburb: 'Melbourne', state: 'VIC', postcode: '3000', country: 'AU' },
      postalAddress: { line1: '1 Example St', line2: null, suburb: 'Melbourne', state: 'VIC', postcode: '3000', country: 'AU' },
      externalReference: 'cliniko:patient:1390710863102485699',
      active: true,
    });
    expect(r.emailKeys).toEqual(['jane@example.com']);
    expect(r.findings).toEqual([]);
    expect(r.audit).toEqual({ clinikoCreatedAt: '2024-04-02T19:12:05Z', clinikoUpdatedAt: '2024-04-03T01:40:11Z' });
  });

  it('uses the legal name by default and the preferred first name as an option', () => {
    expect(mapped(map({ preferred_first_name: 'JJ' })).draft.name).toBe('Jane Citizen');
    expect(mapped(map({ preferred_first_name: 'JJ' }, { name: 'preferred' })).draft.name).toBe('JJ Citizen');
    expect(mapped(map({ preferred_first_name: '' }, { name: 'preferred' })).draft.name).toBe('Jane Citizen');
  });

  it('cuts a long name to 100 characters at a grapheme boundary, with a finding that holds no name', () => {
    const family = '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}'; // 8 code units
    const r = mapped(map({ first_name: 'A'.repeat(90), last_name: `${family}${family}` }));
    expect(r.draft.name.length).toBeLessThanOrEqual(100);
    expect(r.draft.name).toBe(`${'A'.repeat(90)} ${family}`);
    const f = r.findings.find((x) => x.code === 'name-truncated');
    expect(f).toMatchObject({ recordId: '1390710863102485699', field: 'name' });
    expect(JSON.stringify(r.findings)).not.toContain('AAAA');
  });

  it('names a nameless patient by id, with a warning', () => {
    const r = mapped(map({ first_name: '', last_name: ' ' }));
    expect(r.draft.name).toBe('Cliniko patient 1390710863102485699');
    expect(r.findings.map((f) => f.code)).toEqual(['name-missing']);
  });

  it('splits, trims, dedupes and validates emails; keys are lower-cased; text kept as given', () => {
    const r = mapped(map({ email: ' Jane@Example.com ; jane@example.COM, bob@example.com, not-an-email' }));
    expect(r.draft.email).toBe('Jane@Example.com, bob@example.com');
    expect(r.emailKeys).toEqual(['jane@example.com', 'bob@example.com']);
    expect(r.findings.map((f) => f.code)).toEqual(['email-invalid']);
    expect(JSON.stringify(r.findings)).not.toMatch(/example|not-an-email/);
  });

  it('keeps the email field within 50 characters, dropping later addresses with a finding', () => {
    const r = mapped(map({ email: 'first.person@example.com, second.person@example.com' }));
    expect(r.draft.email).toBe('first.person@example.com');
    expect(r.findings.map((f) => f.code)).toEqual(['email-too-long']);
  });

  it.each([
    [[['Mobile', '0400 000 001'], ['Home', '03 1'], ['Work', '03 2'], ['Fax', '03 9'], ['Fax', '03 8']], { mobile: '0400 000 001', phone: '03 1', fax: '03 9' }, 2],
    [[['Work', '03 2'], ['Home', '03 1']], { mobile: null, phone: '03 1', fax: null }, 1],
    [[['Other', '03 5'], ['Mobile', '0400']], { mobile: '0400', phone: '03 5', fax: null }, 0],
    [[['Other', '03 5'], ['Work', '03 2'], ['Other', '03 6']], { mobile: '03 5', phone: '03 2', fax: null }, 1],
    [[['Mobile', '  '], ['Mobile', '0401'], ['Mobile', '0402']], { mobile: '0401', phone: '0402', fax: null }, 0],
    [[['constructor', '0401'], ['toString', '0402'], ['Pager', '0403']], { mobile: '0402', phone: '0401', fax: null }, 1],
  ])('phones by type %#', (numbers, expected, dropped) => {
    const r = mapped(map({ patient_phone_numbers: numbers.map(([phone_type, number]) => ({ phone_type, number, normalized_number: null })) }));
    expect({ mobile: r.draft.mobile, phone: r.draft.phone, fax: r.draft.fax }).toEqual(expected);
    const f = r.findings.find((x) => x.code === 'phone-dropped');
    expect(f?.message.startsWith(`${dropped} phone`) ?? dropped === 0).toBe(true);
  });

  it('joins address lines 2 and 3, normalises state names and fills both addresses', () => {
    const r = mapped(map({ address_2: 'Unit 4', address_3: 'Rear', state: 'Victoria', country_code: null, country: 'Australia' }));
    expect(r.draft.physicalAddress).toEqual({ line1: '1 Example St', line2: 'Unit 4, Rear', suburb: 'Melbourne', state: 'VIC', postcode: '3000', country: 'AU' });
    expect(r.draft.postalAddress).toEqual(r.draft.physicalAddress);
    expect(r.draft.postalAddress).not.toBe(r.draft.physicalAddress);
  });

  it('leaves both addresses null when the patient has none', () => {
    const r = mapped(map({ address_1: null, address_2: null, address_3: null, city: null, state: null, post_code: null, country: null, country_code: null }));
    expect(r.draft.physicalAddress).toBeNull();
    expect(r.draft.postalAddress).toBeNull();
  });

  it.each([
    [{ archived_at: '2025-01-01T00:00:00Z' }, false, null],
    [{ archived_at: null }, true, null],
    [{ merged_at: '2025-01-01T00:00:00Z', merged_with_patient: { links: { self: 'https://api.au1.cliniko.com/v1/patients/1390710863102485700' } } }, false, '1390710863102485700'],
  ])('active flag and merge link: %j', (over, active, mergedInto) => {
    const r = mapped(map(over));
    expect(r.draft.active).toBe(active);
    expect(r.mergedWithPatientId).toBe(mergedInto);
    if (mergedInto) expect(r.findings.map((f) => f.code)).toContain('patient-merged');
  });

  it('carries invoice_default_to as the contact name by default, overridable', () => {
    expect(mapped(map({ invoice_default_to: ' Acme  Insurance ' })).draft.contactName).toBe('Acme Insurance');
    expect(mapped(map({ invoice_default_to: 'Acme' }, { contactName: 'none' })).draft.contactName).toBeNull();
    expect(mapped(map({}, { contactName: (p) => `${p.first_name} (self)` })).draft.contactName).toBe('Jane (self)');
  });

  it('sets an owner only through the callback, and only when the port supports it', () => {
    expect('ownerStaffId' in mapped(map()).draft).toBe(false);
    const config: MappingConfig = { customerOwner: () => 'stf_1' };
    expect(mapped(map({}, config)).draft.ownerStaffId).toBe('stf_1');
    const noOwners = createMappingContext({ now: '2026-07-01T00:00:00Z', capabilities: { ownerStaffId: false } });
    expect('ownerStaffId' in mapped(map({}, config, noOwners)).draft).toBe(false);
  });

  it('maps declarative custom fields from patient fields and Cliniko custom fields', () => {
    const custom_fields = {
      sections: [
        {
          name: 'Intake',
          token: 't1',
          fields: [
            { name: 'Referrer', type: 'text', token: 'f1', value: 'Dr Who' },
            { name: 'Interests', type: 'checkboxes', token: 'f2', options: [{ name: 'Running', token: 'o1', selected: true }, { name: 'Golf', token: 'o2' }], other: { enabled: true, selected: true, value: 'Chess' } },
          ],
        },
      ],
    };
    const r = mapped(
      map({ custom_fields, medicare: '1234567890' }, {
        customFields: { custom1: { patientField: 'medicare' }, custom2: { section: 'intake', field: 'REFERRER' }, custom3: { section: 'Intake', field: 'Interests' }, custom4: { section: 'Nope', field: 'x' } },
      }),
    );
    expect(r.draft.customFields).toEqual({ custom1: '1234567890', custom2: 'Dr Who', custom3: 'Running, Chess', custom4: null });
  });

  it('lets the callback change the draft, or veto with a reason, or veto with null', () => {
    const changed = mapped(map({}, { customer: (d) => ({ ...d, name: d.name.toUpperCase() }) }));
    expect(changed.draft.name).toBe('JANE CITIZEN');
    const vetoed = map({}, { customer: () => veto('staff-account') });
    expect(vetoed).toMatchObject({ status: 'skipped', reason: 'vetoed', detail: 'staff-account' });
    expect(map({}, { customer: () => null })).toMatchObject({ status: 'skipped', reason: 'vetoed' });
  });

  it('filters patients, and turns a throwing callback into a failure without leaking its message', () => {
    expect(map({}, { filterPatient: (p) => p.last_name !== 'Citizen' })).toMatchObject({ status: 'skipped', reason: 'patient-filtered' });
    const failed = map({}, {
      customer: () => {
        throw new TypeError('jane@example.com broke it');
      },
    });
    expect(failed).toMatchObject({ status: 'failed', reason: 'callback-failed' });
    const ownerThrows = map({}, { customerOwner: () => { throw new Error('x'); } });
    expect(ownerThrows).toMatchObject({ status: 'failed', reason: 'callback-failed' });
    expect(JSON.stringify(failed)).not.toContain('jane@example.com broke');
  });

  it('findings never carry patient data (canary in every text field)', () => {
    const canary = 'CANARY7731';
    const r = map({
      first_name: `${canary}${'x'.repeat(120)}`,
      last_name: canary,
      email: `${canary}@example.com, ${canary}-not-an-email, second${canary}@example.com`,
      state: `${canary} State`,
      country: `${canary}land`,
      country_code: null,
      invoice_default_to: canary,
      patient_phone_numbers: [['Home', canary], ['Work', canary], ['Fax', canary], ['Fax', canary]].map(([phone_type, number]) => ({ phone_type, number, normalized_number: null })),
    });
    expect(mapped(r).findings.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(r.findings)).not.toContain(canary);
  });

  it('the callback receives the context with the zone and now', () => {
    let seen: unknown;
    map({}, { customer: (d, _p, c) => ((seen = [c.timeZone, c.now]), d) });
    expect(seen).toEqual(['Australia/Sydney', '2026-07-01T00:00:00.000Z']);
  });
});
