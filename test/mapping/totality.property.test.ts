/** The mapping is total: any schema-valid record gives a draft, a skip or a failure — never an exception. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clinikoInvoiceItemSchema, clinikoInvoiceSchema, clinikoPatientSchema } from 'cliniko-tradify/cliniko';
import {
  resolveMappingConfig,
  createMappingContext,
  mapPatientToCustomer,
  mapInvoice,
  planInvoiceActions,
  checkTaxTable,
} from 'cliniko-tradify/mapping';
import { RATES } from './fixtures.js';

const id = fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String);
const ts = fc.integer({ min: 946684800, max: 4102444800 }).map((s) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
const text = fc.oneof(fc.constant(null), fc.constant(''), fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 120 }));
const dec = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 4 })).map(([n, places]) => n.toFixed(places)),
  fc.integer({ min: -100000, max: 100000 }),
  fc.constantFrom('0', '10.0', '100', '18.1818', '81.818', '0.001'),
);
const link = fc.oneof(fc.constant(null), fc.constant({ links: { self: null } }), id.map((i) => ({ links: { self: `https://api.au1.cliniko.com/v1/x/${i}` } })));
const phone = fc.record({ phone_type: fc.oneof(fc.constantFrom('Mobile', 'Home', 'Work', 'Fax', 'Other'), text), number: text });

const rawPatient = fc.record({
  id,
  created_at: ts,
  updated_at: ts,
  archived_at: fc.oneof(fc.constant(null), fc.constant(''), ts),
  merged_at: fc.oneof(fc.constant(null), ts),
  first_name: fc.oneof(fc.string({ maxLength: 200 }), fc.constant(null)),
  last_name: fc.oneof(fc.string({ maxLength: 200 }), fc.constant(null)),
  preferred_first_name: text,
  email: fc.oneof(text, fc.emailAddress(), fc.array(fc.emailAddress(), { maxLength: 4 }).map((a) => a.join(', '))),
  address_1: text,
  address_2: text,
  address_3: text,
  city: text,
  state: fc.oneof(text, fc.constantFrom('Victoria', 'NSW', 'qld')),
  post_code: text,
  country: text,
  country_code: fc.oneof(text, fc.constantFrom('AU', 'NZ')),
  patient_phone_numbers: fc.oneof(fc.constant(null), fc.array(phone, { maxLength: 6 })),
  invoice_default_to: text,
  custom_fields: fc.oneof(fc.constant(null), fc.anything(), fc.record({ sections: fc.array(fc.record({ name: text, fields: fc.array(fc.record({ name: text, value: fc.anything(), options: fc.anything() })) })) })),
  merged_with_patient: link,
});

const rawInvoice = fc.record({
  id,
  number: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 1e7 })),
  issue_date: fc.oneof(fc.constant(null), fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))),
  status: fc.oneof(fc.constant(null), fc.constantFrom(10, 20, 30, 40, 50)),
  calculation_method: fc.oneof(fc.constant(null), fc.constantFrom(1, 2, 3)),
  total_amount: dec,
  created_at: ts,
  updated_at: ts,
  closed_at: fc.oneof(fc.constant(null), ts),
  deleted_at: fc.oneof(fc.constant(null), fc.constant(null), ts),
  practitioner: link,
});

const rawItem = fc.record({
  id,
  name: text,
  code: text,
  unit_price: dec,
  quantity: fc.oneof(fc.constant(null), fc.integer({ min: -5, max: 100 }), fc.constantFrom('1', '0.333', '2.5')),
  discount_percentage: dec,
  net_price: dec,
  tax_name: text,
  tax_rate: dec,
  tax_amount: dec,
  total_including_tax: dec,
  created_at: ts,
  updated_at: ts,
  deleted_at: fc.oneof(fc.constant(null), fc.constant(null), ts),
});

const config = resolveMappingConfig({ customFields: { custom1: { section: 'A', field: 'B' }, custom2: { patientField: 'medicare' } } });
const ctx = createMappingContext({ now: '2026-07-01T00:00:00Z' });
const taxes = checkTaxTable(RATES, config);

describe('the mapping is total', () => {
  it('every schema-valid patient maps to a draft (≤ 100-char name) or a skip, never an exception', () => {
    fc.assert(
      fc.property(rawPatient, (raw) => {
        const parsed = clinikoPatientSchema.safeParse(raw);
        fc.pre(parsed.success);
        const r = mapPatientToCustomer(parsed.data!, config, ctx);
        expect(r.status).toBe('mapped');
        if (r.status === 'mapped') {
          expect(r.draft.name.length).toBeGreaterThan(0);
          expect(r.draft.name.length).toBeLessThanOrEqual(100);
          expect((r.draft.email ?? '').length).toBeLessThanOrEqual(50);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('every schema-valid invoice with items maps and plans without an exception', () => {
    fc.assert(
      fc.property(rawInvoice, fc.array(rawItem, { maxLength: 4 }), (rawInv, rawItems) => {
        const inv = clinikoInvoiceSchema.safeParse(rawInv);
        const items = rawItems.map((i) => clinikoInvoiceItemSchema.safeParse(i));
        fc.pre(inv.success && items.every((i) => i.success));
        const parsedItems = items.map((i) => i.data!);
        const r = mapInvoice({ invoice: inv.data!, items: parsedItems, customer: { id: 'c', defaultInvoiceDueDays: null }, taxes }, config, ctx);
        expect(['mapped', 'failed']).toContain(r.status);
        const mapping = r.status === 'mapped' ? r : null;
        if (mapping) {
          for (const l of mapping.draft.lineItems) expect(l.unitPrice).toMatch(/^-?\d+\.\d{2}$/);
          if (!mapping.lines.reproducible) expect(mapping.mustStayDraft).toBe(true);
        }
        const plan = planInvoiceActions({ invoice: inv.data!, items: parsedItems, mapping, current: null, payments: [], link: null }, config, ctx);
        expect(plan.actions.length).toBeGreaterThan(0);
        if (mapping?.mustStayDraft) expect(plan.actions.some((a) => a.kind === 'approve')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
