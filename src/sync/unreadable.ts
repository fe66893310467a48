/**
 * Tradify rows a run could not read. A listed customer, invoice, payment, staff member or tax
 * rate that fails its schema never stops a sync: the row is skipped, recorded as a review naming
 * its Tradify id and the failing fields (paths, never values), alerted once, and remembered for
 * the rest of the run so that nothing is written on a guess:
 *
 * - a patient whose customer could not be read — its linked customer, the customer holding its
 *   `externalReference`, or a customer its email would have matched — gets no write (never
 *   treated as unlinked: that would create a duplicate or link the wrong customer);
 * - an invoice whose Tradify invoice, or one of that invoice's payments, could not be read gets
 *   no write;
 * - an invoice whose owner's email belongs to a staff member who could not be read gets no write;
 * - while a tax rate could not be read, an invoice with a line no readable rate resolves gets no
 *   write (the unreadable rate may be the right one).
 *
 * Those records are dead-lettered with reason {@link HELD_REASON}, without an alert of their own
 * (the review is the alert); replay them once the row reads again. A review still open from an
 * earlier run keeps holding creates that its customer could have matched, and is not alerted
 * again; it is resolved by itself when a later listing reads the customer fine.
 *
 * @module
 */
import type { Logger } from '../core/logger.js';
import { emailKey } from '../mapping/emails.js';
import { parseExternalReference } from '../mapping/invoice.js';
import type { TradifyListedResource, TradifyUnreadableRow } from '../tradify/port.js';
import { emailHash } from '../core/hash.js';
import type { NewReview, Review, StateStore } from './ports.js';
import type { RunAlerts } from './run-alerts.js';
import type { PageWork } from './streams/page-work.js';
import type { RunCounters } from './summary.js';

/** The reason code of the review opened for a Tradify row that could not be read. */
const UNREADABLE_ROW_REASON = 'tradify-row-unreadable';

/** The reason code of a dead letter for a record held back by an unreadable Tradify row. */
export const HELD_REASON = 'tradify-record-unreadable';

/** The review kind per listing, e.g. `'tradify-customer'`. */
export const UNREADABLE_REVIEW_KINDS: Readonly<Record<TradifyListedResource, string>> = Object.freeze({
  customers: 'tradify-customer',
  invoices: 'tradify-invoice',
  payments: 'tradify-payment',
  staff: 'tradify-staff',
  'tax-rates': 'tradify-tax-rate',
});

/** The review's record id for a row whose id itself could not be read. */
const NO_ID = '(unreadable id)';

interface NotedRow {
  row: TradifyUnreadableRow;
  /** The row's id (or its reference, when the id is unreadable): the review's record id. */
  recordId: string;
  /** Hash of the row's first email, as the customer index keeps it (customers only). */
  emailHash: string | null;
}

/** What the registry needs from its run. */
export interface UnreadableRowsInit {
  store: StateStore;
  accountId: string;
  counters: RunCounters;
  alerts: RunAlerts;
  logger: Logger;
  signal: AbortSignal | undefined;
}

/** What decides whether a patient's customer write must wait. */
export interface CustomerQuestion {
  /** The customer the patient would be written to, when one was found (linked or matched). */
  tradifyId: string | undefined;
  /** True when the patient has no link yet (it would be created or linked by reference or email). */
  unlinked: boolean;
  /** The patient's `externalReference`. */
  reference: string;
  /** The patient's first email, lower-cased, when it has one. */
  emailKey: string | undefined;
}

/** The unreadable Tradify rows of one run, and the holds they put on writes. */
export class UnreadableTradifyRows {
  readonly #init: UnreadableRowsInit;
  readonly #rows = new Map<string, NotedRow>();
  #toReview: NotedRow[] = [];
  /** Customers listed readable in this run (their open unreadable review is resolved). */
  readonly #readCustomers = new Set<string>();
  #openCustomerReviews: Promise<Map<string, Review>> | undefined;

  constructor(init: UnreadableRowsInit) {
    this.#init = init;
  }

