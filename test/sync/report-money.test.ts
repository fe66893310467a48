import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReportFiles } from 'cliniko-tradify';
import { parseCsv } from './csv-reader.js';
import { fixtureReport } from './report-fixture.js';

// The fixture: 2026-07 holds a discrepancy, 2026-08 only GST rounding (0.01 on 1 invoice);
// its quarter holds both, so it is flagged; the payment views match.
const ROUNDING = 'GST 0.01 lower in Tradify: per-line rounding on 1 invoice, within tolerance';

describe('the money sections in words', () => {
  it('HTML: only periods holding a discrepancy are flagged; rounding is said in words; the BAS view says which figure to report', () => {
    const html = fixtureReport().toHTML();
    const rows = [...html.matchAll(/<tr( class="flagged")?><td>([^<]*)<\/td>(?:<td[^>]*>[^<]*<\/td>)*?<td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[2], Boolean(m[1]), m[3]]);
    expect(rows).toContainEqual(['2026-07', true, '1 invoice differs with no known reason: see the findings']);
    expect(rows).toContainEqual(['2026-08', false, ROUNDING]);
    expect(html.match(/<tr class="flagged">/g)).toHaveLength(2); // 2026-07 and the accrual row of its quarter
    expect(html).toContain('<td>FY2026-27 Q1</td><td>Cash</td><td class="num">110.00</td><td class="num">10.00</td>');
    expect(html).toContain('Cliniko is the source of truth');
    expect(html).toMatch(/Cash basis \(you account for GST when paid\): report the cash-basis row/);
    expect(html).toMatch(/Accrual \(non-cash\) basis \(you account for GST when invoiced\): report the accrual-basis row/);
    expect(html).toContain('<th>1A GST on sales (Cliniko)</th>');
    for (const key of ['byIssueMonth', 'byPaymentMonth', 'byBasQuarter', 'gstRounding', 'knownItems']) expect(html).not.toContain(key);
  });

  it('Markdown: the same notes, "Needs checking" only on flagged rows, and the BAS guidance', () => {
    const md = fixtureReport().toMarkdown();
    const lines = md.split('\n');
    expect(lines).toContain('| 2026-07 | 110.00 | 10.00 | 100.00 | 10.00 | 10.00 | 0.00 | Needs checking: 1 invoice differs with no known reason: see the findings |');
    expect(lines).toContain(`| 2026-08 | 55.00 | 5.01 | 55.00 | 5.00 | 0.00 | 0.01 | ${ROUNDING} |`);
    expect(lines.filter((l) => l.includes('Needs checking:'))).toHaveLength(2);
    expect(lines).toContain('| FY2026-27 Q1 | Cash | 110.00 | 10.00 | 110.00 | 10.00 | Matches |');
    expect(md).toContain('- Cliniko is the source of truth');
  });

  it('CSV: one row per view and period with phrases for headers, flags and notes', () => {
    const [header, ...rows] = parseCsv(fixtureReport().toMoneyCSV());
    expect(header).toEqual([
      'View', 'Basis', 'Period', 'Cliniko total', 'Cliniko GST', 'Tradify total', 'Tradify GST', 'Difference total', 'Difference GST',
      'Cliniko invoices', 'Tradify invoices', 'Invoices with GST rounding', 'GST rounding', 'Known items', 'Discrepancies', 'Needs checking', 'Note',
    ]);
    expect(rows.map((r) => [r[0], r[1], r[2], r[15]])).toEqual([
      ['By issue month', 'Accrual', '2026-07', 'yes'],
      ['By issue month', 'Accrual', '2026-08', 'no'],
      ['By payment month', 'Cash', '2026-07', 'no'],
      ['By BAS quarter, accrual basis', 'Accrual', 'FY2026-27 Q1', 'yes'],
      ['By BAS quarter, cash basis', 'Cash', 'FY2026-27 Q1', 'no'],
    ]);
    expect(rows[1]!.slice(3)).toEqual(['55.00', '5.01', '55.00', '5.00', '0.00', '0.01', '1', '1', '1', '0.01', '0', '0', 'no', ROUNDING]);
  });

  it("writeReportFiles writes the money CSV as '<name>-money.csv', mode 0600", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ct-money-'));
    try {
      const report = fixtureReport();
      const [path] = await writeReportFiles(report, { dir, formats: ['money-csv'] });
      expect(path!.slice(dir.length + 1)).toBe('reconciliation-clinic-A-co--2026-07-01-run-0001-money.csv');
      expect((await stat(path!)).mode & 0o777).toBe(0o600);
      expect(await readFile(path!, 'utf8')).toBe(report.toMoneyCSV());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
