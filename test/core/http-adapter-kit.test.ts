/**
 * The HTTP client as an adapter author uses it: any API name (shown in errors and logs), an
 * error-body parser hook whose details still pass the allow-list, and `retrySafe`, a per-request
 * "safe to retry" flag apart from the `Idempotency-Key` header.
 */
import { http as mswHttp, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClientOptions, type HttpErrorDetails } from '../../src/core/http.js';
import {
  AuthenticationError,
  ConflictError,
  RateLimitError,
  ServerError,
  isConfigError,
  isConflictError,
  isUnprocessableEntityError,
  type UnprocessableEntityError,
} from '../../src/core/errors.js';
import { InstantClock, MemoryLogger, uniqueKey } from '../cliniko/helpers.js';

const BASE = 'https://ledger.example.test/api';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function client(overrides: Partial<HttpClientOptions> = {}) {
  const logger = new MemoryLogger();
  const http = createHttpClient({
    api: 'ledger',
    baseUrl: BASE,
    headers: { Authorization: 'Bearer ledger-secret-token' },
    limiterKey: uniqueKey('ledger'),
    requestsPerMinute: 60_000,
    clock: new InstantClock(),
    logger,
    random: () => 1,
    retry: { maxRetries: 2 },
    ...overrides,
  });
  return { http, logger };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the request should have failed'),
    (error: unknown) => error,
  );
}

/** The backend's own error shape: `{ Fault: { Kind, ConflictingId, Fields: [{ Name, Problem }] } }`. */
function ledgerFault(body: unknown, status: number): HttpErrorDetails | undefined {
  const fault = (body as { Fault?: { Kind?: string; ConflictingId?: string; Text?: string; Fields?: Array<{ Name: string; Problem: string }> } } | undefined)?.Fault;
  if (!fault) return undefined;
  const code = fault.Kind?.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  const errors = fault.Fields ? Object.fromEntries(fault.Fields.map((f) => [f.Name, f.Problem])) : undefined;
  return { code, message: fault.Text, errors, existingId: fault.ConflictingId, reason: status === 409 && !fault.ConflictingId ? code : undefined };
}

