/**
 * The report as ONE self-contained HTML page: inline CSS and JS, an inline SVG chart, and a
 * Content-Security-Policy that forbids every network fetch. Every value is HTML-escaped.
 *
 * @module
 */
import { renderFindingsChart } from './chart.js';
import { escapeHtml } from './escape.js';
import { FINDING_COLUMNS, KIND_LABELS, findingCells, headlineText } from './labels.js';
import { detailsSection, knownSection, needsActionSection } from './records-html.js';
import { FINDING_KINDS } from './types.js';
import { renderMoneyHtml } from './money.js';
import type { ReconciliationFinding, ReconciliationReportData } from './types.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.flagged td{background:#fff3e0;font-weight:600}
.money-intro{max-width:60em}
.note{background:#fdecea;padding:6px 10px;border-left:4px solid #d55e00}
.summary-total{font-size:15px;font-weight:600}
.headline{font-size:22px;font-weight:700;margin:12px 0}
article.record{border-top:1px solid #ccc;padding-top:4px}
h3{font-size:15px;margin:12px 0 4px}
`;

const SCRIPT = `
(function(){
  var select=document.getElementById('kind-filter');
  var rows=document.querySelectorAll('#findings tbody tr');
  var shown=document.getElementById('visible-count');
  function apply(){
    var kind=select.value, n=0;
    for(var i=0;i<rows.length;i++){
      var match=kind==='all'||rows[i].getAttribute('data-kind')===kind;
      rows[i].hidden=!match; if(match) n++;
    }
    shown.textContent=String(n);
  }
  select.addEventListener('change',apply);
  apply();
})();
`;

function summarySection(data: ReconciliationReportData): string {
  const s = data.summary;
  const counts = FINDING_KINDS.map((k) => `<tr data-kind="${k}"><td>${escapeHtml(KIND_LABELS[k])}</td><td class="num">${s.counts[k]}</td></tr>`).join('');
  const records = Object.entries(s.records)
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td class="num">${escapeHtml(v)}</td></tr>`)
    .join('');
  return `<section id="summary">
<p>Account <code>${escapeHtml(s.accountId)}</code>, run <code>${escapeHtml(s.runId)}</code>, ${escapeHtml(s.startedAt)} – ${escapeHtml(s.finishedAt)} (${escapeHtml(s.timeZone)})${s.since ? `, invoices issued since ${escapeHtml(s.since)}` : ''}.</p>
<p class="summary-total">Findings, field by field: <span id="total-findings">${s.totalFindings}</span></p>
<table id="counts"><thead><tr><th>Kind</th><th>Count</th></tr></thead><tbody>${counts}</tbody></table>
<table id="records"><thead><tr><th>Records</th><th>Count</th></tr></thead><tbody>${records}</tbody></table>
</section>`;
}

function findingsSection(findings: readonly ReconciliationFinding[]): string {
  const options = FINDING_KINDS.map((k) => `<option value="${k}">${escapeHtml(KIND_LABELS[k])}</option>`).join('');
  const head = FINDING_COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const rows = findings
    .map((f) => {
      const cells = findingCells(f);
      return `<tr data-kind="${escapeHtml(f.kind)}">${FINDING_COLUMNS.map((c) => `<td>${escapeHtml(cells[c])}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<section id="findings-section">
<label>Kind <select id="kind-filter"><option value="all">All kinds</option>${options}</select></label>
Showing <span id="visible-count">${findings.length}</span> of ${findings.length}.
<table id="findings"><thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table>
</section>`;
}

/** The whole report as one self-contained HTML page (no network access at all). */
export function renderHtml(data: ReconciliationReportData): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<title>Reconciliation report ${escapeHtml(data.summary.accountId)} ${escapeHtml(data.summary.finishedAt)}: ${escapeHtml(headlineText(data.summary.discrepancies))}</title>
<style>${STYLE}</style></head>
<body>
<h1>Reconciliation report</h1>
<p class="note">This report holds patient identifiers. Keep it private; do not email or publish it.</p>
${needsActionSection(data)}
${knownSection(data.summary.known)}
<h2>Summary</h2>
${summarySection(data)}
<h2>Findings by month and kind</h2>
${renderFindingsChart(data.findings)}
${renderMoneyHtml(data.summary.money)}
${detailsSection(data.discrepancies)}
<h2>Every finding, field by field</h2>
${findingsSection(data.findings)}
<script>${SCRIPT}</script>
</body></html>
`;
}
