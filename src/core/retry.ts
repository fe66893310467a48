/**
 * The retry policy (`docs/architecture.md#one-retry-layer`): which requests may be repeated, the
 * one backoff policy every retry in the package uses (exponential backoff with full jitter), how
 * long a 429 asks us to wait, and how long one request can take at worst. The loop that applies
 * it is `retry-loop.ts`.
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

/** The two numbers of an exponential backoff. */
export interface BackoffOptions {
  /** The wait's ceiling before the first retry; it doubles for each later one. */
  baseDelayMs: number;
  /** The largest ceiling. */
  maxDelayMs: number;
}

/**
 * The one backoff policy: exponential backoff with full jitter. The ceiling before retry `i`
 * (0 for the first) is `min(maxDelayMs, baseDelayMs × 2^i)`, and the wait is uniform in
 * `[0, ceiling)`, so clients that failed together do not retry together. The HTTP layer, the
 * engine's `ExponentialBackoffRetryPolicy` and the webhook alerter each hold one.
 */
export class FullJitterBackoff {
  readonly #options: BackoffOptions;
  readonly #random: () => number;

  /** @param random - a `[0, 1)` source, injectable for tests. */
  constructor(options: BackoffOptions, random: () => number = Math.random) {
    this.#options = { baseDelayMs: options.baseDelayMs, maxDelayMs: options.maxDelayMs };
    this.#random = random;
  }

  /** The ceiling of the wait before retry `retryIndex` (0 for the first), before jitter. */
  ceilingMs(retryIndex: number): number {
    return Math.min(this.#options.maxDelayMs, this.#options.baseDelayMs * 2 ** retryIndex);
  }

  /** The jittered wait before retry `retryIndex` (0 for the first). */
  delayMs(retryIndex: number): number {
    return Math.floor(this.#random() * this.ceilingMs(retryIndex));
  }
}

/**
 * Full-jitter backoff: a uniform wait in `[0, min(maxDelayMs, baseDelayMs × 2^retryIndex))`.
 *
 * @param retryIndex - 0 for the first retry.
 * @param random - a `[0, 1)` source, injectable for tests.
 */
export function backoffDelayMs(retryIndex: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  return new FullJitterBackoff(options, random).delayMs(retryIndex);
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
  const backoff = new FullJitterBackoff(options);
  let waits = 0;
  for (let i = 0; i < options.maxRetries; i += 1) waits += backoff.ceilingMs(i);
  const sends = tries + options.maxRateLimitWaits;
  return tries * timeoutMs + waits + options.maxRateLimitWaits * options.maxRateLimitWaitMs + sends * (60_000 / requestsPerMinute);
}

/**
 * How long a 429 asks us to wait, in ms.
 *
 * - Cliniko (`api: 'cliniko'`, the default): `X-RateLimit-Reset` is the reset as epoch seconds,
 *   measured against the response's own `Date` header so a skewed local clock does not matter;
 *   `Retry-After` is the fallback.
 * - The Tradify contract (`api: 'tradify'`, `docs/tradify-contract.md#retries-idempotency-and-rate-limits`): `Retry-After` (seconds or an
 *   HTTP date) first; its `X-RateLimit-Reset` counts seconds *until* the reset, not an epoch.
 */
export function retryAfterMsFromHeaders(
  headers: Headers | undefined,
  now: number = Date.now(),
  api: 'cliniko' | 'tradify' = 'cliniko',
): number | undefined {
  if (!headers) return undefined;
  if (api === 'tradify') return fromRetryAfter(headers, now) ?? fromSecondsHeader(headers.get('x-ratelimit-reset'));
  return fromEpochReset(headers, now) ?? fromRetryAfter(headers, now);
}

function fromEpochReset(headers: Headers, now: number): number | undefined {
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (!reset || !/^\d+(\.\d+)?$/.test(reset)) return undefined;
  const serverNow = Date.parse(headers.get('date') ?? '');
  const base = Number.isFinite(serverNow) ? serverNow : now;
  return Math.max(0, Number(reset) * 1000 - base);
}

function fromRetryAfter(headers: Headers, now: number): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  const seconds = fromSecondsHeader(value);
  if (seconds !== undefined) return seconds;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function fromSecondsHeader(value: string | null | undefined): number | undefined {
  const trimmed = value?.trim();
  return trimmed && /^\d+(\.\d+)?$/.test(trimmed) ? Math.max(0, Number(trimmed) * 1000) : undefined;
}
