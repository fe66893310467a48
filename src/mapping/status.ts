/**
 * The status planner: from the Cliniko invoice, its mapping, the current Tradify invoice and
 * its payments, and what the link table knows, the ORDERED actions that bring Tradify in
 * line (`docs/architecture.md#status-transitions`, `docs/architecture.md#approval-policy`).
 *
 * Pure and resumable: it plans from whatever state Tradify is in now, so after a crash or a
 * 409 `invalid_state` the engine re-reads the invoice and plans again to get the remaining
 * path.
 *
 * @module
 */

import { Decimal } from '../core/decimal.js';
import { instantToEpochMs, toLocalDate } from '../core/dates.js';
import type { ClinikoInvoice } from '../cliniko/schemas/invoice.js';
import type { ClinikoInvoiceItem } from '../cliniko/schemas/invoice-item.js';
import type {
  TradifyInvoice,
  TradifyInvoiceInput,
  TradifyInvoicePatch,
  TradifyInvoiceStatus,
  TradifyLineItemInput,
  TradifyPayment,
} from '../tradify/port.js';
import type { ResolvedMappingConfig, StatusBehaviour } from './config.js';
import type { MappingContext } from './context.js';
import { finding, type Finding } from './findings.js';
import { invoiceExternalReference } from './invoice.js';

/** Why an invoice goes to the review queue. */
export type ReviewReason =
  | 'status-unknown'
  | 'open-credit'
  | 'status-review'
  | 'paid-then-closed'
  | 'closed-reopened'
  | 'deleted-but-paid'
  | 'archived-but-paid'
  | 'changed-after-approval'
  | 'cancelled-in-tradify'
  | 'foreign-payment'
  | 'paid-but-not-approvable'
  | 'edited-in-tradify'
  | 'superseded-paid';

/** Why nothing (more) is done for an invoice. */
export type SkipReason =
  | 'first-seen-closed'
  | 'closed'
  | 'deleted'
  | 'archived'
  | 'in-sync'
  | 'awaiting-settle'
  | 'awaiting-manual-approval'
  | 'not-approvable'
  | 'not-mapped'
  | 'status-skipped';

/** `null` as an invoice id means "the invoice this plan's `create` makes". */
export type PlannedInvoiceId = string | null;

/** One step of a plan, in order. */
export type InvoiceAction =
  | { kind: 'create'; input: TradifyInvoiceInput }
  | { kind: 'update'; invoiceId: string; patch: TradifyInvoicePatch }
  | { kind: 'delete-draft'; invoiceId: string }
  | { kind: 'approve'; invoiceId: PlannedInvoiceId }
  | { kind: 'pay'; invoiceId: PlannedInvoiceId; date: string; amount: 'amount-due' }
  | { kind: 'delete-payment'; invoiceId: string; paymentId: string }
  | { kind: 'cancel'; invoiceId: string }
  | { kind: 'review'; reason: ReviewReason; invoiceId: string | null }
  | { kind: 'skip'; reason: SkipReason };

/** What the link table knows about a Cliniko invoice. */
export interface InvoiceLinkInfo {
  /** Payments this library added to the current Tradify invoice. */
  ourPaymentIds: readonly string[];
  /** Earlier Tradify invoices of this Cliniko invoice (before reissues) and their status now. */
  superseded: readonly { id: string; status: TradifyInvoiceStatus }[];
  /** How many reissues were made (the current one is `r<reissueCount>`). */
  reissueCount: number;
  /** The Cliniko status when we last synced it (`null` when never, or unknown). */
  lastClinikoStatus: number | null;
  /** A person chose to reissue (e.g. `reviews.resolve(id, 'reissue')`). */
  reissueChosen?: boolean | undefined;
}

/** The mapped draft the planner creates or updates from. */
export interface PlannableMapping {
  draft: TradifyInvoiceInput;
  mustStayDraft: boolean;
  liveItemCount: number;
}

/** Input of {@link planInvoiceActions}. */
export interface StatusPlanInput {
  invoice: ClinikoInvoice;
  /** Used for the "unchanged for settleAfter" test (their `updated_at`). */
  items: readonly Pick<ClinikoInvoiceItem, 'updated_at'>[];
  /** `null` when the mapping skipped or failed: then only deletes, cancels and reviews are planned. */
  mapping: PlannableMapping | null;
  /** The Tradify invoice the link points at now, or `null`. */
  current: TradifyInvoice | null;
  payments: readonly TradifyPayment[];
  link: InvoiceLinkInfo | null;
  /** True when the Tradify invoice was edited by someone else since our last write. */
  editedInTradify?: boolean | undefined;
}

