/**
 * Discrepancies and known items, end to end: a real sync by the engine over the fakes, then
 * reconciliation. Each reason the engine has for a difference (a review, a dead letter, a draft
 * it keeps, an invoice it leaves out) makes a known item; when the reason goes away and the
 * data still differs, the record is a discrepancy again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { veto } from '../../src/mapping/config.js';
import { isMoneyRowFlagged } from '../../src/sync/report/money.js';
import type { ReconciliationReport } from '../../src/sync/report/report.js';
import { startHarness } from './helpers.js';
import type { Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function liveInvoices(harness: Harness, status: number) {
  return harness.fc.db.invoices.all().filter((i) => i.status === status && i.deleted_at === null && i.archived_at === null);
}

/**
 * Archives an invoice's items in Cliniko, the invoice staying live and still stating its total:
 * the sync then has no live item to write, and keeps a draft (or, when paid, opens a review).
 */
function archiveItems(harness: Harness, id: string): void {
  for (const item of harness.fc.db.invoiceItems.all().filter((i) => i.invoice_id === id)) harness.fc.db.invoiceItems.archive(item.id);
}

/** Archives an invoice and its items in Cliniko (removed as raised in error): the sync withdraws it. */
function archiveWithItems(harness: Harness, id: string): void {
  archiveItems(harness, id);
  harness.fc.db.invoices.archive(id);
}

/** Raises a line's total by 3 cents in Cliniko: no quantity, price and rate reproduce it. */
function makeUnreproducible(harness: Harness, id: string): void {
  const item = harness.fc.db.invoiceItems.all().find((i) => i.invoice_id === id)!;
  const total = Number(item.total_including_tax) + 0.03;
  harness.fc.db.invoiceItems.update(item.id, { total_including_tax: typeof item.total_including_tax === 'number' ? total : total.toFixed(2) });
  harness.fc.db.invoices.recalculate(id);
}

function known(report: ReconciliationReport, clinikoId: string) {
  return report.knownItems().filter((k) => k.clinikoId === clinikoId).map((k) => ({ reason: k.reason, ref: k.ref, detail: k.detail, label: k.label, fields: k.findings.map((f) => f.field ?? f.kind) }));
}

async function openLetter(harness: Harness, recordId: string) {
  return (await harness.store.deadLetters.list('default', { status: 'open' })).items.find((l) => l.recordId === recordId)!;
}

async function openReview(harness: Harness, recordId: string) {
  return (await harness.store.reviews.list('default', { status: 'open', recordId })).items[0]!;
}

