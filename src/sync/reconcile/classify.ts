/**
 * From findings (field by field) to records: each record whose data differs is either a
 * discrepancy — it needs a person — or a known item, when the engine already explains it:
 * an open review, an open dead letter, or a draft the sync deliberately leaves a draft.
 * Invoices the sync deliberately leaves out are known items too, unless something about them
 * differs. A reason that has gone (the review was resolved) explains nothing any more.
 *
 * @module
 */
import { knownItemLabel, knownSummaryLabel } from '../report/labels.js';
import { FINDING_KINDS, KNOWN_REASONS } from '../report/types.js';
import type { Discrepancy, FindingEntity, KnownItem, KnownReason, KnownSummary, KnownSummaryRow, MismatchField, ReconciliationFinding } from '../report/types.js';
import type { SkippedInvoice } from './context.js';
import { recordKey } from './known.js';
import type { RecordedReasons } from './known.js';

/** Everything that can explain a record's difference. */
export interface Explanations extends RecordedReasons {
  /** Cliniko invoice id → why the sync leaves its draft a draft (see `draftsExplained`). */
  drafts: ReadonlyMap<string, string>;
}

/** The result of {@link classify}. */
export interface Classified {
  discrepancies: Discrepancy[];
  knownItems: KnownItem[];
}

/** The fields a deliberately kept draft explains: its money, as the mapping made it. */
const DRAFT_FIELDS: ReadonlySet<MismatchField> = new Set(['total', 'tax', 'line-total', 'tax-rate']);

interface RecordFindings {
  entity: FindingEntity;
  clinikoId: string | null;
  tradifyId: string | null;
  findings: ReconciliationFinding[];
}

function groupByRecord(findings: readonly ReconciliationFinding[]): RecordFindings[] {
  const records = new Map<string, RecordFindings>();
  for (const f of findings) {
    const key = recordKey(f.entity, f.clinikoId ?? `tradify:${f.tradifyId ?? ''}`);
    const record = records.get(key) ?? { entity: f.entity, clinikoId: f.clinikoId, tradifyId: f.tradifyId, findings: [] };
    record.tradifyId ??= f.tradifyId;
    record.findings.push(f);
    records.set(key, record);
  }
  return [...records.values()];
}

type Reason = Pick<KnownItem, 'reason' | 'ref' | 'detail'>;

/** The review or dead letter that explains a record, if one is open. */
function recordedReason(record: Pick<RecordFindings, 'entity' | 'clinikoId' | 'tradifyId'>, explanations: Explanations): Reason | undefined {
  const id = record.clinikoId ?? record.tradifyId;
  if (id === null) return undefined;
  const review = explanations.reviews.get(recordKey(record.entity, id));
  if (review) return { reason: 'in-review', ref: review.id, detail: review.reasonCode };
  const letter = explanations.deadLetters.get(recordKey(record.entity, id));
  return letter ? { reason: 'dead-letter', ref: letter.id, detail: letter.reasonCode } : undefined;
}

function draftReason(record: RecordFindings, explanations: Explanations): Reason | undefined {
  if (record.entity !== 'invoice' || record.clinikoId === null) return undefined;
  const why = explanations.drafts.get(record.clinikoId);
  const explained = record.findings.every((f) => f.kind === 'field-mismatch' && f.field !== undefined && DRAFT_FIELDS.has(f.field));
  return why !== undefined && explained ? { reason: 'left-as-draft', ref: null, detail: why } : undefined;
}

function firstMonth(findings: readonly ReconciliationFinding[]): string | null {
  return findings.find((f) => f.month !== null)?.month ?? null;
}

function knownItem(record: Pick<RecordFindings, 'entity' | 'clinikoId' | 'tradifyId'>, reason: Reason, findings: ReconciliationFinding[], month: string | null): KnownItem {
  return { entity: record.entity, clinikoId: record.clinikoId, tradifyId: record.tradifyId, ...reason, label: knownItemLabel(reason), findings, month };
}

