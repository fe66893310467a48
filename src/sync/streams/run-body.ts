/**
 * How engine facades (dead letters, reviews, apply, reconcile repair) run work inside the
 * account's lease with a fresh {@link RunContext}.
 *
 * @module
 */
import type { SyncSummary } from '../summary.js';
import type { RunContext } from './context.js';
import type { StopReason } from './runner.js';

/** A body of work run inside the lease. */
export type RunBody = (run: RunContext) => Promise<StopReason | undefined>;

/** Runs `body` as a run of `kind` inside the lease; resolves with the run's summary. */
export type RunExecutor = (kind: string, body: RunBody, signal?: AbortSignal) => Promise<SyncSummary>;
