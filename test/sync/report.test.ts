import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReportFiles } from '../../src/sync/report/files.js';
import { parseCsv } from './csv-reader.js';
import { FINDINGS, fixtureReport } from './report-fixture.js';

describe('ReconciliationReport renderings', () => {
  it('toJSON round-trips through JSON', () => {
    const report = fixtureReport();
    const parsed = JSON.parse(JSON.stringify(report));
    expect(parsed.summary.totalFindings).toBe(5);
    expect(parsed.findings).toEqual(JSON.parse(JSON.stringify(FINDINGS)));
  });

  it('toCSV parses back into one row per finding, with formulas neutralised', () => {
    const rows = parseCsv(fixtureReport().toCSV());
    expect(rows[0]).toEqual(['kind', 'entity', 'clinikoId', 'tradifyId', 'field', 'line', 'clinikoValue', 'tradifyValue', 'reason', 'month', 'fixable']);
    expect(rows).toHaveLength(FINDINGS.length + 1);
    expect(rows[2]).toEqual(['field-mismatch', 'invoice', '1390730000000000001', 'inv_7', 'total', '', '110.00', '100.00', 'value-differs', '2026-07', 'no']);
    expect(rows[3]![5]).toBe('2');
    expect(rows[4]![3]).toBe('cus_1 cus_2');
    expect(rows[5]![6]).toBe(`'=HYPERLINK("x")`);
    // 19-digit ids survive as text
    expect(rows[1]![2]).toBe('1390710863102485699');
  });

  it('toMarkdown has the summary and a findings table with escaped cells', () => {
    const md = fixtureReport().toMarkdown();
    expect(md).toContain('**Findings: 5**');
    expect(md).toContain('| Missing in Tradify | 1 |');
    expect(md).toContain('| 2026-07 | 110.00 | 10.00 | 100.00 | 10.00 | 10.00 | 0.00 |');
    const tableLines = md.split('\n').filter((l) => l.startsWith('| missing-in-tradify') || l.startsWith('| field-mismatch') || l.startsWith('| orphan') || l.startsWith('| duplicate'));
    expect(tableLines).toHaveLength(5);
    for (const line of tableLines) expect(line.split(/(?<!\\)\|/).length - 2).toBe(11);
    expect(md).not.toContain('<script>');
    expect(md).toContain('cliniko-record-missing\\|&lt;script&gt;');
  });

  it('toHTML is one self-contained page: summary, findings rows, chart, no external URL, all escaped', () => {
    const html = fixtureReport().toHTML();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<span id="total-findings">5</span>');
    expect(html.match(/<tr data-kind="[a-z-]+"><td>[a-z-]+<\/td><td>(patient|invoice)<\/td>/g)).toHaveLength(5);
    expect(html).toContain('<svg id="findings-chart"');
    expect(html).toContain('id="kind-filter"');
    expect(html).toContain("Content-Security-Policy");
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<b>9</b>');
    expect(html).toContain('inv_&lt;b&gt;9&lt;/b&gt;');
    expect(html).toContain('clinic &quot;A&quot; &amp; &lt;co&gt;');
    // exactly one script element: ours
    expect(html.match(/<script>/g)).toHaveLength(1);
  });
});

describe('writeReportFiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ct-report-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('names files with the date in the configured zone and writes them mode 0600', async () => {
    const report = fixtureReport();
    const sydney = await writeReportFiles(report, { dir, formats: ['html', 'csv', 'json', 'md'] });
    expect(sydney.map((p) => p.slice(dir.length + 1))).toEqual([
      'reconciliation-clinic-A-co--2026-07-01-run-0001.html',
      'reconciliation-clinic-A-co--2026-07-01-run-0001.csv',
      'reconciliation-clinic-A-co--2026-07-01-run-0001.json',
      'reconciliation-clinic-A-co--2026-07-01-run-0001.md',
    ]);
    for (const path of sydney) expect((await stat(path)).mode & 0o777).toBe(0o600);
    const [perth] = await writeReportFiles(report, { dir, formats: ['csv'], timeZone: 'Australia/Perth' });
    expect(perth).toContain('-2026-06-30-');
    expect(await readFile(sydney[1]!, 'utf8')).toBe(report.toCSV());
  });

  it('tightens an existing, looser file back to 0600', async () => {
    const report = fixtureReport();
    const [first] = await writeReportFiles(report, { dir, formats: ['json'] });
    await writeFile(first!, 'old', { mode: 0o644 });
    const { chmod } = await import('node:fs/promises');
    await chmod(first!, 0o644);
    await writeReportFiles(report, { dir, formats: ['json'] });
    expect((await stat(first!)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(first!, 'utf8')).summary.runId).toBe('run-0001');
  });

  it('rejects an unknown format with a ConfigError', async () => {
    await expect(writeReportFiles(fixtureReport(), { dir, formats: ['pdf' as never] })).rejects.toMatchObject({ code: 'config_invalid' });
  });
});