/** The result of {@link planInvoiceActions}. */
export interface StatusPlan {
  actions: InvoiceAction[];
  findings: Finding[];
}

interface Planner {
  input: StatusPlanInput;
  config: ResolvedMappingConfig;
  ctx: MappingContext;
  actions: InvoiceAction[];
  findings: Finding[];
}

function behaviourOf(status: number | null, config: ResolvedMappingConfig): StatusBehaviour {
  const key = status === null ? 'null' : String(status);
  return (config.statusTable as Record<string, StatusBehaviour | undefined>)[key] ?? 'review';
}

function reviewReasonFor(status: number | null): ReviewReason {
  if (status === null) return 'status-unknown';
  return status === 40 ? 'open-credit' : 'status-review';
}

// --- differences --------------------------------------------------------------------------

function sameDecimal(a: string | undefined | null, b: string | undefined | null): boolean {
  const x = Decimal.tryFrom(a ?? '0');
  const y = Decimal.tryFrom(b ?? '0');
  return x !== undefined && y !== undefined && x.eq(y);
}

function sameLine(want: TradifyLineItemInput, have: TradifyInvoice['lineItems'][number]): boolean {
  return (
    want.description === have.description &&
    sameDecimal(want.quantity, have.quantity) &&
    sameDecimal(want.unitPrice, have.unitPrice) &&
    sameDecimal(want.discountPercent, have.discountPercent) &&
    (want.taxRateId ?? null) === (have.taxRateId ?? null) &&
    (want.itemCode ?? null) === (have.itemCode ?? null)
  );
}

/**
 * The fields of `draft` that differ from the Tradify invoice, as a patch (lines whole).
 * Empty when Tradify already matches.
 */
function invoicePatch(draft: TradifyInvoiceInput, current: TradifyInvoice): TradifyInvoicePatch {
  const patch: TradifyInvoicePatch = {};
  if (draft.customerId !== current.customerId) patch.customerId = draft.customerId;
  if (draft.invoiceDate !== current.invoiceDate) patch.invoiceDate = draft.invoiceDate;
  if ((draft.dueDate ?? null) !== current.dueDate) patch.dueDate = draft.dueDate ?? null;
  if ((draft.reference ?? null) !== current.reference) patch.reference = draft.reference ?? null;
  if (draft.taxMode !== undefined && draft.taxMode !== current.taxMode) patch.taxMode = draft.taxMode;
  if ('ownerStaffId' in draft && (draft.ownerStaffId ?? null) !== current.ownerStaffId) patch.ownerStaffId = draft.ownerStaffId ?? null;
  const lines = draft.lineItems;
  if (lines.length !== current.lineItems.length || lines.some((l, i) => !sameLine(l, current.lineItems[i]!))) patch.lineItems = lines;
  return patch;
}

// --- building blocks ----------------------------------------------------------------------

function lastChangeMs(input: StatusPlanInput): number {
  return Math.max(instantToEpochMs(input.invoice.updated_at), ...input.items.map((i) => instantToEpochMs(i.updated_at)));
}

function approvable(p: Planner): boolean {
  const m = p.input.mapping;
  return m !== null && !m.mustStayDraft && m.liveItemCount > 0;
}

function paymentDate(p: Planner): string {
  const { invoice, mapping } = p.input;
  if (invoice.closed_at !== null) return toLocalDate(invoice.closed_at, p.ctx.timeZone);
  p.findings.push(finding('paid-without-closed-at', 'warning', invoice.id, 'Paid invoice has no closed_at; the payment is dated on the issue date', 'closed_at'));
  return invoice.issue_date ?? mapping?.draft.invoiceDate ?? toLocalDate(invoice.updated_at, p.ctx.timeZone);
}

/** Approve an open invoice when the policy says so (`force` for a reissue in progress). */
function approveOpenIfDue(p: Planner, invoiceId: PlannedInvoiceId, force: boolean): void {
  if (!approvable(p)) return;
  const { when, settleAfterMs } = p.config.approval;
  if (force || when === 'immediately') p.actions.push({ kind: 'approve', invoiceId });
  else if (when === 'settled' && instantToEpochMs(p.ctx.now) - lastChangeMs(p.input) >= settleAfterMs) p.actions.push({ kind: 'approve', invoiceId });
  else p.actions.push({ kind: 'skip', reason: when === 'manual' ? 'awaiting-manual-approval' : 'awaiting-settle' });
}

