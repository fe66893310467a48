/**
 * Human labels shared by the report renderers.
 *
 * @module
 */
import type { Discrepancy, FindingEntity, FindingKind, KnownItem, KnownReason, MismatchField, ReconciliationFinding } from './types.js';

/** A short human label per finding kind. */
export const KIND_LABELS: Record<FindingKind, string> = {
  'missing-in-tradify': 'Missing in Tradify',
  orphan: 'Orphan',
  duplicate: 'Duplicate',
  'field-mismatch': 'Field mismatch',
  'link-drift': 'Link drift',
  'possible-missed-link': 'Possible missed link',
  'deleted-patient': 'Deleted patient',
  'unreadable-record': 'Unreadable record',
};

/** The columns of the findings table, in order, shared by CSV, Markdown and HTML. */
export const FINDING_COLUMNS = [
  'kind',
  'entity',
  'clinikoId',
  'tradifyId',
  'field',
  'line',
  'clinikoValue',
  'tradifyValue',
  'reason',
  'month',
  'fixable',
] as const;

/** One cell name of the findings table. */
export type FindingColumn = (typeof FINDING_COLUMNS)[number];

/** A finding as flat text cells (duplicates list every Tradify id, separated by spaces). */
export function findingCells(finding: ReconciliationFinding): Record<FindingColumn, string> {
  return {
    kind: finding.kind,
    entity: finding.entity,
    clinikoId: finding.clinikoId ?? '',
    tradifyId: (finding.tradifyIds ?? (finding.tradifyId ? [finding.tradifyId] : [])).join(' '),
    field: finding.field ?? '',
    line: finding.line === undefined ? '' : String(finding.line),
    clinikoValue: finding.clinikoValue ?? '',
    tradifyValue: finding.tradifyValue ?? '',
    reason: finding.reason,
    month: finding.month ?? '',
    fixable: finding.fixable ? 'yes' : 'no',
  };
}

/** Why the sync leaves a draft a draft, by the mapping finding that keeps it one. */
const DRAFT_WHY: Record<string, string> = {
  'no-live-lines': 'Cliniko\u2019s invoice has no live items',
  'line-unreproducible': 'its lines\u2019 GST cannot be reproduced to the cent',
  'invoice-total-differs': 'its total cannot be reproduced to the cent',
  'no-single-tax-mode': 'its lines mix GST-inclusive and GST-exclusive prices',
  'tax-rate-unmapped': 'a line\u2019s tax has no matching Tradify tax rate',
  'tax-rate-ambiguous': 'a line\u2019s tax matches more than one Tradify tax rate',
  'tax-rate-missing': 'a line has no tax rate',
};

const NOT_SYNCED: Record<Exclude<KnownReason, 'in-review' | 'dead-letter' | 'left-as-draft'>, string> = {
  closed: 'Not synced on purpose: closed in Cliniko',
  'open-credit': 'Not synced on purpose: open credit in Cliniko',
  'status-table': 'Not synced on purpose: the status table leaves this Cliniko status out',
  filtered: 'Not synced on purpose: left out by a filter',
  vetoed: 'Not synced on purpose: vetoed by the invoice callback',
  deleted: 'Not synced on purpose: deleted in Cliniko',
  archived: 'Not synced on purpose: archived in Cliniko (removed as raised in error)',
};

function draftLabel(why: string | null): string {
  return `Left as a draft: ${(why !== null && DRAFT_WHY[why]) || 'the mapping found a problem that blocks approval'}`;
}

/** The phrase for one known item, e.g. "In the review queue (review 12)". */
export function knownItemLabel(item: Pick<KnownItem, 'reason' | 'ref' | 'detail'>): string {
  if (item.reason === 'in-review') return `In the review queue (review ${item.ref ?? '?'})`;
  if (item.reason === 'dead-letter') return `In the dead letters (letter ${item.ref ?? '?'})`;
  if (item.reason === 'left-as-draft') return draftLabel(item.detail);
  return NOT_SYNCED[item.reason];
}

/** The phrase for a line of the known items' summary (drafts keep their why; queues drop the id). */
export function knownSummaryLabel(item: Pick<KnownItem, 'reason' | 'detail'>): string {
  if (item.reason === 'in-review') return 'In the review queue';
  if (item.reason === 'dead-letter') return 'In the dead letters';
  if (item.reason === 'left-as-draft') return draftLabel(item.detail);
  return NOT_SYNCED[item.reason];
}

const ENTITY_SIDE: Record<FindingEntity, { cliniko: string; tradify: string }> = {
  patient: { cliniko: 'patient', tradify: 'customer' },
  invoice: { cliniko: 'invoice', tradify: 'invoice' },
};

function orphanLabel(f: ReconciliationFinding): string {
  const names = ENTITY_SIDE[f.entity];
  return f.reason === 'linked-tradify-record-missing'
    ? `Linked Tradify ${names.tradify} no longer exists`
    : `Tradify ${names.tradify} refers to a Cliniko ${names.cliniko} that does not exist`;
}

