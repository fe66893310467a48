import { clinikoInvoiceItemSchema, clinikoInvoiceSchema, clinikoPatientSchema } from 'cliniko-tradify/cliniko';
import type { ClinikoInvoiceItem, ClinikoInvoice, ClinikoPatient, TradifyTaxRate } from 'cliniko-tradify';

const API = 'https://api.au1.cliniko.com/v1';

export const GST: TradifyTaxRate = { id: 'tax_gst', name: 'GST', rate: '10', isDefault: true, isNoTax: false, active: true };
export const GST_FREE: TradifyTaxRate = { id: 'tax_free', name: 'GST Free', rate: '0', isDefault: false, isNoTax: true, active: true };
export const RATES: TradifyTaxRate[] = [GST, GST_FREE];

export function patient(over: Record<string, unknown> = {}): ClinikoPatient {
  return clinikoPatientSchema.parse({
    id: '1390710863102485699',
    created_at: '2024-04-02T19:12:05Z',
    updated_at: '2024-04-03T01:40:11Z',
    archived_at: null,
    deleted_at: null,
    merged_at: null,
    first_name: 'Jane',
    last_name: 'Citizen',
    preferred_first_name: null,
    email: 'jane@example.com',
    address_1: '1 Example St',
    address_2: '',
    address_3: '',
    city: 'Melbourne',
    state: 'VIC',
    post_code: '3000',
    country: 'Australia',
    country_code: 'AU',
    patient_phone_numbers: [{ phone_type: 'Mobile', number: '0412 345 678', normalized_number: '61412345678' }],
    invoice_default_to: '',
    custom_fields: null,
    merged_with_patient: null,
    links: { self: `${API}/patients/1390710863102485699` },
    ...over,
  });
}

export function invoice(over: Record<string, unknown> = {}): ClinikoInvoice {
  return clinikoInvoiceSchema.parse({
    id: '1390730000000000001',
    number: 1042,
    issue_date: '2024-04-03',
    status: 10,
    calculation_method: 2,
    net_amount: '100.0',
    tax_amount: '10.0',
    total_amount: '110.0',
    created_at: '2024-04-03T00:15:02Z',
    updated_at: '2024-04-03T00:15:02Z',
    closed_at: null,
    archived_at: null,
    deleted_at: null,
    patient: { links: { self: `${API}/patients/1390710863102485699` } },
    practitioner: { links: { self: `${API}/practitioners/1390053863163176768` } },
    business: { links: { self: `${API}/businesses/1390053865344214699` } },
    links: { self: `${API}/invoices/1390730000000000001` },
    ...over,
  });
}

let nextItemId = 5000000000000000000n;
export function item(over: Record<string, unknown> = {}): ClinikoInvoiceItem {
  nextItemId += 1n;
  return clinikoInvoiceItemSchema.parse({
    id: String(nextItemId),
    name: 'Standard consultation',
    code: 'C1',
    unit_price: '100.0',
    quantity: 1,
    discount_percentage: '0.0',
    net_price: '100.0',
    tax_name: 'GST',
    tax_rate: '10.0',
    tax_amount: null,
    total_including_tax: '110.0',
    created_at: '2024-04-03T00:15:02Z',
    updated_at: '2024-04-03T00:15:02Z',
    archived_at: null,
    deleted_at: null,
    invoice: { links: { self: `${API}/invoices/1390730000000000001` } },
    ...over,
  });
}

/** The legacy item of Cliniko's older documentation (docs/cliniko-api-notes.md#the-legacy-invoice-item). */
export function legacyItem(): ClinikoInvoiceItem {
  return item({
    unit_price: '100.0',
    quantity: 1,
    discount_percentage: '18.1818',
    is_monetary_discount: true,
    net_price: '81.818',
    tax_name: 'GST',
    tax_rate: null,
    tax_amount: '10.0',
    total_including_tax: '90.0',
  });
}
