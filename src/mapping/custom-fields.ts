/**
 * Declarative custom fields: a patient field, or a Cliniko custom field found by section and
 * field name, → Tradify `customFields.custom1..4`.
 *
 * @module
 */

import type { ClinikoPatient } from '../cliniko/schemas/patient.js';
import type { TradifyCustomFields } from '../tradify/port.js';
import type { CustomFieldSource } from './config.js';
import { finding, type Finding } from './findings.js';
import { cutToLength, tidySpaces } from './names.js';

/** The most characters written to one Tradify custom field. @defaultValue 255 */
export const CUSTOM_FIELD_LIMIT = 255;

interface RawOption {
  name?: unknown;
  selected?: unknown;
}

interface RawField {
  name?: unknown;
  type?: unknown;
  value?: unknown;
  options?: unknown;
  other?: { selected?: unknown; value?: unknown } | null;
}

interface RawSection {
  name?: unknown;
  fields?: unknown;
}

const sameName = (a: unknown, b: string) => typeof a === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();

function findField(customFields: unknown, section: string, field: string): RawField | undefined {
  const sections = (customFields as { sections?: unknown } | null)?.sections;
  if (!Array.isArray(sections)) return undefined;
  const s = (sections as RawSection[]).find((x) => sameName(x?.name, section));
  if (!s || !Array.isArray(s.fields)) return undefined;
  return (s.fields as RawField[]).find((f) => sameName(f?.name, field));
}

/** The text of one Cliniko custom field: its value, or its selected options joined with ", ". */
export function customFieldText(field: RawField | undefined): string | null {
  if (!field) return null;
  if (typeof field.value === 'string' && field.value.trim() !== '') return tidySpaces(field.value);
  const options = Array.isArray(field.options) ? (field.options as RawOption[]) : [];
  const picked = options.filter((o) => o?.selected === true && typeof o.name === 'string').map((o) => o.name as string);
  if (field.other?.selected === true && typeof field.other.value === 'string' && field.other.value.trim() !== '') picked.push(field.other.value);
  const text = picked.map(tidySpaces).filter((s) => s !== '').join(', ');
  return text === '' ? null : text;
}

function patientFieldText(patient: ClinikoPatient, name: string): string | null | undefined {
  if (!Object.hasOwn(patient, name)) return undefined;
  const value = (patient as Record<string, unknown>)[name];
  if (typeof value === 'string') return tidySpaces(value) || null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/**
 * Reads the configured custom fields from a patient.
 *
 * @returns the fields to write (only the configured ones) and findings for unknown patient
 *   fields or values cut to {@link CUSTOM_FIELD_LIMIT}.
 */
export function mapCustomFields(
  patient: ClinikoPatient,
  sources: Readonly<Partial<Record<keyof TradifyCustomFields, CustomFieldSource>>>,
): { customFields: Partial<TradifyCustomFields>; findings: Finding[] } {
  const customFields: Partial<TradifyCustomFields> = {};
  const findings: Finding[] = [];
  for (const [key, source] of Object.entries(sources) as Array<[keyof TradifyCustomFields, CustomFieldSource]>) {
    let text: string | null | undefined;
    if ('patientField' in source) {
      text = patientFieldText(patient, source.patientField);
      if (text === undefined) findings.push(finding('custom-field-missing', 'warning', patient.id, `Patient field '${source.patientField}' does not exist`, `customFields.${key}`));
    } else {
      text = customFieldText(findField(patient.custom_fields, source.section, source.field));
    }
    const { text: cut, cut: wasCut } = cutToLength(text ?? '', CUSTOM_FIELD_LIMIT);
    if (wasCut) findings.push(finding('custom-field-truncated', 'info', patient.id, `Value cut to ${CUSTOM_FIELD_LIMIT} characters`, `customFields.${key}`));
    customFields[key] = cut === '' ? null : cut;
  }
  return { customFields, findings };
}
