import { describe, expect, it } from 'vitest';
import { RequestLimiter, sharedLimiter } from '../../src/core/pacing.js';
import { isAbortError } from 'cliniko-tradify';
import { ManualClock, uniqueKey } from '../cliniko/helpers.js';

describe('RequestLimiter', () => {
  it('is shared per api + key, never across keys or apis', () => {
    const clock = new ManualClock();
    const key = uniqueKey('pace');
    expect(sharedLimiter('cliniko', key, 100, clock)).toBe(sharedLimiter('cliniko', key, 50, clock));
    expect(sharedLimiter('tradify', key, 100, clock)).not.toBe(sharedLimiter('cliniko', key, 100, clock));
    expect(sharedLimiter('cliniko', uniqueKey('pace'), 100, clock)).not.toBe(sharedLimiter('cliniko', key, 100, clock));
    expect(new RequestLimiter(190, clock).intervalMs).toBeCloseTo(315.79, 1);
  });

  it('holds every task during a pause; a longer pause extends it, a shorter one does not shorten it', async () => {
    const clock = new ManualClock();
    const limiter = new RequestLimiter(60_000, clock);
    limiter.pauseFor(1_000);
    limiter.pauseFor(3_000);
    limiter.pauseFor(500);
    const ran: number[] = [];
    const task = limiter.schedule(async () => ran.push(clock.now()));
    await clock.advance(1_000);
    expect(ran).toEqual([]);
    expect(limiter.isPaused).toBe(true);
    expect(limiter.pending).toBe(1);
    await clock.advance(2_000);
    await task;
    expect(ran).toHaveLength(1);
    expect(limiter.isPaused).toBe(false);
  });

  it('drops a waiting task when its signal fires', async () => {
    const clock = new ManualClock();
    const limiter = new RequestLimiter(60_000, clock);
    limiter.pauseFor(10_000);
    const ac = new AbortController();
    let ran = false;
    const task = limiter.schedule(async () => {
      ran = true;
    }, ac.signal);
    ac.abort();
    expect(isAbortError(await task.catch((e: unknown) => e))).toBe(true);
    await clock.advance(10_000);
    expect(ran).toBe(false);
  });
});

describe('sharing a key at different rates', () => {
  it('the lowest requestsPerMinute wins, whichever client came first', () => {
    const clock = new ManualClock();
    const key = uniqueKey('slow');
    const fast = sharedLimiter('cliniko', key, 3_000, clock);
    expect(fast.intervalMs).toBe(20);
    const slow = sharedLimiter('cliniko', key, 190, clock);
    expect(slow).toBe(fast);
    expect(fast.intervalMs).toBeCloseTo(60_000 / 190, 6);
    sharedLimiter('cliniko', key, 6_000, clock);
    expect(fast.intervalMs).toBeCloseTo(60_000 / 190, 6);
  });
});

describe('drift-free slots', () => {
  it('after a late start, no request runs before its own slot (catching up never overshoots)', async () => {
    const limiter = new RequestLimiter(60_000 / 20, new ManualClock()); // one slot per 20 ms
    const t0 = performance.now();
    const starts: number[] = [];
    const block = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // keep the event loop busy, as a loaded process does, so the next timer fires late
      }
    };
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limiter.schedule(async () => {
          starts.push(performance.now() - t0);
          if (i === 2) block(45);
        }),
      ),
    );
    starts.sort((a, b) => a - b);
    // Slot i opens at i × 20 ms. Catching up after the late start may bring two starts close
    // together, but never ahead of their slots: no window sees more than its share.
    for (let i = 0; i < starts.length; i += 1) expect(starts[i]!).toBeGreaterThanOrEqual(i * 20 - 2);
  });
});
