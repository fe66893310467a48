/**
 * The reconciliation report: typed data plus its four renderings.
 *
 * @module
 */
import { ConfigError } from '../../core/errors.js';
import { renderFindingsCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderMoneyCsv } from './money.js';
import { KNOWN_REASONS } from './types.js';
import type { Discrepancy, KnownItem, KnownReason, ReconciliationFinding, ReconciliationReportData, ReconciliationReportInput, ReconciliationSummary } from './types.js';

/**
 * The result of `engine.reconcile()`: a summary, the findings (field by field), the
 * discrepancies (records that need a person, their differing fields grouped under them), the
 * known items (differences the engine already explains, on demand) and renderings.
 *
 * **It holds patient identifiers** (Cliniko and Tradify ids) and money figures. It is never
 * written to the state store; print it, or write it with `writeReportFiles` (mode 0600).
 *
 * @example
 * ```ts
 * const report = await engine.reconcile();
 * console.log(report.summary.discrepancies, report.summary.known.byReason['in-review']);
 * for (const d of report.discrepancies) console.log(d.clinikoId, d.findings.map((f) => f.field));
 * const drafts = report.knownItems('left-as-draft');
 * await writeReportFiles(report, { dir: './reports', formats: ['html', 'csv'] });
 * ```
 */
export class ReconciliationReport {
  /** Counts per kind, discrepancies, the known items' summary, record counts and the money summary. */
  readonly summary: ReconciliationSummary;
  /** Every finding, field by field. */
  readonly findings: readonly ReconciliationFinding[];
  /** Records whose data differs with no known reason. */
  readonly discrepancies: readonly Discrepancy[];
  readonly #knownItems: readonly KnownItem[];

  constructor(data: ReconciliationReportInput) {
    this.summary = data.summary;
    this.findings = data.findings;
    this.discrepancies = data.discrepancies;
    this.#knownItems = data.knownItems ?? [];
  }

  /**
   * The known items — differences the engine already explains, each with its reason — all of
   * them, or those of one reason. Left out of `toJSON()` and the renderings, which summarise
   * them by reason.
   *
   * @throws ConfigError when `reason` is not one of {@link KNOWN_REASONS}.
   */
  knownItems(reason?: KnownReason): KnownItem[] {
    if (reason !== undefined && !KNOWN_REASONS.includes(reason)) throw new ConfigError('reason', `reason must be one of ${KNOWN_REASONS.join(', ')}.`);
    return this.#knownItems.filter((item) => reason === undefined || item.reason === reason);
  }

  /** The plain data, for `JSON.stringify`: the summary (with the known items' summary), the findings and the discrepancies. */
  toJSON(): ReconciliationReportData {
    return { summary: this.summary, findings: [...this.findings], discrepancies: [...this.discrepancies] };
  }

  /**
   * One CSV row per differing field, with its record and whether it needs action (discrepancies
   * first) or which known reason explains it; a header row (csv-stringify; formula cells neutralised).
   */
  toCSV(): string {
    return renderFindingsCsv(this.discrepancies, this.#knownItems);
  }

  /**
   * The money views as CSV (one row per view and period, with its note in words): accrual
   * and cash basis by month and by BAS quarter.
   */
  toMoneyCSV(): string {
    return renderMoneyCsv(this.summary.money);
  }

  /** The headline, the discrepancies with their fields, the known items by reason, money tables and findings as Markdown. */
  toMarkdown(): string {
    return renderMarkdown(this.toJSON());
  }

  /**
   * One self-contained HTML page: "N records need action" (or "Everything matches") first,
   * each discrepancy linked to its detail, the known items by reason, the money tables, a
   * findings table filterable by kind and an inline SVG chart.
   */
  toHTML(): string {
    return renderHtml(this.toJSON());
  }
}
