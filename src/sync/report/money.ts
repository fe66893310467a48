/**
 * The money sections of the report, in words: per period, both sides' totals and GST, and a
 * note saying why they differ (GST per-line rounding within tolerance, known items, or
 * invoices that need checking). A period is flagged only when it holds a discrepancy. The BAS
 * view says which of Cliniko's figures to report for each GST accounting basis.
 *
 * @module
 */
import { stringify } from 'csv-stringify/sync';
import { Decimal } from '../../core/decimal.js';
import { escapeHtml, markdownTable, neutraliseCsvFormula } from './escape.js';
import type { MoneyRow, MoneySummary } from './types.js';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Whether the row's whole difference is accounted for by rounding and known items. */
function accountedFor(row: MoneyRow): boolean {
  if (row.knownItems > 0) return true;
  return Decimal.from(row.difference.total).isZero() && Decimal.from(row.difference.tax).eq(row.gstRounding.tax);
}

/**
 * Whether a period needs checking: it holds an invoice whose money differs with no known
 * reason (or, as a safeguard, a difference that nothing accounts for). Rounding within
 * tolerance and known items never flag a period.
 */
export function isMoneyRowFlagged(row: MoneyRow): boolean {
  return row.discrepancies > 0 || !accountedFor(row);
}

function roundingNote(row: MoneyRow): string | undefined {
  const { invoices, tax } = row.gstRounding;
  if (invoices === 0) return undefined;
  const gap = Decimal.from(tax);
  const on = `per-line rounding on ${plural(invoices, 'invoice', 'invoices')}, within tolerance`;
  if (gap.isZero()) return `GST ${on}, netting to 0.00`;
  return `GST ${gap.abs().toFixed(2)} ${gap.sign() > 0 ? 'lower' : 'higher'} in Tradify: ${on}`;
}

/**
 * The row's note in words, e.g. "GST 0.02 lower in Tradify: per-line rounding on 4 invoices,
 * within tolerance", or "Matches".
 */
export function describeMoneyRow(row: MoneyRow): string {
  const notes: string[] = [];
  if (row.discrepancies > 0) notes.push(`${plural(row.discrepancies, 'invoice differs', 'invoices differ')} with no known reason: see the findings`);
  else if (!accountedFor(row)) notes.push('Differs with no invoice to account for it: check this period');
  if (row.knownItems > 0) notes.push(`${plural(row.knownItems, 'invoice differs', 'invoices differ')} for a known reason (see the known items)`);
  const rounding = roundingNote(row);
  if (rounding) notes.push(rounding);
  return notes.length === 0 ? 'Matches' : notes.join('; ');
}

/** One money view: its key, its title, and the GST accounting basis it shows. */
interface MoneyView {
  key: keyof MoneySummary;
  /** The HTML table's id. */
  anchor: string;
  title: string;
  basis: 'Accrual' | 'Cash';
}

const MONTH_VIEWS: readonly MoneyView[] = [
  { key: 'byIssueMonth', anchor: 'money-issue-month', title: 'Money by issue month (accrual basis)', basis: 'Accrual' },
  { key: 'byPaymentMonth', anchor: 'money-payment-month', title: 'Money by payment month (cash basis)', basis: 'Cash' },
];

const QUARTER_VIEWS: readonly MoneyView[] = [
  { key: 'byBasQuarter', anchor: 'money-bas-accrual', title: 'By BAS quarter, accrual basis', basis: 'Accrual' },
  { key: 'byBasQuarterCash', anchor: 'money-bas-cash', title: 'By BAS quarter, cash basis', basis: 'Cash' },
];

/** How invoices are compared, said once above the money tables. */
const MONEY_INTRO =
  'Each invoice is compared as it states its money, in cents, on both sides. GST may differ by per-line rounding: ' +
  'Tradify rounds each line\u2019s GST to the cent, Cliniko rounds the invoice\u2019s sum. That is allowed up to half a ' +
  'cent per line carrying GST, judged invoice by invoice and never by period, so a larger difference on one invoice ' +
  'cannot hide in a month\u2019s total. A period is flagged only when it holds an invoice that differs with no known reason.';

/** Which figure belongs on the BAS, and why. */
const BAS_GUIDANCE = [
  'Cliniko is the source of truth: report Cliniko\u2019s figures. Tradify\u2019s should match them; check a flagged quarter before lodging.',
  'Cash basis (you account for GST when paid): report the cash-basis row. G1 total sales is the money received in the quarter and 1A GST on sales the GST in it. ' +
    'A Cliniko invoice counts as received in full on the day it was marked Paid; Cliniko has no payments API, so part payments are not seen.',
  'Accrual (non-cash) basis (you account for GST when invoiced): report the accrual-basis row: invoices issued in the quarter, paid or not.',
  'These figures cover the Open and Paid invoices synced from Cliniko only; add any other sales, such as Tradify\u2019s own trade invoices, yourself.',
] as const;

const TABLE_HEADER = ['Period', 'Cliniko total', 'Cliniko GST', 'Tradify total', 'Tradify GST', 'Difference total', 'Difference GST', 'Note'] as const;

function tableCells(row: MoneyRow): string[] {
  return [row.period, row.cliniko.total, row.cliniko.tax, row.tradify.total, row.tradify.tax, row.difference.total, row.difference.tax];
}

