import { inspect } from 'node:util';
import { http as mswHttp, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClinikoClient } from 'cliniko-tradify';
import { BASE, InstantClock, MemoryLogger } from './helpers.js';

const CANARY_KEY = 'CANARYk3yZz9QwErTy';
const CANARY_EMAIL = 'canary.patient+zz9@example.org';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let n = 0;
function canaryClient(logger: MemoryLogger, overrides: { timeout?: number; userAgent?: string } = {}) {
  n += 1;
  return new ClinikoClient({
    apiKey: `${CANARY_KEY}${n}-au1`,
    userAgent: overrides.userAgent ?? `Canary App (${CANARY_EMAIL})`,
    requestsPerMinute: 60_000,
    clock: new InstantClock(),
    logger,
    random: () => 0,
    retry: { maxRetries: 1, maxRateLimitWaits: 1 },
    timeout: overrides.timeout,
  });
}

function assertClean(label: string, text: string) {
  expect(text, label).not.toContain(CANARY_KEY);
  expect(text, label).not.toContain(CANARY_EMAIL);
  expect(text, label).not.toContain(encodeURIComponent(CANARY_EMAIL));
  expect(text, label).not.toContain(Buffer.from(`${CANARY_KEY}`).toString('base64').slice(0, 12));
}

describe('canary: no key or patient detail in errors or logs', () => {
  it('keeps every failure mode clean in message, util.inspect, JSON.stringify and the log', async () => {
    const echo = { message: `bad ${CANARY_EMAIL}`, errors: { email: `${CANARY_EMAIL} is invalid` }, error: { details: [{ field: 'email', issue: `'${CANARY_EMAIL}' taken` }] }, patients: [{ id: 'x', email: CANARY_EMAIL }] };
    server.use(
      mswHttp.get(`${BASE}/user`, () => new HttpResponse('HTTP Basic: Access denied.', { status: 401, headers: { 'content-type': 'text/plain' } })),
      mswHttp.get(`${BASE}/patients`, ({ request }) => {
        const q = new URL(request.url).searchParams.getAll('q[]').join();
        if (q.includes('email')) return HttpResponse.json(echo, { status: 500 });
        if (q.includes('first_name')) return HttpResponse.json(echo, { status: 429, headers: { 'retry-after': '1' } });
        if (q.includes('last_name')) return HttpResponse.error();
        if (q.includes('old_reference_id')) return new Promise<Response>((r) => setTimeout(() => r(HttpResponse.json({})), 200));
        return HttpResponse.json({ patients: [{ id: '1', updated_at: CANARY_EMAIL, created_at: CANARY_EMAIL, email: CANARY_EMAIL }], links: {} });
      }),
      mswHttp.post(`${BASE}/patients`, () => HttpResponse.json(echo, { status: 422 })),
    );
    const logger = new MemoryLogger();
    const c = canaryClient(logger);
    const slow = canaryClient(logger, { timeout: 30 });
    const failures: unknown[] = await Promise.all([
      c.users.current().catch((e: unknown) => e),
      c.patients.list({ filters: [['email', '=', CANARY_EMAIL]] }).toArray().catch((e: unknown) => e),
      c.patients.list({ filters: [['first_name', '=', CANARY_EMAIL]] }).toArray().catch((e: unknown) => e),
      c.patients.list({ filters: [['last_name', '=', CANARY_EMAIL]] }).toArray().catch((e: unknown) => e),
      slow.patients.list({ filters: [['old_reference_id', '=', CANARY_EMAIL]] }).toArray().catch((e: unknown) => e),
      c.patients.list().toArray().catch((e: unknown) => e),
      c.patients.create({ first_name: 'A', last_name: 'B', email: CANARY_EMAIL }).catch((e: unknown) => e),
      (async () => new ClinikoClient({ apiKey: `${CANARY_KEY}-au1`, userAgent: CANARY_EMAIL }))().catch((e: unknown) => e),
      (async () => c.patients.list({ filters: [['email', '>' as '=', CANARY_EMAIL]] }).toArray())().catch((e: unknown) => e),
    ]);
    const names = failures.map((e) => (e as Error).name);
    expect(names).toEqual([
      'AuthenticationError',
      'ServerError',
      'RateLimitError',
      'ConnectionError',
      'TimeoutError',
      'ResponseValidationError',
      'UnprocessableEntityError',
      'ConfigError',
      'ConfigError',
    ]);
    for (const e of failures) {
      const err = e as Error;
      assertClean(`${err.name} message`, err.message);
      assertClean(`${err.name} inspect`, inspect(err, { depth: 10, showHidden: true }));
      assertClean(`${err.name} JSON`, JSON.stringify(err));
      assertClean(`${err.name} stack`, String(err.stack));
    }
    expect(logger.lines.length).toBeGreaterThan(3);
    assertClean('log', logger.lines.join('\n'));
    assertClean('client inspect', inspect(c, { depth: 10, showHidden: true }) + JSON.stringify(c));
  });
});
