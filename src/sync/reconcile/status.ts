/**
 * Is a linked invoice's Tradify status right? Answered by the engine's own status planner
 * (`planInvoiceActions`), not a second copy of its rules: given Tradify's status now, the
 * planner says what the sync would still do. Nothing left to do (or only waiting — for the
 * settle window, for a manual approval) means the status agrees; a status write left to do is
 * a fixable difference; a review is a person's call.
 *
 * The planner is given a status-only view of both invoices: money, lines and text are compared
 * elsewhere against Cliniko's raw figures, so the view makes the content look unchanged. Whether
 * the mapping keeps the invoice a draft (staged as `mustStayDraft`) is passed on, so a draft the
 * sync deliberately never approves agrees.
 *
 * @module
 */
import type { ClinikoInvoice } from '../../cliniko/schemas/invoice.js';
import { Decimal } from '../../core/decimal.js';
import { resolveMappingConfig } from '../../mapping/config.js';
import type { ResolvedMappingConfig } from '../../mapping/config.js';
import { createMappingContext } from '../../mapping/context.js';
import type { MappingContext } from '../../mapping/context.js';
import { planInvoiceActions } from '../../mapping/status.js';
import type { InvoiceAction, ReviewReason } from '../../mapping/status.js';
import type { TradifyInvoice, TradifyInvoiceStatus, TradifyPayment } from '../../tradify/port.js';
import type { StagingRow } from '../ports.js';
import { attr } from './context.js';

/** What the planner's answer means for reconciliation. */
export type StatusVerdict = { agrees: true } | { agrees: false; fixable: boolean; reason: string };

/** The planner settings reconciliation reads (the engine passes its whole resolved mapping). */
export type StatusRules = Pick<ResolvedMappingConfig, 'statusTable' | 'approval'>;

/** Reviews the status table itself asks for: a person's call by design, not a discrepancy. */
const TABLE_REVIEWS: ReadonlySet<ReviewReason> = new Set(['open-credit', 'status-review', 'status-unknown']);

const STATUS_WRITES: ReadonlySet<InvoiceAction['kind']> = new Set(['approve', 'pay', 'cancel', 'delete-draft', 'delete-payment']);

function amount(row: StagingRow, name: string): string {
  return row.amounts?.[name] ?? '0';
}

/** The Cliniko invoice as far as its status goes; every other field is empty. */
function clinikoStatusView(invoice: StagingRow): ClinikoInvoice {
  const status = attr(invoice, 'status');
  const updatedAt = attr(invoice, 'updatedAt') ?? '1970-01-01T00:00:00Z';
  return {
    id: invoice.id,
    number: null,
    issue_date: attr(invoice, 'issueDate'),
    status: status === null || status === 'null' ? null : Number(status),
    status_description: null,
    calculation_method: null,
    calculation_method_description: null,
    net_amount: null,
    tax_amount: null,
    total_amount: null,
    discounted_amount: null,
    notes: null,
    invoice_to: null,
    patient_extra_information: null,
    online_payment_url: null,
    created_at: updatedAt,
    updated_at: updatedAt,
    closed_at: null,
    archived_at: attr(invoice, 'archived') === 'true' ? updatedAt : null,
    deleted_at: attr(invoice, 'deleted') === 'true' ? updatedAt : null,
    patient: null,
    practitioner: null,
    business: null,
    appointment: null,
    attendee: null,
    original_invoice: null,
    invoice_items: null,
    links: null,
  };
}

/** The Tradify invoice as far as its status goes (no lines: content is compared elsewhere). */
function tradifyStatusView(tradify: StagingRow): TradifyInvoice {
  return {
    id: tradify.id,
    invoiceNumber: null,
    status: (attr(tradify, 'status') ?? 'draft') as TradifyInvoiceStatus,
    isOverdue: false,
    customerId: attr(tradify, 'customerId') ?? '',
    siteId: null,
    jobIds: [],
    reference: null,
    externalReference: null,
    invoiceDate: attr(tradify, 'invoiceDate') ?? '',
    dueDate: null,
    taxMode: 'exclusive',
    currency: null,
    lineItems: [],
    subtotal: '0',
    totalTax: amount(tradify, 'tax'),
    total: amount(tradify, 'total'),
    amountPaid: amount(tradify, 'paid'),
    amountCredited: amount(tradify, 'credited'),
    amountDue: '0',
    ownerStaffId: null,
    sentAt: null,
    approvedAt: null,
    cancelledAt: null,
    createdAt: null,
    updatedAt: null,
  };
}

