/**
 * Markdown rendering of a report: the headline, the discrepancies with their differing fields,
 * the known items by reason, the summary, the money tables and the findings table.
 *
 * @module
 */
import { escapeMarkdownCell, markdownTable as table } from './escape.js';
import { FINDING_COLUMNS, KIND_LABELS, fieldLabel, findingCells, headlineText, problemLabel, recordLabel, valueLabel } from './labels.js';
import { FINDING_KINDS } from './types.js';
import { renderMoneyMarkdown } from './money.js';
import type { KnownSummary, ReconciliationReportData } from './types.js';

/** One row per differing field of each discrepancy, its record named on every row. */
function discrepancyTable(data: ReconciliationReportData): string {
  const rows = data.discrepancies.flatMap((d) =>
    d.findings.map((f) => [recordLabel(d), problemLabel(f), fieldLabel(f), valueLabel(f, 'cliniko'), valueLabel(f, 'tradify'), d.fixable ? 'yes' : 'no']),
  );
  return table(['Record', 'Problem', 'What differs', 'Cliniko', 'Tradify', 'Repair can fix'], rows);
}

function knownTable(known: KnownSummary): string {
  if (known.rows.length === 0) return '_Nothing to explain._';
  return table(['Reason', 'Records'], known.rows.map((r) => [r.label, String(r.count)]));
}

function headlineSection(data: ReconciliationReportData): string {
  const s = data.summary;
  return [
    `# Reconciliation report`,
    '',
    `Account \`${escapeMarkdownCell(s.accountId)}\`, run \`${escapeMarkdownCell(s.runId)}\`, ${escapeMarkdownCell(s.startedAt)} – ${escapeMarkdownCell(s.finishedAt)} (${escapeMarkdownCell(s.timeZone)}).`,
    '',
    '> This report holds patient identifiers. Keep it private.',
    '',
    `## ${headlineText(s.discrepancies)}`,
    '',
    ...(data.discrepancies.length > 0 ? [discrepancyTable(data), ''] : []),
    `## Known, already explained (${s.known.total})`,
    '',
    knownTable(s.known),
  ].join('\n');
}

function summarySection(data: ReconciliationReportData): string {
  const s = data.summary;
  const counts = FINDING_KINDS.map((k) => [KIND_LABELS[k], String(s.counts[k])]);
  const records = Object.entries(s.records).map(([k, v]) => [k, String(v)]);
  return [
    '## Summary',
    '',
    `**Findings, field by field: ${s.totalFindings}**`,
    '',
    table(['Kind', 'Count'], counts),
    '',
    table(['Records', 'Count'], records),
  ].join('\n');
}

/** The whole report as GitHub-flavoured Markdown; every cell is escaped. */
export function renderMarkdown(data: ReconciliationReportData): string {
  const findingRows = data.findings.map((f) => {
    const cells = findingCells(f);
    return FINDING_COLUMNS.map((c) => cells[c]);
  });
  return [
    headlineSection(data),
    '',
    summarySection(data),
    '',
    renderMoneyMarkdown(data.summary.money),
    '',
    '## Findings',
    '',
    findingRows.length === 0 ? '_No findings._' : table(FINDING_COLUMNS, findingRows),
    '',
  ].join('\n');
}
