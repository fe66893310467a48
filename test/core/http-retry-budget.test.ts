// The two budgets of one request: 5xx retries and 429 waits, kept apart.
import { http as mswHttp, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from 'cliniko-tradify/http';
import { ServerError } from 'cliniko-tradify';
import { InstantClock, MemoryLogger, uniqueKey } from '../cliniko/helpers.js';

const BASE = 'https://api.example.test/v1';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Answers each request with the next status in `statuses` (429s ask for a 2 s wait); then 200. */
function answerInTurn(statuses: number[]): { calls: () => number } {
  let calls = 0;
  server.use(
    mswHttp.get(`${BASE}/thing`, () => {
      const status = statuses[calls];
      calls += 1;
      if (status === undefined) return HttpResponse.json({ ok: true });
      return HttpResponse.json({}, { status, headers: status === 429 ? { 'retry-after': '2' } : {} });
    }),
  );
  return { calls: () => calls };
}

function client(clock: InstantClock, maxRetries: number) {
  return createHttpClient({
    api: 'tradify',
    baseUrl: BASE,
    headers: {},
    limiterKey: uniqueKey('budget'),
    requestsPerMinute: 60_000,
    clock,
    logger: new MemoryLogger(),
    random: () => 0.5,
    retry: { maxRetries },
  });
}

describe('5xx budget and 429 waits', () => {
  it('a 429 after the 5xx budget is spent still waits for the reset and retries', async () => {
    const api = answerInTurn([503, 429]);
    const clock = new InstantClock();
    const c = client(clock, 1);
    await expect(c.request({ method: 'GET', path: '/thing' })).resolves.toMatchObject({ data: { ok: true } });
    expect(api.calls()).toBe(3);
    expect(clock.sleeps).toEqual([250, 2_000]); // the backoff, then the shared limiter's pause
    expect(c.stats).toMatchObject({ requests: 3, retries: 1, rateLimited: 1, rateLimitWaitMs: 2_000 });
  });

  it('429s in between do not stretch the 5xx budget', async () => {
    const api = answerInTurn([503, 429, 429, 503, 200]);
    const c = client(new InstantClock(), 1);
    await expect(c.request({ method: 'GET', path: '/thing' })).rejects.toBeInstanceOf(ServerError);
    expect(api.calls()).toBe(4);
    expect(c.stats).toMatchObject({ retries: 1, rateLimited: 2 });
  });
});
