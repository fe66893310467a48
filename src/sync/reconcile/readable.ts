/**
 * Records reconciliation cannot read: rows that failed their schema, and values that passed it
 * but are no date or instant (`issue_date: "2025-02-30"`, `invoiceDate: "=HYPERLINK(…)"`).
 * Each becomes an `unreadable-record` finding naming the side, the id and the field — never
 * the value — and the rest of the run compares every other record.
 *
 * @module
 */
import type { UnreadableRow } from '../../cliniko/listing.js';
import type { ClinikoInvoice } from '../../cliniko/schemas/invoice.js';
import type { ClinikoInvoiceItem } from '../../cliniko/schemas/invoice-item.js';
import { isPlainDate } from '../../core/dates.js';
import type { TradifyInvoice } from '../../tradify/port.js';
import type { FindingEntity, ReconciliationFinding } from '../report/types.js';

/** Receives each unreadable record as it is met. */
export type UnreadableSink = (finding: ReconciliationFinding) => void;

function isInstant(text: string): boolean {
  return Number.isFinite(Date.parse(text));
}

/** The month of a plain date that can be read, else `null`. */
export function monthOf(date: string | null | undefined): string | null {
  return isPlainDate(date) ? date.slice(0, 7) : null;
}

/**
 * The first field of a schema-valid Cliniko invoice (or of its live items) that reconciliation
 * cannot read, or `undefined` when every one can be.
 */
export function unreadableClinikoInvoiceField(invoice: ClinikoInvoice, items: readonly ClinikoInvoiceItem[]): string | undefined {
  if (invoice.issue_date !== null && !isPlainDate(invoice.issue_date)) return 'issue_date';
  if (invoice.closed_at !== null && !isInstant(invoice.closed_at)) return 'closed_at';
  if (!isInstant(invoice.updated_at)) return 'updated_at';
  if (items.some((item) => !isInstant(item.updated_at))) return 'invoice_items.updated_at';
  return undefined;
}

/** The first field of a schema-valid Tradify invoice that reconciliation cannot read, or `undefined`. */
export function unreadableTradifyInvoiceField(invoice: TradifyInvoice): string | undefined {
  return isPlainDate(invoice.invoiceDate) ? undefined : 'invoiceDate';
}

/** The distinct zod paths of a row that failed its schema, e.g. `total_amount`, `id`. */
export function issuePaths(row: UnreadableRow, prefix = ''): string {
  const paths = [...new Set(row.issues.map((i) => `${prefix}${i.path || '(row)'}`))];
  return paths.join(', ');
}

/** What an unreadable-record finding says: which side, which record, which field. */
export interface UnreadableRecord {
  side: 'cliniko' | 'tradify';
  entity: FindingEntity;
  clinikoId: string | null;
  tradifyId?: string | null | undefined;
  path: string;
  /** `failed-schema` (the row did not match the API's schema) or `value-unreadable`. */
  reason: 'failed-schema' | 'value-unreadable';
  month?: string | null | undefined;
}

/** The finding for an unreadable record (no value, ever). */
export function unreadableFinding(record: UnreadableRecord): ReconciliationFinding {
  return {
    kind: 'unreadable-record',
    entity: record.entity,
    clinikoId: record.clinikoId,
    tradifyId: record.tradifyId ?? null,
    side: record.side,
    path: record.path,
    reason: record.reason,
    month: record.month ?? null,
    fixable: false,
  };
}
