/**
 * What the engine reads from Cliniko, over `ClinikoClient`: keyset pages of changes, items by
 * invoice in page-filling batches, missing patients by id in batches, and lookups.
 *
 * @module
 */
import type { ClinikoClient } from '../../cliniko/client.js';
import type { ClinikoInvoiceItem } from '../../cliniko/schemas/invoice-item.js';
import type { ClinikoPatient } from '../../cliniko/schemas/patient.js';
import type { ClinikoInvoice } from '../../cliniko/schemas/invoice.js';
import { linkedId } from '../../core/ids.js';
import { isResponseValidationError, type ValidationIssue } from '../../core/errors.js';
import type { KeysetPage } from '../../cliniko/keyset.js';
import type { SyncStream } from '../events.js';
import type { PendingWork } from '../summary.js';

/** The Cliniko client the engine needs (`ClinikoClient`). */
export type ClinikoSourceClient = ClinikoClient;

/** Items of a batch of invoices, and the invoices whose items failed their schema. */
export interface ItemsResult {
  byInvoice: Map<string, ClinikoInvoiceItem[]>;
  /** Invoice id → the zod issues of its bad item rows. */
  rejected: Map<string, ValidationIssue[]>;
}

/** Items per Cliniko page; batches of invoices are sized to fill about one page of items. */
const ITEMS_PER_PAGE = 100;

/** Reads items for invoices, sizing batches from the items-per-invoice ratio seen so far. */
export class ItemsReader {
  #invoicesSeen = 0;
  #itemsSeen = 0;
  readonly #client: ClinikoSourceClient;

  constructor(client: ClinikoSourceClient) {
    this.#client = client;
  }

  /** Invoices per request so one request returns about a full page of items. */
  get batchSize(): number {
    const ratio = this.#invoicesSeen === 0 ? 2.5 : Math.max(1, this.#itemsSeen / this.#invoicesSeen);
    return Math.max(1, Math.min(100, Math.floor(ITEMS_PER_PAGE / ratio)));
  }

  /** Items (deleted and archived ones included) of these invoices. */
  async read(invoiceIds: readonly string[], signal?: AbortSignal): Promise<ItemsResult> {
    const result: ItemsResult = { byInvoice: new Map(invoiceIds.map((id) => [id, []])), rejected: new Map() };
    for (let i = 0; i < invoiceIds.length; ) {
      const batch = invoiceIds.slice(i, i + this.batchSize);
      i += batch.length;
      await this.#readBatch(batch, result, signal);
    }
    return result;
  }

  async #readBatch(batch: readonly string[], result: ItemsResult, signal: AbortSignal | undefined): Promise<void> {
    try {
      this.#collect(batch, await this.#list(batch, signal), result);
    } catch (error) {
      if (!isResponseValidationError(error) || batch.length === 1) {
        if (isResponseValidationError(error) && batch[0] !== undefined) result.rejected.set(batch[0], error.issues);
        else throw error;
        return;
      }
      // one bad row fails the whole listing: read invoice by invoice to isolate it
      for (const id of batch) await this.#readBatch([id], result, signal);
    }
  }

  #list(batch: readonly string[], signal: AbortSignal | undefined): Promise<ClinikoInvoiceItem[]> {
    return this.#client.invoiceItems.list({ invoiceIds: batch, includeDeleted: true, includeArchived: true, perPage: 100, signal }).toArray();
  }

  #collect(batch: readonly string[], items: ClinikoInvoiceItem[], result: ItemsResult): void {
    this.#invoicesSeen += batch.length;
    this.#itemsSeen += items.length;
    for (const item of items) {
      const invoiceId = linkedId(item.invoice);
      if (invoiceId !== null) result.byInvoice.get(invoiceId)?.push(item);
    }
  }
}

/** Records fetched by id, and the ids whose row failed its schema (with the zod issues). */
export interface FetchedById<T> {
  records: T[];
  rejected: Map<string, ValidationIssue[]>;
}

/**
 * Fetches by id in batches; when a batch fails its schema (one bad row fails a listing), the
 * batch is read id by id so only the bad record is set aside.
 */
