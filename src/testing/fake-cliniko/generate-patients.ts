/**
 * Seeded Australian patients: apostrophes, hyphens, diacritics and non-Latin scripts,
 * states written as names and as abbreviations, every phone type, families sharing one
 * email, archived and merged records, a bulk import sharing one second.
 *
 * @module
 */
import type { FakePatientRow, FakePhoneNumber } from './records.js';
import type { Random } from './random.js';
import { createIdSequence, createdInstants, formatTimestamp, laterInstant } from './generate-support.js';

const LATIN_FIRST = ['Jane', 'Liam', 'Olivia', 'Noah', 'Charlotte', 'Oliver', 'Amelia', 'Jack', 'Isla', 'William', 'Mia', 'Henry', 'Grace', 'Thomas', 'Zoë', 'José', 'Siobhán', "D'Arcy", 'Mary-Jane', 'Aroha', 'Jarrah', 'Kirra', 'Priya', 'Arjun', 'Ahmed', 'Fatima', 'Minh', 'Wei'];
const LATIN_LAST = ['Citizen', 'Smith', 'Jones', 'Williams', 'Brown', 'Wilson', 'Taylor', "O'Brien", "O'Connor", "D'Angelo", 'McDonald', 'Smith-Jones', 'Nguyễn', 'Trần', 'Papadopoulos', 'Singh', 'Patel', 'Khan', 'Kowalski', 'Müller', 'Ngata', 'Walker', 'Martin', 'Anderson'];
const NON_LATIN_NAMES: readonly (readonly [string, string])[] = [
  ['芳', '王'], ['伟', '李'], ['Γιώργος', 'Παπαδόπουλος'], ['Олег', 'Иванов'], ['지훈', '김'], ['さくら', '佐藤'], ['محمد', 'الحسن'], ['प्रिया', 'शर्मा'],
];
const APOSTROPHE_LAST = ["O'Brien", "O'Connor", "D'Angelo", "O'Neill", "D'Souza"];

const PLACES: readonly (readonly [string, string, string, string])[] = [
  ['Sydney', 'NSW', 'New South Wales', '2000'], ['Parramatta', 'NSW', 'New South Wales', '2150'],
  ['Melbourne', 'VIC', 'Victoria', '3000'], ['Geelong', 'VIC', 'Victoria', '3220'],
  ['Brisbane', 'QLD', 'Queensland', '4000'], ['Perth', 'WA', 'Western Australia', '6000'],
  ['Adelaide', 'SA', 'South Australia', '5000'], ['Hobart', 'TAS', 'Tasmania', '7000'],
  ['Canberra', 'ACT', 'Australian Capital Territory', '2600'], ['Darwin', 'NT', 'Northern Territory', '0800'],
];
const STREETS = ['Example St', 'George St', 'Collins St', 'Queen St', 'King William St', 'Hay St', 'Beach Rd', 'Station St'];
const PHONE_TYPES = ['Mobile', 'Home', 'Work', 'Fax', 'Other'] as const;
const PAYERS = ['WorkCover NSW', 'Acme Pty Ltd', 'icare NSW', "Department of Veterans' Affairs", 'TAC Victoria'];

/** One generated patient plus the generator's view of the household it belongs to. */
interface Household {
  last_name: string;
  email: string | null;
}

/** Builds `count` patients, ordered by `created_at` (and id). */
export function generatePatients(rnd: Random, count: number): FakePatientRow[] {
  const nextId = createIdSequence(rnd, count);
  const instants = createdInstants(rnd, count, count >= 400 ? 150 : 0);
  const rows: FakePatientRow[] = [];
  let household: Household | undefined;
  for (let i = 0; i < count; i += 1) {
    const sharesEmail = household !== undefined && i % 17 === 5;
    const row = makePatient(rnd, i, nextId(), instants[i] ?? 0, sharesEmail ? household : undefined);
    household = { last_name: row.last_name, email: row.email };
    if (i % 50 === 13 && i > 0) mergeInto(rnd, row, rows[rnd.int(0, i - 1)]);
    else if (i % 20 === 7) archive(rnd, row);
    rows.push(row);
  }
  return rows;
}

