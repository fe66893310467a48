/**
 * Human labels shared by the report renderers.
 *
 * @module
 */
import type { FindingKind, ReconciliationFinding } from './types.js';

/** A short human label per finding kind. */
export const KIND_LABELS: Record<FindingKind, string> = {
  'missing-in-tradify': 'Missing in Tradify',
  orphan: 'Orphan',
  duplicate: 'Duplicate',
  'field-mismatch': 'Field mismatch',
  'link-drift': 'Link drift',
  'possible-missed-link': 'Possible missed link',
  'deleted-patient': 'Deleted patient',
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
