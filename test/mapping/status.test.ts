import { describe, expect, it } from 'vitest';
import {
  resolveMappingConfig,
  createMappingContext,
  mapInvoice,
  planInvoiceActions,
  type InvoiceLinkInfo,
  type StatusPlanInput,
  checkTaxTable,
} from 'cliniko-tradify/mapping';
import type { MappingConfig, TradifyInvoice, TradifyInvoiceStatus, TradifyPayment } from 'cliniko-tradify';
import { RATES, invoice, item } from './fixtures.js';

const taxes = checkTaxTable(RATES, resolveMappingConfig());
const NOW = '2024-04-10T00:00:00Z'; // a week after the invoice's last change
const ctx = createMappingContext({ now: NOW });

type Over = Partial<Omit<StatusPlanInput, 'invoice'>> & { invoice?: Record<string, unknown>; config?: MappingConfig; now?: string };

function tradifyFor(input: ReturnType<typeof mappingOf>, status: TradifyInvoiceStatus, over: Partial<TradifyInvoice> = {}): TradifyInvoice {
  const d = input.draft;
  return {
    id: 'inv_1',
    invoiceNumber: null,
    status,
    isOverdue: false,
    customerId: d.customerId,
    siteId: null,
    jobIds: [],
    reference: d.reference ?? null,
    externalReference: d.externalReference ?? null,
    invoiceDate: d.invoiceDate,
    dueDate: d.dueDate ?? null,
    taxMode: d.taxMode ?? 'exclusive',
    currency: 'AUD',
    lineItems: d.lineItems.map((l, i) => ({
      id: `li_${i}`,
      type: l.type ?? 'misc',
      itemCode: l.itemCode ?? null,
      description: l.description,
      quantity: `${l.quantity}.00`,
      unitPrice: l.unitPrice,
      discountPercent: l.discountPercent ?? '0',
      taxRateId: l.taxRateId ?? null,
      taxRatePercent: '10',
      accountCode: null,
      amountExTax: '100.00',
      taxAmount: '10.00',
      amountIncTax: '110.00',
    })),
    subtotal: '100.00',
    totalTax: '10.00',
    total: '110.00',
    amountPaid: status === 'paid' ? '110.00' : '0.00',
    amountCredited: '0.00',
    amountDue: status === 'paid' ? '0.00' : '110.00',
    ownerStaffId: null,
    sentAt: null,
    approvedAt: null,
    cancelledAt: null,
    createdAt: null,
    updatedAt: null,
    ...over,
  };
}

function mappingOf(inv = invoice(), items = [item()]) {
  const m = mapInvoice({ invoice: inv, items, customer: { id: 'cus_1', defaultInvoiceDueDays: null }, taxes }, resolveMappingConfig(), ctx);
  if (m.status !== 'mapped') throw new Error('fixture did not map');
  return m;
}

const PAYMENT: TradifyPayment = { id: 'pay_1', invoiceId: 'inv_1', date: '2024-04-05', amount: '110.00', method: null, reference: null, note: null };
const link = (over: Partial<InvoiceLinkInfo> = {}): InvoiceLinkInfo => ({ ourPaymentIds: [], superseded: [], reissueCount: 0, lastClinikoStatus: 10, ...over });

function plan(over: Over = {}, tradifyStatus?: TradifyInvoiceStatus, tradifyOver: Partial<TradifyInvoice> = {}) {
  const inv = invoice(over.invoice ?? {});
  const items = [item()];
  const mapping = mappingOf(inv, items);
  const current = tradifyStatus ? tradifyFor(mapping, tradifyStatus, tradifyOver) : null;
  const c = over.now ? createMappingContext({ now: over.now }) : ctx;
  const input = { items, mapping, current, payments: [], link: tradifyStatus ? link() : null, ...over, invoice: inv } as StatusPlanInput;
  if (over.mapping !== undefined) input.mapping = over.mapping;
  return planInvoiceActions(input, resolveMappingConfig(over.config ?? {}), c);
}

