/**
 * One bad record never stops a reconciliation: a row that fails its schema, or a date that is no
 * date, becomes an `unreadable-record` finding (side, id and field — never the value), and every
 * other record is still compared.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReconciliation } from '../../src/sync/reconcile/index.js';
import { minimalSync, startHarness } from './reconcile-helpers.js';
import type { Harness } from './reconcile-helpers.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ patients: 12, invoices: 24 });
  await minimalSync(h);
});
afterEach(async () => h.close());

function syncedInvoices(status: number) {
  return h.fc.db.invoices.all().filter((i) => i.status === status && i.deleted_at === null && i.archived_at === null);
}

function tradifyInvoiceOf(clinikoId: string) {
  return h.ft.state.invoices.all().find((i) => i.externalReference === `cliniko:invoice:${clinikoId}`)!;
}

describe('unreadable records', () => {
  it('Cliniko total "1e3", issue date 2025-02-30, Tradify invoiceDate 2025-13-45 and =HYPERLINK(…): each a finding of its own; the rest compared', async () => {
    const [badTotal, badIssueDate, badTradifyDate, formulaDate, tampered] = [...syncedInvoices(10), ...syncedInvoices(20)];
    h.fc.db.invoices.update(badTotal!.id, { total_amount: '1e3' });
    h.fc.db.invoices.update(badIssueDate!.id, { issue_date: '2025-02-30' });
    const tradifyBad = tradifyInvoiceOf(badTradifyDate!.id);
    h.ft.state.invoices.tamper(tradifyBad.id, { invoiceDate: '2025-13-45' });
    const tradifyFormula = tradifyInvoiceOf(formulaDate!.id);
    h.ft.state.invoices.tamper(tradifyFormula.id, { invoiceDate: '=HYPERLINK("http://evil.example","x")' });
    // a real difference elsewhere: it must still be found
    const other = tradifyInvoiceOf(tampered!.id);
    h.ft.state.invoices.tamper(other.id, { lineItems: [{ ...h.ft.state.invoices.stored(other.id)!.lineItems[0]!, quantity: '7.00' }] });

    const report = await runReconciliation(h.internals);

    const unreadable = report.findings.filter((f) => f.kind === 'unreadable-record').map((f) => [f.side, f.entity, f.clinikoId, f.tradifyId, f.path]);
    expect(unreadable).toEqual(
      expect.arrayContaining([
        ['cliniko', 'invoice', badTotal!.id, null, 'total_amount'],
        ['cliniko', 'invoice', badIssueDate!.id, null, 'issue_date'],
        ['tradify', 'invoice', badTradifyDate!.id, tradifyBad.id, 'invoiceDate'],
        ['tradify', 'invoice', formulaDate!.id, tradifyFormula.id, 'invoiceDate'],
      ]),
    );
    expect(unreadable).toHaveLength(4);
    // each is a discrepancy of its own kind, not also missing or orphaned
    for (const id of [badTotal!.id, badIssueDate!.id, badTradifyDate!.id, formulaDate!.id]) {
      expect(report.discrepancies.filter((d) => d.clinikoId === id).map((d) => d.kinds)).toEqual([['unreadable-record']]);
    }
    expect(report.findings.filter((f) => f.kind === 'orphan' || f.kind === 'missing-in-tradify')).toEqual([]);
    // every other record was compared: the tampered invoice is found, field by field
    expect(report.discrepancies.find((d) => d.clinikoId === tampered!.id)?.findings.map((f) => f.field)).toEqual(expect.arrayContaining(['total', 'line-total']));
    expect(report.summary.counts['unreadable-record']).toBe(4);
    expect(report.summary.records.clinikoInvoices).toBe(h.fc.db.invoices.all().length);

    // never the value, in any rendering
    for (const text of [JSON.stringify(report), report.toCSV(), report.toMarkdown(), report.toHTML()]) {
      for (const value of ['1e3', '2025-02-30', '2025-13-45', 'HYPERLINK', 'evil.example']) expect(text).not.toContain(value);
    }
    expect(report.toHTML()).toContain('Cliniko invoice could not be read: total_amount');
  });

  it('a patient row that fails its schema is unreadable, not a deleted patient or an orphan; the others are compared', async () => {
    const [bad, other] = h.fc.db.patients.all().filter((p) => p.deleted_at === null && p.archived_at === null && p.merged_at === null);
    h.fc.db.patients.update(bad!.id, { created_at: 'yesterday-ish' });
    const customerId = (await h.store.links.getMany('default', 'patient', [other!.id])).get(other!.id)!.tradifyId;
    h.ft.state.customers.tamper(customerId, { name: 'Someone Else' });
    const report = await runReconciliation(h.internals);
    expect(report.findings.filter((f) => f.clinikoId === bad!.id).map((f) => [f.kind, f.side, f.path])).toEqual([['unreadable-record', 'cliniko', 'created_at']]);
    expect(report.findings.filter((f) => f.clinikoId === other!.id).map((f) => [f.kind, f.field])).toEqual([['field-mismatch', 'name']]);
    expect(JSON.stringify(report)).not.toContain('yesterday-ish');
  });

  it('a Tradify payment dated 2025-13-45 makes its invoice unreadable (payments.date); the money of the others is still summed', async () => {
    const payment = h.ft.state.payments.all()[0]!;
    const invoice = h.ft.state.invoices.get(payment.invoiceId)!;
    h.ft.state.payments.tamper(payment.id, { date: '2025-13-45' });
    const report = await runReconciliation(h.internals);
    const clinikoId = invoice.externalReference!.split(':')[2];
    expect(report.findings.filter((f) => f.kind === 'unreadable-record').map((f) => [f.side, f.clinikoId, f.tradifyId, f.path])).toEqual([['tradify', clinikoId, invoice.id, 'payments.date']]);
    expect(report.summary.money.byPaymentMonth.length).toBeGreaterThan(0);
    expect(JSON.stringify(report)).not.toContain('2025-13-45');
  });

  it('an invoice item that fails its schema makes its invoice unreadable, and only that invoice', async () => {
    const [bad, good] = syncedInvoices(10);
    const item = h.fc.db.invoiceItems.all().find((i) => i.invoice_id === bad!.id)!;
    h.fc.db.invoiceItems.update(item.id, { total_including_tax: 'lots' });
    const report = await runReconciliation(h.internals);
    expect(report.findings.filter((f) => f.kind === 'unreadable-record').map((f) => [f.clinikoId, f.path])).toEqual([[bad!.id, 'invoice_items.total_including_tax']]);
    expect(report.findings.filter((f) => f.clinikoId === good!.id)).toEqual([]);
  });
});
