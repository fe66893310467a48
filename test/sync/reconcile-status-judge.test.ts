/**
 * The status judge against the planner's rules, one policy at a time, on staged rows alone.
 */
import { describe, expect, it } from 'vitest';
import { resolveMappingConfig } from 'cliniko-tradify/mapping';
import type { StagingRow } from 'cliniko-tradify';
import { createStatusJudge } from '../../src/sync/reconcile/status.js';

const HOUR = 3_600_000;
const CHANGED = '2026-06-01T00:00:00Z';
const changedMs = Date.parse(CHANGED);

function cliniko(status: string, extra: Record<string, string> = {}): StagingRow {
  return { runId: 'r', side: 'cliniko', kind: 'invoice', id: '7', fields: {}, attributes: { status, deleted: 'false', lineCount: '1', issueDate: '2026-06-01', updatedAt: CHANGED, ...extra } };
}
function tradify(status: string, paid = '0.00'): StagingRow {
  return { runId: 'r', side: 'tradify', kind: 'invoice', id: 'inv_1', fields: {}, amounts: { total: '110.00', tax: '10.00', paid, credited: '0.00' }, attributes: { status, invoiceDate: '2026-06-01', customerId: 'cus_1' } };
}
function judgeFor(when: 'settled' | 'immediately' | 'manual', nowMs: number) {
  return createStatusJudge({ approval: resolveMappingConfig({ approval: { when, settleAfter: '24h' } }).approval }, { now: nowMs, timeZone: 'Australia/Sydney' });
}

describe('createStatusJudge', () => {
  it("manual: Paid left a draft agrees; approved but unpaid is the sync's to pay", () => {
    const judge = judgeFor('manual', changedMs + 48 * HOUR);
    expect(judge(cliniko('20'), tradify('draft'))).toEqual({ agrees: true });
    expect(judge(cliniko('20'), tradify('approved'))).toEqual({ agrees: false, fixable: true, reason: 'sync-would-pay' });
    expect(judge(cliniko('10'), tradify('draft'))).toEqual({ agrees: true });
    expect(judge(cliniko('10'), tradify('approved'))).toEqual({ agrees: true });
  });

  it('settled: an Open draft agrees inside the window (items count as changes) and is due after it; Paid is never left a draft', () => {
    expect(judgeFor('settled', changedMs + 23 * HOUR)(cliniko('10'), tradify('draft'))).toEqual({ agrees: true });
    const late = judgeFor('settled', changedMs + 25 * HOUR);
    expect(late(cliniko('10'), tradify('draft'))).toEqual({ agrees: false, fixable: true, reason: 'sync-would-approve' });
    expect(late(cliniko('10', { itemsUpdatedAt: '2026-06-01T02:00:00Z' }), tradify('draft'))).toEqual({ agrees: true });
    expect(judgeFor('settled', changedMs + HOUR)(cliniko('20'), tradify('draft'))).toEqual({ agrees: false, fixable: true, reason: 'sync-would-approve-pay' });
    expect(late(cliniko('20'), tradify('paid', '110.00'))).toEqual({ agrees: true });
  });

  it('immediately: an Open draft with lines is due; one with no lines stays a draft', () => {
    const judge = judgeFor('immediately', changedMs);
    expect(judge(cliniko('10'), tradify('draft'))).toEqual({ agrees: false, fixable: true, reason: 'sync-would-approve' });
    expect(judge(cliniko('10', { lineCount: '0' }), tradify('draft'))).toEqual({ agrees: true });
  });

  it('a draft the mapping must keep (lines it cannot reproduce): Open left a draft agrees under every policy; Paid needs a person', () => {
    for (const when of ['settled', 'immediately', 'manual'] as const) {
      const judge = judgeFor(when, changedMs + 48 * HOUR);
      expect(judge(cliniko('10', { mustStayDraft: 'true' }), tradify('draft'))).toEqual({ agrees: true });
    }
    const judge = judgeFor('immediately', changedMs);
    expect(judge(cliniko('20', { mustStayDraft: 'true' }), tradify('draft'))).toEqual({ agrees: false, fixable: false, reason: 'needs-review-paid-but-not-approvable' });
  });

  it('every policy: Open but paid in Tradify, Closed or deleted but live, cancelled in Tradify, and the table’s own reviews', () => {
    for (const when of ['settled', 'immediately', 'manual'] as const) {
      const judge = judgeFor(when, changedMs);
      expect(judge(cliniko('10'), tradify('paid', '110.00'))).toEqual({ agrees: false, fixable: true, reason: 'sync-would-delete-payment' });
      expect(judge(cliniko('30'), tradify('approved'))).toEqual({ agrees: false, fixable: true, reason: 'sync-would-cancel' });
      expect(judge(cliniko('30'), tradify('cancelled'))).toEqual({ agrees: true });
      expect(judge(cliniko('10', { deleted: 'true' }), tradify('draft'))).toEqual({ agrees: false, fixable: true, reason: 'sync-would-delete-draft' });
      expect(judge(cliniko('20', { deleted: 'true' }), tradify('paid', '110.00'))).toEqual({ agrees: false, fixable: false, reason: 'needs-review-deleted-but-paid' });
      expect(judge(cliniko('20'), tradify('cancelled'))).toEqual({ agrees: false, fixable: false, reason: 'needs-review-cancelled-in-tradify' });
      expect(judge(cliniko('40'), tradify('draft'))).toEqual({ agrees: true });
      expect(judge(cliniko('null'), tradify('approved'))).toEqual({ agrees: true });
    }
  });
});
