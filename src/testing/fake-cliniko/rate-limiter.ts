/**
 * The fake Cliniko's rate limiter: `perMinute` requests per API key per 60 s, in a fixed
 * window that opens with a key's first request (default) or a sliding one, on the server
 * clock (`docs/cliniko-api-notes.md#rate-limits`).
 *
 * @module
 */

/** Rate-limit settings. */
export interface FakeRateLimitOptions {
  /**
   * Requests allowed per key per 60 s.
   * @defaultValue 200
   */
  perMinute?: number;
  /**
   * `'fixed'`: the window opens with the first request and resets 60 s later;
   * `'sliding'`: at most `perMinute` requests in any 60 s.
   * @defaultValue 'fixed'
   */
  window?: 'fixed' | 'sliding';
}

/** The verdict for one request. */
export type RateDecision = { allowed: true } | { allowed: false; resetAtMs: number };

/** A per-key limiter. */
export interface RateLimiter {
  /** Counts a request by `key` at `nowMs` (when allowed) and returns the verdict. */
  take(key: string, nowMs: number): RateDecision;
  /** Forgets every key's history. */
  reset(): void;
}

const WINDOW_MS = 60_000;

/**
 * Creates a limiter.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ perMinute: 2 });
 * limiter.take('k', 0); limiter.take('k', 1); limiter.take('k', 2); // { allowed: false, resetAtMs: 60000 }
 * ```
 */
export function createRateLimiter(options: FakeRateLimitOptions = {}): RateLimiter {
  const perMinute = options.perMinute ?? 200;
  return options.window === 'sliding' ? slidingLimiter(perMinute) : fixedLimiter(perMinute);
}

function fixedLimiter(perMinute: number): RateLimiter {
  const windows = new Map<string, { startMs: number; count: number }>();
  return {
    take(key, nowMs) {
      let window = windows.get(key);
      if (!window || nowMs >= window.startMs + WINDOW_MS) {
        window = { startMs: nowMs, count: 0 };
        windows.set(key, window);
      }
      if (window.count >= perMinute) return { allowed: false, resetAtMs: window.startMs + WINDOW_MS };
      window.count += 1;
      return { allowed: true };
    },
    reset: () => windows.clear(),
  };
}

function slidingLimiter(perMinute: number): RateLimiter {
  const history = new Map<string, number[]>();
  return {
    take(key, nowMs) {
      const stamps = (history.get(key) ?? []).filter((at) => at > nowMs - WINDOW_MS);
      history.set(key, stamps);
      const oldest = stamps[0];
      if (stamps.length >= perMinute && oldest !== undefined) return { allowed: false, resetAtMs: oldest + WINDOW_MS };
      stamps.push(nowMs);
      return { allowed: true };
    },
    reset: () => history.clear(),
  };
}
