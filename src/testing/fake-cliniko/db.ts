/**
 * The fake Cliniko's data API for tests: read, insert, edit, archive, merge and delete rows
 * while the server runs. Every write bumps `updated_at` from the server clock (unless the
 * patch sets it) so keyset readers see the change.
 *
 * @module
 */
import type {
  ClinikoSeedData, FakeBusinessRow, FakeInvoiceItemRow, FakeInvoiceRow, FakePatientRow,
  FakePractitionerRow, FakeTaxRow, FakeUserRow,
} from './records.js';
import type { FakeClock } from './clock.js';
import type { Random } from './random.js';
import { FakeTable, type BaseRow } from './table.js';
import { formatTimestamp, nextIdAfter } from './generate-support.js';
import { formatFixed4, parseFixed4 } from './money.js';

/** Read and write access to one kind of row. */
export interface FakeCollection<Row extends BaseRow> {
  /** The underlying table (rows in insertion order). */
  readonly table: FakeTable<Row>;
  /** The row with this id (archived and deleted included). @throws ClinikoTradifyError when absent */
  get(id: string): Row;
  /** Every row, archived and deleted included. */
  all(): readonly Row[];
  /** Inserts a row with a fresh id and `created_at`/`updated_at` = now; returns it. */
  insert(fields?: Partial<Row>): Row;
  /** Applies `patch` and sets `updated_at` to now unless the patch sets it. */
  update(id: string, patch: Partial<Row>): Row;
}

/** Patients add archive, unarchive and merge. */
export interface FakePatientCollection extends FakeCollection<FakePatientRow> {
  /** Sets `archived_at` (and `updated_at`) to now. */
  archive(id: string): FakePatientRow;
  /** Clears `archived_at`, bumps `updated_at`. */
  unarchive(id: string): FakePatientRow;
  /** Merges `id` into `survivorId`: `merged_at` and `archived_at` now, `merged_with_patient` → survivor. */
  merge(id: string, survivorId: string): FakePatientRow;
}

/** Invoices and items add archive and delete (which sets `deleted_at`). */
export interface FakeDeletableCollection<Row extends BaseRow> extends FakeCollection<Row> {
  /** Sets `archived_at` (and `updated_at`) to now. */
  archive(id: string): Row;
  /** Sets `deleted_at` (and `updated_at`) to now: the row leaves default lists. */
  delete(id: string): Row;
}

/** Invoices add `recalculate`, which re-derives the money from their live items. */
export interface FakeInvoiceCollection extends FakeDeletableCollection<FakeInvoiceRow> {
  /**
   * Sets `net_amount`, `tax_amount`, `total_amount` and `discounted_amount` to the exact sums
   * of the invoice's items that are not deleted, and bumps `updated_at`. Call it after
   * editing items through `invoiceItems.update` to keep the invoice consistent.
   */
  recalculate(id: string): FakeInvoiceRow;
}

/** Everything the fake Cliniko stores, with the data API. */
export interface FakeClinikoDb {
  /** The server clock shared with the HTTP layer. */
  readonly clock: FakeClock;
  readonly patients: FakePatientCollection;
  readonly invoices: FakeInvoiceCollection;
  readonly invoiceItems: FakeDeletableCollection<FakeInvoiceItemRow>;
  readonly users: FakeCollection<FakeUserRow>;
  readonly practitioners: FakeCollection<FakePractitionerRow>;
  readonly businesses: FakeCollection<FakeBusinessRow>;
  readonly taxes: FakeCollection<FakeTaxRow>;
  /** `GET /settings` content (without links); mutable. */
  settings: Record<string, unknown>;
  /** The user who owns the API key (`GET /user`). */
  ownerUserId: string;
}

/**
 * Builds the store over seeded data.
 *
 * @param data - the generator's rows (taken over, not copied)
 * @param clock - the server clock
 * @param rnd - the random source for new ids
 */
export function createFakeClinikoDb(data: ClinikoSeedData, clock: FakeClock, rnd: Random): FakeClinikoDb {
  const stamp = (): string => formatTimestamp(clock.now());
  const collection = <Row extends BaseRow>(table: FakeTable<Row>, blank: (id: string, at: string) => Row): FakeCollection<Row> => ({
    table,
    get: (id) => table.get(id),
    all: () => table.all(),
    insert: (fields = {}) => {
      const at = stamp();
      return table.insert({ ...blank(nextIdAfter(rnd, table.lastId), at), ...fields });
    },
    update: (id, patch) => table.update(id, { updated_at: stamp(), ...patch }),
  });
  const deletable = <Row extends BaseRow & { archived_at: string | null; deleted_at: string | null }>(
    table: FakeTable<Row>, blank: (id: string, at: string) => Row,
  ): FakeDeletableCollection<Row> => {
    const base = collection(table, blank);
    return {
      ...base,
      archive: (id) => { const at = stamp(); return table.update(id, { archived_at: at, updated_at: at } as Partial<Row>); },
      delete: (id) => { const at = stamp(); return table.update(id, { deleted_at: at, updated_at: at } as Partial<Row>); },
    };
  };
  const patientTable = new FakeTable('patient', data.patients);
  const patients: FakePatientCollection = {
    ...collection(patientTable, blankPatient),
    archive: (id) => { const at = stamp(); return patientTable.update(id, { archived_at: at, updated_at: at }); },
    unarchive: (id) => patientTable.update(id, { archived_at: null, updated_at: stamp() }),
    merge: (id, survivorId) => {
      patientTable.get(survivorId);
      const at = stamp();
      return patientTable.update(id, { archived_at: at, merged_at: at, updated_at: at, merged_with_patient_id: survivorId });
    },
  };
  const invoiceTable = new FakeTable('invoice', data.invoices);
  const itemTable = new FakeTable('invoice item', data.invoiceItems);
  const invoices: FakeInvoiceCollection = {
    ...deletable(invoiceTable, blankInvoice),
    recalculate: (id) => {
      invoiceTable.get(id);
      const live = itemTable.all().filter((item) => item.invoice_id === id && item.deleted_at === null);
      return invoiceTable.update(id, { ...invoiceSums(live), updated_at: stamp() });
    },
  };
  return {
    clock,
    patients,
    invoices,
    invoiceItems: deletable(itemTable, blankInvoiceItem),
    users: collection(new FakeTable('user', data.users), blankUser),
    practitioners: collection(new FakeTable('practitioner', data.practitioners), blankPractitioner),
    businesses: collection(new FakeTable('business', data.businesses), blankBusiness),
    taxes: collection(new FakeTable('tax', data.taxes), (id, at) => ({ id, name: 'Tax', rate: '0.0', amount: '0.0', created_at: at, updated_at: at })),
    settings: data.settings,
    ownerUserId: data.users[0]?.id ?? '1',
  };
}

