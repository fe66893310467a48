/**
 * CSV rendering of a report (csv-stringify): one row per differing field, with its record and
 * whether it needs action — discrepancies first — or which known reason explains it.
 *
 * @module
 */
import { stringify } from 'csv-stringify/sync';
import { neutraliseCsvFormula } from './escape.js';
import { FINDING_COLUMNS, findingCells, recordLabel } from './labels.js';
import type { Discrepancy, KnownItem, ReconciliationFinding } from './types.js';

/** The columns before the finding's own: the record, and needs action / known reason. */
const RECORD_COLUMNS = ['Record', 'Needs action', 'Known reason'] as const;

function row(record: string, needsAction: boolean, knownReason: string, finding: ReconciliationFinding): string[] {
  const cells = findingCells(finding);
  return [record, needsAction ? 'yes' : 'no', knownReason, ...FINDING_COLUMNS.map((column) => cells[column])].map(neutraliseCsvFormula);
}

/**
 * RFC 4180 CSV with a header row: every discrepancy's fields, then every known item's (an
 * invoice left out on purpose has no differing field, so no row). Cells that a spreadsheet
 * would run as a formula are neutralised.
 */
export function renderFindingsCsv(discrepancies: readonly Discrepancy[], knownItems: readonly KnownItem[]): string {
  const rows = [
    ...discrepancies.flatMap((d) => d.findings.map((f) => row(recordLabel(d), true, '', f))),
    ...knownItems.flatMap((k) => k.findings.map((f) => row(recordLabel(k), false, k.label, f))),
  ];
  return stringify(rows, { header: true, columns: [...RECORD_COLUMNS, ...FINDING_COLUMNS], record_delimiter: 'windows' });
}
