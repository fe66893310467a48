import { http as mswHttp, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpClient, worstCaseRequestMs, RETRY_DEFAULTS } from 'cliniko-tradify/http';
import {
  AuthenticationError,
  ConfigError,
  ConnectionError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  isAbortError,
} from 'cliniko-tradify';
import { encodeQuery, assertSafeBaseUrl } from '../../src/core/http.js';
import { backoffDelayMs, isRetryableMethod } from '../../src/core/retry.js';
import { InstantClock, ManualClock, MemoryLogger, uniqueKey } from '../cliniko/helpers.js';

const BASE = 'https://api.example.test/v1';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function client(overrides: Partial<Parameters<typeof createHttpClient>[0]> = {}) {
  return createHttpClient({
    api: 'cliniko',
    baseUrl: BASE,
    headers: { Authorization: 'Basic abc' },
    limiterKey: uniqueKey('http'),
    requestsPerMinute: 60_000,
    clock: new InstantClock(),
    logger: new MemoryLogger(),
    random: () => 1,
    ...overrides,
  });
}

describe('retry layer', () => {
  it('retries a 5xx GET with full-jitter backoff and then succeeds', async () => {
    let calls = 0;
    server.use(mswHttp.get(`${BASE}/thing`, () => (++calls < 3 ? new HttpResponse('oops', { status: 502 }) : HttpResponse.json({ ok: true }))));
    const clock = new InstantClock();
    const c = client({ clock, random: () => 0.5 });
    const res = await c.request({ method: 'GET', path: '/thing' });
    expect(res.data).toEqual({ ok: true });
    expect(calls).toBe(3);
    expect(clock.sleeps).toEqual([250, 500]); // 0.5 × 500, 0.5 × 1000
    expect(c.stats).toMatchObject({ requests: 3, retries: 2, rateLimited: 0 });
  });

  it('throws a typed ServerError once retries are exhausted, keeping only method, path and query keys', async () => {
    let calls = 0;
    server.use(mswHttp.get(`${BASE}/thing`, () => (calls++, new HttpResponse('<html>504 Gateway Time-out</html>', { status: 504, headers: { 'content-type': 'text/html' } }))));
    const c = client({ retry: { maxRetries: 2 } });
    const err = await c.request({ method: 'GET', path: '/thing', query: [['q[]', 'email:=secret@x.com']] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(calls).toBe(3);
    const e = err as ServerError;
    expect(e.status).toBe(504);
    expect(e.path).toBe('/v1/thing');
    expect(e.queryKeys).toEqual(['q[]']);
    expect(e.message).not.toContain('secret@x.com');
    expect(e.message).not.toContain('html');
  });

  it('does not retry a POST without an Idempotency-Key, but does retry one with it (and sends it)', async () => {
    let calls = 0;
    const keys: Array<string | null> = [];
    server.use(
      mswHttp.post(`${BASE}/things`, ({ request }) => {
        calls += 1;
        keys.push(request.headers.get('idempotency-key'));
        return calls !== 3 ? new HttpResponse(null, { status: 500 }) : HttpResponse.json({ id: '1' }, { status: 201 });
      }),
    );
    const c = client();
    await expect(c.request({ method: 'POST', path: '/things', json: { a: 1 } })).rejects.toBeInstanceOf(ServerError);
    expect(calls).toBe(1);
    const ok = await c.request({ method: 'POST', path: '/things', json: { a: 1 }, idempotencyKey: 'k-1' });
    expect(ok.status).toBe(201);
    expect(calls).toBe(3);
    expect(keys.slice(1)).toEqual(['k-1', 'k-1']);
  });

  it('maps a network failure to ConnectionError after retrying', async () => {
    server.use(mswHttp.get(`${BASE}/thing`, () => HttpResponse.error()));
    const c = client({ retry: { maxRetries: 1 } });
    await expect(c.request({ method: 'GET', path: '/thing' })).rejects.toBeInstanceOf(ConnectionError);
    expect(c.stats.requests).toBe(2);
  });

  it('maps a slow answer to TimeoutError', async () => {
    server.use(mswHttp.get(`${BASE}/slow`, async () => { await new Promise((r) => setTimeout(r, 300)); return HttpResponse.json({}); }));
    const c = client({ timeout: 50, retry: { maxRetries: 0 } });
    await expect(c.request({ method: 'GET', path: '/slow' })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('documents a finite worst case', () => {
    expect(worstCaseRequestMs(RETRY_DEFAULTS, 30_000, 190)).toBeCloseTo(5 * 30_000 + 7_500 + 10 * 120_000 + 15 * (60_000 / 190), 0);
    expect(backoffDelayMs(10, RETRY_DEFAULTS, () => 0.999)).toBeLessThan(30_000);
    expect(isRetryableMethod('PATCH', false)).toBe(true);
    expect(isRetryableMethod('POST', false)).toBe(false);
  });
});

describe('429 handling', () => {
  it('pauses the whole shared queue until X-RateLimit-Reset (read against Date) and retries without using the 5xx budget', async () => {
    const clock = new ManualClock();
    const key = uniqueKey('rl');
    let limited = true;
    const seen: string[] = [];
    server.use(
      mswHttp.get(`${BASE}/:name`, ({ params }) => {
        seen.push(String(params.name));
        if (limited && params.name === 'a') {
          limited = false;
          const date = new Date(clock.now());
          return HttpResponse.json({ message: 'Too many requests' }, { status: 429, headers: { 'x-ratelimit-reset': String(Math.floor(clock.now() / 1000) + 5), date: date.toUTCString() } });
        }
        return HttpResponse.json({ name: params.name });
      }),
    );
    const a = client({ clock, limiterKey: key, retry: { maxRetries: 0 } });
    const b = client({ clock, limiterKey: key }); // another client, same key: same limiter
    const first = a.request({ method: 'GET', path: '/a' });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['a']);
    expect(a.limiter).toBe(b.limiter);
    expect(a.limiter.isPaused).toBe(true);
    const second = b.request({ method: 'GET', path: '/b' });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['a']); // b waits behind the pause
    await clock.advance(4_999);
    expect(seen).toEqual(['a']);
    await clock.advance(1);
    await expect(first).resolves.toMatchObject({ data: { name: 'a' } });
    await expect(second).resolves.toMatchObject({ data: { name: 'b' } });
    expect(clock.sleeps).toContain(5_000);
    expect(a.stats).toMatchObject({ rateLimited: 1, retries: 0, rateLimitWaitMs: 5_000 });
  });

  it('uses Retry-After (Tradify) and ends a 429 storm with RateLimitError', async () => {
    server.use(mswHttp.get(`${BASE}/x`, () => HttpResponse.json({}, { status: 429, headers: { 'retry-after': '2' } })));
    const clock = new InstantClock();
    const c = client({ api: 'tradify', clock, retry: { maxRateLimitWaits: 3 } });
    const err = await c.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs).toBe(2_000);
    expect(c.stats.rateLimited).toBe(4);
    expect(clock.sleeps.filter((s) => s === 2_000)).toHaveLength(3);
  });

  it('refuses to wait longer than maxRateLimitWaitMs', async () => {
    server.use(mswHttp.get(`${BASE}/x`, () => HttpResponse.json({}, { status: 429, headers: { 'retry-after': '3600' } })));
    const c = client();
    await expect(c.request({ method: 'GET', path: '/x' })).rejects.toBeInstanceOf(RateLimitError);
    expect(c.stats.requests).toBe(1);
  });
});

describe('bodies', () => {
  it('plain-text 401 → AuthenticationError that points at the key suffix/shard', async () => {
    server.use(mswHttp.get(`${BASE}/user`, () => new HttpResponse('HTTP Basic: Access denied.\n', { status: 401, headers: { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="x"' } })));
    const err = await client().request({ method: 'GET', path: '/user' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/suffix/);
    expect((err as Error).message).toMatch(/shard/);
  });

  it('204 with no body → data undefined', async () => {
    server.use(mswHttp.post(`${BASE}/p/1/archive`, () => new HttpResponse(null, { status: 204 })));
    const res = await client().request({ method: 'POST', path: '/p/1/archive', json: {} });
    expect(res.status).toBe(204);
    expect(res.data).toBeUndefined();
  });

  it('malformed JSON on a 2xx → ResponseValidationError naming the endpoint', async () => {
    server.use(mswHttp.get(`${BASE}/patients`, () => new HttpResponse('{"patients": [', { headers: { 'content-type': 'application/json' } })));
    const err = await client().request({ method: 'GET', path: '/patients' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseValidationError);
    expect((err as ResponseValidationError).path).toBe('/v1/patients');
    expect((err as Error).message).toContain('/v1/patients');
  });

  it('schema failure → ResponseValidationError with zod paths, never the input', async () => {
    server.use(mswHttp.get(`${BASE}/t`, () => HttpResponse.json({ n: 'canary-value-123' })));
    const err = await client().request({ method: 'GET', path: '/t', schema: z.object({ n: z.number() }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseValidationError);
    expect((err as ResponseValidationError).issues[0]).toMatchObject({ path: 'n', code: 'invalid_type' });
    expect(JSON.stringify(err)).not.toContain('canary-value-123');
  });

  it('an HTML 2xx where JSON was expected → ResponseValidationError', async () => {
    server.use(mswHttp.get(`${BASE}/t`, () => new HttpResponse('<html></html>', { headers: { 'content-type': 'text/html' } })));
    await expect(client().request({ method: 'GET', path: '/t', schema: z.object({}) })).rejects.toBeInstanceOf(ResponseValidationError);
  });
});

describe('abort and config', () => {
  it('an aborted signal → AbortError, also while waiting in the queue', async () => {
    server.use(mswHttp.get(`${BASE}/slow`, async () => { await new Promise((r) => setTimeout(r, 200)); return HttpResponse.json({}); }));
    const ac = new AbortController();
    const p = client().request({ method: 'GET', path: '/slow', signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    const err = await p.catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    const pre = new AbortController();
    pre.abort();
    expect(isAbortError(await client().request({ method: 'GET', path: '/slow', signal: pre.signal }).catch((e: unknown) => e))).toBe(true);
  });

  it('paces requests: each starts on its own slot, 60 000 / rpm apart', async () => {
    const starts: number[] = [];
    server.use(mswHttp.get(`${BASE}/p`, () => HttpResponse.json({})));
    const timedFetch: typeof fetch = (input, init) => (starts.push(performance.now()), fetch(input, init));
    const c = client({ requestsPerMinute: 1_200, fetch: timedFetch }); // one per 50 ms
    await Promise.all(Array.from({ length: 5 }, () => c.request({ method: 'GET', path: '/p' })));
    expect(starts).toHaveLength(5);
    // Slots at 0, 50, 100, 150 and 200 ms: no request starts before its slot (an unpaced client
    // would send all five within a few ms). 5 ms of slack for the timestamps taken in fetch.
    for (let i = 1; i < starts.length; i += 1) expect(starts[i]! - starts[0]!).toBeGreaterThanOrEqual(i * 50 - 5);
  });

  it('requires https except on loopback, and encodes + and % in queries', () => {
    expect(() => assertSafeBaseUrl('http://api.example.com/v1')).toThrow(ConfigError);
    expect(assertSafeBaseUrl('http://127.0.0.1:8080/v1').protocol).toBe('http:');
    expect(assertSafeBaseUrl('http://localhost:1/v1').hostname).toBe('localhost');
    expect(encodeQuery([['q[]', 'email:=a+b@x.com'], ['q[]', 'last_name:~~ja%on%']])).toBe('q%5B%5D=email%3A%3Da%2Bb%40x.com&q%5B%5D=last_name%3A~~ja%25on%25');
  });
});