function anchorOf(record: RecordFindings, taken: Set<string>): string {
  const base = `${record.entity}-${record.clinikoId ?? `tradify-${record.tradifyId ?? 'unknown'}`}`.replace(/[^A-Za-z0-9_-]/g, '_');
  let anchor = base;
  for (let n = 2; taken.has(anchor); n++) anchor = `${base}-${n}`;
  taken.add(anchor);
  return anchor;
}

function discrepancyOf(record: RecordFindings, taken: Set<string>): Discrepancy {
  const present = new Set(record.findings.map((f) => f.kind));
  const tradifyIds = record.findings.find((f) => f.tradifyIds)?.tradifyIds;
  return {
    id: anchorOf(record, taken),
    entity: record.entity,
    clinikoId: record.clinikoId,
    tradifyId: record.tradifyId ?? tradifyIds?.[0] ?? null,
    kinds: FINDING_KINDS.filter((k) => present.has(k)),
    findings: record.findings,
    month: firstMonth(record.findings),
    fixable: record.findings.every((f) => f.fixable),
  };
}

/**
 * Sorts every record into discrepancies and known items. Precedence for a record with
 * differences: an open review, then an open dead letter, then a deliberately kept draft (only
 * when every difference is in the money the draft holds); otherwise it is a discrepancy. An
 * invoice the sync leaves out, with no difference of its own, is a known item with its
 * policy (or its review).
 */
export function classify(findings: readonly ReconciliationFinding[], skipped: readonly SkippedInvoice[], explanations: Explanations): Classified {
  const discrepancies: Discrepancy[] = [];
  const knownItems: KnownItem[] = [];
  const taken = new Set<string>();
  const withFindings = new Set<string>();
  for (const record of groupByRecord(findings)) {
    if (record.clinikoId !== null) withFindings.add(recordKey(record.entity, record.clinikoId));
    const reason = recordedReason(record, explanations) ?? draftReason(record, explanations);
    if (reason) knownItems.push(knownItem(record, reason, record.findings, firstMonth(record.findings)));
    else discrepancies.push(discrepancyOf(record, taken));
  }
  for (const skip of skipped) {
    const record = { entity: 'invoice' as const, clinikoId: skip.clinikoId, tradifyId: skip.tradifyId };
    if (withFindings.has(recordKey('invoice', skip.clinikoId))) continue;
    const reason: Reason = recordedReason(record, explanations) ?? { reason: skip.reason, ref: null, detail: null };
    knownItems.push(knownItem(record, reason, [], skip.month));
  }
  return { discrepancies, knownItems };
}

/**
 * The known-item rule for the money tables, so their flags match the discrepancy list: an
 * invoice whose money differs is known when it is a known item (a review, a dead letter, a
 * deliberately kept draft, a policy skip) and not a discrepancy; any other differing invoice
 * counts as a discrepancy there, never as explained.
 */
export function isKnownInvoice(classified: Classified): (clinikoId: string) => boolean {
  const known = new Set(classified.knownItems.filter((k) => k.entity === 'invoice' && k.clinikoId !== null).map((k) => k.clinikoId!));
  for (const d of classified.discrepancies) if (d.entity === 'invoice' && d.clinikoId !== null) known.delete(d.clinikoId);
  return (clinikoId) => known.has(clinikoId);
}

/** Known items summarised by reason (drafts split by why), largest first. */
export function summariseKnown(items: readonly KnownItem[]): KnownSummary {
  const byReason = Object.fromEntries(KNOWN_REASONS.map((r) => [r, 0])) as Record<KnownReason, number>;
  const rows = new Map<string, KnownSummaryRow>();
  for (const item of items) {
    byReason[item.reason] += 1;
    const label = knownSummaryLabel(item);
    const row = rows.get(label) ?? { reason: item.reason, label, count: 0 };
    row.count += 1;
    rows.set(label, row);
  }
  const order = (r: KnownSummaryRow) => KNOWN_REASONS.indexOf(r.reason);
  const sorted = [...rows.values()].sort((a, b) => b.count - a.count || order(a) - order(b));
  return { total: items.length, byReason, rows: sorted };
}
