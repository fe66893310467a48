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
  | 'deleted-patient';

/** Every finding kind, in report order. */
export const FINDING_KINDS: readonly FindingKind[] = [
  'missing-in-tradify',
  'orphan',
  'duplicate',
  'field-mismatch',
  'link-drift',
  'possible-missed-link',
  'deleted-patient',
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
  /** Invoices whose money differs here for a reason the engine already knows (e.g. waiting in the review queue). */
  knownItems: number;
  /** Invoices whose money differs here with no known reason. A period with any is flagged. */
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
  counts: Record<FindingKind, number>;
  totalFindings: number;
  records: RecordCounts;
  money: MoneySummary;
  requests: { cliniko: number; tradify: number };
  repairs: RepairSummary | null;
}

/** The plain-data form of a report (`toJSON()`). */
export interface ReconciliationReportData {
  summary: ReconciliationSummary;
  findings: ReconciliationFinding[];
}