async function fetchTolerant<T>(ids: readonly string[], fetchMany: (ids: readonly string[]) => Promise<T[]>): Promise<FetchedById<T>> {
  const out: FetchedById<T> = { records: [], rejected: new Map() };
  for (let i = 0; i < ids.length; i += 100) {
    const batch = ids.slice(i, i + 100);
    try {
      out.records.push(...(await fetchMany(batch)));
    } catch (error) {
      if (!isResponseValidationError(error)) throw error;
      if (batch.length === 1) out.rejected.set(batch[0]!, error.issues);
      else for (const id of batch) mergeInto(out, await fetchTolerant([id], fetchMany));
    }
  }
  return out;
}

function mergeInto<T>(target: FetchedById<T>, part: FetchedById<T>): void {
  target.records.push(...part.records);
  for (const [id, issues] of part.rejected) target.rejected.set(id, issues);
}

/** Patients by id (archived included), batched `q[]=id:=a,b,…`. */
export function patientsByIds(client: ClinikoSourceClient, ids: readonly string[], signal?: AbortSignal): Promise<FetchedById<ClinikoPatient>> {
  return fetchTolerant(ids, (batch) => client.patients.retrieveMany(batch, { includeArchived: true, signal }));
}

/** Invoices by id (archived and deleted included), batched `q[]=id:=a,b,…`. */
export function invoicesByIds(client: ClinikoSourceClient, ids: readonly string[], signal?: AbortSignal): Promise<FetchedById<ClinikoInvoice>> {
  return fetchTolerant(ids, (batch) =>
    client.invoices.list({ filters: [['id', '=', batch]], includeArchived: true, includeDeleted: true, perPage: 100, signal }).toArray(),
  );
}

/**
 * Patients (archived included) whose email is `normalisedEmail`, compared after normalising;
 * `undefined` when a matching row fails its schema (uniqueness cannot be proved then).
 */
export async function patientsWithEmail(client: ClinikoSourceClient, normalisedEmail: string, signal?: AbortSignal): Promise<string[] | undefined> {
  const list = client.patients.list({ filters: [['email', '~', normalisedEmail]], includeArchived: true, perPage: 100, signal });
  const ids: string[] = [];
  try {
    for await (const patient of list) {
      const emails = (patient.email ?? '').split(/[,;]/).map((e) => e.trim().toLowerCase());
      if (emails.includes(normalisedEmail)) ids.push(patient.id);
    }
  } catch (error) {
    if (isResponseValidationError(error)) return undefined;
    throw error;
  }
  return ids;
}

/** Where a page leaves the scan: its order, and the records still to read after it. */
interface PageMark {
  seq: number;
  pendingAfter: number;
}

/**
 * Tracks the records still to read in one stream, for the run's ETA (`docs/architecture.md#long-runs`).
 *
 * Pages are read ahead of the writes, so a page counts only once its rows start syncing
 * (`started`, called from the handler's `prepare`): a run stopped by `maxRunDuration` then
 * still counts the pages it read ahead but never handled. After a page, the pending work is
 * its `remaining` (`total_entries` of rows at or after the window start, minus the rows
 * served); a page draining one second has no usable total, so its rows come off the previous
 * estimate.
 */
export class PendingTracker {
  readonly #marks = new WeakMap<object, PageMark>();
  readonly #pending: PendingWork;
  readonly #stream: SyncStream;
  #lastSeq = -1;

  /** @param pending - the run's per-stream counts (`RunCounters.pending`), updated in place. */
  constructor(pending: PendingWork, stream: SyncStream) {
    this.#pending = pending;
    this.#stream = stream;
  }

  /** Passes pages through, marking each record with what is left after its page. */
  async *track<T extends object>(pages: AsyncIterable<KeysetPage<T>>): AsyncGenerator<KeysetPage<T>, void, undefined> {
    let seq = 0;
    let previous = 0;
    for await (const page of pages) {
      const rows = page.records.length + page.rejected.length;
      const pendingAfter = page.remaining ?? Math.max(0, previous - rows);
      const mark: PageMark = { seq: seq++, pendingAfter };
      for (const record of page.records) this.#marks.set(record, mark);
      previous = pendingAfter;
      yield page;
    }
  }

  /** Notes that these rows (of one page) started syncing: the pending count moves to their page. */
  started(rows: readonly object[]): void {
    const mark = rows.length > 0 ? this.#marks.get(rows[0]!) : undefined;
    if (!mark || mark.seq <= this.#lastSeq) return;
    this.#lastSeq = mark.seq;
    this.#pending[this.#stream] = mark.pendingAfter;
  }
}
