/**
 * How much work waits in Cliniko: per stream, the `total_entries` of a one-row read of the
 * records updated since where the next sync will start (its cursor minus the lookback, or
 * `initialSyncFrom` before the first sync). One Cliniko request per stream; no lease.
 *
 * @module
 */
import type { ClinikoClient } from '../cliniko/client.js';
import type { KeysetPage } from '../cliniko/keyset.js';
import type { SyncStream } from './events.js';
import type { StreamCursor } from './ports.js';
import type { Eta } from './eta.js';
import type { PendingWork } from './summary.js';
import { streamStart, type StreamStartOptions } from './stream-start.js';

/** What the next sync will read, and how long it will take at the engine's rates. */
export interface SyncEstimate {
  /**
   * Records updated since each stream's start. An upper bound: the lookback re-reads a few
   * records already synced, and records that turn out unchanged cost no Tradify write.
   */
  pending: PendingWork;
  /** The time at the configured rates, and which API decides it. */
  eta: Eta;
}

async function countFrom(pages: AsyncIterable<KeysetPage<unknown>>): Promise<number> {
  for await (const page of pages) return page.totalEntries ?? page.records.length + page.rejected.length;
  return 0;
}

/**
 * Counts the records of one stream updated since its start (one Cliniko request).
 *
 * @example
 * ```ts
 * const invoices = await countPendingRecords(cliniko, 'invoices', cursors.invoices, { lookbackSeconds: 120 });
 * ```
 */
export function countPendingRecords(
  cliniko: Pick<ClinikoClient, 'patients' | 'invoices'>,
  stream: SyncStream,
  cursor: StreamCursor | undefined,
  options: StreamStartOptions & { signal?: AbortSignal | undefined },
): Promise<number> {
  const since = streamStart(cursor, options);
  const resource = stream === 'patients' ? cliniko.patients : cliniko.invoices;
  return countFrom(resource.changes({ since, perPage: 1, signal: options.signal }));
}

/**
 * Counts both streams' pending records (two Cliniko requests, one after the other).
 *
 * @example
 * ```ts
 * const pending = await countPendingWork(cliniko, await store.cursors.list('default'), { lookbackSeconds: 120 });
 * ```
 */
export async function countPendingWork(
  cliniko: Pick<ClinikoClient, 'patients' | 'invoices'>,
  cursors: Readonly<Record<string, StreamCursor | undefined>>,
  options: StreamStartOptions & { signal?: AbortSignal | undefined },
): Promise<PendingWork> {
  return {
    patients: await countPendingRecords(cliniko, 'patients', cursors.patients, options),
    invoices: await countPendingRecords(cliniko, 'invoices', cursors.invoices, options),
  };
}