/** Approve (if allowed) and pay a Paid invoice. */
function approveAndPay(p: Planner, invoiceId: PlannedInvoiceId): void {
  if (!approvable(p)) {
    p.actions.push({ kind: 'review', reason: 'paid-but-not-approvable', invoiceId });
    return;
  }
  if (p.config.approval.when === 'manual') {
    p.actions.push({ kind: 'skip', reason: 'awaiting-manual-approval' });
    return;
  }
  p.actions.push({ kind: 'approve', invoiceId }, { kind: 'pay', invoiceId, date: paymentDate(p), amount: 'amount-due' });
}

function create(p: Planner): boolean {
  if (p.input.mapping === null) {
    p.actions.push({ kind: 'skip', reason: 'not-mapped' });
    return false;
  }
  p.actions.push({ kind: 'create', input: p.input.mapping.draft });
  return true;
}

/** Bring a draft's content up to date; `false` when a person must look first. */
function updateDraft(p: Planner, current: TradifyInvoice): boolean {
  if (p.input.mapping === null) return true;
  const patch = invoicePatch(p.input.mapping.draft, current);
  if (Object.keys(patch).length === 0) return true;
  if (p.input.editedInTradify && p.config.conflictPolicy === 'review') {
    p.actions.push({ kind: 'review', reason: 'edited-in-tradify', invoiceId: current.id });
    return false;
  }
  p.actions.push({ kind: 'update', invoiceId: current.id, patch });
  return true;
}

function contentChanged(p: Planner, current: TradifyInvoice): boolean {
  return p.input.mapping !== null && Object.keys(invoicePatch(p.input.mapping.draft, current)).length > 0;
}

/** An approved invoice whose Cliniko content changed: reissue when chosen, else review. */
function changedAfterApproval(p: Planner, current: TradifyInvoice, paid: boolean): void {
  const link = p.input.link;
  const chosen = link?.reissueChosen === true || p.config.approval.onChangeAfterApproval === 'reissue';
  const hasPayments = !sameDecimal(current.amountPaid, '0') || !sameDecimal(current.amountCredited, '0');
  if (!chosen || hasPayments || !approvable(p) || p.input.mapping === null) {
    p.actions.push({ kind: 'review', reason: 'changed-after-approval', invoiceId: current.id });
    return;
  }
  const reissue = (link?.reissueCount ?? 0) + 1;
  const input = { ...p.input.mapping.draft, externalReference: invoiceExternalReference(p.input.invoice.id, reissue) };
  p.actions.push({ kind: 'create', input }, { kind: 'cancel', invoiceId: current.id }, { kind: 'approve', invoiceId: null });
  if (paid) p.actions.push({ kind: 'pay', invoiceId: null, date: paymentDate(p), amount: 'amount-due' });
}

/** Finish superseded invoices of a reissue first (cancel approved, delete drafts). */
function retireSuperseded(p: Planner): boolean {
  for (const old of p.input.link?.superseded ?? []) {
    if (old.status === 'draft') p.actions.push({ kind: 'delete-draft', invoiceId: old.id });
    else if (old.status === 'approved') p.actions.push({ kind: 'cancel', invoiceId: old.id });
    else if (old.status === 'paid') p.actions.push({ kind: 'review', reason: 'superseded-paid', invoiceId: old.id });
  }
  return (p.input.link?.superseded ?? []).some((s) => s.status !== 'cancelled');
}

// --- per Cliniko state --------------------------------------------------------------------

/**
 * A deleted invoice, or an archived one: Cliniko's "archive" removes an invoice raised in error
 * (its payments and items are archived with it), so both are withdrawn the same way.
 */
function planWithdrawn(p: Planner, current: TradifyInvoice | null, how: 'deleted' | 'archived'): void {
  if (current === null) p.actions.push({ kind: 'skip', reason: how });
  else if (current.status === 'draft') p.actions.push({ kind: 'delete-draft', invoiceId: current.id });
  else if (current.status === 'approved') p.actions.push({ kind: 'cancel', invoiceId: current.id });
  else if (current.status === 'paid') p.actions.push({ kind: 'review', reason: how === 'deleted' ? 'deleted-but-paid' : 'archived-but-paid', invoiceId: current.id });
}

