import { describe, expect, it } from 'vitest';
import { neutraliseCsvFormula } from '../../src/sync/report/escape.js';
import { auditCsv } from '../../src/cli/commands/audit.js';

describe('neutraliseCsvFormula', () => {
  it.each([
    '=1+1',
    '+1+1',
    '@SUM(A1)',
    '-1+cmd',
    ' =HYPERLINK("https://evil.example")',
    '\t=1+1',
    '  +A1',
    ' \t@SUM(A1)',
    ' -2+3',
    '\u00a0=1+1',
    '\n=1+1',
    '\r=1',
    '\tplain text after a tab',
  ])('prefixes %j with an apostrophe', (cell) => {
    expect(neutraliseCsvFormula(cell)).toBe(`'${cell}`);
  });

  it.each(['-12.50', '-7', '12.50', 'GST', 'inv_7', 'a = b', '2026-07-01', ''])('leaves %j alone', (cell) => {
    expect(neutraliseCsvFormula(cell)).toBe(cell);
  });
});

describe('auditCsv', () => {
  it('neutralises a formula in a value that came from an API, such as a request id', () => {
    const csv = auditCsv([
      { id: '1', accountId: 'default', at: 0, runId: 'run-1', stream: 'patients', action: 'create', clinikoId: '42', tradifyId: ' =cmd|calc', changedFields: ['name'], requestId: '@SUM(A1)' },
    ]);
    const row = csv.split('\n')[1]!;
    expect(row).toContain(`' =cmd|calc`);
    expect(row).toContain(`'@SUM(A1)`);
    expect(row).toContain('1970-01-01T00:00:00.000Z');
  });
});
