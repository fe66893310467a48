import { describe, expect, it } from 'vitest';
import { ServerError, UnprocessableEntityError, type RetryContext, type RetryPolicy } from 'cliniko-tradify';
import { TargetDownError, withRecordRetry } from '../../src/sync/record-retry.js';
import { ManualClock } from './helpers.js';

const init = { method: 'POST', path: '/v1/customers', queryKeys: [], api: 'tradify' as const, status: 503 };
const unavailable = new ServerError('tradify failed', init);

/** A policy that retries `retries` times, waiting 1 s then 2 s…, and keeps what it was asked. */
function policy(retries: number): RetryPolicy & { asked: Array<Omit<RetryContext, 'error'>> } {
  const asked: Array<Omit<RetryContext, 'error'>> = [];
  return {
    asked,
    decide: ({ attempt, elapsedMs, stream }) => (asked.push({ attempt, elapsedMs, stream }), { retry: attempt <= retries, delayMs: 1_000 * attempt, reason: 'test' }),
  };
}

/** A write that throws each of `failures` in turn, then resolves `'written'`. */
function write(...failures: unknown[]): () => Promise<string> {
  let calls = 0;
  return async () => {
    const failure = failures[calls];
    calls += 1;
    if (calls <= failures.length) throw failure;
    return 'written';
  };
}

describe('withRecordRetry', () => {
  it('asks the policy after each transient failure, sleeps its delay on the clock, and counts every attempt', async () => {
    const clock = new ManualClock();
    const retryPolicy = policy(2);
    let attempts = 0;
    const deps = { retryPolicy, clock, signal: undefined, onAttempt: () => void (attempts += 1) };
    await expect(withRecordRetry(deps, 'invoices', write(unavailable, unavailable))).resolves.toBe('written');
    expect(attempts).toBe(3);
    expect(retryPolicy.asked).toEqual([
      { attempt: 1, elapsedMs: 0, stream: 'invoices' },
      { attempt: 2, elapsedMs: 1_000, stream: 'invoices' },
    ]);
  });

  it('throws TargetDownError carrying the last failure when the policy gives up', async () => {
    const error = await withRecordRetry({ retryPolicy: policy(1), clock: new ManualClock(), signal: undefined }, 'patients', write(unavailable, unavailable)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetDownError);
    expect((error as TargetDownError).lastError).toBe(unavailable);
  });

  it('rethrows a failure that is not transient as it is, without asking the policy', async () => {
    const retryPolicy = policy(5);
    const rejected = new UnprocessableEntityError('rejected', { ...init, status: 422 }, { email: 'invalid' });
    const deps = { retryPolicy, clock: new ManualClock(), signal: undefined };
    await expect(withRecordRetry(deps, 'patients', write(rejected))).rejects.toBe(rejected);
    const bug = new TypeError('adapter bug');
    await expect(withRecordRetry(deps, 'patients', write(bug))).rejects.toBe(bug);
    expect(retryPolicy.asked).toEqual([]);
  });
});
