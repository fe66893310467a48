/**
 * The record-level parts of the HTML report: the headline ("N records need action" or
 * "Everything matches"), the list of discrepancies linked to their details, the details (each
 * differing field with both values where they are money, rates, dates or statuses — never
 * names, emails or phones) and the known items summarised by reason.
 *
 * @module
 */
import { escapeHtml } from './escape.js';
import { discrepancyProblems, fieldLabel, headlineText, problemLabel, recordLabel, valueLabel } from './labels.js';
import type { Discrepancy, KnownSummary, ReconciliationFinding, ReconciliationReportData } from './types.js';

function knownLine(known: KnownSummary): string {
  if (known.total === 0) return '';
  const what = known.total === 1 ? '1 other record is' : `${known.total} other records are`;
  return `<p id="known-line">${what} already accounted for by the engine: see <a href="#known">known, already explained</a>.</p>`;
}

/** The headline and the list of discrepancies, each linked to its detail. */
export function needsActionSection(data: ReconciliationReportData): string {
  const { summary } = data;
  const items = data.discrepancies
    .map((d) => `<li><a href="#${escapeHtml(d.id)}">${escapeHtml(recordLabel(d))}</a>: ${escapeHtml(discrepancyProblems(d))}</li>`)
    .join('\n');
  const list = items ? `<ol id="discrepancy-list">\n${items}\n</ol>` : '';
  return `<section id="needs-action">
<p class="headline" id="headline" data-discrepancies="${summary.discrepancies}">${escapeHtml(headlineText(summary.discrepancies))}</p>
${knownLine(summary.known)}
${list}
</section>`;
}

/** The known items by reason, with counts. */
export function knownSection(known: KnownSummary): string {
  const rows = known.rows.map((r) => `<tr data-reason="${escapeHtml(r.reason)}"><td>${escapeHtml(r.label)}</td><td class="num">${r.count}</td></tr>`).join('');
  const body = rows || '<tr><td colspan="2">Nothing to explain.</td></tr>';
  return `<section id="known">
<h2>Known, already explained</h2>
<p>Differences the engine already accounts for, and invoices it leaves out on purpose. They need no action here; a review or dead letter is dealt with in its own queue.</p>
<table id="known-summary"><thead><tr><th>Reason</th><th>Records</th></tr></thead><tbody>${body}</tbody></table>
</section>`;
}

function fieldRow(f: ReconciliationFinding): string {
  const what = f.kind === 'field-mismatch' ? fieldLabel(f) : [problemLabel(f), fieldLabel(f)].filter(Boolean).join(': ');
  const cells = [valueLabel(f, 'cliniko'), valueLabel(f, 'tradify')].map((v) => `<td class="num">${escapeHtml(v)}</td>`).join('');
  return `<tr data-kind="${escapeHtml(f.kind)}"><td>${escapeHtml(what)}</td>${cells}</tr>`;
}

function detail(d: Discrepancy): string {
  const month = d.month ? ` Issued ${escapeHtml(d.month)}.` : '';
  const fix = d.fixable ? '<code>reconcile --repair</code> can fix it.' : 'A person has to decide.';
  const others = d.findings.find((f) => f.tradifyIds && f.tradifyIds.length > 1)?.tradifyIds;
  const ids = others ? ` Tradify records: ${others.map(escapeHtml).join(', ')}.` : '';
  const withValues = d.findings.filter((f) => fieldLabel(f) !== '' || valueLabel(f, 'cliniko') !== '' || valueLabel(f, 'tradify') !== '');
  const table = withValues.length === 0 ? '' : `\n<table class="fields"><thead><tr><th>What differs</th><th>Cliniko</th><th>Tradify</th></tr></thead><tbody>${withValues.map(fieldRow).join('')}</tbody></table>`;
  return `<article class="record" id="${escapeHtml(d.id)}">
<h3>${escapeHtml(recordLabel(d))}</h3>
<p>${escapeHtml(discrepancyProblems(d))}.${month}${ids} ${fix}</p>${table}
</article>`;
}

/** Every discrepancy in detail, each under its own anchor. */
export function detailsSection(discrepancies: readonly Discrepancy[]): string {
  if (discrepancies.length === 0) return '';
  return `<section id="details">
<h2>What needs action, in detail</h2>
${discrepancies.map(detail).join('\n')}
</section>`;
}
