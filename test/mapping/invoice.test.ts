import { describe, expect, it } from 'vitest';
import { clinikoPractitionerSchema, clinikoUserSchema } from 'cliniko-tradify/cliniko';
import {
  resolveMappingConfig,
  createMappingContext,
  invoiceExternalReference,
  mapInvoice,
  parseExternalReference,
  type InvoiceMappingInput,
  buildOwnerDirectory,
  checkTaxTable,
} from 'cliniko-tradify/mapping';
import { veto, type MappingConfig } from 'cliniko-tradify';
import { RATES, invoice, item, legacyItem } from './fixtures.js';

const API = 'https://api.au1.cliniko.com/v1';
const ctx = createMappingContext({ now: '2026-07-01T00:00:00Z' });
const taxes = checkTaxTable(RATES, resolveMappingConfig());
const stamp = { created_at: '2024-04-03T00:15:02Z', updated_at: '2024-04-03T00:15:02Z' };
const practitioner = clinikoPractitionerSchema.parse({ id: '1390053863163176768', ...stamp, user: { links: { self: `${API}/users/42` } } });
const user = clinikoUserSchema.parse({ id: '42', email: 'Dr.Who@Clinic.example', ...stamp });

function run(over: Partial<InvoiceMappingInput> = {}, config: MappingConfig = {}, c = ctx) {
  const input: InvoiceMappingInput = { invoice: invoice(), items: [item()], customer: { id: 'cus_1', defaultInvoiceDueDays: null }, taxes, ...over };
  return mapInvoice(input, resolveMappingConfig(config), c);
}

function mapped(r: ReturnType<typeof run>) {
  if (r.status !== 'mapped') throw new Error(`expected mapped, got ${r.status}`);
  return r;
}

describe('invoice header', () => {
  it('maps the reference example', () => {
    const r = mapped(run());
    expect(r.draft).toEqual({
      customerId: 'cus_1',
      invoiceDate: '2024-04-03',
      dueDate: '2024-04-17',
      reference: 'Cliniko #1042',
      externalReference: 'cliniko:invoice:1390730000000000001',
      taxMode: 'exclusive',
      lineItems: [{ type: 'misc', itemCode: 'C1', description: 'Standard consultation', quantity: '1', unitPrice: '100.00', discountPercent: '0', taxRateId: 'tax_gst' }],
    });
    expect(r.mustStayDraft).toBe(false);
    expect(r.audit).toEqual({ clinikoCreatedAt: '2024-04-03T00:15:02Z', clinikoUpdatedAt: '2024-04-03T00:15:02Z' });
  });

  it.each([
    [null, {}, '2024-04-17'],
    [30, {}, '2024-05-03'],
    [0, {}, '2024-04-03'],
    [null, { paymentTerms: { defaultDueDays: 7 } }, '2024-04-10'],
  ] as const)('due date with customer days %s and config %j', (days, config, due) => {
    expect(mapped(run({ customer: { id: 'c', defaultInvoiceDueDays: days } }, config)).draft.dueDate).toBe(due);
  });

  it('crosses month and year ends without Date', () => {
    expect(mapped(run({ invoice: invoice({ issue_date: '2026-12-25' }) })).draft.dueDate).toBe('2027-01-08');
  });

  it('falls back to the creation date in the business zone when issue_date is missing', () => {
    const r = mapped(run({ invoice: invoice({ issue_date: null, created_at: '2026-06-30T14:30:00Z' }) }));
    expect(r.draft.invoiceDate).toBe('2026-07-01');
    expect(r.findings.map((f) => f.code)).toContain('issue-date-missing');
    const perth = createMappingContext({ now: '2026-07-01T00:00:00Z', timeZone: 'Australia/Sydney', business: { time_zone_identifier: 'Australia/Perth' } });
    expect(mapped(run({ invoice: invoice({ issue_date: null, created_at: '2026-06-30T14:30:00Z' }) }, {}, perth)).draft.invoiceDate).toBe('2026-06-30');
  });

  it('writes and reads external references, including reissues', () => {
    expect(invoiceExternalReference('9', 2)).toBe('cliniko:invoice:9:r2');
    expect(parseExternalReference('cliniko:invoice:9:r2')).toEqual({ kind: 'invoice', id: '9', reissue: 2 });
    expect(parseExternalReference('cliniko:patient:1390710863102485699')).toEqual({ kind: 'patient', id: '1390710863102485699', reissue: 0 });
    expect(parseExternalReference('PO-7788')).toBeUndefined();
  });

  it('maps the golden legacy invoice to GST 8.18, total 90.00', () => {
    const r = mapped(run({ invoice: invoice({ calculation_method: 1, net_amount: '81.818', tax_amount: '8.182', total_amount: '90.0' }), items: [legacyItem()] }));
    expect(r.lines.totals.totalTax.toFixed(2)).toBe('8.18');
    expect(r.lines.totals.total.toFixed(2)).toBe('90.00');
    expect(r.mustStayDraft).toBe(false);
  });
});

