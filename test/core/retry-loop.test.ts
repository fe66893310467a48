import { describe, expect, it } from 'vitest';
import { AbortError, isAbortError } from 'cliniko-tradify';
import { retryLoop, type NextTry } from '../../src/core/retry-loop.js';
import { FullJitterBackoff, backoffDelayMs } from '../../src/core/retry.js';
import { InstantClock } from '../cliniko/helpers.js';

/** A try that throws each of `failures` in turn, then resolves `'done'`. */
function failing(...failures: unknown[]): { tryOnce: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    tryOnce: async () => {
      const failure = failures[calls];
      calls += 1;
      if (calls <= failures.length) throw failure;
      return 'done';
    },
    calls: () => calls,
  };
}

describe('retryLoop', () => {
  it('retries until success, sleeping exactly the waits `next` chose on the injected clock', async () => {
    const clock = new InstantClock();
    const { tryOnce, calls } = failing(new Error('a'), new Error('b'));
    const seen: Array<{ attempt: number; retriesUsed: number }> = [];
    const result = await retryLoop(tryOnce, {
      clock,
      next: ({ attempt, retriesUsed }) => (seen.push({ attempt, retriesUsed }), { retry: true, waitMs: 60_000 * attempt }),
    });
    expect(result).toBe('done');
    expect(calls()).toBe(3);
    expect(clock.sleeps).toEqual([60_000, 120_000]);
    expect(seen).toEqual([
      { attempt: 1, retriesUsed: 0 },
      { attempt: 2, retriesUsed: 1 },
    ]);
  });

  it('counts only the failures that use the budget, and sleeps nothing when the wait happens elsewhere', async () => {
    const clock = new InstantClock();
    const limited = new Error('429');
    const { tryOnce } = failing(limited, new Error('503'), limited, limited, new Error('503'));
    const used: number[] = [];
    await retryLoop(tryOnce, {
      clock,
      next: ({ error, retriesUsed }): NextTry => {
        used.push(retriesUsed);
        return error === limited ? { retry: true, usesBudget: false } : { retry: true, waitMs: 5 };
      },
    });
    expect(used).toEqual([0, 0, 1, 1, 1]);
    expect(clock.sleeps).toEqual([5, 5]);
  });

  it('on stop rethrows exactly what the try threw: a non-Error, a TypeError', async () => {
    const clock = new InstantClock();
    await expect(retryLoop(failing('plain text').tryOnce, { clock, next: () => ({ retry: false }) })).rejects.toBe('plain text');
    const typeError = new TypeError('not a network error');
    await expect(retryLoop(failing(typeError).tryOnce, { clock, next: () => ({ retry: false }) })).rejects.toBe(typeError);
  });

  it('retries a TypeError when `next` says so (p-retry alone never would)', async () => {
    const { tryOnce, calls } = failing(new TypeError('x'));
    await expect(retryLoop(tryOnce, { clock: new InstantClock(), next: () => ({ retry: true, waitMs: 0 }) })).resolves.toBe('done');
    expect(calls()).toBe(2);
  });

  it('ends with the error `next` throws', async () => {
    const down = new Error('target down');
    const next = (): NextTry => {
      throw down;
    };
    await expect(retryLoop(failing(new Error('503')).tryOnce, { clock: new InstantClock(), next })).rejects.toBe(down);
  });

  it('an aborted signal stops before the first try with the package AbortError, whatever the reason given', async () => {
    const controller = new AbortController();
    controller.abort(new Error('caller gave up'));
    const { tryOnce, calls } = failing();
    const error = await retryLoop(tryOnce, { clock: new InstantClock(), signal: controller.signal, next: () => ({ retry: false }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(calls()).toBe(0);
  });

  it('a signal that fires during a wait stops the loop before another try', async () => {
    const controller = new AbortController();
    const { tryOnce, calls } = failing(new Error('503'), new Error('503'));
    const next = (): NextTry => (controller.abort(), { retry: true, waitMs: 10 });
    const error = await retryLoop(tryOnce, { clock: new InstantClock(), signal: controller.signal, next }).catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(calls()).toBe(1);
  });

  it('keeps a result that came back while the signal fired: a finished write is never reported as aborted', async () => {
    const controller = new AbortController();
    const write = async () => {
      controller.abort();
      return 'created';
    };
    await expect(retryLoop(write, { clock: new InstantClock(), signal: controller.signal, next: () => ({ retry: false }) })).resolves.toBe('created');
  });
});

describe('FullJitterBackoff, the one backoff policy', () => {
  it('draws each wait uniformly below a ceiling that doubles up to the cap', () => {
    const backoff = new FullJitterBackoff({ baseDelayMs: 500, maxDelayMs: 3_000 }, () => 0.5);
    expect([0, 1, 2, 3, 4].map((i) => backoff.ceilingMs(i))).toEqual([500, 1_000, 2_000, 3_000, 3_000]);
    expect([0, 1, 2, 3, 4].map((i) => backoff.delayMs(i))).toEqual([250, 500, 1_000, 1_500, 1_500]);
    expect(new FullJitterBackoff({ baseDelayMs: 500, maxDelayMs: 3_000 }, () => 0).delayMs(3)).toBe(0);
    expect(backoffDelayMs(2, { baseDelayMs: 500, maxDelayMs: 3_000 }, () => 0.5)).toBe(backoff.delayMs(2));
  });
});
