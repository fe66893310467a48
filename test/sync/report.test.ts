import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReportFiles } from 'cliniko-tradify';
import { parseCsv } from './csv-reader.js';
import { DISCREPANCY_FINDINGS, FINDINGS, fixtureReport } from './report-fixture.js';

describe('ReconciliationReport renderings', () => {
  it('toJSON round-trips through JSON: findings, discrepancies and the known summary, not the known list', () => {
    const report = fixtureReport();
    const parsed = JSON.parse(JSON.stringify(report));
    expect(parsed.summary.totalFindings).toBe(6);
    expect(parsed.summary.discrepancies).toBe(5);
    expect(parsed.findings).toEqual(JSON.parse(JSON.stringify(FINDINGS)));
    expect(parsed.discrepancies.flatMap((d: { findings: unknown[] }) => d.findings)).toEqual(JSON.parse(JSON.stringify(DISCREPANCY_FINDINGS)));
    expect(parsed.summary.known).toEqual({
      total: 2,
      byReason: expect.objectContaining({ 'in-review': 1, closed: 1, 'left-as-draft': 0 }),
      rows: [
        { reason: 'in-review', label: 'In the review queue', count: 1 },
        { reason: 'closed', label: 'Not synced on purpose: closed in Cliniko', count: 1 },
      ],
    });
    expect(parsed.knownItems).toBeUndefined();
    expect(report.knownItems().map((k) => [k.clinikoId, k.reason, k.label])).toEqual([
      ['1390730000000000003', 'in-review', 'In the review queue (review 12)'],
      ['1390730000000000004', 'closed', 'Not synced on purpose: closed in Cliniko'],
    ]);
    expect(report.knownItems('closed')).toHaveLength(1);
    expect(() => report.knownItems('reviewed' as never)).toThrow(expect.objectContaining({ code: 'config_invalid', setting: 'reason' }));
  });

  it('toCSV parses back into one row per differing field with its record, discrepancies first, formulas neutralised', () => {
    const rows = parseCsv(fixtureReport().toCSV());
    expect(rows[0]).toEqual(['Record', 'Needs action', 'Known reason', 'kind', 'entity', 'clinikoId', 'tradifyId', 'field', 'line', 'clinikoValue', 'tradifyValue', 'reason', 'month', 'fixable']);
    expect(rows).toHaveLength(FINDINGS.length + 1);
    expect(rows[2]).toEqual(['Invoice 1390730000000000001 (Tradify inv_7)', 'yes', '', 'field-mismatch', 'invoice', '1390730000000000001', 'inv_7', 'total', '', '110.00', '100.00', 'value-differs', '2026-07', 'no']);
    expect(rows[3]![8]).toBe('2');
    expect(rows[4]![6]).toBe('cus_1 cus_2');
    expect(rows[5]![9]).toBe(`'=HYPERLINK("x")`);
    // the known item comes last, with its reason
    expect(rows[6]!.slice(0, 4)).toEqual(['Invoice 1390730000000000003 (Tradify inv_10)', 'no', 'In the review queue (review 12)', 'field-mismatch']);
    // 19-digit ids survive as text
    expect(rows[1]![5]).toBe('1390710863102485699');
  });

  it('toMarkdown opens with the headline, the discrepancies and the known summary; every cell escaped', () => {
    const md = fixtureReport().toMarkdown();
    const headline = md.indexOf('## 5 records need action');
    expect(headline).toBeGreaterThan(0);
    expect(headline).toBeLessThan(md.indexOf('## Known, already explained (2)'));
    expect(md).toContain('| Invoice 1390730000000000001 (Tradify inv\\_7) | Values differ | Total | 110.00 | 100.00 | no |');
    expect(md).toContain('| GST rate, line 2 | 10% | 0% | yes |');
    expect(md).toContain('| In the review queue | 1 |');
    expect(md).toContain('**Findings, field by field: 6**');
    expect(md).toContain('| Missing in Tradify | 1 |');
    expect(md).toContain('| 2026-07 | 110.00 | 10.00 | 100.00 | 10.00 | 10.00 | 0.00 |');
    const tableLines = md.split('\n').filter((l) => l.startsWith('| missing-in-tradify') || l.startsWith('| field-mismatch') || l.startsWith('| orphan') || l.startsWith('| duplicate'));
    expect(tableLines).toHaveLength(6);
    for (const line of tableLines) expect(line.split(/(?<!\\)\|/).length - 2).toBe(11);
    expect(md).not.toContain('<script>');
    expect(md).toContain('cliniko-record-missing\\|&lt;script&gt;');
  });

  it('toMarkdown says "Everything matches" when nothing needs action', async () => {
    const { ReconciliationReport } = await import('../../src/sync/report/report.js');
    const data = fixtureReport().toJSON();
    const clean = new ReconciliationReport({ ...data, summary: { ...data.summary, discrepancies: 0 }, discrepancies: [] });
    expect(clean.toMarkdown()).toContain('## Everything matches');
    expect(clean.toHTML()).toContain('<p class="headline" id="headline" data-discrepancies="0">Everything matches</p>');
  });

  it('toHTML is one self-contained page: headline first, discrepancies linked to their details, known summary, chart, all escaped', () => {
    const html = fixtureReport().toHTML();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    const body = html.slice(html.indexOf('<body>'));
    // the headline comes before everything but the title and the privacy note
    expect(body.indexOf('id="headline"')).toBeLessThan(body.indexOf('id="known-summary"'));
    expect(body.indexOf('id="headline"')).toBeLessThan(body.indexOf('id="summary"'));
    expect(html).toContain('>5 records need action</p>');
    const links = [...html.matchAll(/<li><a href="#([^"]+)">/g)].map((m) => m[1]!);
    expect(links).toHaveLength(5);
    for (const anchor of links) expect(html).toContain(`<article class="record" id="${anchor}">`);
    expect(html).toContain('<td>Total</td><td class="num">110.00</td><td class="num">100.00</td>');
    expect(html).toContain('<tr data-reason="in-review"><td>In the review queue</td><td class="num">1</td></tr>');
    // the known item is not among the records needing action
    expect(html).not.toContain('id="invoice-1390730000000000003"');
    expect(html).toContain('<span id="total-findings">6</span>');
    expect(html.match(/<tr data-kind="[a-z-]+"><td>[a-z-]+<\/td><td>(patient|invoice)<\/td>/g)).toHaveLength(6);
    expect(html).toContain('<svg id="findings-chart"');
    expect(html).toContain('id="kind-filter"');
    expect(html).toContain("Content-Security-Policy");
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\s(src|href)=(?!"#)/);
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
