/**
 * Markdown rendering of a report: the summary, the money tables and the findings table.
 *
 * @module
 */
import { escapeMarkdownCell, markdownTable as table } from './escape.js';
import { FINDING_COLUMNS, KIND_LABELS, findingCells } from './labels.js';
import { FINDING_KINDS } from './types.js';
import { renderMoneyMarkdown } from './money.js';
import type { ReconciliationReportData } from './types.js';

function summarySection(data: ReconciliationReportData): string {
  const s = data.summary;
  const counts = FINDING_KINDS.map((k) => [KIND_LABELS[k], String(s.counts[k])]);
  const records = Object.entries(s.records).map(([k, v]) => [k, String(v)]);
  return [
    `# Reconciliation report`,
    '',
    `Account \`${escapeMarkdownCell(s.accountId)}\`, run \`${escapeMarkdownCell(s.runId)}\`, ${escapeMarkdownCell(s.startedAt)} – ${escapeMarkdownCell(s.finishedAt)} (${escapeMarkdownCell(s.timeZone)}).`,
    '',
    '> This report holds patient identifiers. Keep it private.',
    '',
    `**Findings: ${s.totalFindings}**`,
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
