/**
 * The typed shape of a reconciliation result: findings, counts and the money summary.
 *
 * A report built from these types holds patient identifiers and, in its findings, amounts,
 * dates and statuses. It is rendered on demand and never stored; files written from it are
 * mode 0600 (see `writeReportFiles`).
 *
 * @module
 */

/** What kind of disagreement a finding records. */
export type FindingKind =
  | 'missing-in-tradify'
  | 'orphan'
  | 'duplicate'
  | 'field-mismatch'
  | 'link-drift'
  | 'possible-missed-link'
  | 'deleted-patient'
  | 'unreadable-record';

/** Every finding kind, in report order. */
export const FINDING_KINDS: readonly FindingKind[] = [
  'missing-in-tradify',
  'orphan',
  'duplicate',
  'field-mismatch',
  'link-drift',
  'possible-missed-link',
  'deleted-patient',
  'unreadable-record',
];

/** The compared field of a `field-mismatch` finding. */
export type MismatchField =
  | 'name'
  | 'email'
  | 'phone'
  | 'address'
  | 'active'
  | 'status'
  | 'total'
  | 'tax'
  | 'tax-rate'
  | 'line-total'
  | 'invoice-date';

/** Which record a finding is about. */
export type FindingEntity = 'patient' | 'invoice';

/**
 * One disagreement between the two sides. Values are carried only for amounts, rates, dates and
 * statuses; a text mismatch (name, email, phone, address) names the field, never the values.
 */
export interface ReconciliationFinding {
  kind: FindingKind;
  entity: FindingEntity;
  /** The Cliniko id, when the finding is about a Cliniko record. */
  clinikoId: string | null;
  /** The Tradify id, when one is involved (the first one for duplicates). */
  tradifyId: string | null;
  /** Every Tradify id involved, for duplicates. */
  tradifyIds?: string[] | undefined;
  /** The field that differs, for `field-mismatch`. */
  field?: MismatchField | undefined;
  /** 1-based Cliniko line position, for per-line GST and line-total mismatches. */
  line?: number | undefined;
  /** Cliniko's value (amounts, rates, dates, statuses only). */
  clinikoValue?: string | null | undefined;
  /** Tradify's value (amounts, rates, dates, statuses only). */
  tradifyValue?: string | null | undefined;
  /** A stable reason code, e.g. `tradify-record-missing`, `link-points-elsewhere`. */
  reason: string;
  /** `YYYY-MM` the finding is charted under (an invoice's issue month), when known. */
  month: string | null;
  /** True when `repair: true` can fix it by re-pushing or re-linking. */
  fixable: boolean;
  /** For `unreadable-record`: the side the record could not be read from. */
  side?: 'cliniko' | 'tradify' | undefined;
  /** For `unreadable-record`: the API field at fault, e.g. `total_amount` or `invoiceDate` (never its value). */
  path?: string | undefined;
}

/**
 * Why a difference is already accounted for by the engine (or why a record is deliberately not
 * in Tradify):
 * - `in-review`: the record waits in the review queue;
 * - `dead-letter`: the record is in the dead letters;
 * - `left-as-draft`: the sync deliberately leaves the Tradify invoice a draft (e.g. Cliniko's
 *   invoice has no live items, or its lines' GST cannot be reproduced to the cent) and the
 *   draft holds what the mapping makes of it;
 * - policy skips, where the sync never writes the invoice: `closed` (closed in Cliniko before
 *   it was synced), `open-credit`, `status-table` (another status the status table does not
 *   sync), `filtered` (a patient or invoice filter), `vetoed` (the invoice callback),
 *   `deleted` (deleted in Cliniko) and `archived` (archived in Cliniko, which removes an
 *   invoice raised in error: the sync skips it, or deletes its draft, cancels it when approved).
 */
export type KnownReason =
  | 'in-review'
  | 'dead-letter'
  | 'left-as-draft'
  | 'closed'
  | 'open-credit'
  | 'status-table'
  | 'filtered'
  | 'vetoed'
  | 'deleted'
  | 'archived';

/** Every known reason, in report order. */
export const KNOWN_REASONS: readonly KnownReason[] = ['in-review', 'dead-letter', 'left-as-draft', 'closed', 'open-credit', 'status-table', 'filtered', 'vetoed', 'deleted', 'archived'];

/**
 * A record (not a field) whose data differs with no known reason: it needs a person. Its
 * differing fields are grouped under it.
 */
export interface Discrepancy {
  /** A stable anchor for the record, e.g. `invoice-1390730000000000001` (letters, digits, `-`, `_`). */
  id: string;
  entity: FindingEntity;
  /** The Cliniko id, when the record has one. */
  clinikoId: string | null;
  /** The Tradify id involved (the first one for duplicates). */
  tradifyId: string | null;
  /** The kinds of its findings, in report order. */
  kinds: FindingKind[];
  /** Its findings: one per differing field (or per problem for the other kinds). */
  findings: ReconciliationFinding[];
  /** The first month its findings are charted under. */
  month: string | null;
  /** True when `repair: true` can fix every one of its findings. */
  fixable: boolean;
}

/** A record whose difference the engine already explains, with the reason. */
export interface KnownItem {
  entity: FindingEntity;
  clinikoId: string | null;
  tradifyId: string | null;
  reason: KnownReason;
  /**
   * The id behind the reason: the review's id (`in-review`), the dead letter's id
   * (`dead-letter`); `null` otherwise.
   */
  ref: string | null;
  /**
   * What the engine recorded: the review's or dead letter's reason code, the mapping finding that
   * keeps a draft a draft (e.g. `no-live-lines`, `line-unreproducible`), the skipped Cliniko
   * status; `null` when there is nothing more to say.
   */
  detail: string | null;
  /** A phrase for people, e.g. "In the review queue (review 12)". */
  label: string;
  /** The differences it explains (empty for an invoice the sync deliberately leaves out). */
  findings: ReconciliationFinding[];
  month: string | null;
}

