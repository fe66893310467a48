import { describe, expect, it } from 'vitest';
import { AbortError, RateLimitError, ServerError, UnprocessableEntityError, ExponentialBackoffRetryPolicy } from 'cliniko-tradify';

const init = { method: 'POST', path: '/v1/customers', queryKeys: [], api: 'tradify' as const, status: 503 };
const serverError = new ServerError('tradify failed', init);

describe('ExponentialBackoffRetryPolicy', () => {
  it('doubles the jitter ceiling per attempt, capped by maxDelayMs', () => {
    const policy = new ExponentialBackoffRetryPolicy({ baseDelayMs: 1000, maxDelayMs: 5000, maxAttempts: 10, random: () => 0.5 });
    const delays = [1, 2, 3, 4, 5].map((attempt) => policy.decide({ error: serverError, attempt, elapsedMs: 0 }).delayMs);
    expect(delays).toEqual([500, 1000, 2000, 2500, 2500]);
    expect(policy.decide({ error: serverError, attempt: 1, elapsedMs: 0 })).toEqual({ retry: true, delayMs: 500, reason: 'transient' });
  });

  it('stops after maxAttempts and when the time budget would be exceeded', () => {
    const policy = new ExponentialBackoffRetryPolicy({ maxAttempts: 3, baseDelayMs: 1000, maxElapsedMs: 10_000, random: () => 0.99 });
    expect(policy.decide({ error: serverError, attempt: 3, elapsedMs: 0 })).toEqual({ retry: false, delayMs: 0, reason: 'attempts-exhausted' });
    expect(policy.decide({ error: serverError, attempt: 2, elapsedMs: 9_500 }).reason).toBe('time-budget-exhausted');
    expect(policy.decide({ error: serverError, attempt: 2, elapsedMs: 5_000 }).retry).toBe(true);
  });

  it('never retries bad data or an abort', () => {
    const policy = new ExponentialBackoffRetryPolicy();
    const unprocessable = new UnprocessableEntityError('rejected', { ...init, status: 422 }, { email: 'invalid' });
    expect(policy.decide({ error: unprocessable, attempt: 1, elapsedMs: 0 }).reason).toBe('not-retryable');
    expect(policy.decide({ error: new AbortError(), attempt: 1, elapsedMs: 0 }).reason).toBe('aborted');
    expect(policy.decide({ error: new Error('boom'), attempt: 1, elapsedMs: 0 }).retry).toBe(false);
  });

  it('waits at least as long as a rate limit asked, within maxDelayMs', () => {
    const policy = new ExponentialBackoffRetryPolicy({ baseDelayMs: 100, maxDelayMs: 30_000, random: () => 0 });
    const limited = new RateLimitError('slow down', { ...init, status: 429 }, 12_000);
    expect(policy.decide({ error: limited, attempt: 1, elapsedMs: 0 })).toEqual({ retry: true, delayMs: 12_000, reason: 'rate-limited' });
    const tooLong = new RateLimitError('slow down', { ...init, status: 429 }, 90_000);
    expect(policy.decide({ error: tooLong, attempt: 1, elapsedMs: 0 }).delayMs).toBe(30_000);
  });

  it('accepts a custom retryable test', () => {
    const policy = new ExponentialBackoffRetryPolicy({ isRetryable: (e) => e instanceof TypeError, random: () => 0 });
    expect(policy.decide({ error: new TypeError('x'), attempt: 1, elapsedMs: 0 }).retry).toBe(true);
    expect(policy.decide({ error: serverError, attempt: 1, elapsedMs: 0 }).retry).toBe(false);
  });
});
