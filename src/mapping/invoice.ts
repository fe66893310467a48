/**
 * Cliniko invoice + items → Tradify invoice draft: the header, the owner, and the lines with GST (`docs/mapping.md`,
 * `docs/gst-and-rounding.md`).
 *
 * @module
 */

import { addDays, toLocalDate } from '../core/dates.js';
import { compareIds, linkedId } from '../core/ids.js';
import type { ClinikoInvoice } from '../cliniko/schemas/invoice.js';
import type { ClinikoInvoiceItem } from '../cliniko/schemas/invoice-item.js';
import { ownersOn } from '../tradify/capabilities.js';
import type { TradifyInvoiceInput } from '../tradify/port.js';
import { isVeto, type ResolvedMappingConfig } from './config.js';
import type { MappingContext } from './context.js';
import type { AuditStamp } from './customer.js';
import { finding, hasBlockingFinding, type Finding } from './findings.js';
import { resolveOwner, type OwnerDirectory } from './owner.js';
import { withoutControlCharacters } from './names.js';
import { mapInvoiceLines, type MappedLines, type ResolvedTaxTable } from './tax.js';

/**
 * The `externalReference` of an invoice: `cliniko:invoice:<id>`, or `cliniko:invoice:<id>:r<n>`
 * for its n-th reissue.
 */
export function invoiceExternalReference(invoiceId: string, reissue = 0): string {
  return reissue > 0 ? `cliniko:invoice:${invoiceId}:r${reissue}` : `cliniko:invoice:${invoiceId}`;
}

/** Reads an `externalReference` this library wrote, or `undefined` for any other text. */
export function parseExternalReference(reference: string | null | undefined): { kind: 'patient' | 'invoice'; id: string; reissue: number } | undefined {
  const match = /^cliniko:(patient|invoice):(\d{1,20})(?::r(\d{1,6}))?$/.exec(reference ?? '');
  if (!match) return undefined;
  return { kind: match[1] as 'patient' | 'invoice', id: match[2]!, reissue: match[3] === undefined ? 0 : Number(match[3]) };
}

/** Invoice fields that may hold several lines (a line's description); every other text is single-line. */
const MULTI_LINE_FIELDS: ReadonlySet<string> = new Set(['description']);

/** The items that still count: not deleted, not archived, in id order (as `BigInt`). */
export function liveItems(items: readonly ClinikoInvoiceItem[]): ClinikoInvoiceItem[] {
  return items.filter((i) => i.deleted_at === null && i.archived_at === null).sort((a, b) => compareIds(a.id, b.id));
}

/** What {@link mapInvoice} needs besides the invoice and its items. */
export interface InvoiceMappingInput {
  invoice: ClinikoInvoice;
  /** Every item of the invoice, deleted and archived ones included (they are left out here). */
  items: readonly ClinikoInvoiceItem[];
  /** The linked Tradify customer, or `null` when the patient has none yet. */
  customer: { id: string; defaultInvoiceDueDays: number | null } | null;
  /** True when the patient was left out by `filterPatient`. */
  patientFiltered?: boolean | undefined;
  /** From {@link checkTaxTable} at the start of the run. */
  taxes: ResolvedTaxTable;
  /** From `buildOwnerDirectory`; without it no owner is set. */
  owners?: OwnerDirectory | undefined;
  /** Reissue number for `externalReference` (`0`: the original). @defaultValue 0 */
  reissue?: number | undefined;
}

/** Fields every invoice mapping result carries. */
export interface InvoiceMappingBase {
  invoiceId: string;
  findings: Finding[];
  audit: AuditStamp;
}

/** The outcome of {@link mapInvoice}. */
export type InvoiceMapping =
  | (InvoiceMappingBase & {
      status: 'mapped';
      draft: TradifyInvoiceInput;
      /** The line check, totals and chosen tax mode. */
      lines: MappedLines;
      /** Live items (not deleted or archived). An invoice with none is never approved. */
      liveItemCount: number;
      /** True when a line or the total did not reproduce, or nothing is live: never approve it. */
      mustStayDraft: boolean;
    })
  | (InvoiceMappingBase & { status: 'skipped'; reason: 'invoice-filtered' | 'patient-filtered' | 'vetoed'; detail?: string | undefined })
  | (InvoiceMappingBase & { status: 'failed'; reason: 'customer-missing' | 'callback-failed' | 'invalid-data' });

function invoiceDate(invoice: ClinikoInvoice, ctx: MappingContext, findings: Finding[]): string {
  if (invoice.issue_date !== null) return invoice.issue_date;
  findings.push(finding('issue-date-missing', 'warning', invoice.id, 'Invoice has no issue date; its creation date in the business zone is used', 'issue_date'));
  return toLocalDate(invoice.created_at, ctx.timeZone);
}