function planClosed(p: Planner, current: TradifyInvoice | null): void {
  if (current === null) p.actions.push({ kind: 'skip', reason: p.input.link === null ? 'first-seen-closed' : 'closed' });
  else if (current.status === 'draft') p.actions.push({ kind: 'delete-draft', invoiceId: current.id });
  else if (current.status === 'approved') p.actions.push({ kind: 'cancel', invoiceId: current.id });
  else if (current.status === 'paid') p.actions.push({ kind: 'review', reason: 'paid-then-closed', invoiceId: current.id });
}

function deleteOurPayments(p: Planner, current: TradifyInvoice): void {
  const ours = new Set(p.input.link?.ourPaymentIds ?? []);
  const foreign = p.input.payments.filter((pay) => !ours.has(pay.id));
  if (foreign.length > 0 || p.input.payments.length === 0) {
    p.actions.push({ kind: 'review', reason: 'foreign-payment', invoiceId: current.id });
    return;
  }
  for (const pay of p.input.payments) p.actions.push({ kind: 'delete-payment', invoiceId: current.id, paymentId: pay.id });
}

function planOpen(p: Planner, current: TradifyInvoice | null, reissuing: boolean): void {
  if (current === null) {
    if (create(p)) approveOpenIfDue(p, null, false);
  } else if (current.status === 'draft') {
    if (updateDraft(p, current)) approveOpenIfDue(p, current.id, reissuing);
  } else if (current.status === 'approved') {
    if (contentChanged(p, current)) changedAfterApproval(p, current, false);
  } else if (current.status === 'paid') {
    deleteOurPayments(p, current);
  } else {
    p.actions.push({ kind: 'review', reason: 'cancelled-in-tradify', invoiceId: current.id });
  }
}

function planPaid(p: Planner, current: TradifyInvoice | null): void {
  if (current === null) {
    if (create(p)) approveAndPay(p, null);
  } else if (current.status === 'draft') {
    if (updateDraft(p, current)) approveAndPay(p, current.id);
  } else if (current.status === 'approved') {
    if (contentChanged(p, current)) changedAfterApproval(p, current, true);
    else p.actions.push({ kind: 'pay', invoiceId: current.id, date: paymentDate(p), amount: 'amount-due' });
  } else if (current.status === 'cancelled') {
    p.actions.push({ kind: 'review', reason: 'cancelled-in-tradify', invoiceId: current.id });
  }
}

/**
 * Plans the ordered Tradify actions for one Cliniko invoice.
 *
 * @example
 * ```ts
 * const { actions } = planInvoiceActions({ invoice, items, mapping, current: null, payments: [], link: null }, config, ctx);
 * // Paid, first seen: [{ kind: 'create' }, { kind: 'approve', invoiceId: null }, { kind: 'pay', invoiceId: null, date: '2026-07-01', amount: 'amount-due' }]
 * ```
 */
export function planInvoiceActions(input: StatusPlanInput, config: ResolvedMappingConfig, ctx: MappingContext): StatusPlan {
  const p: Planner = { input, config, ctx, actions: [], findings: [] };
  const { invoice, current } = input;
  if (invoice.deleted_at !== null || invoice.archived_at !== null) {
    retireSuperseded(p);
    planWithdrawn(p, current, invoice.deleted_at !== null ? 'deleted' : 'archived');
  } else {
    const behaviour = behaviourOf(invoice.status, config);
    const reopened = input.link?.lastClinikoStatus === 30 && behaviour !== 'closed' && behaviour !== 'skip';
    if (reopened) p.actions.push({ kind: 'review', reason: 'closed-reopened', invoiceId: current?.id ?? null });
    else if (behaviour === 'skip') p.actions.push({ kind: 'skip', reason: 'status-skipped' });
    else if (behaviour === 'review') p.actions.push({ kind: 'review', reason: reviewReasonFor(invoice.status), invoiceId: current?.id ?? null });
    else {
      const reissuing = retireSuperseded(p);
      if (behaviour === 'closed') planClosed(p, current);
      else if (behaviour === 'open') planOpen(p, current, reissuing);
      else planPaid(p, current);
    }
  }
  if (p.actions.length === 0) p.actions.push({ kind: 'skip', reason: 'in-sync' });
  return { actions: p.actions, findings: p.findings };
}