function makePatient(rnd: Random, i: number, id: string, createdMs: number, family: Household | undefined): FakePatientRow {
  const [first, last] = pickName(rnd, i, family);
  const place = rnd.pick(PLACES);
  const updatedMs = rnd.chance(0.5) ? createdMs : laterInstant(rnd, createdMs, 60);
  const email = family ? family.email : makeEmail(rnd, i, first, last);
  const payer = i % 25 === 3 ? rnd.pick(PAYERS) : null;
  return {
    id,
    created_at: formatTimestamp(createdMs),
    updated_at: formatTimestamp(updatedMs),
    archived_at: null,
    deleted_at: null,
    merged_at: null,
    title: rnd.pick(['Mr', 'Ms', 'Mrs', 'Dr', 'Mx', null, '']),
    first_name: first,
    last_name: last,
    preferred_first_name: i % 15 === 4 ? rnd.pick(['Bec', 'Sam', 'Jonno', 'Lee']) : null,
    email,
    date_of_birth: i % 20 === 11 ? null : plainDate(rnd.int(1935, 2022), rnd.int(1, 12), rnd.int(1, 28)),
    sex: rnd.pick(['Female', 'Male', 'Non-binary', null]),
    gender_identity: null,
    gender: null,
    pronouns: null,
    address_1: `${rnd.int(1, 400)} ${rnd.pick(STREETS)}`,
    address_2: rnd.chance(0.2) ? `Unit ${rnd.int(1, 30)}` : '',
    address_3: '',
    city: place[0],
    state: pickStateForm(rnd, i, place),
    post_code: place[3],
    country: i % 31 === 9 ? null : 'Australia',
    country_code: i % 23 === 10 ? null : 'AU',
    patient_phone_numbers: makePhones(rnd, i),
    emergency_contact: '',
    occupation: rnd.pick(['', 'Teacher', 'Nurse', 'Electrician', null]),
    notes: '',
    appointment_notes: '',
    medicare: rnd.chance(0.6) ? `${rnd.int(2000, 6999)} ${rnd.int(10000, 99999)} ${rnd.int(1, 9)}` : '',
    medicare_reference_number: rnd.chance(0.6) ? String(rnd.int(1, 9)) : '',
    dva_card_number: null,
    old_reference_id: i % 10 === 6 ? `CRM-${String(i).padStart(6, '0')}` : null,
    invoice_default_to: payer ?? '',
    invoice_email: payer ? 'accounts@example.com.au' : null,
    invoice_extra_information: payer ? `Claim no. ${rnd.int(100000, 999999)}\r\nPolicy ${rnd.int(10, 99)}` : '',
    referral_source: null,
    reminder_type: rnd.pick(['None', 'SMS', 'Email', 'SMS & Email', null]),
    receives_confirmation_emails: true,
    receives_cancellation_emails: true,
    accepted_privacy_policy: rnd.pick([null, true, false]),
    accepted_email_marketing: false,
    accepted_sms_marketing: false,
    time_zone: rnd.pick([null, 'Australia/Sydney', 'Australia/Melbourne', 'Australia/Perth']),
    custom_fields: null,
    merged_with_patient_id: null,
  };
}

function pickName(rnd: Random, i: number, family: Household | undefined): [string, string] {
  if (i % 9 === 4) {
    const [first, last] = rnd.pick(NON_LATIN_NAMES);
    return [first, family?.last_name ?? last];
  }
  const last = family?.last_name ?? (i % 11 === 2 ? rnd.pick(APOSTROPHE_LAST) : rnd.pick(LATIN_LAST));
  return [rnd.pick(LATIN_FIRST), last];
}

function makeEmail(rnd: Random, i: number, first: string, last: string): string | null {
  if (i % 13 === 8) return null;
  if (i % 41 === 20) return '';
  const local = `${asciiOnly(first) || 'patient'}.${asciiOnly(last) || 'au'}${i}`;
  return i % 19 === 3 ? `${local.toUpperCase()}@Example.COM.au` : `${local}@example.com.au`;
}

function asciiOnly(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

function pickStateForm(rnd: Random, i: number, place: readonly [string, string, string, string]): string {
  if (i % 3 === 1) return place[2];
  if (i % 29 === 14) return '';
  return rnd.chance(0.1) ? place[1].toLowerCase() : place[1];
}

function makePhones(rnd: Random, i: number): FakePhoneNumber[] {
  const count = i < PHONE_TYPES.length ? 1 : rnd.int(0, 3);
  const phones: FakePhoneNumber[] = [];
  for (let n = 0; n < count; n += 1) {
    const type = i < PHONE_TYPES.length ? PHONE_TYPES[i] : rnd.pick(PHONE_TYPES);
    phones.push(makePhone(rnd, type ?? 'Mobile'));
  }
  return phones;
}

function makePhone(rnd: Random, phoneType: string): FakePhoneNumber {
  const digits = (length: number): string => Array.from({ length }, () => String(rnd.int(0, 9))).join('');
  if (phoneType === 'Mobile' || phoneType === 'Other') {
    const rest = digits(8);
    const number = phoneType === 'Mobile' ? `04${rest.slice(0, 2)} ${rest.slice(2, 5)} ${rest.slice(5)}` : `+61 4${rest.slice(0, 2)} ${rest.slice(2, 5)} ${rest.slice(5)}`;
    return { phone_type: phoneType, number, normalized_number: `614${rest}` };
  }
  const area = rnd.pick(['2', '3', '7', '8']);
  const rest = digits(8);
  return { phone_type: phoneType, number: `(0${area}) ${rest.slice(0, 4)} ${rest.slice(4)}`, normalized_number: `61${area}${rest}` };
}

function plainDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function archive(rnd: Random, row: FakePatientRow): void {
  const archivedMs = laterInstant(rnd, Date.parse(row.updated_at), 90);
  row.archived_at = formatTimestamp(archivedMs);
  row.updated_at = row.archived_at;
}

function mergeInto(rnd: Random, row: FakePatientRow, survivor: FakePatientRow | undefined): void {
  if (!survivor) return;
  archive(rnd, row);
  row.merged_at = row.archived_at;
  row.merged_with_patient_id = survivor.merged_with_patient_id ?? survivor.id;
}
