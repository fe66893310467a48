/**
 * CSV rendering of a report's findings (one row per finding) with csv-stringify.
 *
 * @module
 */
import { stringify } from 'csv-stringify/sync';
import { neutraliseCsvFormula } from './escape.js';
import { FINDING_COLUMNS, findingCells } from './labels.js';
import type { ReconciliationFinding } from './types.js';

/**
 * The findings as RFC 4180 CSV with a header row. Cells that a spreadsheet would run as a
 * formula are prefixed with `'`.
 */
export function renderFindingsCsv(findings: readonly ReconciliationFinding[]): string {
  const rows = findings.map((f) => {
    const cells = findingCells(f);
    return FINDING_COLUMNS.map((column) => neutraliseCsvFormula(cells[column]));
  });
  return stringify(rows, { header: true, columns: [...FINDING_COLUMNS], record_delimiter: 'windows' });
}