const kinds = (p: ReturnType<typeof plan>) => p.actions.map((a) => (a.kind === 'review' || a.kind === 'skip' ? `${a.kind}:${a.reason}` : a.kind));

describe('status table (docs/architecture.md#status-transitions)', () => {
  it('Open, first seen, settled → create then approve the created invoice', () => {
    const p = plan();
    expect(kinds(p)).toEqual(['create', 'approve']);
    expect(p.actions[1]).toEqual({ kind: 'approve', invoiceId: null });
  });

  it('Open, not yet settled → create and wait', () => {
    expect(kinds(plan({ now: '2024-04-03T12:00:00Z' }))).toEqual(['create', 'skip:awaiting-settle']);
  });

  it('settles on the latest of the invoice and its items', () => {
    const items = [item({ updated_at: '2024-04-09T12:00:00Z' })];
    const inv = invoice();
    const p = planInvoiceActions({ invoice: inv, items, mapping: mappingOf(inv, items), current: null, payments: [], link: null }, resolveMappingConfig(), ctx);
    expect(kinds(p as never)).toEqual(['create', 'skip:awaiting-settle']);
  });

  it.each([
    ['immediately', ['create', 'approve']],
    ['manual', ['create', 'skip:awaiting-manual-approval']],
  ] as const)('Open with approval %s', (when, expected) => {
    expect(kinds(plan({ now: '2024-04-03T00:20:00Z', config: { approval: { when } } }))).toEqual(expected);
  });

  it('Open draft that changed → update with only the changed fields, then approve', () => {
    const p = plan({}, 'draft', { reference: 'old', lineItems: [] });
    expect(kinds(p)).toEqual(['update', 'approve']);
    expect(p.actions[0]).toMatchObject({ kind: 'update', invoiceId: 'inv_1', patch: { reference: 'Cliniko #1042' } });
    expect(Object.keys((p.actions[0] as { patch: object }).patch).sort()).toEqual(['lineItems', 'reference']);
  });

  it('Open draft unchanged and settled → approve only; approved unchanged → in sync', () => {
    expect(kinds(plan({}, 'draft'))).toEqual(['approve']);
    expect(kinds(plan({}, 'approved'))).toEqual(['skip:in-sync']);
  });

  it('Paid, first seen → create, approve, pay on closed_at\u2019s local date', () => {
    const p = plan({ invoice: { status: 20, closed_at: '2026-06-30T14:30:00Z' } });
    expect(kinds(p)).toEqual(['create', 'approve', 'pay']);
    expect(p.actions[2]).toEqual({ kind: 'pay', invoiceId: null, date: '2026-07-01', amount: 'amount-due' });
  });

  it('Paid with no closed_at → dated on issue_date with a finding', () => {
    const p = plan({ invoice: { status: 20, closed_at: null } });
    expect(p.actions[2]).toMatchObject({ kind: 'pay', date: '2024-04-03' });
    expect(p.findings.map((f) => f.code)).toEqual(['paid-without-closed-at']);
  });

  it('Paid from draft or approved (resumed) → the remaining steps only', () => {
    expect(kinds(plan({ invoice: { status: 20, closed_at: '2024-04-05T01:00:00Z' } }, 'draft'))).toEqual(['approve', 'pay']);
    const p = plan({ invoice: { status: 20, closed_at: '2024-04-05T01:00:00Z' } }, 'approved');
    expect(p.actions).toEqual([{ kind: 'pay', invoiceId: 'inv_1', date: '2024-04-05', amount: 'amount-due' }]);
    expect(kinds(plan({ invoice: { status: 20 } }, 'paid'))).toEqual(['skip:in-sync']);
  });

  it('Paid but unreproducible → draft and a review, never approved', () => {
    const inv = invoice({ status: 20 });
    const items = [item({ total_including_tax: '110.07' })];
    const p = planInvoiceActions({ invoice: inv, items, mapping: mappingOf(inv, items), current: null, payments: [], link: null }, resolveMappingConfig(), ctx);
    expect(p.actions.map((a) => a.kind)).toEqual(['create', 'review']);
    expect(p.actions[1]).toMatchObject({ reason: 'paid-but-not-approvable' });
  });

  it('first seen as Closed → skipped with a reason', () => {
    expect(kinds(plan({ invoice: { status: 30 } }))).toEqual(['skip:first-seen-closed']);
  });

  it('Paid → Open → delete our payment; a payment not ours → review', () => {
    const ours = plan({ payments: [PAYMENT], link: link({ ourPaymentIds: ['pay_1'], lastClinikoStatus: 20 }) }, 'paid');
    expect(ours.actions).toEqual([{ kind: 'delete-payment', invoiceId: 'inv_1', paymentId: 'pay_1' }]);
    const foreign = plan({ payments: [PAYMENT], link: link({ ourPaymentIds: [], lastClinikoStatus: 20 }) }, 'paid');
    expect(kinds(foreign)).toEqual(['review:foreign-payment']);
  });

  it('Open → Closed → cancel an approved invoice, delete a draft', () => {
    expect(plan({ invoice: { status: 30 } }, 'approved').actions).toEqual([{ kind: 'cancel', invoiceId: 'inv_1' }]);
    expect(plan({ invoice: { status: 30 } }, 'draft').actions).toEqual([{ kind: 'delete-draft', invoiceId: 'inv_1' }]);
    expect(kinds(plan({ invoice: { status: 30 } }, 'cancelled'))).toEqual(['skip:in-sync']);
  });

  it.each([
    ['Paid → Closed', { invoice: { status: 30 } }, 'paid', 'review:paid-then-closed'],
    ['Closed → Open', { invoice: { status: 10 }, link: link({ lastClinikoStatus: 30 }) }, 'cancelled', 'review:closed-reopened'],
    ['Closed → Paid', { invoice: { status: 20 }, link: link({ lastClinikoStatus: 30 }) }, undefined, 'review:closed-reopened'],
    ['Open credit', { invoice: { status: 40 } }, undefined, 'review:open-credit'],
    ['status null', { invoice: { status: null } }, undefined, 'review:status-unknown'],
    ['unknown status code', { invoice: { status: 50 } }, undefined, 'review:status-review'],
    ['cancelled in Tradify while Open', {}, 'cancelled', 'review:cancelled-in-tradify'],
  ] as const)('%s → review', (_name, over, status, expected) => {
    expect(kinds(plan(over as Over, status as TradifyInvoiceStatus | undefined))).toEqual([expected]);
  });

  it.each([
    [undefined, [{ kind: 'skip', reason: 'deleted' }]],
    ['draft', [{ kind: 'delete-draft', invoiceId: 'inv_1' }]],
    ['approved', [{ kind: 'cancel', invoiceId: 'inv_1' }]],
    ['paid', [{ kind: 'review', reason: 'deleted-but-paid', invoiceId: 'inv_1' }]],
  ] as const)('deleted in Cliniko with Tradify %s', (status, expected) => {
    expect(plan({ invoice: { deleted_at: '2024-04-06T00:00:00Z' } }, status).actions).toEqual(expected);
  });

  // Cliniko's "archive" removes an invoice raised in error (its payments are archived with it)
  // and archives its items, so it must not become an empty Tradify draft.
  it.each([
    [10, undefined, [{ kind: 'skip', reason: 'archived' }]],
    [20, undefined, [{ kind: 'skip', reason: 'archived' }]],
    [10, 'draft', [{ kind: 'delete-draft', invoiceId: 'inv_1' }]],
    [20, 'approved', [{ kind: 'cancel', invoiceId: 'inv_1' }]],
    [20, 'paid', [{ kind: 'review', reason: 'archived-but-paid', invoiceId: 'inv_1' }]],
  ] as const)('archived in Cliniko (status %s) with Tradify %s', (status, tradify, expected) => {
    expect(plan({ invoice: { status, archived_at: '2024-04-06T00:00:00Z' } }, tradify).actions).toEqual(expected);
  });

  it('honours a status table override', () => {
    expect(kinds(plan({ invoice: { status: 40 }, config: { statusTable: { '40': 'open' } } }))).toEqual(['create', 'approve']);
    expect(kinds(plan({ invoice: { status: 30 }, config: { statusTable: { '30': 'skip' } } }, 'approved'))).toEqual(['skip:status-skipped']);
  });

  it('plans nothing but a skip when the invoice could not be mapped', () => {
    expect(kinds(plan({ mapping: null }))).toEqual(['skip:not-mapped']);
    expect(kinds(plan({ mapping: null, invoice: { status: 30 } }, 'approved'))).toEqual(['cancel']);
  });

  it('never approves an invoice with no live lines', () => {
    const inv = invoice({ total_amount: '0' });
    const items = [item({ deleted_at: '2024-04-04T00:00:00Z' })];
    const p = planInvoiceActions({ invoice: inv, items, mapping: mappingOf(inv, items), current: null, payments: [], link: null }, resolveMappingConfig({ approval: { when: 'immediately' } }), ctx);
    expect(p.actions.map((a) => a.kind)).toEqual(['create']);
  });
});

