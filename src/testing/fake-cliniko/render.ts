/**
 * Turns stored rows into Cliniko's wire shape: reference ids become absolute
 * `{ links: { self } }` objects on the host that served the request.
 *
 * @module
 */
import type {
  FakeBusinessRow, FakeInvoiceItemRow, FakeInvoiceRow, FakePatientRow, FakePractitionerRow, FakeTaxRow, FakeUserRow,
} from './records.js';

/** A link object as Cliniko nests it. */
export interface LinkObject {
  links: { self: string };
}

function link(base: string, path: string): LinkObject {
  return { links: { self: `${base}${path}` } };
}

/** The filtered-collection link Cliniko uses, e.g. `/attendees?q%5B%5D=patient_id%3A%3D1`. */
function filteredLink(base: string, path: string, field: string, id: string): LinkObject {
  return link(base, `${path}?${new URLSearchParams([['q[]', `${field}:=${id}`]]).toString()}`);
}

/** A patient as `GET /patients/{id}` returns it. */
export function renderPatient(row: FakePatientRow, base: string): Record<string, unknown> {
  const { merged_with_patient_id: mergedWith, ...fields } = row;
  const self = `/patients/${row.id}`;
  return {
    ...fields,
    label: `${row.first_name} ${row.last_name}`.trim(),
    appointments: link(base, `${self}/appointments`),
    invoices: link(base, `${self}/invoices`),
    medical_alerts: link(base, `${self}/medical_alerts`),
    patient_attachments: link(base, `${self}/patient_attachments`),
    attendees: filteredLink(base, '/attendees', 'patient_id', row.id),
    relationships: filteredLink(base, '/relationships', 'patient_id', row.id),
    concession_type: null,
    referring_doctor: null,
    latest_booking: null,
    merged_with_patient: mergedWith === null ? null : link(base, `/patients/${mergedWith}`),
    links: { self: `${base}${self}` },
  };
}

/** An invoice; `practitioner`, `appointment` and `attendee` keys are left out when unset. */
export function renderInvoice(row: FakeInvoiceRow, base: string): Record<string, unknown> {
  const { patient_id, practitioner_id, business_id, appointment_id, attendee_id, original_invoice_id, ...fields } = row;
  const out: Record<string, unknown> = { ...fields, patient: link(base, `/patients/${patient_id}`) };
  if (practitioner_id !== null) out.practitioner = link(base, `/practitioners/${practitioner_id}`);
  out.business = link(base, `/businesses/${business_id}`);
  if (appointment_id !== null) out.appointment = link(base, `/appointments/${appointment_id}`);
  if (attendee_id !== null) out.attendee = link(base, `/attendees/${attendee_id}`);
  out.original_invoice = original_invoice_id === null ? null : link(base, `/invoices/${original_invoice_id}`);
  out.invoice_items = link(base, `/invoices/${row.id}/invoice_items`);
  out.reversed_invoices = filteredLink(base, '/invoices', 'invoice_id', row.id);
  out.links = { self: `${base}/invoices/${row.id}` };
  return out;
}

/** An invoice item, linking its billable item or product. */
export function renderInvoiceItem(row: FakeInvoiceItemRow, base: string): Record<string, unknown> {
  const { invoice_id, source_item_id, is_product, ...fields } = row;
  const out: Record<string, unknown> = { ...fields, invoice: link(base, `/invoices/${invoice_id}`) };
  if (source_item_id !== null) {
    out[is_product ? 'product' : 'billable_item'] = link(base, `/${is_product ? 'products' : 'billable_items'}/${source_item_id}`);
  }
  out.links = { self: `${base}/invoice_items/${row.id}` };
  return out;
}

/** A user. */
export function renderUser(row: FakeUserRow, base: string): Record<string, unknown> {
  return { ...row, links: { self: `${base}/users/${row.id}` } };
}

/** A practitioner, linking its user. */
export function renderPractitioner(row: FakePractitionerRow, base: string): Record<string, unknown> {
  const { user_id, ...fields } = row;
  const self = `/practitioners/${row.id}`;
  return {
    ...fields,
    user: link(base, `/users/${user_id}`),
    default_appointment_type: null,
    appointment_types: link(base, `${self}/appointment_types`),
    appointments: link(base, `${self}/appointments`),
    invoices: link(base, `${self}/invoices`),
    practitioner_reference_numbers: link(base, `${self}/practitioner_reference_numbers`),
    links: { self: `${base}${self}` },
  };
}

/** A business. */
export function renderBusiness(row: FakeBusinessRow, base: string): Record<string, unknown> {
  const self = `/businesses/${row.id}`;
  return {
    ...row,
    practitioners: link(base, `${self}/practitioners`),
    appointments: link(base, `${self}/appointments`),
    links: { self: `${base}${self}` },
  };
}

/** A tax. */
export function renderTax(row: FakeTaxRow, base: string): Record<string, unknown> {
  return { ...row, links: { self: `${base}/taxes/${row.id}` } };
}