describe('any API name', () => {
  it('names the API in errors and log lines', async () => {
    server.use(
      mswHttp.get(`${BASE}/things`, () => new HttpResponse(null, { status: 503 })),
      mswHttp.get(`${BASE}/secret`, () => new HttpResponse(null, { status: 401 })),
    );
    const { http, logger } = client();
    const error = (await failure(http.request({ method: 'GET', path: '/things' }))) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    expect(error.api).toBe('ledger');
    expect(error.message).toBe('ledger failed with 503 on GET /api/things');
    expect(logger.lines.filter((l) => l.includes('retrying'))).toHaveLength(2);
    expect(logger.lines.every((l) => !l.includes('retrying') || l.includes('"api":"ledger"'))).toBe(true);

    const auth = (await failure(http.request({ method: 'GET', path: '/secret' }))) as AuthenticationError;
    expect(auth).toBeInstanceOf(AuthenticationError);
    expect(auth.message).toMatch(/^ledger refused the credentials on GET \/api\/secret \(401\)/);
    expect(auth.message).not.toMatch(/tradify|cliniko/i);
    expect(JSON.stringify(auth)).not.toContain('ledger-secret-token');
  });

  it("reads a 429 the standard way, not as Cliniko's epoch reset: X-RateLimit-Reset counts seconds until the reset", async () => {
    server.use(mswHttp.get(`${BASE}/busy`, () => HttpResponse.json({}, { status: 429, headers: { 'x-ratelimit-reset': '3' } })));
    const { http } = client({ retry: { maxRateLimitWaits: 1 } });
    const error = (await failure(http.request({ method: 'GET', path: '/busy' }))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect([error.api, error.retryAfterMs]).toEqual(['ledger', 3_000]);
    expect(http.stats).toMatchObject({ rateLimited: 2, rateLimitWaitMs: 3_000 });
  });

  it('refuses a name that is not short and plain, without repeating it', () => {
    for (const api of ['', 'has space', 'x'.repeat(33), 'line\nbreak', '9lives', 'key=abc123']) {
      let caught: unknown;
      try {
        client({ api });
      } catch (error) {
        caught = error;
      }
      expect(isConfigError(caught), JSON.stringify(api)).toBe(true);
      expect((caught as { setting: string }).setting).toBe('api');
      if (api.length > 0) expect((caught as Error).message).not.toContain(api);
    }
    expect(client({ api: 'acme-gateway_2' }).http.baseUrl).toBe(`${BASE}`);
  });

  it('refuses a parseErrorBody that is not a function', () => {
    expect(() => client({ parseErrorBody: 'Fault' as never })).toThrow(expect.objectContaining({ setting: 'parseErrorBody' }));
  });
});

describe('the error-body parser hook', () => {
  it("a 409's existingId and reason reach ConflictError", async () => {
    server.use(
      mswHttp.post(`${BASE}/save`, async ({ request }) => {
        const body = (await request.json()) as { Id?: string };
        return body.Id === 'dup'
          ? HttpResponse.json({ Fault: { Kind: 'DuplicateExternalRef', ConflictingId: '6f1c2b9e-0d3a-4c55-9e1f-2a7b8c9d0e1f' } }, { status: 409 })
          : HttpResponse.json({ Fault: { Kind: 'InvalidState' } }, { status: 409 });
      }),
    );
    const { http } = client({ parseErrorBody: ledgerFault });
    const duplicate = (await failure(http.request({ method: 'POST', path: '/save', json: { Id: 'dup' } }))) as ConflictError;
    expect(isConflictError(duplicate)).toBe(true);
    expect(duplicate.existingId).toBe('6f1c2b9e-0d3a-4c55-9e1f-2a7b8c9d0e1f');
    expect(duplicate.reason).toBe('duplicate_external_reference');
    expect(duplicate.message).toContain('(existing record 6f1c2b9e-0d3a-4c55-9e1f-2a7b8c9d0e1f)');

    const state = (await failure(http.request({ method: 'POST', path: '/save', json: { Id: 'x' } }))) as ConflictError;
    expect(state.existingId).toBeUndefined();
    expect(state.reason).toBe('invalid_state');
  });

  it("a 422's field problems reach UnprocessableEntityError; text that is not allow-listed does not", async () => {
    const echoed = 'Jane Citizen <jane@example.com>';
    server.use(
      mswHttp.post(`${BASE}/save`, () =>
        HttpResponse.json(
          {
            Fault: {
              Kind: 'ValidationFailed',
              Text: `Customer ${echoed} is invalid`,
              ConflictingId: `id with spaces ${echoed}`,
              Fields: [
                { Name: 'Lines[0].Qty', Problem: 'is not a number' },
                { Name: 'Email', Problem: `${echoed} is not an email` },
                { Name: `Name ${echoed}`, Problem: 'required' },
              ],
            },
          },
          { status: 422 },
        ),
      ),
    );
    const { http } = client({ parseErrorBody: ledgerFault });
    const error = (await failure(http.request({ method: 'POST', path: '/save', json: {} }))) as UnprocessableEntityError;
    expect(isUnprocessableEntityError(error)).toBe(true);
    expect(error.errors).toEqual({ 'Lines[0].Qty': 'is not a number', Email: 'invalid', '(field 1)': 'required' });
    const everything = `${error.message} ${JSON.stringify(error)}`;
    expect(everything).not.toContain('jane');
    expect(everything).not.toContain('Citizen');
  });

  it('a hook that throws or answers nothing leaves the status class, with no details', async () => {
    server.use(mswHttp.post(`${BASE}/save`, () => HttpResponse.json({ Fault: { Kind: 'InvalidState' } }, { status: 409 })));
    const throwing = client({
      parseErrorBody: () => {
        throw new Error('parser bug');
      },
    }).http;
    const error = (await failure(throwing.request({ method: 'POST', path: '/save', json: {} }))) as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect([error.reason, error.existingId]).toEqual([undefined, undefined]);
    const silent = client({ parseErrorBody: () => undefined }).http;
    expect(((await failure(silent.request({ method: 'POST', path: '/save', json: {} }))) as ConflictError).reason).toBeUndefined();
  });

  it('receives the parsed JSON and the status', async () => {
    server.use(mswHttp.post(`${BASE}/save`, () => HttpResponse.json({ Fault: { Kind: 'Gone' } }, { status: 410 })));
    const seen: Array<[unknown, number]> = [];
    const { http } = client({ parseErrorBody: (body, status) => (seen.push([body, status]), { code: 'gone' }) });
    const error = (await failure(http.request({ method: 'POST', path: '/save', json: {} }))) as Error;
    expect(seen).toEqual([[{ Fault: { Kind: 'Gone' } }, 410]]);
    expect(error.message).toBe('ledger answered 410 to POST /api/save');
  });
});

describe('retrySafe: a "safe to retry" flag apart from the Idempotency-Key header', () => {
  function flakySave() {
    const keys: Array<string | null> = [];
    server.use(
      mswHttp.post(`${BASE}/save`, ({ request }) => {
        keys.push(request.headers.get('idempotency-key'));
        return keys.length < 3 ? new HttpResponse(null, { status: 502 }) : HttpResponse.json({ Results: [] });
      }),
    );
    return keys;
  }

  it('a POST with retrySafe: true is retried on 5xx without sending an Idempotency-Key', async () => {
    const keys = flakySave();
    const { http } = client();
    const response = await http.request({ method: 'POST', path: '/save', json: { ChangeSetId: 'c1' }, retrySafe: true });
    expect(response.data).toEqual({ Results: [] });
    expect(keys).toEqual([null, null, null]);
    expect(http.stats.retries).toBe(2);
  });

  it('a POST with retrySafe: true is retried after a dropped connection', async () => {
    let calls = 0;
    server.use(mswHttp.post(`${BASE}/save`, () => (++calls === 1 ? HttpResponse.error() : HttpResponse.json({ ok: true }))));
    const { http } = client();
    expect((await http.request({ method: 'POST', path: '/save', json: {}, retrySafe: true })).data).toEqual({ ok: true });
    expect(calls).toBe(2);
  });

  it('a plain POST is still not retried', async () => {
    const keys = flakySave();
    const { http } = client();
    await expect(http.request({ method: 'POST', path: '/save', json: {} })).rejects.toBeInstanceOf(ServerError);
    expect(keys).toEqual([null]);
    expect(http.stats.retries).toBe(0);
  });

  it('retrySafe: false keeps even a PUT from being sent twice', async () => {
    let calls = 0;
    server.use(mswHttp.put(`${BASE}/counter`, () => (calls++, new HttpResponse(null, { status: 500 }))));
    const { http } = client();
    await expect(http.request({ method: 'PUT', path: '/counter', json: {}, retrySafe: false })).rejects.toBeInstanceOf(ServerError);
    expect(calls).toBe(1);
  });
});