describe('each reason the engine has turns a difference into a known item', () => {
  it('review, dead letter, kept draft and policy skips: nothing needs action; each item names its reason', async () => {
    h = await startHarness({ cliniko: { patients: 8, invoices: 24 }, engine: { mapping: { approval: { when: 'immediately' } } } });
    const [noLines, unreproducible, badTotal, archived] = liveInvoices(h, 10);
    const paidNoLines = liveInvoices(h, 20)[0]!;
    archiveItems(h, noLines!.id);
    archiveItems(h, paidNoLines.id);
    archiveWithItems(h, archived!.id);
    makeUnreproducible(h, unreproducible!.id);
    h.fc.db.invoices.update(badTotal!.id, { total_amount: '1e3' });
    await h.engine.run();

    const report = await h.engine.reconcile();
    expect(report.discrepancies).toEqual([]);
    expect(report.summary.discrepancies).toBe(0);
    expect(report.summary.totalFindings).toBeGreaterThan(0); // the differences are still findings

    const review = await openReview(h, paidNoLines.id);
    expect(review.reasonCode).toBe('paid-but-not-approvable');
    expect(known(report, paidNoLines.id)).toEqual([
      { reason: 'in-review', ref: review.id, detail: 'paid-but-not-approvable', label: `In the review queue (review ${review.id})`, fields: ['total', 'tax'] },
    ]);
    const letter = await openLetter(h, badTotal!.id);
    expect(known(report, badTotal!.id)).toEqual([{ reason: 'dead-letter', ref: letter.id, detail: letter.reasonCode, label: `In the dead letters (letter ${letter.id})`, fields: ['unreadable-record'] }]);
    expect(known(report, noLines!.id)).toEqual([
      { reason: 'left-as-draft', ref: null, detail: 'no-live-lines', label: 'Left as a draft: Cliniko\u2019s invoice has no live items', fields: ['total', 'tax'] },
    ]);
    expect(known(report, unreproducible!.id)).toEqual([
      expect.objectContaining({ reason: 'left-as-draft', detail: 'line-unreproducible', label: 'Left as a draft: its lines\u2019 GST cannot be reproduced to the cent' }),
    ]);

    const closed = h.fc.db.invoices.all().find((i) => i.status === 30 && i.deleted_at === null)!;
    const deleted = h.fc.db.invoices.all().find((i) => i.deleted_at !== null)!;
    expect(known(report, closed.id).map((k) => k.reason)).toEqual(['closed']);
    expect(known(report, deleted.id).map((k) => k.reason)).toEqual(['deleted']);
    // archived before it was ever synced: skipped by the sync, so neither missing nor an empty draft
    expect(h.ft.state.invoices.all().filter((i) => i.externalReference === `cliniko:invoice:${archived!.id}`)).toEqual([]);
    expect(known(report, archived!.id)).toEqual([{ reason: 'archived', ref: null, detail: null, label: 'Not synced on purpose: archived in Cliniko (removed as raised in error)', fields: [] }]);
    const openCredit = liveInvoices(h, 40)[0]!;
    expect(known(report, openCredit.id).map((k) => [k.reason, k.detail])).toEqual([['in-review', 'open-credit']]);

    // the money tables take the same rule: each differing invoice is known, none flags its period
    const moneyMonths = new Map<string, number>();
    for (const inv of [noLines!, paidNoLines, unreproducible!]) moneyMonths.set(inv.issue_date.slice(0, 7), (moneyMonths.get(inv.issue_date.slice(0, 7)) ?? 0) + 1);
    const { money } = report.summary;
    for (const row of [...money.byIssueMonth, ...money.byPaymentMonth, ...money.byBasQuarter, ...money.byBasQuarterCash]) {
      expect([row.period, row.discrepancies, isMoneyRowFlagged(row)]).toEqual([row.period, 0, false]);
    }
    expect(money.byIssueMonth.filter((r) => r.knownItems > 0).map((r) => [r.period, r.knownItems])).toEqual([...moneyMonths].sort());

    // summarised by reason with counts; the list is there on demand
    expect(report.summary.known.byReason).toMatchObject({ 'in-review': liveInvoices(h, 40).length + 1, 'dead-letter': 1, 'left-as-draft': 2, closed: 1, deleted: 1, archived: 1 });
    expect(report.summary.known.total).toBe(report.knownItems().length);
    // the list itself stays out of the JSON (the money rows' `knownItems` are counts per period)
    const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['discrepancies', 'findings', 'summary']);
    expect(Object.keys(json.summary as object)).not.toContain('knownItems');
    expect(JSON.stringify(report)).not.toContain('In the review queue (review ');
  });

  it('an invoice vetoed by the invoice callback, or of a filtered patient, is a known item, not missing', async () => {
    h = await startHarness({ cliniko: { patients: 8, invoices: 12 } });
    const filteredPatient = liveInvoices(h, 20)[0]!.patient_id;
    const vetoedId = liveInvoices(h, 10).find((i) => i.patient_id !== filteredPatient)!.id;
    const mapping = {
      invoice: (draft: never, invoice: { id: string }) => (invoice.id === vetoedId ? veto('kept in Cliniko') : draft),
      filterPatient: (patient: { id: string }) => patient.id !== filteredPatient,
    };
    h.engine = h.newEngine({ mapping: mapping as never });
    await h.engine.run();
    const report = await h.engine.reconcile();
    expect(report.findings.filter((f) => f.kind === 'missing-in-tradify')).toEqual([]);
    expect(known(report, vetoedId).map((k) => [k.reason, k.label])).toEqual([['vetoed', 'Not synced on purpose: vetoed by the invoice callback']]);
    const ofFiltered = h.fc.db.invoices.all().filter((i) => i.patient_id === filteredPatient && i.deleted_at === null && (i.status === 10 || i.status === 20));
    expect(ofFiltered.length).toBeGreaterThan(0);
    for (const invoice of ofFiltered) expect(known(report, invoice.id).map((k) => k.reason)).toEqual(['filtered']);
  });
});

describe('repair', () => {
  it('acts on discrepancies only: a record already in the review queue is left alone', async () => {
    h = await startHarness({ cliniko: { patients: 8, invoices: 12 }, engine: { mapping: { approval: { when: 'immediately' } } } });
    const paidNoLines = liveInvoices(h, 20)[0]!;
    archiveItems(h, paidNoLines.id);
    await h.engine.run();
    const reviewsBefore = (await h.store.reviews.list('default', {})).items.length;
    const report = await h.engine.reconcile({ repair: true });
    expect(known(report, paidNoLines.id).map((k) => k.reason)).toEqual(['in-review']);
    expect(report.summary.repairs).toEqual({ repaired: 0, reviewed: 0, reviewsByEngine: 0, unchanged: 0, failed: 0 });
    expect((await h.store.reviews.list('default', {})).items.length).toBe(reviewsBefore);
    expect((await h.store.audit.list('default', { stream: 'reconcile' })).items).toEqual([]);
  });
});

