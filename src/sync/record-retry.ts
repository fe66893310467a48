/**
 * The engine's record retry (`docs/architecture.md#one-retry-layer`), on top of the HTTP
 * layer's: a Tradify write (or a read a write needs) that failed transiently is tried again when
 * the {@link RetryPolicy} says so; when the policy gives up, the target is "down" and the run
 * stops writing, keeping the work pending for the next run.
 *
 * @module
 */
import type { Clock } from '../core/clock.js';
import { isAbortError, isTransientError } from '../core/errors.js';
import { retryLoop } from '../core/retry-loop.js';
import type { RetryPolicy } from './ports.js';

/**
 * Internal signal that Tradify stayed unavailable beyond the retry budget. The engine catches
 * it, commits what was done and ends the run as `partial`; it never reaches the caller.
 */
export class TargetDownError extends Error {
  override readonly name = 'TargetDownError';
  /** The last transient failure. */
  readonly lastError: unknown;
  constructor(lastError: unknown) {
    super('Tradify stayed unavailable beyond the retry budget');
    this.lastError = lastError;
  }
}

/** What {@link withRecordRetry} needs. */
export interface RecordRetryDeps {
  retryPolicy: RetryPolicy;
  clock: Clock;
  signal: AbortSignal | undefined;
  /** Counts one attempt of a write (for the run's `writes` counter). */
  onAttempt?: (() => void) | undefined;
}

/**
 * Runs one write (or one read needed by a write), retrying transient failures by the policy,
 * which also chooses each wait; the clock sleeps it.
 *
 * @throws TargetDownError when the policy gives up on a transient failure.
 * @throws the original error when it is not transient (a 409, a 422, an abort…).
 */
export function withRecordRetry<T>(deps: RecordRetryDeps, stream: string, write: () => Promise<T>): Promise<T> {
  const startedAt = deps.clock.now();
  const tryOnce = (): Promise<T> => {
    deps.onAttempt?.();
    return write();
  };
  return retryLoop(tryOnce, {
    clock: deps.clock,
    signal: deps.signal,
    next: ({ error, attempt }) => {
      if (isAbortError(error) || !isTransientError(error)) return { retry: false };
      const decision = deps.retryPolicy.decide({ error, attempt, elapsedMs: deps.clock.now() - startedAt, stream });
      if (!decision.retry) throw new TargetDownError(error);
      return { retry: true, waitMs: decision.delayMs };
    },
  });
}

/** True for the internal target-down signal. */
export function isTargetDown(error: unknown): error is TargetDownError {
  return error instanceof TargetDownError;
}
