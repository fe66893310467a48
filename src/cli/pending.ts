/**
 * How much work is waiting in Cliniko, for `status` (which needs only the Cliniko settings):
 * the engine's own count, from where the next sync will start.
 *
 * @module
 */
import { ClinikoClient } from '../cliniko/client.js';
import { ENGINE_DEFAULTS, resolveInitialSyncFrom } from '../sync/engine-options.js';
import { countPendingWork as countFromCursors } from '../sync/estimate.js';
import type { StreamCursor } from '../sync/ports.js';
import type { PendingWork } from '../sync/summary.js';
import type { ApiSettings, CliConfig } from './config.js';

export type { PendingWork };

/**
 * Counts patients and invoices updated since where the next sync starts (two Cliniko requests).
 *
 * @example
 * ```ts
 * const pending = await countPendingWork(settings, config, await store.cursors.list('default'));
 * ```
 */
export function countPendingWork(settings: ApiSettings, config: Pick<CliConfig, 'sync'>, cursors: Record<string, StreamCursor>, signal?: AbortSignal): Promise<PendingWork> {
  const cliniko = new ClinikoClient(settings.cliniko);
  return countFromCursors(cliniko, cursors, {
    lookbackSeconds: config.sync.lookbackSeconds ?? ENGINE_DEFAULTS.lookbackSeconds,
    initialSyncFrom: resolveInitialSyncFrom(config.sync.initialSyncFrom),
    signal,
  });
}
