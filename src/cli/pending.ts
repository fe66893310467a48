/**
 * How much work is waiting in Cliniko: the `total_entries` of a one-row listing of records
 * updated since each stream's cursor, read through the client (paced, authenticated) by a
 * `fetch` wrapper that notes the envelope's total.
 *
 * @module
 */
import { ClinikoClient } from '../cliniko/client.js';
import type { StreamCursor } from '../sync/ports.js';
import type { ApiSettings } from './config.js';

/** Records updated since the cursors (an upper bound: the lookback is counted again). */
export interface PendingWork {
  patients: number;
  invoices: number;
}

/** A `fetch` that remembers the last `total_entries` it saw. */
function totalsFetch(): { fetch: typeof fetch; last: () => number | undefined } {
  let last: number | undefined;
  const wrapped: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (response.ok) {
      const body = (await response.clone().json().catch(() => undefined)) as { total_entries?: unknown } | undefined;
      last = typeof body?.total_entries === 'number' ? body.total_entries : undefined;
    }
    return response;
  };
  return { fetch: wrapped, last: () => last };
}

async function countSince(list: AsyncIterable<unknown[]>, last: () => number | undefined): Promise<number> {
  for await (const page of list) return last() ?? page.length;
  return 0;
}

/**
 * Counts patients and invoices updated since the cursors (two Cliniko requests).
 *
 * @example
 * ```ts
 * const pending = await countPendingWork(settings, await store.cursors.list('default'));
 * ```
 */
export async function countPendingWork(settings: ApiSettings, cursors: Record<string, StreamCursor>, signal?: AbortSignal): Promise<PendingWork> {
  const probe = totalsFetch();
  const client = new ClinikoClient({ ...settings.cliniko, fetch: probe.fetch });
  const patients = client.patients.list({ updatedSince: cursors.patients?.updatedAt, includeArchived: true, perPage: 1, signal }).pages();
  const invoices = client.invoices.list({ updatedSince: cursors.invoices?.updatedAt, includeArchived: true, includeDeleted: true, perPage: 1, signal }).pages();
  return { patients: await countSince(patients, probe.last), invoices: await countSince(invoices, probe.last) };
}
