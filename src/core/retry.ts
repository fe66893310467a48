/**
 * The one HTTP retry layer's policy (`docs/architecture.md#one-retry-layer`): which requests may be repeated, how long
 * to wait between tries (exponential backoff with full jitter), and how 429s are bounded.
 *
 * @module
 */

/** Retry settings of an HTTP client. */
export interface RetryOptions {
  /**
   * Retries after a 5xx, a dropped connection or a timeout (so `maxRetries + 1` tries).
   * @defaultValue 4
   */
  maxRetries: number;
  /**
   * The backoff cap before jitter for the first retry; doubles each retry.
   * @defaultValue 500
   */
  baseDelayMs: number;
  /**
   * The largest backoff cap.
   * @defaultValue 30000
   */
  maxDelayMs: number;
  /**
   * 429s tolerated for one request before {@link RateLimitError} is thrown. They do not use the 5xx budget.
   * @defaultValue 10
   */
  maxRateLimitWaits: number;
  /**
   * The longest single 429 wait honoured; a longer reset throws {@link RateLimitError} at once.
   * @defaultValue 120000
   */
  maxRateLimitWaitMs: number;
}

/** Frozen defaults of {@link RetryOptions}. */
export const RETRY_DEFAULTS: Readonly<RetryOptions> = Object.freeze({
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRateLimitWaits: 10,
  maxRateLimitWaitMs: 120_000,
});

/**
 * Full-jitter backoff: a uniform wait in `[0, min(maxDelayMs, baseDelayMs × 2^retryIndex))`.
 *
 * @param retryIndex - 0 for the first retry.
 * @param random - a `[0, 1)` source, injectable for tests.
 */
export function backoffDelayMs(retryIndex: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retryIndex);
  return Math.floor(random() * cap);
}

/**
 * Whether a request may be sent twice: GET, HEAD, PUT, PATCH, DELETE, and a POST only when it
 * carries an `Idempotency-Key`. A request's own `retrySafe` flag, when given, decides instead:
 * `true` for a POST the backend de-duplicates by itself (a change-set id in its body, say),
 * `false` for a request the backend would apply twice whatever its method.
 */
export function isRetryableMethod(method: string, hasIdempotencyKey: boolean, retrySafe?: boolean): boolean {
  if (retrySafe !== undefined) return retrySafe;
  const m = method.toUpperCase();
  return m === 'POST' ? hasIdempotencyKey : ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(m);
}

/**
 * The worst-case time one request can take before it fails, in ms: every try times out, every
 * backoff hits its cap, and every tolerated 429 waits the longest honoured reset, plus the
 * pacing gap before each send.
 *
 * With the defaults and a 30 s timeout at 190/min:
 * 5 × 30 s + (0.5 + 1 + 2 + 4) s + 10 × 120 s + 15 × 0.32 s ≈ 1 362 s (about 23 minutes).
 * In practice a 5xx storm fails in under 10 s of backoff; 429 waits are bounded by Cliniko's
 * 60 s window. The sync engine retries whole records on top of this (its `RetryPolicy`).
 *
 * @example
 * ```ts
 * worstCaseRequestMs(RETRY_DEFAULTS, 30_000, 190);
 * ```
 */
export function worstCaseRequestMs(options: RetryOptions, timeoutMs: number, requestsPerMinute: number): number {
  const tries = options.maxRetries + 1;
  let backoff = 0;
  for (let i = 0; i < options.maxRetries; i += 1) backoff += Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** i);
  const sends = tries + options.maxRateLimitWaits;
  return tries * timeoutMs + backoff + options.maxRateLimitWaits * options.maxRateLimitWaitMs + sends * (60_000 / requestsPerMinute);
}
