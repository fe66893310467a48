/**
 * `cliniko-tradify/cliniko`: Cliniko's records as `ClinikoClient` returns them, for code that
 * reads Cliniko on its own or builds records for mapping tests. The zod schemas turn a raw
 * Cliniko body into the normalised record (ids and money as strings, blank text and
 * timestamps as `null`); `linkedId` reads the id behind a link without a request.
 *
 * @example
 * ```ts
 * import { clinikoInvoiceSchema, linkedId } from 'cliniko-tradify/cliniko';
 *
 * const invoice = clinikoInvoiceSchema.parse(rawInvoice);
 * const patientId = linkedId(invoice.patient); // '1390710863102485699', or null
 * ```
 *
 * @packageDocumentation
 */

export { linkedId } from './links.js';
export { CLINIKO_INVOICE_STATUS, clinikoInvoiceSchema } from './schemas/invoice.js';
export type { ClinikoInvoice } from './schemas/invoice.js';
export { clinikoPatientSchema } from './schemas/patient.js';
export type { ClinikoPatient } from './schemas/patient.js';
export { clinikoInvoiceItemSchema } from './schemas/invoice-item.js';
export type { ClinikoInvoiceItem } from './schemas/invoice-item.js';
export { clinikoUserSchema } from './schemas/user.js';
export type { ClinikoUser } from './schemas/user.js';
export { clinikoPractitionerSchema } from './schemas/practitioner.js';
export type { ClinikoPractitioner } from './schemas/practitioner.js';
export { clinikoBusinessSchema } from './schemas/business.js';
export type { ClinikoBusiness } from './schemas/business.js';
export { clinikoTaxSchema } from './schemas/tax.js';
export type { ClinikoTax } from './schemas/tax.js';
export { clinikoSettingsSchema } from './schemas/settings.js';
export type { ClinikoSettings } from './schemas/settings.js';
export { clinikoPhoneNumberSchema } from './schemas/common.js';
export type { ClinikoLinkRef, ClinikoPhoneNumber } from './schemas/common.js';
export { CLINIKO_FILTER_FIELDS } from './filters.js';
