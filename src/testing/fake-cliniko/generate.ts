/**
 * The seeded generator of a realistic Australian Cliniko account.
 *
 * @module
 */
import type { ClinikoSeedData, FakeBusinessRow, FakePractitionerRow, FakeTaxRow, FakeUserRow } from './records.js';
import { createRandom, type Random } from './random.js';
import { createIdSequence, formatTimestamp } from './generate-support.js';
import { generatePatients } from './generate-patients.js';
import { generateInvoices } from './generate-invoices.js';

/** Options of {@link generateClinikoData}. */
export interface GenerateClinikoDataOptions {
  /**
   * The PRNG seed: equal seeds give identical data.
   * @defaultValue 42
   */
  seed?: number;
  /**
   * How many patients (archived and merged ones included).
   * @defaultValue 20
   */
  patients?: number;
  /**
   * How many invoices (deleted and archived ones included).
   * @defaultValue 30
   */
  invoices?: number;
}

const STAFF_EPOCH_MS = Date.UTC(2023, 0, 9, 22, 30);

/**
 * Generates a deterministic Cliniko account: patients, invoices with items, users,
 * practitioners linked to users, one business in `Australia/Sydney`, the taxes "GST"
 * (10.0) and "GST Free" (0.0), and the settings. 100,000 patients take about a second.
 *
 * @param options - sizes and seed
 * @returns the rows, ordered by `created_at`
 * @example
 * ```ts
 * const data = generateClinikoData({ seed: 7, patients: 1000, invoices: 2000 });
 * data.patients[0].id; // a 18- or 19-digit string
 * ```
 */
export function generateClinikoData(options: GenerateClinikoDataOptions = {}): ClinikoSeedData {
  const rnd = createRandom(options.seed ?? 42);
  const users = generateUsers(rnd);
  const practitioners = generatePractitioners(rnd, users);
  const business = generateBusiness(rnd);
  const taxes = generateTaxes(rnd);
  const patients = generatePatients(rnd, options.patients ?? 20);
  const { invoices, items } = generateInvoices(rnd, options.invoices ?? 30, {
    patients,
    practitionerIds: practitioners.map((p) => p.id),
    businessId: business.id,
  });
  return { patients, invoices, invoiceItems: items, users, practitioners, businesses: [business], taxes, settings: generateSettings() };
}

const STAFF: readonly (readonly [string | null, string, string, string, string])[] = [
  [null, 'Pat', 'Manager', 'practice.manager@example.com.au', 'administrator'],
  ['Dr', 'Sam', 'Lee', 'Dr.Sam.Lee@Example.com.au', 'practitioner'],
  [null, 'Aisha', "O'Reilly", 'aisha.oreilly@example.com.au', 'practitioner'],
  [null, 'Nguyễn', 'Văn An', 'an.nguyen@example.com.au', 'practitioner'],
  [null, 'Tom', 'Fletcher', 'tom.fletcher@example.com.au', 'practitioner'],
  [null, 'Ruby', 'Chen', 'reception@example.com.au', 'receptionist'],
  [null, 'Bea', 'Keeper', 'books@example.com.au', 'bookkeeper'],
];

function generateUsers(rnd: Random): FakeUserRow[] {
  const nextId = createIdSequence(rnd, STAFF.length);
  return STAFF.map(([title, first, last, email, role], index) => {
    const at = formatTimestamp(STAFF_EPOCH_MS + index * 3_600_000);
    return {
      id: nextId(), title, first_name: first, last_name: last, email, role,
      active: index !== 4, user_active: index !== 4,
      time_zone: 'Sydney', time_zone_identifier: 'Australia/Sydney',
      phone_numbers: [{ phone_type: 'Work', number: '(02) 9000 0000', normalized_number: '61290000000' }],
      created_at: at, updated_at: at,
    };
  });
}

const DESIGNATIONS = ['Physiotherapist', 'Osteopath', 'Remedial Massage Therapist', 'Exercise Physiologist'];

function generatePractitioners(rnd: Random, users: readonly FakeUserRow[]): FakePractitionerRow[] {
  const nextId = createIdSequence(rnd, 4);
  return users.slice(1, 5).map((user, index) => {
    const at = formatTimestamp(STAFF_EPOCH_MS + (index + 10) * 3_600_000);
    const label = [user.title, user.first_name, user.last_name].filter((part) => part).join(' ');
    return {
      id: nextId(), title: user.title, first_name: user.first_name, last_name: user.last_name,
      display_name: label, label, designation: DESIGNATIONS[index] ?? null, description: '',
      active: index !== 3, show_in_online_bookings: index !== 3,
      created_at: at, updated_at: at, user_id: user.id,
    };
  });
}

function generateBusiness(rnd: Random): FakeBusinessRow {
  const [id = ''] = [createIdSequence(rnd, 1)()];
  const at = formatTimestamp(STAFF_EPOCH_MS - 86_400_000);
  return {
    id, business_name: 'Harbourside Physio', display_name: 'Harbourside Physio', label: 'Harbourside Physio',
    address_1: 'Level 2, 10 Example St', address_2: '', city: 'Sydney', state: 'NSW', post_code: '2000',
    country: 'Australia', country_code: 'AU', contact_information: '(02) 9000 0000',
    email_reply_to: 'hello@example.com.au', website_address: 'https://example.com.au',
    business_registration_name: 'ABN', business_registration_value: '12 345 678 901',
    additional_information: '', additional_invoice_information: 'Please pay within 14 days.',
    appointment_reminders_enabled: true, show_in_online_bookings: true,
    appointment_type_ids: ['1390053865344210001', '1390053865344210002'],
    time_zone: 'Sydney', time_zone_identifier: 'Australia/Sydney',
    archived_at: null, deleted_at: null, created_at: at, updated_at: at,
  };
}

function generateTaxes(rnd: Random): FakeTaxRow[] {
  const nextId = createIdSequence(rnd, 2);
  const at = formatTimestamp(STAFF_EPOCH_MS - 86_000_000);
  return [
    { id: nextId(), name: 'GST', rate: '10.0', amount: '10.0', created_at: at, updated_at: at },
    { id: nextId(), name: 'GST Free', rate: '0.0', amount: '0.0', created_at: at, updated_at: at },
  ];
}

function generateSettings(): Record<string, unknown> {
  return {
    account: {
      id: '1390053860000000001', name: 'Harbourside Physio', subdomain: 'harbourside', country: 'Australia',
      country_code: 'AU', currency_symbol: '$', email_from: 'hello@example.com.au', first_name: 'Pat',
      last_name: 'Manager', time_zone_support: false, has_time_travelers: false,
    },
    patient_custom_fields_definition: null,
    reminders: { default_reminder_type: 'SMS & Email' },
    terminology: { patient: 'patient', titles: ['Mr', 'Mrs', 'Ms', 'Miss', 'Dr', 'Mx'] },
  };
}
