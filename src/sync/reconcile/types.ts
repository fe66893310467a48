/**
 * What reconciliation needs from the engine ({@link ReconcileInternals}), its options, and the
 * narrow reading interface it uses on Cliniko.
 *
 * @module
 */
import type { ReadablePage } from '../../cliniko/listing.js';
import type { ClinikoInvoice } from '../../cliniko/schemas/invoice.js';
import type { ClinikoInvoiceItem } from '../../cliniko/schemas/invoice-item.js';
import type { ClinikoPatient } from '../../cliniko/schemas/patient.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { ResolvedMappingConfig } from '../../mapping/config.js';
import type { TradifyCustomerInput, TradifyPort } from '../../tradify/port.js';
import type { Alerter, StateStore } from '../ports.js';

/** Options every reading call takes. */
export interface ReadOptions {
  signal?: AbortSignal | undefined;
}

/**
 * The Cliniko reads reconciliation makes, all paged and paced by the client. The engine passes
 * an adapter over its `ClinikoClient` (see `clinikoSourceFromClient`). A row that fails its
 * schema is set aside in its page's `unreadable` (id and zod paths), never failing the read.
 */
export interface ReconcileClinikoSource {
  /** Every patient, archived ones included (`q[]=archived_at:*`), 100 a page. */
  patientPages(options: ReadOptions): AsyncIterable<ReadablePage<ClinikoPatient>>;
  /**
   * Every invoice, archived and deleted ones included, 100 a page; only those issued on or after
   * `issuedSince` (a plain date) when given.
   */
  invoicePages(options: ReadOptions & { issuedSince?: string | undefined }): AsyncIterable<ReadablePage<ClinikoInvoice>>;
  /** The live (not deleted or archived) items of these invoices, fetched in as few pages as possible. */
  itemsOfInvoices(invoiceIds: readonly string[], options: ReadOptions): Promise<ReadablePage<ClinikoInvoiceItem>>;
  /** Patients by id, archived included (`q[]=id:=a,b,…&q[]=archived_at:*`); ids that no longer answer are absent. */
  patientsByIds(ids: readonly string[], options: ReadOptions): Promise<ClinikoPatient[]>;
  /** Requests sent so far (for the summary and the bench). */
  requestCount(): number;
}

/** The engine's repair work, done inside the reconciliation's lease (`leaseToken`, re-entrant). */
export interface ReconcileRepairer {
  /** Re-sync one patient now (create or update its customer). */
  repushPatient(clinikoId: string, context: RepairContext): Promise<void>;
  /** Re-sync one invoice now (create or update it, walk its status). */
  repushInvoice(clinikoId: string, context: RepairContext): Promise<void>;
  /** Make `tradifyId` the current link of the Cliniko record (and write its `externalReference`). */
  relink(kind: 'patient' | 'invoice', clinikoId: string, tradifyId: string, context: RepairContext): Promise<void>;
}

/** What a repair call is given. */
export interface RepairContext {
  /** The token of the lease reconciliation holds; nested work acquires with `reentrantToken`. */
  leaseToken: string;
  runId: string;
  signal?: AbortSignal | undefined;
}

/** The text fields a customer is compared on (what the mapping would write). */
export type ExpectedCustomer = Pick<TradifyCustomerInput, 'name' | 'email' | 'phone' | 'mobile' | 'physicalAddress' | 'active'>;

/**
 * Everything `runReconciliation` needs from a `SyncEngine`. Kept small so any engine (or a
 * test) can provide it.
 */
export interface ReconcileInternals {
  accountId: string;
  /** The zone of payment dates, file names and run times. */
  timeZone: string;
  store: StateStore;
  cliniko: ReconcileClinikoSource;
  tradify: TradifyPort;
  /** @defaultValue the system clock */
  clock?: Clock | undefined;
  /** @defaultValue the default logger */
  logger?: Logger | undefined;
  /** Where the "findings above threshold" alert goes (deduplicated across runs). */
  alerter?: Alerter | undefined;
  /**
   * The engine's resolved mapping. Its status table and approval policy decide, through the
   * engine's status planner, which Tradify statuses are right (e.g. Paid ↔ paid, or still a
   * draft under `approval: { when: 'manual' }`); its tax table, rounding, filters and invoice
   * callback tell which invoices the sync leaves out or keeps as drafts, and why. Library
   * defaults apply to what is absent.
   */
  mapping?: Partial<ResolvedMappingConfig> | undefined;
  /**
   * The customer the mapping would write for a patient (text fields), or `null` when the patient
   * is filtered out or vetoed. Defaults to the plain legal-name mapping.
   */
  expectedCustomer?: ((patient: ClinikoPatient) => ExpectedCustomer | null) | undefined;
  /** Required for `repair: true`. */
  repairer?: ReconcileRepairer | undefined;
  /** Lease lifetime, renewed after each page. @defaultValue `120_000` */
  leaseTtlMs?: number | undefined;
  /** Tradify requests so far, when the port does not expose `stats`. */
  tradifyRequestCount?: (() => number) | undefined;
}

/** Options of `engine.reconcile()`. */
export interface ReconcileOptions {
  /** Compare only invoices issued on or after this plain date (`YYYY-MM-DD`). Patients are always compared whole. */
  since?: string | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Turn the fixable findings of discrepancies into engine work (re-push, re-link) inside the
   * same lease; the rest become reviews. Known items are left alone. Every repair is in the
   * audit log. @defaultValue `false`
   */
  repair?: boolean | undefined;
  /**
   * Alert when more records than this need action (discrepancies; differences the engine
   * already explains never count). @defaultValue `0`
   */
  alertThreshold?: number | undefined;
}