function ownerField(input: InvoiceMappingInput, ctx: MappingContext, findings: Finding[]): { ownerStaffId?: string | null } {
  if (!ownersOn(ctx.capabilities, 'invoices') || !input.owners) return {};
  const owner = resolveOwner(linkedId(input.invoice.practitioner), input.owners);
  if (owner.staffId === null) {
    const code = owner.reason === 'several-staff' ? 'owner-ambiguous' : 'owner-not-found';
    findings.push(finding(code, 'warning', input.invoice.id, `No single Tradify staff member owns this invoice (${owner.reason})`, 'practitioner'));
  }
  return { ownerStaffId: owner.staffId };
}

function draftInvoice(input: InvoiceMappingInput, customerId: string, config: ResolvedMappingConfig, ctx: MappingContext, findings: Finding[]) {
  const { invoice } = input;
  const live = liveItems(input.items);
  const lines = mapInvoiceLines({
    invoiceId: invoice.id,
    totalAmount: invoice.total_amount,
    calculationMethod: invoice.calculation_method,
    items: live,
    taxes: input.taxes,
    rounding: config.rounding,
  });
  findings.push(...lines.findings);
  if (live.length === 0) findings.push(finding('no-live-lines', 'warning', invoice.id, 'Invoice has no live items; it will not be approved'));
  if (invoice.number === null) findings.push(finding('invoice-number-missing', 'info', invoice.id, 'Invoice has no number; no reference is set', 'number'));
  const date = invoiceDate(invoice, ctx, findings);
  const draft: TradifyInvoiceInput = {
    customerId,
    invoiceDate: date,
    dueDate: addDays(date, input.customer?.defaultInvoiceDueDays ?? config.defaultDueDays),
    reference: invoice.number === null ? null : `Cliniko #${invoice.number}`,
    externalReference: invoiceExternalReference(invoice.id, input.reissue ?? 0),
    taxMode: lines.taxMode,
    lineItems: lines.lineItems,
    ...ownerField(input, ctx, findings),
  };
  return { draft, lines, liveItemCount: live.length };
}

function filteredOut(input: InvoiceMappingInput, config: ResolvedMappingConfig, ctx: MappingContext): 'patient-filtered' | 'invoice-filtered' | undefined {
  if (input.patientFiltered && !config.includeInvoicesOfFilteredPatients) return 'patient-filtered';
  if (config.filterInvoice && !config.filterInvoice(input.invoice, input.items, ctx)) return 'invoice-filtered';
  return undefined;
}

/**
 * Maps a Cliniko invoice and its items to a Tradify invoice draft, applying the filters and
 * the `invoice` callback. Never throws.
 *
 * @example
 * ```ts
 * const result = mapInvoice({ invoice, items, customer: { id: 'cus_1', defaultInvoiceDueDays: null }, taxes }, config, ctx);
 * if (result.status === 'mapped' && !result.mustStayDraft) { } // may be approved by the policy
 * ```
 */
export function mapInvoice(input: InvoiceMappingInput, config: ResolvedMappingConfig, ctx: MappingContext): InvoiceMapping {
  const { invoice } = input;
  const findings: Finding[] = [];
  const audit = { clinikoCreatedAt: invoice.created_at, clinikoUpdatedAt: invoice.updated_at };
  const invoiceId = invoice.id;
  let stage: 'callback' | 'mapping' = 'callback';
  try {
    const filtered = filteredOut(input, config, ctx);
    stage = 'mapping';
    if (filtered) return { invoiceId, findings, audit, status: 'skipped', reason: filtered };
    if (input.customer === null) {
      findings.push(finding('customer-missing', 'error', invoice.id, 'The invoice\u2019s patient has no linked Tradify customer yet', 'patient'));
      return { invoiceId, findings, audit, status: 'failed', reason: 'customer-missing' };
    }
    const { draft, lines, liveItemCount } = draftInvoice(input, input.customer.id, config, ctx, findings);
    stage = 'callback';
    const changed = config.invoice ? config.invoice(draft, invoice, input.items, ctx) : draft;
    if (changed === null || isVeto(changed)) {
      const detail = changed === null ? undefined : changed.reason;
      findings.push(finding('callback-vetoed', 'info', invoice.id, `The invoice callback vetoed this invoice${detail ? ` (${detail})` : ''}`));
      return { invoiceId, findings, audit, status: 'skipped', reason: 'vetoed', detail };
    }
    const mustStayDraft = !lines.reproducible || liveItemCount === 0 || hasBlockingFinding(findings);
    // our own fields are already clean; a callback may hand back raw Cliniko text
    const clean = config.invoice ? withoutControlCharacters(changed, MULTI_LINE_FIELDS) : changed;
    return { invoiceId, findings, audit, status: 'mapped', draft: clean, lines, liveItemCount, mustStayDraft };
  } catch (error) {
    const kind = error instanceof Error ? error.name : typeof error;
    if (stage === 'mapping') {
      findings.push(finding('invalid-data', 'error', invoice.id, `The record could not be mapped (${kind})`));
      return { invoiceId, findings, audit, status: 'failed', reason: 'invalid-data' };
    }
    findings.push(finding('callback-failed', 'error', invoice.id, `A mapping callback threw (${kind})`));
    return { invoiceId, findings, audit, status: 'failed', reason: 'callback-failed' };
  }
}
