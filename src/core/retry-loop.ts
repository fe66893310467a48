/**
 * The one retry loop (`docs/architecture.md#one-retry-layer`), built on `p-retry`: the HTTP
 * layer's request retry, the engine's record retry and the webhook alerter's delivery all run
 * on it. p-retry runs the tries, keeps count of the retries that use the budget, and stops when
 * the caller's signal fires; the caller's `next` decides after each failure, and every wait is
 * slept on the injectable {@link Clock}, so tests never wait for real time.
 *
 * @module
 */
import pRetry from 'p-retry';
import type { Clock } from './clock.js';
import { AbortError } from './errors.js';

/** Where things stand after a failed try. */
interface FailedTry {
  /** What the try threw, exactly as thrown. */
  error: unknown;
  /** The try that failed: 1 for the first. */
  attempt: number;
  /** Retries so far that used the budget (a failure with `usesBudget: false` is not counted). */
  retriesUsed: number;
}

/** What to do after a failed try. */
export type NextTry =
  | { retry: false }
  | {
      retry: true;
      /** Sleep this long on the clock before the next try; leave it out when the wait happens elsewhere (a paused limiter). */
      waitMs?: number | undefined;
      /** `false` for a failure with its own budget (a 429), so it uses none of the retry budget. @defaultValue true */
      usesBudget?: boolean | undefined;
    };

/** What {@link retryLoop} needs. */
export interface RetryLoopOptions {
  /** Sleeps the waits. */
  clock: Clock;
  /** Stops the loop before the next try or during a wait, with {@link AbortError}. */
  signal?: AbortSignal | undefined;
  /** Decides after each failure; `{ retry: false }` rethrows the try's error, and an error thrown here ends the loop with it. */
  next(failure: FailedTry): NextTry;
}

/** Carries what a try threw through p-retry, which would turn a thrown non-Error into a `TypeError` and never retries a `TypeError`. */
class FailedTryError extends Error {
  readonly thrown: unknown;
  constructor(thrown: unknown) {
    super('a try failed');
    this.thrown = thrown;
  }
}

/**
 * Run `tryOnce` until it succeeds or `next` says stop.
 *
 * @throws what the last try threw when `next` says stop, what `next` throws, or
 *   {@link AbortError} when `signal` fires.
 */
export async function retryLoop<T>(tryOnce: (attempt: number) => Promise<T>, options: RetryLoopOptions): Promise<T> {
  const { clock, signal, next } = options;
  let usesBudget = true;
  let done: { value: T } | undefined;
  try {
    return await pRetry(
      async (attempt) => {
        try {
          done = { value: await tryOnce(attempt) };
          return done.value;
        } catch (error) {
          throw new FailedTryError(error);
        }
      },
      {
        // No count of p-retry's own: `next` judges the budget, so a 429 still retries once the 5xx budget is spent.
        retries: Number.POSITIVE_INFINITY,
        // p-retry's own timer would wait real time; every wait is the clock's, in onFailedAttempt.
        minTimeout: 0,
        signal,
        onFailedAttempt: async ({ error, attemptNumber, retriesConsumed }) => {
          const step = next({ error: (error as FailedTryError).thrown, attempt: attemptNumber, retriesUsed: retriesConsumed });
          if (!step.retry) throw error;
          usesBudget = step.usesBudget ?? true;
          if (step.waitMs !== undefined) await clock.sleep(step.waitMs, signal);
        },
        shouldConsumeRetry: () => usesBudget,
      },
    );
  } catch (error) {
    // p-retry drops a result when the signal fired while it came back: a write that was done is never reported as aborted.
    if (done) return done.value;
    if (error instanceof FailedTryError) throw error.thrown;
    if (signal?.aborted && error === signal.reason) throw new AbortError();
    throw error;
  }
}
