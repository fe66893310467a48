/**
 * Findings: what the mapping noticed about a record, as data. They name records by id and
 * fields by name only; a message never holds patient data, amounts of a named person, or
 * free text taken from a record.
 *
 * @module
 */

/** Every finding code the mapping layer emits. */
export type FindingCode =
  | 'name-truncated'
  | 'name-missing'
  | 'email-invalid'
  | 'email-too-long'
  | 'phone-dropped'
  | 'state-unrecognised'
  | 'country-unrecognised'
  | 'patient-merged'
  | 'custom-field-missing'
  | 'custom-field-truncated'
  | 'callback-vetoed'
  | 'callback-failed'
  | 'invalid-data'
  | 'filtered'
  | 'patient-filtered'
  | 'customer-missing'
  | 'issue-date-missing'
  | 'invoice-number-missing'
  | 'owner-not-found'
  | 'owner-ambiguous'
  | 'tax-rate-inferred'
  | 'tax-rate-missing'
  | 'tax-rate-unmapped'
  | 'tax-rate-ambiguous'
  | 'line-restated'
  | 'line-unreproducible'
  | 'no-single-tax-mode'
  | 'invoice-total-differs'
  | 'rounding-line-added'
  | 'no-live-lines'
  | 'description-truncated'
  | 'paid-without-closed-at'
  | 'amount-invalid';

/** How much a finding matters: `error` blocks approval or the write; `warning` needs a look; `info` records a deliberate choice. */
export type FindingSeverity = 'info' | 'warning' | 'error';

/** One thing the mapping noticed. */
export interface Finding {
  code: FindingCode;
  severity: FindingSeverity;
  /** The Cliniko record's id (patient, invoice or invoice item). */
  recordId: string;
  /** The field concerned, by name, e.g. `email` or `items[2].tax_rate`. */
  field?: string | undefined;
  /** A sentence for people. Never holds patient data. */
  message: string;
}

/**
 * Builds a finding.
 *
 * @example
 * ```ts
 * finding('name-truncated', 'warning', patient.id, 'Customer name cut to 100 characters', 'name');
 * ```
 */
export function finding(code: FindingCode, severity: FindingSeverity, recordId: string, message: string, field?: string): Finding {
  return field === undefined ? { code, severity, recordId, message } : { code, severity, recordId, field, message };
}

/** True when any finding is an `error`. */
export function hasBlockingFinding(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
