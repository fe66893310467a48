/**
 * The rows the fake Cliniko stores. Scalar fields carry their wire names and wire values
 * (ids as strings, money as decimal strings, timestamps as `YYYY-MM-DDTHH:MM:SSZ`); the
 * `*_id` reference fields are the fake's own bookkeeping and are rendered as absolute
 * `{ links: { self } }` objects on the host that served the request.
 *
 * @module
 */

/** A phone number as Cliniko returns it. */
export interface FakePhoneNumber {
  /** `Fax`, `Home`, `Mobile`, `Other` or `Work`. */
  phone_type: string;
  /** As entered, e.g. `"0412 345 678"`. */
  number: string;
  /** Digits only, e.g. `"61412345678"`. */
  normalized_number: string;
}

/** A stored patient. */
export interface FakePatientRow {
  id: string;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
  deleted_at: string | null;
  merged_at: string | null;
  title: string | null;
  first_name: string;
  last_name: string;
  preferred_first_name: string | null;
  email: string | null;
  date_of_birth: string | null;
  sex: string | null;
  gender_identity: string | null;
  gender: string | null;
  pronouns: Record<string, string> | null;
  address_1: string | null;
  address_2: string | null;
  address_3: string | null;
  city: string | null;
  state: string | null;
  post_code: string | null;
  country: string | null;
  country_code: string | null;
  patient_phone_numbers: FakePhoneNumber[];
  emergency_contact: string | null;
  occupation: string | null;
  notes: string | null;
  appointment_notes: string | null;
  medicare: string | null;
  medicare_reference_number: string | null;
  dva_card_number: string | null;
  old_reference_id: string | null;
  invoice_default_to: string | null;
  invoice_email: string | null;
  invoice_extra_information: string | null;
  referral_source: string | null;
  reminder_type: string | null;
  receives_confirmation_emails: boolean | null;
  receives_cancellation_emails: boolean | null;
  accepted_privacy_policy: boolean | null;
  accepted_email_marketing: boolean | null;
  accepted_sms_marketing: boolean | null;
  time_zone: string | null;
  custom_fields: unknown;
  /** The surviving patient of a merge (rendered as `merged_with_patient`). */
  merged_with_patient_id: string | null;
}

/** A stored invoice. */
export interface FakeInvoiceRow {
  id: string;
  number: number;
  issue_date: string;
  status: number | null;
  status_description: string | null;
  calculation_method: number | null;
  calculation_method_description: string | null;
  net_amount: string | null;
  tax_amount: string | null;
  total_amount: string | null;
  discounted_amount: string | null;
  notes: string | null;
  invoice_to: string | null;
  patient_extra_information: string | null;
  online_payment_url: string | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  archived_at: string | null;
  deleted_at: string | null;
  patient_id: string;
  /** `null`: the `practitioner` key is left out, as in Cliniko's legacy example. */
  practitioner_id: string | null;
  business_id: string;
  /** `null`: the `appointment` key is left out. */
  appointment_id: string | null;
  attendee_id: string | null;
  original_invoice_id: string | null;
}

/** A stored invoice item. */
export interface FakeInvoiceItemRow {
  id: string;
  name: string | null;
  code: string | null;
  unit_price: string;
  /** A decimal string (SPEC) or, in legacy rows, an integer. */
  quantity: string | number;
  discount_percentage: string | null;
  discounted_amount: string | null;
  is_monetary_discount: boolean | null;
  net_price: string | null;
  tax_name: string | null;
  tax_rate: string | null;
  tax_amount: string | null;
  /** A number (SPEC) or, in legacy rows, a decimal string. */
  total_including_tax: number | string | null;
  concession_type_name: string | null;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
  deleted_at: string | null;
  invoice_id: string;
  /** The billable item or product the line came from. */
  source_item_id: string | null;
  /** Whether `source_item_id` is a product (else a billable item). */
  is_product: boolean;
}

/** A stored user. */
export interface FakeUserRow {
  id: string;
  title: string | null;
  first_name: string;
  last_name: string;
  email: string;
  role: string | null;
  active: boolean | null;
  user_active: boolean | null;
  time_zone: string | null;
  time_zone_identifier: string | null;
  phone_numbers: FakePhoneNumber[] | null;
  created_at: string;
  updated_at: string;
}

/** A stored practitioner. */
export interface FakePractitionerRow {
  id: string;
  title: string | null;
  first_name: string;
  last_name: string;
  display_name: string;
  label: string;
  designation: string | null;
  description: string | null;
  active: boolean;
  show_in_online_bookings: boolean;
  created_at: string;
  updated_at: string;
  user_id: string;
}

/** A stored business. */
export interface FakeBusinessRow {
  id: string;
  business_name: string;
  display_name: string;
  label: string;
  address_1: string | null;
  address_2: string | null;
  city: string | null;
  state: string | null;
  post_code: string | null;
  country: string | null;
  country_code: string | null;
  contact_information: string | null;
  email_reply_to: string | null;
  website_address: string | null;
  business_registration_name: string | null;
  business_registration_value: string | null;
  additional_information: string | null;
  additional_invoice_information: string | null;
  appointment_reminders_enabled: boolean;
  show_in_online_bookings: boolean;
  appointment_type_ids: string[];
  time_zone: string;
  time_zone_identifier: string;
  archived_at: string | null;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A stored tax. */
export interface FakeTaxRow {
  id: string;
  name: string;
  rate: string;
  amount: string;
  created_at: string;
  updated_at: string;
}

/** A whole fake Cliniko account, as produced by the seeded generator. */
export interface ClinikoSeedData {
  patients: FakePatientRow[];
  invoices: FakeInvoiceRow[];
  invoiceItems: FakeInvoiceItemRow[];
  users: FakeUserRow[];
  practitioners: FakePractitionerRow[];
  businesses: FakeBusinessRow[];
  taxes: FakeTaxRow[];
  /** `GET /settings` without its `links`. */
  settings: Record<string, unknown>;
}