describe('changes after approval and reissue', () => {
  const changed = { reference: 'old' } as const;

  it('defaults to a review', () => {
    expect(kinds(plan({}, 'approved', changed))).toEqual(['review:changed-after-approval']);
  });

  it('reissues when a person chose it: create r<n+1>, cancel the old, approve the new', () => {
    const p = plan({ link: link({ reissueChosen: true, reissueCount: 1 }) }, 'approved', changed);
    expect(kinds(p)).toEqual(['create', 'cancel', 'approve']);
    expect(p.actions[0]).toMatchObject({ kind: 'create', input: { externalReference: 'cliniko:invoice:1390730000000000001:r2' } });
    expect(p.actions[1]).toEqual({ kind: 'cancel', invoiceId: 'inv_1' });
    expect(p.actions[2]).toEqual({ kind: 'approve', invoiceId: null });
  });

  it('reissues by policy, and pays the new one when Cliniko says Paid', () => {
    const p = plan({ invoice: { status: 20, closed_at: '2024-04-05T01:00:00Z' }, config: { approval: { onChangeAfterApproval: 'reissue' } } }, 'approved', changed);
    expect(kinds(p)).toEqual(['create', 'cancel', 'approve', 'pay']);
  });

  it('does not reissue an invoice that already has payments', () => {
    expect(kinds(plan({ link: link({ reissueChosen: true }) }, 'approved', { ...changed, amountPaid: '10.00' }))).toEqual(['review:changed-after-approval']);
  });

  it('resumes a reissue: the old one is cancelled, then the new draft approved at once', () => {
    const p = plan({ link: link({ reissueCount: 1, superseded: [{ id: 'inv_0', status: 'approved' }] }), now: '2024-04-03T00:20:00Z' }, 'draft', { id: 'inv_2' });
    expect(p.actions).toEqual([
      { kind: 'cancel', invoiceId: 'inv_0' },
      { kind: 'approve', invoiceId: 'inv_2' },
    ]);
  });
});

describe('conflicts', () => {
  it('with conflictPolicy review, a draft edited in Tradify goes to review instead of being overwritten', () => {
    expect(kinds(plan({ editedInTradify: true, config: { conflictPolicy: 'review' } }, 'draft', { reference: 'edited' }))).toEqual(['review:edited-in-tradify']);
    expect(kinds(plan({ editedInTradify: true }, 'draft', { reference: 'edited' }))).toEqual(['update', 'approve']);
  });
});