/** The quarters of both bases, each quarter once, in order. */
function quarters(money: MoneySummary): string[] {
  return [...new Set([...money.byBasQuarter, ...money.byBasQuarterCash].map((r) => r.period))].sort();
}

function basRows(money: MoneySummary): Array<{ quarter: string; view: MoneyView; row: MoneyRow | undefined }> {
  return quarters(money).flatMap((quarter) => QUARTER_VIEWS.map((view) => ({ quarter, view, row: money[view.key].find((r) => r.period === quarter) })));
}

const BAS_HEADER = ['Quarter', 'Basis', 'G1 total sales (Cliniko)', '1A GST on sales (Cliniko)', 'Tradify total', 'Tradify GST', 'Note'] as const;

function basCells(quarter: string, view: MoneyView, row: MoneyRow | undefined): string[] {
  if (!row) return [quarter, view.basis, '0.00', '0.00', '0.00', '0.00', 'No invoices'];
  return [quarter, view.basis, row.cliniko.total, row.cliniko.tax, row.tradify.total, row.tradify.tax, describeMoneyRow(row)];
}

// ---------------------------------------------------------------------------------------------
// HTML

/** A row: `labels` leading text cells, the amounts, and the note last. */
function htmlRow(cells: readonly string[], row: MoneyRow | undefined, labels: number): string {
  const flagged = row !== undefined && isMoneyRowFlagged(row);
  const tds = cells.map((c, i) => `<td${i < labels || i === cells.length - 1 ? '' : ' class="num"'}>${escapeHtml(c)}</td>`).join('');
  return `<tr${flagged ? ' class="flagged"' : ''}>${tds}</tr>`;
}

function htmlTable(id: string, header: readonly string[], body: string[]): string {
  const head = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = body.length > 0 ? body.join('') : `<tr><td colspan="${header.length}">No invoices synced from Cliniko in this view.</td></tr>`;
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** The money sections as HTML: the two monthly views and the BAS view with its guidance. */
export function renderMoneyHtml(money: MoneySummary): string {
  const months = MONTH_VIEWS.map((view) => {
    const body = money[view.key].map((r) => htmlRow([...tableCells(r), describeMoneyRow(r)], r, 1));
    return `<h2>${escapeHtml(view.title)}</h2>\n${htmlTable(view.anchor, TABLE_HEADER, body)}`;
  });
  const bas = basRows(money).map(({ quarter, view, row }) => htmlRow(basCells(quarter, view, row), row, 2));
  return [
    `<section id="money"><p class="money-intro">${escapeHtml(MONEY_INTRO)}</p>`,
    ...months,
    '<h2>Money by BAS quarter</h2>',
    `<ul id="bas-guidance">${BAS_GUIDANCE.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`,
    htmlTable('money-bas', BAS_HEADER, bas),
    '</section>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Markdown

function flagMark(row: MoneyRow | undefined, note: string): string {
  return row !== undefined && isMoneyRowFlagged(row) ? `Needs checking: ${note}` : note;
}

/** The money sections as Markdown: the two monthly views and the BAS view with its guidance. */
export function renderMoneyMarkdown(money: MoneySummary): string {
  const months = MONTH_VIEWS.flatMap((view) => {
    const rows = money[view.key].map((r) => [...tableCells(r), flagMark(r, describeMoneyRow(r))]);
    return [`## ${view.title}`, '', rows.length === 0 ? '_No invoices synced from Cliniko in this view._' : markdownTable(TABLE_HEADER, rows), ''];
  });
  const bas = basRows(money).map(({ quarter, view, row }) => {
    const cells = basCells(quarter, view, row);
    return [...cells.slice(0, -1), flagMark(row, cells[cells.length - 1]!)];
  });
  return [
    MONEY_INTRO,
    '',
    ...months,
    '## Money by BAS quarter',
    '',
    ...BAS_GUIDANCE.map((line) => `- ${line}`),
    '',
    bas.length === 0 ? '_No invoices synced from Cliniko._' : markdownTable(BAS_HEADER, bas),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// CSV

const CSV_COLUMNS = [
  'View',
  'Basis',
  'Period',
  'Cliniko total',
  'Cliniko GST',
  'Tradify total',
  'Tradify GST',
  'Difference total',
  'Difference GST',
  'Cliniko invoices',
  'Tradify invoices',
  'Invoices with GST rounding',
  'GST rounding',
  'Known items',
  'Discrepancies',
  'Needs checking',
  'Note',
] as const;

const CSV_VIEWS: readonly MoneyView[] = [
  { ...MONTH_VIEWS[0]!, title: 'By issue month' },
  { ...MONTH_VIEWS[1]!, title: 'By payment month' },
  ...QUARTER_VIEWS,
];

function csvCells(view: MoneyView, r: MoneyRow): string[] {
  const counts = [r.invoices.cliniko, r.invoices.tradify, r.gstRounding.invoices].map(String);
  return [view.title, view.basis, ...tableCells(r), ...counts, r.gstRounding.tax, String(r.knownItems), String(r.discrepancies), isMoneyRowFlagged(r) ? 'yes' : 'no', describeMoneyRow(r)];
}

/**
 * Every money view as one CSV with a header row: one row per view and period, with its note
 * in words. Cells a spreadsheet would run as a formula are prefixed with `'`.
 */
export function renderMoneyCsv(money: MoneySummary): string {
  const rows = CSV_VIEWS.flatMap((view) => money[view.key].map((r) => csvCells(view, r).map(neutraliseCsvFormula)));
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows' });
}
