/**
 * Escaping for the report renderers: every value that reaches HTML, Markdown or CSV passes
 * through one of these.
 *
 * @module
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Escapes text for a Markdown table cell: pipes, backslashes, HTML and line breaks. */
export function escapeMarkdownCell(value: unknown): string {
  return escapeHtml(value)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[*_[\]]/g, (c) => `\\${c}`)
    .replace(/\r?\n|\r/g, ' ');
}

/**
 * Neutralises spreadsheet formulas: a cell whose first character other than white space is `=`,
 * `+`, `@` or `-`, or that starts with a tab or a carriage return, is prefixed with `'`
 * (spreadsheets skip the leading white space, so ` =1+1` is a formula too). A plain negative
 * number (`-12.50`) is left alone.
 */
export function neutraliseCsvFormula(value: string): string {
  if (/^[\t\r]/.test(value) || /^\s*[=+@]/.test(value)) return `'${value}`;
  if (/^\s*-/.test(value) && !/^-\d+(\.\d+)?$/.test(value)) return `'${value}`;
  return value;
}

/** A Markdown table with every cell escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
  return [line(header), `|${header.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}
