import { classify, summariseKnown } from '../../src/sync/reconcile/classify.js';
import { ReconciliationReport } from '../../src/sync/report/report.js';
import type { MoneyRow, ReconciliationFinding, ReconciliationReportInput } from '../../src/sync/report/types.js';

const row = (period: string, c: [string, string], t: [string, string], d: [string, string], notes: Partial<Pick<MoneyRow, 'gstRounding' | 'knownItems' | 'discrepancies'>> = {}): MoneyRow => ({
  period,
  cliniko: { total: c[0], tax: c[1] },
  tradify: { total: t[0], tax: t[1] },
  difference: { total: d[0], tax: d[1] },
  invoices: { cliniko: 1, tradify: 1 },
  gstRounding: { invoices: 0, tax: '0.00' },
  knownItems: 0,
  discrepancies: 0,
  ...notes,
});

export const FINDINGS: ReconciliationFinding[] = [
  { kind: 'missing-in-tradify', entity: 'patient', clinikoId: '1390710863102485699', tradifyId: null, reason: 'no-customer', month: null, fixable: true },
  { kind: 'field-mismatch', entity: 'invoice', clinikoId: '1390730000000000001', tradifyId: 'inv_7', field: 'total', clinikoValue: '110.00', tradifyValue: '100.00', reason: 'value-differs', month: '2026-07', fixable: false },
  { kind: 'field-mismatch', entity: 'invoice', clinikoId: '1390730000000000002', tradifyId: 'inv_8', field: 'tax-rate', line: 2, clinikoValue: '10', tradifyValue: '0', reason: 'value-differs', month: '2026-08', fixable: true },
  { kind: 'duplicate', entity: 'patient', clinikoId: null, tradifyId: 'cus_1', tradifyIds: ['cus_1', 'cus_2'], reason: 'unlinked-customers-share-email', month: null, fixable: false },
  { kind: 'orphan', entity: 'invoice', clinikoId: '42', tradifyId: 'inv_<b>9</b>', clinikoValue: '=HYPERLINK("x")', reason: 'cliniko-record-missing|<script>alert(1)</script>', month: '2026-07', fixable: false },
  // explained by its open review (12): a known item, not a discrepancy
  { kind: 'field-mismatch', entity: 'invoice', clinikoId: '1390730000000000003', tradifyId: 'inv_10', field: 'total', clinikoValue: '95.00', tradifyValue: '0.00', reason: 'value-differs', month: '2026-08', fixable: true },
];

/** The findings of the four records that need action (the fifth record is in review). */
export const DISCREPANCY_FINDINGS = FINDINGS.slice(0, 5);

export function fixtureData(): ReconciliationReportInput {
  const skipped = [{ clinikoId: '1390730000000000004', tradifyId: null, reason: 'closed' as const, month: '2026-07' }];
  const { discrepancies, knownItems } = classify(FINDINGS, skipped, {
    reviews: new Map([['invoice:1390730000000000003', { id: '12', reasonCode: 'paid-but-not-approvable' }]]),
    deadLetters: new Map(),
    reviewedInvoiceIds: new Set(['1390730000000000003']),
    drafts: new Map(),
  });
  return {
    summary: {
      runId: 'run-0001',
      accountId: 'clinic "A" & <co>',
      startedAt: '2026-06-30T14:29:00.000Z',
      finishedAt: '2026-06-30T14:30:00.000Z',
      timeZone: 'Australia/Sydney',
      since: null,
      counts: { 'missing-in-tradify': 1, orphan: 1, duplicate: 1, 'field-mismatch': 3, 'link-drift': 0, 'possible-missed-link': 0, 'deleted-patient': 0, 'unreadable-record': 0 },
      totalFindings: FINDINGS.length,
      discrepancies: discrepancies.length,
      known: summariseKnown(knownItems),
      records: { clinikoPatients: 10, clinikoInvoices: 20, tradifyCustomers: 11, tradifyInvoices: 19, tradeCustomers: 1, tradeInvoices: 0, skippedInvoices: 2 },
      money: {
        byIssueMonth: [
          row('2026-07', ['110.00', '10.00'], ['100.00', '10.00'], ['10.00', '0.00'], { discrepancies: 1 }),
          row('2026-08', ['55.00', '5.01'], ['55.00', '5.00'], ['0.00', '0.01'], { gstRounding: { invoices: 1, tax: '0.01' } }),
        ],
        byPaymentMonth: [row('2026-07', ['110.00', '10.00'], ['110.00', '10.00'], ['0.00', '0.00'])],
        byBasQuarter: [row('FY2026-27 Q1', ['165.00', '15.01'], ['155.00', '15.00'], ['10.00', '0.01'], { gstRounding: { invoices: 1, tax: '0.01' }, discrepancies: 1 })],
        byBasQuarterCash: [row('FY2026-27 Q1', ['110.00', '10.00'], ['110.00', '10.00'], ['0.00', '0.00'])],
      },
      requests: { cliniko: 4, tradify: 3 },
      repairs: null,
    },
    findings: FINDINGS,
    discrepancies,
    knownItems,
  };
}

export function fixtureReport(): ReconciliationReport {
  return new ReconciliationReport(fixtureData());
}
