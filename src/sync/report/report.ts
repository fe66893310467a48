/**
 * The reconciliation report: typed data plus its four renderings.
 *
 * @module
 */
import { renderFindingsCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderMoneyCsv } from './money.js';
import type { ReconciliationFinding, ReconciliationReportData, ReconciliationSummary } from './types.js';

/**
 * The result of `engine.reconcile()`: a summary, the findings, and renderings on demand.
 *
 * **It holds patient identifiers** (Cliniko and Tradify ids) and money figures. It is never
 * written to the state store; print it, or write it with `writeReportFiles` (mode 0600).
 *
 * @example
 * ```ts
 * const report = await engine.reconcile();
 * console.log(report.summary.totalFindings, report.summary.counts['missing-in-tradify']);
 * await writeReportFiles(report, { dir: './reports', formats: ['html', 'csv'] });
 * ```
 */
export class ReconciliationReport {
  /** Counts per kind, record counts and the money summary. */
  readonly summary: ReconciliationSummary;
  /** Every finding, Cliniko-side first in id order. */
  readonly findings: readonly ReconciliationFinding[];

  constructor(data: ReconciliationReportData) {
    this.summary = data.summary;
    this.findings = data.findings;
  }

  /** The plain data, for `JSON.stringify`. */
  toJSON(): ReconciliationReportData {
    return { summary: this.summary, findings: [...this.findings] };
  }

  /** One CSV row per finding, with a header row (csv-stringify; formula cells neutralised). */
  toCSV(): string {
    return renderFindingsCsv(this.findings);
  }

  /**
   * The money views as CSV (one row per view and period, with its note in words): accrual
   * and cash basis by month and by BAS quarter.
   */
  toMoneyCSV(): string {
    return renderMoneyCsv(this.summary.money);
  }

  /** The summary, money tables and findings as Markdown tables. */
  toMarkdown(): string {
    return renderMarkdown(this.toJSON());
  }

  /** One self-contained HTML page: summary, a findings table filterable by kind, an inline SVG chart. */
  toHTML(): string {
    return renderHtml(this.toJSON());
  }
}