describe('a known item whose reason has gone is a discrepancy again', () => {
  it('the review resolved, the dead letter discarded: the data still differs, so the records need action', async () => {
    h = await startHarness({ cliniko: { patients: 8, invoices: 24 }, engine: { mapping: { approval: { when: 'immediately' } } } });
    const paidNoLines = liveInvoices(h, 20)[0]!;
    const badTotal = liveInvoices(h, 10)[0]!;
    archiveItems(h, paidNoLines.id);
    h.fc.db.invoices.update(badTotal.id, { total_amount: '1e3' });
    await h.engine.run();
    expect((await h.engine.reconcile()).summary.discrepancies).toBe(0);

    await h.engine.reviews.resolve((await openReview(h, paidNoLines.id)).id, 'dismiss');
    const letter = await openLetter(h, badTotal.id);
    await h.engine.deadLetters.discard(letter.id);
    const report = await h.engine.reconcile();
    expect(report.discrepancies.map((d) => [d.clinikoId, d.kinds])).toEqual(
      expect.arrayContaining([
        [paidNoLines.id, ['field-mismatch']],
        [badTotal.id, ['unreadable-record']],
      ]),
    );
    expect(report.summary.discrepancies).toBe(2);
    // the paid invoice's fields are grouped under it: the status the sync cannot reach, and its money
    const paid = report.discrepancies.find((d) => d.clinikoId === paidNoLines.id)!;
    expect(paid.findings.map((f) => f.field)).toEqual(['status', 'total', 'tax']);
    expect(known(report, paidNoLines.id)).toEqual([]);
  });

  it('a kept draft explains only the money it holds: a changed invoice date on it needs action', async () => {
    h = await startHarness({ cliniko: { patients: 8, invoices: 12 }, engine: { mapping: { approval: { when: 'immediately' } } } });
    const noLines = liveInvoices(h, 10)[0]!;
    archiveItems(h, noLines.id);
    await h.engine.run();
    expect(known(await h.engine.reconcile(), noLines.id).map((k) => k.reason)).toEqual(['left-as-draft']);
    const draft = h.ft.state.invoices.all().find((i) => i.externalReference === `cliniko:invoice:${noLines.id}`)!;
    h.ft.state.invoices.tamper(draft.id, { invoiceDate: '2001-01-01' });
    const report = await h.engine.reconcile();
    expect(report.discrepancies.map((d) => [d.clinikoId, d.findings.map((f) => f.field)])).toEqual([[noLines.id, ['total', 'tax', 'invoice-date']]]);
  });
});

describe('the reconciliation alert counts discrepancies', () => {
  it('a difference the engine explains raises none; one record with three differing fields is "1 discrepancy"', async () => {
    h = await startHarness({ cliniko: { patients: 8, invoices: 12 }, engine: { mapping: { approval: { when: 'immediately' } } } });
    const paidNoLines = liveInvoices(h, 20)[0]!;
    archiveItems(h, paidNoLines.id);
    await h.engine.run();
    const reconciliationAlerts = () => h!.alerter.alerts.filter((a) => a.kind === 'reconciliation');
    const explained = await h.engine.reconcile();
    expect(explained.summary.totalFindings).toBeGreaterThan(0);
    expect(reconciliationAlerts()).toEqual([]);

    const open = liveInvoices(h, 10)[0]!;
    const tradify = h.ft.state.invoices.all().find((i) => i.externalReference === `cliniko:invoice:${open.id}`)!;
    const line = h.ft.state.invoices.stored(tradify.id)!.lineItems[0]!;
    h.ft.state.invoices.tamper(tradify.id, { lineItems: [{ ...line, unitPrice: (Number(line.unitPrice) + 10).toFixed(2) }, ...h.ft.state.invoices.stored(tradify.id)!.lineItems.slice(1)] });
    const report = await h.engine.reconcile();
    expect(report.discrepancies.map((d) => d.clinikoId)).toEqual([open.id]);
    expect(report.discrepancies[0]!.findings.length).toBeGreaterThan(1);
    expect(reconciliationAlerts()).toHaveLength(1);
    expect(reconciliationAlerts()[0]).toMatchObject({ summary: 'Reconciliation found 1 discrepancy', counts: { 'field-mismatch': 1 }, recordIds: [open.id], severity: 'warning' });
  });
});
