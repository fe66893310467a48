/**
 * Reconciliation reports: the typed report, its renderings and the file writer.
 *
 * @module
 */
export { ReconciliationReport } from './report.js';
export { writeReportFiles, reportFileName } from './files.js';
export type { ReportFormat, WriteReportFilesOptions } from './files.js';
export { KNOWN_REASONS } from './types.js';
export type {
  FindingKind,
  FindingEntity,
  MismatchField,
  ReconciliationFinding,
  MoneyPair,
  MoneyRow,
  MoneySummary,
  RecordCounts,
  RepairSummary,
  ReconciliationSummary,
  ReconciliationReportData,
  ReconciliationReportInput,
  Discrepancy,
  KnownItem,
  KnownReason,
  KnownSummary,
  KnownSummaryRow,
} from './types.js';
