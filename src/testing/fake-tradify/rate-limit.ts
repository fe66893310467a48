/**
 * The fake Tradify's rate limit (`docs/tradify-contract.md#retries-idempotency-and-rate-limits`): fixed 60 s windows, aligned to the
 * server clock's minute, of `perMinute` requests per API key.
 *
 * @module
 */

const WINDOW_MS = 60_000;

/** The outcome of counting one request. */
export interface RateDecision {
  allowed: boolean;
  /** `X-RateLimit-*` headers, plus `Retry-After` when refused. */
  headers: Record<string, string>;
}

/** Counts requests per key in fixed windows. */
export class FixedWindowLimiter {
  readonly #counts = new Map<string, { window: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  /** Counts one request for `key`; refused requests are not counted. */
  take(key: string): RateDecision {
    const at = this.now();
    const window = Math.floor(at / WINDOW_MS);
    const entry = this.#counts.get(key);
    const current = entry && entry.window === window ? entry : { window, count: 0 };
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - at) / 1000));
    const allowed = current.count < this.perMinute;
    if (allowed) current.count += 1;
    this.#counts.set(key, current);
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(this.perMinute),
      'X-RateLimit-Remaining': String(this.perMinute - current.count),
      'X-RateLimit-Reset': String(resetSeconds),
    };
    if (!allowed) headers['Retry-After'] = String(resetSeconds);
    return { allowed, headers };
  }
}