/**
 * Money paid on a linked invoice is taken to be the sync's own payment: the planner then
 * answers "delete our payment" (a fixable difference); the repair re-plans with the link
 * table's real payment ids and sends a foreign payment to a person.
 */
function assumedPayments(current: TradifyInvoice): TradifyPayment[] {
  if (Decimal.from(current.amountPaid).isZero()) return [];
  return [{ id: 'reconcile-view', invoiceId: current.id, date: current.invoiceDate, amount: current.amountPaid, method: null, reference: null, note: null }];
}

function verdictOf(actions: readonly InvoiceAction[]): StatusVerdict {
  const writes = actions.filter((a) => STATUS_WRITES.has(a.kind)).map((a) => a.kind);
  if (writes.length > 0) return { agrees: false, fixable: true, reason: `sync-would-${[...new Set(writes)].join('-')}` };
  const review = actions.find((a): a is Extract<InvoiceAction, { kind: 'review' }> => a.kind === 'review' && !TABLE_REVIEWS.has(a.reason));
  if (review) return { agrees: false, fixable: false, reason: `needs-review-${review.reason}` };
  return { agrees: true };
}

/** Judges one linked invoice's status; see {@link createStatusJudge}. */
export type StatusJudge = (invoice: StagingRow, tradify: StagingRow) => StatusVerdict;

function judge(config: ResolvedMappingConfig, ctx: MappingContext, invoice: StagingRow, tradify: StagingRow): StatusVerdict {
  const current = tradifyStatusView(tradify);
  const payments = assumedPayments(current);
  const itemsUpdatedAt = attr(invoice, 'itemsUpdatedAt');
  const plan = planInvoiceActions(
    {
      invoice: clinikoStatusView(invoice),
      items: itemsUpdatedAt === null ? [] : [{ updated_at: itemsUpdatedAt }],
      mapping: {
        draft: { customerId: current.customerId, invoiceDate: current.invoiceDate, dueDate: null, reference: null, taxMode: current.taxMode, lineItems: [] },
        mustStayDraft: attr(invoice, 'mustStayDraft') === 'true',
        liveItemCount: Number(attr(invoice, 'lineCount') ?? '0'),
      },
      current,
      payments,
      link: { ourPaymentIds: payments.map((p) => p.id), superseded: [], reissueCount: 0, lastClinikoStatus: null },
    },
    config,
    ctx,
  );
  return verdictOf(plan.actions);
}

/**
 * A judge that asks the status planner whether a linked invoice's Tradify status is where the
 * sync leaves it, under the engine's status table and approval policy (library defaults for
 * what `rules` leaves out). `now` is when the planner judges the settle window: the start of
 * the last successful sync, since a draft that settled after it is approved by the next sync's
 * sweep and is not yet a discrepancy.
 *
 * @example
 * ```ts
 * const judge = createStatusJudge(engineMapping, { now: lastSyncStartedAt, timeZone: 'Australia/Sydney' });
 * const verdict = judge(clinikoRow, tradifyRow);
 * if (!verdict.agrees) console.log(verdict.reason); // e.g. 'sync-would-approve-pay'
 * ```
 * @throws ConfigError when `timeZone` is not an IANA zone.
 */
export function createStatusJudge(rules: Partial<StatusRules> | undefined, at: { now: number; timeZone: string }): StatusJudge {
  const defaults = resolveMappingConfig({});
  const config: ResolvedMappingConfig = { ...defaults, statusTable: rules?.statusTable ?? defaults.statusTable, approval: rules?.approval ?? defaults.approval };
  const ctx = createMappingContext({ now: at.now, timeZone: at.timeZone });
  return (invoice, tradify) => judge(config, ctx, invoice, tradify);
}
