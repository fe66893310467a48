/**
 * The default engine-level {@link RetryPolicy}: exponential backoff with full jitter, bounded
 * by attempts and by elapsed time, for transient failures only.
 *
 * @module
 */

import { isAbortError, isRateLimitError, isTransientError } from '../core/errors.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import { FullJitterBackoff } from '../core/retry.js';
import type { RetryContext, RetryDecision, RetryPolicy } from './ports.js';

/** Options of {@link ExponentialBackoffRetryPolicy}. */
export interface ExponentialBackoffRetryPolicyOptions {
  /**
   * Total attempts, the first included (so 3 means two retries).
   * @defaultValue 3
   */
  maxAttempts?: number | undefined;
  /**
   * The backoff ceiling of the first retry, doubled for each later one.
   * @defaultValue 2000
   */
  baseDelayMs?: number | undefined;
  /**
   * Ceiling of any single delay, a rate limit's requested wait included.
   * @defaultValue 60000
   */
  maxDelayMs?: number | undefined;
  /**
   * No retry starts later than this after the first attempt.
   * @defaultValue 300000
   */
  maxElapsedMs?: number | undefined;
  /**
   * Which failures are worth another try.
   * @defaultValue `isTransientError` (5xx, no response, timeout, 429)
   */
  isRetryable?: ((error: unknown) => boolean) | undefined;
  /**
   * Random source in [0, 1) for the jitter; inject a constant in tests.
   * @defaultValue `Math.random`
   */
  random?: (() => number) | undefined;
}

const RETRY_POLICY_SHAPE = {
  maxAttempts: true,
  baseDelayMs: true,
  maxDelayMs: true,
  maxElapsedMs: true,
  isRetryable: true,
  random: true,
} as const satisfies OptionShape<ExponentialBackoffRetryPolicyOptions>;

/**
 * Retry transient failures of whole records or pages with exponential backoff and full jitter:
 * the n-th retry waits a random time in `[0, min(maxDelayMs, baseDelayMs·2^(n-1)))`, or at least
 * the wait a rate limit asked for. Gives up after `maxAttempts` attempts, or when the wait would
 * end past `maxElapsedMs`. Aborts and non-transient failures (422, schema, mapping) are never retried.
 *
 * This sits on top of the HTTP layer's own retries, so the worst case for one record is
 * `maxAttempts × (HTTP attempts and waits)` plus at most `maxElapsedMs` of waiting here.
 *
 * @example
 * ```ts
 * const engine = new SyncEngine({ cliniko, tradify, store, retryPolicy: new ExponentialBackoffRetryPolicy({ maxAttempts: 5 }) });
 * ```
 */
export class ExponentialBackoffRetryPolicy implements RetryPolicy {
  readonly #maxAttempts: number;
  readonly #maxDelayMs: number;
  readonly #maxElapsedMs: number;
  readonly #isRetryable: (error: unknown) => boolean;
  readonly #backoff: FullJitterBackoff;

  /** @throws ConfigError for an unknown option, naming the nearest valid one. */
  constructor(options: ExponentialBackoffRetryPolicyOptions = {}) {
    rejectUnknownOptions(options, RETRY_POLICY_SHAPE, { owner: 'ExponentialBackoffRetryPolicy' });
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#maxDelayMs = options.maxDelayMs ?? 60_000;
    this.#maxElapsedMs = options.maxElapsedMs ?? 300_000;
    this.#isRetryable = options.isRetryable ?? isTransientError;
    this.#backoff = new FullJitterBackoff({ baseDelayMs: options.baseDelayMs ?? 2_000, maxDelayMs: this.#maxDelayMs }, options.random ?? Math.random);
  }

  /** Decide whether to try again after `context.attempt` failed attempts, and after how long. */
  decide(context: RetryContext): RetryDecision {
    if (isAbortError(context.error)) return stop('aborted');
    if (!this.#isRetryable(context.error)) return stop('not-retryable');
    if (context.attempt >= this.#maxAttempts) return stop('attempts-exhausted');
    const delayMs = this.#delayFor(context);
    if (context.elapsedMs + delayMs > this.#maxElapsedMs) return stop('time-budget-exhausted');
    return { retry: true, delayMs, reason: isRateLimitError(context.error) ? 'rate-limited' : 'transient' };
  }

  #delayFor(context: RetryContext): number {
    const jittered = this.#backoff.delayMs(Math.max(0, context.attempt - 1));
    const requested = isRateLimitError(context.error) ? (context.error.retryAfterMs ?? 0) : 0;
    return Math.min(this.#maxDelayMs, Math.max(jittered, requested));
  }
}

function stop(reason: string): RetryDecision {
  return { retry: false, delayMs: 0, reason };
}