  /**
   * Notes a row a listing skipped (pass it as the listing's `onUnreadable`).
   *
   * @returns the id its review names: the row's id, else its reference.
   */
  note(row: TradifyUnreadableRow): string {
    const recordId = row.id ?? row.externalReference ?? NO_ID;
    const key = `${row.resource}\u0000${recordId}`;
    if (this.#rows.has(key)) return recordId;
    const firstEmail = row.resource === 'customers' ? row.email?.split(/[,;]/)[0]?.trim() : undefined;
    const noted: NotedRow = { row, recordId, emailHash: firstEmail ? emailHash(this.#init.accountId, firstEmail) : null };
    this.#rows.set(key, noted);
    this.#toReview.push(noted);
    this.#init.logger.warn('Tradify row could not be read; skipped', { resource: row.resource, id: row.id, paths: pathsOf(row).join(',') });
    return recordId;
  }

  /** {@link UnreadableTradifyRows.note}, shaped as a listing's `onUnreadable`. */
  readonly report = (row: TradifyUnreadableRow): void => {
    this.note(row);
  };

  /** Notes customers a listing read fine: an open review about one of them is resolved at the next commit. */
  customersRead(ids: Iterable<string>): void {
    for (const id of ids) this.#readCustomers.add(id);
  }

  /**
   * Puts the reviews of rows noted since the last commit into `work` (one per row; none when
   * one is already open, so an unchanged problem is counted and alerted once), and resolves the
   * open reviews of customers read fine since.
   */
  async flush(work: PageWork): Promise<void> {
    const batch = this.#toReview.splice(0);
    for (const noted of batch) {
      if (await this.#isOpen(noted)) continue;
      work.reviews.push(reviewOf(noted));
      this.#init.counters.reviews++;
      this.#init.alerts.add('reviews', 'warning', UNREADABLE_ROW_REASON, noted.recordId);
    }
    await this.#resolveReadCustomers();
  }

  /**
   * The Tradify id (as the review names it) of an unreadable customer the patient's write
   * depends on, or `undefined` when the write may go ahead.
   */
  async customerHold(question: CustomerQuestion): Promise<string | undefined> {
    const wanted = question.emailKey === undefined ? null : emailHash(this.#init.accountId, question.emailKey);
    for (const noted of this.#rows.values()) {
      if (noted.row.resource === 'customers' && holdsCustomer(noted.row, noted.emailHash, question, wanted)) return noted.recordId;
    }
    if (!question.unlinked) return undefined;
    for (const review of (await this.#loadOpenCustomerReviews()).values()) {
      if (this.#readCustomers.has(review.recordId)) continue;
      if (holdsCustomer(rowOfReview(review), stringOf(review.detail.emailHash), question, wanted)) return review.recordId;
    }
    return undefined;
  }

  /** The Tradify id of an unreadable invoice holding Cliniko invoice `clinikoId` (linked to `tradifyId`), or `undefined`. */
  invoiceHold(clinikoId: string, tradifyId: string | undefined): string | undefined {
    for (const { row, recordId } of this.#rows.values()) {
      if (row.resource !== 'invoices') continue;
      const reference = parseExternalReference(row.externalReference);
      if ((tradifyId !== undefined && row.id === tradifyId) || (reference?.kind === 'invoice' && reference.id === clinikoId)) return recordId;
    }
    return undefined;
  }

  /** The id of an unreadable staff member with this email, or `undefined`. */
  staffHold(email: string): string | undefined {
    const key = emailKey(email);
    for (const { row, recordId } of this.#rows.values()) {
      if (row.resource === 'staff' && row.email !== null && emailKey(row.email) === key) return recordId;
    }
    return undefined;
  }

  /** The ids of the tax rates that could not be read in this run. */
  get unreadableTaxRates(): string[] {
    return [...this.#rows.values()].filter((n) => n.row.resource === 'tax-rates').map((n) => n.recordId);
  }

  async #isOpen(noted: NotedRow): Promise<boolean> {
    const kind = UNREADABLE_REVIEW_KINDS[noted.row.resource];
    if (noted.row.resource === 'customers') return (await this.#loadOpenCustomerReviews()).has(noted.recordId);
    const { store, accountId, signal } = this.#init;
    const open = await store.reviews.list(accountId, { kind, recordId: noted.recordId, status: 'open', limit: 10, signal });
    return open.items.some((r) => r.reasonCode === UNREADABLE_ROW_REASON);
  }

  async #resolveReadCustomers(): Promise<void> {
    if (this.#readCustomers.size === 0) return;
    const open = await this.#loadOpenCustomerReviews();
    const { store, accountId, signal } = this.#init;
    for (const [recordId, review] of open) {
      if (!this.#readCustomers.has(recordId)) continue;
      await store.reviews.resolve(accountId, review.id, 'row-readable', { signal });
      open.delete(recordId);
    }
  }

  #loadOpenCustomerReviews(): Promise<Map<string, Review>> {
    this.#openCustomerReviews ??= (async () => {
      const { store, accountId, signal } = this.#init;
      const open = new Map<string, Review>();
      let cursor: string | undefined;
      do {
        const page = await store.reviews.list(accountId, { kind: UNREADABLE_REVIEW_KINDS.customers, status: 'open', limit: 500, cursor, signal });
        for (const review of page.items) if (review.reasonCode === UNREADABLE_ROW_REASON) open.set(review.recordId, review);
        cursor = page.next;
      } while (cursor !== undefined);
      return open;
    })();
    return this.#openCustomerReviews;
  }
}

function pathsOf(row: TradifyUnreadableRow): string[] {
  return [...new Set(row.issues.map((i) => i.path || '(row)'))];
}

function reviewOf({ row, recordId, emailHash: hash }: NotedRow): NewReview {
  return {
    kind: UNREADABLE_REVIEW_KINDS[row.resource],
    recordId,
    reasonCode: UNREADABLE_ROW_REASON,
    detail: { tradifyId: row.id, paths: pathsOf(row), externalReference: row.externalReference, emailHash: hash },
  };
}

function stringOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** What a stored review says of its row: enough to match a patient against it. */
function rowOfReview(review: Review): TradifyUnreadableRow {
  return { resource: 'customers', id: stringOf(review.detail.tradifyId), issues: [], externalReference: stringOf(review.detail.externalReference), email: null };
}

/**
 * Whether an unreadable customer row decides the patient's write: it is the customer found for
 * the patient, or (patient not linked yet) it holds the patient's reference, or it is a customer
 * without a `cliniko:` reference that the patient's email would have matched.
 */
function holdsCustomer(row: TradifyUnreadableRow, rowEmailHash: string | null, q: CustomerQuestion, wanted: string | null): boolean {
  if (q.tradifyId !== undefined && row.id === q.tradifyId) return true;
  if (!q.unlinked) return false;
  if (row.externalReference === q.reference) return true;
  return wanted !== null && rowEmailHash === wanted && !row.externalReference?.startsWith('cliniko:');
}