function invoiceSums(items: readonly FakeInvoiceItemRow[]): Pick<FakeInvoiceRow, 'net_amount' | 'tax_amount' | 'total_amount' | 'discounted_amount'> {
  let net = 0n;
  let total = 0n;
  let discounted = 0n;
  for (const item of items) {
    net += parseFixed4(item.net_price ?? '0');
    total += parseFixed4(String(item.total_including_tax ?? '0'));
    discounted += parseFixed4(item.discounted_amount ?? '0');
  }
  return { net_amount: formatFixed4(net), tax_amount: formatFixed4(total - net), total_amount: formatFixed4(total), discounted_amount: formatFixed4(discounted) };
}

/** A patient with every field unset, as `POST /patients` starts from. */
export function blankPatient(id: string, at: string): FakePatientRow {
  return {
    id, created_at: at, updated_at: at, archived_at: null, deleted_at: null, merged_at: null,
    title: null, first_name: '', last_name: '', preferred_first_name: null, email: null, date_of_birth: null,
    sex: null, gender_identity: null, gender: null, pronouns: null, address_1: null, address_2: null,
    address_3: null, city: null, state: null, post_code: null, country: null, country_code: null,
    patient_phone_numbers: [], emergency_contact: null, occupation: null, notes: null, appointment_notes: null,
    medicare: null, medicare_reference_number: null, dva_card_number: null, old_reference_id: null,
    invoice_default_to: null, invoice_email: null, invoice_extra_information: null, referral_source: null,
    reminder_type: null, receives_confirmation_emails: null, receives_cancellation_emails: null,
    accepted_privacy_policy: null, accepted_email_marketing: null, accepted_sms_marketing: null,
    time_zone: null, custom_fields: null, merged_with_patient_id: null,
  };
}

function blankInvoice(id: string, at: string): FakeInvoiceRow {
  return {
    id, number: 1, issue_date: at.slice(0, 10), status: 10, status_description: 'Open', calculation_method: 2,
    calculation_method_description: 'Tax exclusive', net_amount: '0.0', tax_amount: '0.0', total_amount: '0.0',
    discounted_amount: '0.0', notes: null, invoice_to: null, patient_extra_information: null, online_payment_url: null,
    created_at: at, updated_at: at, closed_at: null, archived_at: null, deleted_at: null, patient_id: '1',
    practitioner_id: null, business_id: '1', appointment_id: null, attendee_id: null, original_invoice_id: null,
  };
}

function blankInvoiceItem(id: string, at: string): FakeInvoiceItemRow {
  return {
    id, name: 'Item', code: null, unit_price: '0.0', quantity: '1.0', discount_percentage: '0.0',
    discounted_amount: '0.0', is_monetary_discount: false, net_price: '0.0', tax_name: 'GST Free', tax_rate: '0.0',
    tax_amount: '0.0', total_including_tax: 0, concession_type_name: null, created_at: at, updated_at: at,
    archived_at: null, deleted_at: null, invoice_id: '1', source_item_id: null, is_product: false,
  };
}

function blankUser(id: string, at: string): FakeUserRow {
  return {
    id, title: null, first_name: '', last_name: '', email: 'user@example.com', role: 'practitioner', active: true,
    user_active: true, time_zone: 'Sydney', time_zone_identifier: 'Australia/Sydney', phone_numbers: null,
    created_at: at, updated_at: at,
  };
}

function blankPractitioner(id: string, at: string): FakePractitionerRow {
  return {
    id, title: null, first_name: '', last_name: '', display_name: '', label: '', designation: null, description: null,
    active: true, show_in_online_bookings: true, created_at: at, updated_at: at, user_id: '1',
  };
}

function blankBusiness(id: string, at: string): FakeBusinessRow {
  return {
    id, business_name: 'Business', display_name: 'Business', label: 'Business', address_1: null, address_2: null,
    city: null, state: null, post_code: null, country: 'Australia', country_code: 'AU', contact_information: null,
    email_reply_to: null, website_address: null, business_registration_name: null, business_registration_value: null,
    additional_information: null, additional_invoice_information: null, appointment_reminders_enabled: false,
    show_in_online_bookings: false, appointment_type_ids: [], time_zone: 'Sydney', time_zone_identifier: 'Australia/Sydney',
    archived_at: null, deleted_at: null, created_at: at, updated_at: at,
  };
}
