import { describe, expect, it } from 'vitest';
import { resolveMappingConfig, createMappingContext, mapPatientToCustomer, mapInvoice, checkTaxTable } from 'cliniko-tradify/mapping';
import type { MappingConfig } from 'cliniko-tradify';
import { tidySpaces } from '../../src/mapping/names.js';
import { RATES, invoice, item, patient } from './fixtures.js';

const ctx = createMappingContext({ now: '2026-07-01T00:00:00Z' });
const taxes = checkTaxTable(RATES, resolveMappingConfig());

/** NUL, BEL, ESC, DEL and two C1 controls (U+0085 NEL, U+009B CSI). */
const NOISE = '\u0000\u0007\u001b\u007f\u0085\u009b';
/** Any C0 or C1 control character other than tab and line feed. */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

function customerDraft(over: Record<string, unknown>, config: MappingConfig = {}) {
  const result = mapPatientToCustomer(patient(over), resolveMappingConfig(config), ctx);
  if (result.status !== 'mapped') throw new Error(`expected mapped, got ${result.status}`);
  return result.draft;
}

function invoiceDraft(items: ReturnType<typeof item>[], config: MappingConfig = {}) {
  const result = mapInvoice({ invoice: invoice(), items, customer: { id: 'cus_1', defaultInvoiceDueDays: null }, taxes }, resolveMappingConfig(config), ctx);
  if (result.status !== 'mapped') throw new Error(`expected mapped, got ${result.status}`);
  return result.draft;
}

describe('control characters never reach Tradify', () => {
  it('strips C0 and C1 controls; tab and line breaks stay only in a multi-line field', () => {
    // expect(stripControlCharacters(`Jo${NOISE}hn`)).toBe('John');
    // expect(stripControlCharacters('a\tb\r\nc\nd\re')).toBe('a b c d e');
    // expect(stripControlCharacters(`a\tb\r\nc${NOISE}\rd`, 'multi-line')).toBe('a\tb\nc\nd');
    // expect(stripControlCharacters('Zoë \u00a0 👩\u200d👩\u200d👧')).toBe('Zoë \u00a0 👩\u200d👩\u200d👧'); // printable text untouched
    expect(tidySpaces(` Jo${NOISE} \t Smith\n`)).toBe('Jo Smith');
  });

  it('leaves none in a customer: name, contact, address, phones and custom fields', () => {
    const draft = customerDraft(
      {
        first_name: `Ja${NOISE}ne`,
        last_name: `Cit\u0007izen\u001b[31m`,
        invoice_default_to: `Acme\u0000 Pty\u0085Ltd`,
        address_1: `1 Example\u0000 St`,
        address_2: `Unit\u001b 2`,
        city: `Melb\u009fourne`,
        post_code: `30\u000700`,
        patient_phone_numbers: [{ phone_type: 'Mobile', number: `0412\u0000 345 678`, normalized_number: '61412345678' }],
        medicare: `12345\u0007 67890`,
      },
      { contactName: 'invoice_default_to', customFields: { custom1: { patientField: 'medicare' } } },
    );
    expect(draft.name).toBe('Jane Citizen[31m');
    expect(draft.contactName).toBe('Acme PtyLtd');
    expect(draft.physicalAddress).toMatchObject({ line1: '1 Example St', line2: 'Unit 2', suburb: 'Melbourne', postcode: '3000' });
    expect(draft.mobile).toBe('0412 345 678');
    expect(draft.customFields?.custom1).toBe('12345 67890');
    expect(JSON.stringify(draft)).not.toMatch(CONTROL);
  });

  it('cleans what a customer callback returns; no customer field keeps a line break', () => {
    const draft = customerDraft({}, { customer: (d) => ({ ...d, name: `Jane\u0007\nCitizen${NOISE}`, physicalAddress: { ...d.physicalAddress!, line1: `1\tExample\u0000 St` } }) });
    expect(draft.name).toBe('Jane Citizen');
    expect(draft.physicalAddress?.line1).toBe('1 Example St');
  });

  it('leaves none in an invoice line; a callback may keep a tab or a line break in a description only', () => {
    const draft = invoiceDraft([item({ name: `Standard\u0000 consul\u009btation\u0007`, code: `C\u001b1` })]);
    expect(draft.lineItems[0]).toMatchObject({ description: 'Standard consultation', itemCode: 'C1' });
    const fromCallback = invoiceDraft([item()], {
      invoice: (d) => ({ ...d, reference: `Cliniko\n#1042\u0007`, lineItems: d.lineItems.map((l) => ({ ...l, description: `Consult\u0000\r\n\tfollow-up\u001b` })) }),
    });
    expect(fromCallback.reference).toBe('Cliniko #1042');
    expect(fromCallback.lineItems[0]!.description).toBe('Consult\n\tfollow-up');
    expect(JSON.stringify(fromCallback)).not.toMatch(CONTROL);
  });
});