function duplicateLabel(f: ReconciliationFinding): string {
  if (f.reason === 'unlinked-customers-share-email') return 'Tradify customers not linked to a patient share an email address';
  return f.entity === 'invoice' ? 'More than one Tradify invoice for this Cliniko invoice' : 'More than one Tradify customer for this patient';
}

/** What is wrong with a record, as a bookkeeper would say it, e.g. "Tradify invoice missing". */
export function problemLabel(f: ReconciliationFinding): string {
  const names = ENTITY_SIDE[f.entity];
  switch (f.kind) {
    case 'missing-in-tradify':
      return `Tradify ${names.tradify} missing`;
    case 'orphan':
      return orphanLabel(f);
    case 'duplicate':
      return duplicateLabel(f);
    case 'field-mismatch':
      return 'Values differ';
    case 'link-drift':
      return 'The link and the Tradify reference disagree';
    case 'possible-missed-link':
      return 'A Tradify customer not linked to a patient has this patient\u2019s email';
    case 'deleted-patient':
      return 'Patient deleted in Cliniko; its Tradify customer remains';
    case 'unreadable-record':
      return `${f.side === 'tradify' ? `Tradify ${names.tradify}` : `Cliniko ${names.cliniko}`} could not be read`;
  }
}

const FIELD_LABELS: Record<MismatchField, string> = {
  name: 'Name',
  email: 'Email',
  phone: 'Phone',
  address: 'Address',
  active: 'Active',
  status: 'Status',
  total: 'Total',
  tax: 'GST',
  'tax-rate': 'GST rate',
  'line-total': 'Line total',
  'invoice-date': 'Invoice date',
};

/** The differing field of a finding as a phrase ("Line 2 total", "Unreadable field total_amount"); `''` when none. */
export function fieldLabel(f: ReconciliationFinding): string {
  if (f.kind === 'unreadable-record') return f.path ? `Unreadable field ${f.path}` : 'Unreadable record';
  if (f.field === undefined) return '';
  if (f.field === 'line-total' && f.reason === 'line-count-differs') return 'Number of lines';
  if (f.field === 'line-total' && f.line !== undefined) return `Line ${f.line} total`;
  if (f.field === 'tax-rate' && f.line !== undefined) return `GST rate, line ${f.line}`;
  return FIELD_LABELS[f.field];
}

const CLINIKO_STATUSES: Record<string, string> = { '10': 'Open', '20': 'Paid', '30': 'Closed', '40': 'Open credit', null: 'No status' };

/** A finding's value on one side, shown only for money, rates, dates and statuses (already so in findings). */
export function valueLabel(f: ReconciliationFinding, side: 'cliniko' | 'tradify'): string {
  const value = side === 'cliniko' ? f.clinikoValue : f.tradifyValue;
  if (value === null || value === undefined) return '';
  if (f.field !== 'status') return f.field === 'tax-rate' && value !== 'unknown' ? `${value}%` : value;
  if (side === 'tradify') return value.charAt(0).toUpperCase() + value.slice(1);
  const withdrawn = / \((deleted|archived)\)$/.exec(value);
  const code = withdrawn ? value.slice(0, withdrawn.index) : value;
  return `${CLINIKO_STATUSES[code] ?? code}${withdrawn ? `, ${withdrawn[1]}` : ''}`;
}

/** The record a discrepancy is about, e.g. "Invoice 1390730000000000001 (Tradify inv_7)". */
export function recordLabel(d: Pick<Discrepancy, 'entity' | 'clinikoId' | 'tradifyId'>): string {
  const names = ENTITY_SIDE[d.entity];
  if (d.clinikoId === null) return `Tradify ${names.tradify} ${d.tradifyId ?? ''}`.trim();
  const head = d.entity === 'invoice' ? `Invoice ${d.clinikoId}` : `Patient ${d.clinikoId}`;
  return d.tradifyId === null ? head : `${head} (Tradify ${d.tradifyId})`;
}

/** What is wrong with a discrepancy in one phrase, e.g. "Values differ: Total, GST, Line 1 total". */
export function discrepancyProblems(d: Pick<Discrepancy, 'findings'>): string {
  const problems = new Map<string, string[]>();
  for (const f of d.findings) {
    const problem = problemLabel(f);
    const fields = problems.get(problem) ?? [];
    const field = f.kind === 'unreadable-record' ? (f.path ?? '') : f.kind === 'field-mismatch' ? fieldLabel(f) : '';
    if (field !== '' && !fields.includes(field)) fields.push(field);
    problems.set(problem, fields);
  }
  return [...problems].map(([problem, fields]) => (fields.length > 0 ? `${problem}: ${fields.join(', ')}` : problem)).join('; ');
}

/** The report's headline: "1 record needs action", "3 records need action" or "Everything matches". */
export function headlineText(discrepancies: number): string {
  if (discrepancies === 0) return 'Everything matches';
  return discrepancies === 1 ? '1 record needs action' : `${discrepancies} records need action`;
}