describe('live lines', () => {
  it('leaves deleted and archived items out, in id order', () => {
    const a = item({ id: '10000000000000000009', name: 'Second' });
    const b = item({ id: '9000000000000000000', name: 'First' });
    const gone = item({ deleted_at: '2024-04-04T00:00:00Z' });
    const archived = item({ archived_at: '2024-04-04T00:00:00Z' });
    const r = mapped(run({ invoice: invoice({ total_amount: '220' }), items: [a, gone, b, archived] }));
    expect(r.draft.lineItems.map((l) => l.description)).toEqual(['First', 'Second']);
    expect(r.liveItemCount).toBe(2);
  });

  it('never lets an invoice with no live lines be approved', () => {
    const r = mapped(run({ invoice: invoice({ total_amount: '0' }), items: [item({ deleted_at: '2024-04-04T00:00:00Z' })] }));
    expect(r.liveItemCount).toBe(0);
    expect(r.mustStayDraft).toBe(true);
    expect(r.findings.map((f) => f.code)).toContain('no-live-lines');
  });

  it('keeps an invoice whose lines do not reproduce a draft', () => {
    const r = mapped(run({ items: [item({ total_including_tax: '110.07' })] }));
    expect(r.mustStayDraft).toBe(true);
  });
});

describe('owner', () => {
  const owners = buildOwnerDirectory({ practitioners: [practitioner], users: [user], staff: [{ id: 'stf_1', email: 'dr.who@clinic.example', active: true }] });

  it('goes practitioner → user → email → staff, ignoring case', () => {
    expect(mapped(run({ owners })).draft.ownerStaffId).toBe('stf_1');
  });

  it('is null with a finding when there is no match or several', () => {
    const none = buildOwnerDirectory({ practitioners: [practitioner], users: [user], staff: [] });
    const r = mapped(run({ owners: none }));
    expect(r.draft.ownerStaffId).toBeNull();
    expect(r.findings.map((f) => f.code)).toEqual(['owner-not-found']);
    const two = buildOwnerDirectory({ practitioners: [practitioner], users: [user], staff: [{ id: 'a', email: 'DR.WHO@clinic.example', active: true }, { id: 'b', email: 'dr.who@clinic.example', active: true }] });
    expect(mapped(run({ owners: two })).findings.map((f) => f.code)).toEqual(['owner-ambiguous']);
    const inactive = buildOwnerDirectory({ practitioners: [practitioner], users: [user], staff: [{ id: 'a', email: 'dr.who@clinic.example', active: false }] });
    expect(mapped(run({ owners: inactive })).draft.ownerStaffId).toBeNull();
  });

  it('is omitted when the port does not support owners', () => {
    const noOwners = createMappingContext({ now: '2026-07-01T00:00:00Z', capabilities: { ownerStaffId: false } });
    const r = mapped(run({ owners }, {}, noOwners));
    expect('ownerStaffId' in r.draft).toBe(false);
    expect(r.findings).toEqual([]);
  });
});

describe('filters and callbacks', () => {
  it('skips invoices of filtered patients unless opted in', () => {
    expect(run({ patientFiltered: true })).toMatchObject({ status: 'skipped', reason: 'patient-filtered' });
    expect(run({ patientFiltered: true }, { includeInvoicesOfFilteredPatients: true }).status).toBe('mapped');
  });

  it('applies filterInvoice and the invoice callback (change, veto, throw)', () => {
    expect(run({}, { filterInvoice: (inv) => inv.number !== 1042 })).toMatchObject({ status: 'skipped', reason: 'invoice-filtered' });
    expect(mapped(run({}, { invoice: (d) => ({ ...d, reference: 'PO-1' }) })).draft.reference).toBe('PO-1');
    expect(run({}, { invoice: () => veto('internal') })).toMatchObject({ status: 'skipped', reason: 'vetoed', detail: 'internal' });
    expect(run({}, { invoice: () => { throw new Error('boom'); } })).toMatchObject({ status: 'failed', reason: 'callback-failed' });
  });

  it('fails with customer-missing when the patient has no customer yet', () => {
    expect(run({ customer: null })).toMatchObject({ status: 'failed', reason: 'customer-missing' });
  });

  it('reports an impossible issue date as invalid data instead of throwing', () => {
    expect(run({ invoice: invoice({ issue_date: '2026-02-30' }) })).toMatchObject({ status: 'failed', reason: 'invalid-data' });
  });
});
