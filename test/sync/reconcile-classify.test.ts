/**
 * The classification of findings into records: discrepancies and known items, on plain data.
 */
import { describe, expect, it } from 'vitest';
import { classify, summariseKnown } from '../../src/sync/reconcile/classify.js';
import type { Explanations } from '../../src/sync/reconcile/classify.js';
import type { ReconciliationFinding } from '../../src/sync/report/types.js';

function mismatch(clinikoId: string, field: ReconciliationFinding['field'], extra: Partial<ReconciliationFinding> = {}): ReconciliationFinding {
  return { kind: 'field-mismatch', entity: 'invoice', clinikoId, tradifyId: `inv_${clinikoId}`, field, clinikoValue: '1.00', tradifyValue: '0.00', reason: 'value-differs', month: '2026-07', fixable: true, ...extra };
}

function explanations(parts: Partial<Explanations> = {}): Explanations {
  return { reviews: new Map(), deadLetters: new Map(), reviewedInvoiceIds: new Set(), drafts: new Map(), ...parts };
}

describe('classify', () => {
  it('groups a record’s fields under it: three differing fields are one discrepancy', () => {
    const { discrepancies, knownItems } = classify([mismatch('1', 'total'), mismatch('1', 'tax'), mismatch('1', 'line-total', { line: 1 })], [], explanations());
    expect(knownItems).toEqual([]);
    expect(discrepancies).toHaveLength(1);
    expect(discrepancies[0]).toMatchObject({ id: 'invoice-1', entity: 'invoice', clinikoId: '1', tradifyId: 'inv_1', kinds: ['field-mismatch'], month: '2026-07', fixable: true });
    expect(discrepancies[0]!.findings.map((f) => f.field)).toEqual(['total', 'tax', 'line-total']);
  });

  it('an open review wins over a dead letter, which wins over a kept draft', () => {
    const findings = [mismatch('1', 'total'), mismatch('2', 'total'), mismatch('3', 'total')];
    const both = { id: '7', reasonCode: 'paid-but-not-approvable' };
    const { discrepancies, knownItems } = classify(
      findings,
      [],
      explanations({
        reviews: new Map([['invoice:1', both]]),
        deadLetters: new Map([
          ['invoice:1', { id: '9', reasonCode: 'schema' }],
          ['invoice:2', { id: '9', reasonCode: 'schema' }],
        ]),
        drafts: new Map([
          ['2', 'no-live-lines'],
          ['3', 'no-live-lines'],
        ]),
      }),
    );
    expect(discrepancies).toEqual([]);
    expect(knownItems.map((k) => [k.clinikoId, k.reason, k.ref, k.label])).toEqual([
      ['1', 'in-review', '7', 'In the review queue (review 7)'],
      ['2', 'dead-letter', '9', 'In the dead letters (letter 9)'],
      ['3', 'left-as-draft', null, 'Left as a draft: Cliniko\u2019s invoice has no live items'],
    ]);
  });

  it('a kept draft explains its money, nothing else; a review of a patient explains a patient, not an invoice with the same id', () => {
    const findings = [mismatch('3', 'total'), mismatch('3', 'status'), mismatch('4', 'total')];
    const { discrepancies, knownItems } = classify(findings, [], explanations({ drafts: new Map([['3', 'line-unreproducible']]), reviews: new Map([['patient:4', { id: '1', reasonCode: 'r' }]]) }));
    expect(discrepancies.map((d) => [d.clinikoId, d.findings.map((f) => f.field)])).toEqual([
      ['3', ['total', 'status']],
      ['4', ['total']],
    ]);
    expect(knownItems).toEqual([]);
  });

  it('an invoice left out on purpose is a known item only when nothing about it differs; its open review names it', () => {
    const skipped = [
      { clinikoId: '5', tradifyId: null, reason: 'closed' as const, month: '2026-07' },
      { clinikoId: '6', tradifyId: 'inv_6', reason: 'deleted' as const, month: null },
      { clinikoId: '8', tradifyId: null, reason: 'open-credit' as const, month: null },
    ];
    const { discrepancies, knownItems } = classify([mismatch('6', 'status')], skipped, explanations({ reviews: new Map([['invoice:8', { id: '3', reasonCode: 'open-credit' }]]) }));
    expect(discrepancies.map((d) => d.clinikoId)).toEqual(['6']);
    expect(knownItems.map((k) => [k.clinikoId, k.reason, k.findings.length])).toEqual([
      ['5', 'closed', 0],
      ['8', 'in-review', 0],
    ]);
  });

  it('records without a Cliniko id are keyed by Tradify id, with safe, unique anchors', () => {
    const dup = (tradifyId: string): ReconciliationFinding => ({ kind: 'duplicate', entity: 'patient', clinikoId: null, tradifyId, tradifyIds: [tradifyId, 'cus_z'], reason: 'unlinked-customers-share-email', month: null, fixable: false });
    const { discrepancies } = classify([dup('cus "a"'), dup('cus <a>')], [], explanations());
    expect(discrepancies.map((d) => d.id)).toEqual(['patient-tradify-cus__a_', 'patient-tradify-cus__a_-2']);
    for (const d of discrepancies) expect(d.id).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('summariseKnown', () => {
  it('counts by reason, drafts split by why, largest first', () => {
    const { knownItems } = classify(
      [mismatch('1', 'total'), mismatch('2', 'total'), mismatch('3', 'total')],
      [
        { clinikoId: '4', tradifyId: null, reason: 'closed', month: null },
        { clinikoId: '5', tradifyId: null, reason: 'closed', month: null },
        { clinikoId: '6', tradifyId: null, reason: 'closed', month: null },
      ],
      explanations({
        drafts: new Map([
          ['1', 'no-live-lines'],
          ['2', 'no-live-lines'],
          ['3', 'line-unreproducible'],
        ]),
      }),
    );
    const summary = summariseKnown(knownItems);
    expect(summary.total).toBe(6);
    expect(summary.byReason).toMatchObject({ closed: 3, 'left-as-draft': 3, 'in-review': 0 });
    expect(summary.rows).toEqual([
      { reason: 'closed', label: 'Not synced on purpose: closed in Cliniko', count: 3 },
      { reason: 'left-as-draft', label: 'Left as a draft: Cliniko\u2019s invoice has no live items', count: 2 },
      { reason: 'left-as-draft', label: 'Left as a draft: its lines\u2019 GST cannot be reproduced to the cent', count: 1 },
    ]);
  });
});