/** One line of the known items' summary: a reason (with its why, for drafts) and how many. */
export interface KnownSummaryRow {
  reason: KnownReason;
  /** A phrase for people, e.g. "Left as a draft: Cliniko's invoice has no live items". */
  label: string;
  count: number;
}

/** Known items summarised by reason; the full list is `report.knownItems()`. */
export interface KnownSummary {
  total: number;
  byReason: Record<KnownReason, number>;
  /** One row per reason (drafts split by why), largest first. */
  rows: KnownSummaryRow[];
}

/** Two money figures: the invoices' totals and their GST. */
export interface MoneyPair {
  /** Decimal string, 2 places. */
  total: string;
  /** Decimal string, 2 places. */
  tax: string;
}

/** Totals of Cliniko-referenced invoices for one period, per side, and their difference. */
export interface MoneyRow {
  /** `YYYY-MM` or a BAS quarter label like `FY2026-27 Q1`. */
  period: string;
  cliniko: MoneyPair;
  tradify: MoneyPair;
  /** Cliniko minus Tradify. */
  difference: MoneyPair;
  /** How many invoices each side counted in the period. */
  invoices: { cliniko: number; tradify: number };
  /**
   * Invoices whose GST differs only by per-line rounding, within their own bound of half a cent
   * per line carrying GST, and the GST they account for (Cliniko minus Tradify). Explained, not
   * flagged.
   */
  gstRounding: { invoices: number; tax: string };
  /** Invoices whose money differs here and that are known items of the report (e.g. waiting in the review queue, a draft kept on purpose). */
  knownItems: number;
  /** Invoices whose money differs here with no known reason (the report's discrepancies among them). A period with any is flagged. */
  discrepancies: number;
}

/** The three money views of a reconciliation. */
export interface MoneySummary {
  /** Accrual: by invoice `issue_date` (Cliniko) and `invoiceDate` (Tradify). */
  byIssueMonth: MoneyRow[];
  /** Cash basis: paid invoices by payment date (Cliniko `closed_at` local date; Tradify payment date). */
  byPaymentMonth: MoneyRow[];
  /** Accrual, by BAS quarter of the issue date (Jul–Sep is Q1 of the financial year). */
  byBasQuarter: MoneyRow[];
  /** Cash basis, by BAS quarter of the payment date. */
  byBasQuarterCash: MoneyRow[];
}

/** What each side held. */
export interface RecordCounts {
  clinikoPatients: number;
  clinikoInvoices: number;
  tradifyCustomers: number;
  tradifyInvoices: number;
  /** Tradify customers without a `cliniko:` reference (the business's own trade customers). */
  tradeCustomers: number;
  /** Tradify invoices without a `cliniko:` reference. */
  tradeInvoices: number;
  /** Cliniko invoices deliberately not synced (first seen Closed, reviewed Open credit, filtered). */
  skippedInvoices: number;
}

/**
 * What `repair: true` did. Each record handed to the engine is counted once, by what the
 * engine then did: wrote to Tradify (`repaired`), opened a review instead (`reviewsByEngine`),
 * did nothing (`unchanged`), or threw (`failed`).
 */
export interface RepairSummary {
  /** Records the engine really repaired: it wrote to Tradify or the link table (audited). */
  repaired: number;
  /** Reviews reconciliation opened for findings it cannot repair. */
  reviewed: number;
  /** Repairs the engine answered with a review (e.g. `tradify-customer-missing`), not a write. */
  reviewsByEngine: number;
  /** Repairs after which the engine wrote nothing and opened no review (e.g. it dead-lettered the record). */
  unchanged: number;
  /** Repairs that failed (the finding stays; the error's code is in the audit log). */
  failed: number;
}

/** The header of a report. */
export interface ReconciliationSummary {
  runId: string;
  accountId: string;
  /** ISO instant. */
  startedAt: string;
  /** ISO instant. */
  finishedAt: string;
  /** The zone dates and file names use. */
  timeZone: string;
  /** Only invoices issued on or after this plain date were compared, when set. */
  since: string | null;
  /** Findings per kind (field by field). */
  counts: Record<FindingKind, number>;
  /** Every finding, field by field (a record with three differing fields counts three). */
  totalFindings: number;
  /** Records that differ with no known reason: what needs a person (the headline). */
  discrepancies: number;
  /** Differences the engine already explains, by reason. */
  known: KnownSummary;
  records: RecordCounts;
  money: MoneySummary;
  requests: { cliniko: number; tradify: number };
  repairs: RepairSummary | null;
}

/**
 * The plain-data form of a report (`toJSON()`): the summary (with the known items' summary),
 * every finding and the discrepancies. The known items themselves are left out (there may be
 * thousands of deliberately skipped invoices); `report.knownItems()` lists them.
 */
export interface ReconciliationReportData {
  summary: ReconciliationSummary;
  findings: ReconciliationFinding[];
  discrepancies: Discrepancy[];
}

/** What a {@link ReconciliationReportData} is built from, plus the full list of known items. */
export interface ReconciliationReportInput extends ReconciliationReportData {
  /** @defaultValue none */
  knownItems?: KnownItem[] | undefined;
}
