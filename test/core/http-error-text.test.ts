/**
 * API error text reaches `message` and `errors` only through an allow-list: codes, field
 * names and known fixed messages. A server echoing a patient's name, quoted or not, is cut.
 */
import { inspect } from 'node:util';
import { http as mswHttp, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from 'cliniko-tradify/http';
import { ApiError, BadRequestError, ConflictError, UnprocessableEntityError } from 'cliniko-tradify';
import { InstantClock, MemoryLogger, uniqueKey } from '../cliniko/helpers.js';

const BASE = 'https://api.example.test/v1';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ECHO = 'Rejecta Echoname already exists';

function client(api: 'cliniko' | 'tradify') {
  return createHttpClient({ api, baseUrl: BASE, headers: {}, limiterKey: uniqueKey('text'), requestsPerMinute: 60_000, clock: new InstantClock(), logger: new MemoryLogger(), retry: { maxRetries: 0 } });
}

async function failureOf(api: 'cliniko' | 'tradify', status: number, body: unknown, headers: Record<string, string> = {}): Promise<ApiError> {
  server.use(mswHttp.post(`${BASE}/records`, () => HttpResponse.json(body as never, { status, headers })));
  return client(api).request({ method: 'POST', path: '/records', json: {} }).then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error as ApiError,
  );
}

function expectNoEcho(error: unknown): void {
  const shown = `${(error as Error).message} ${JSON.stringify(error)} ${inspect(error)}`;
  expect(shown).not.toMatch(/Rejecta|Echoname/);
}

describe('Cliniko error bodies', () => {
  it('a 422 echoing an unquoted name keeps the field, not the text; known messages stay', async () => {
    const error = (await failureOf('cliniko', 422, {
      message: ECHO,
      errors: { name: ECHO, first_name: 'can’t be blank', last_name: ['is too long (maximum is 50 characters)', ECHO], email: null },
    })) as UnprocessableEntityError;
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.errors).toEqual({ name: 'invalid', first_name: 'can’t be blank', last_name: 'is too long (maximum is 50 characters); invalid', email: 'invalid' });
    expect(error.message).toContain('first_name can’t be blank');
    expectNoEcho(error);
  });

  it('a 422 with only a message keeps a known one and drops an echo', async () => {
    expect((await failureOf('cliniko', 422, { message: 'must be an object' })).message).toMatch(/: must be an object$/);
    expectNoEcho(await failureOf('cliniko', 422, { message: ECHO }));
  });

  it('a field name that is not an identifier is not kept either', async () => {
    const error = (await failureOf('cliniko', 422, { errors: { 'Rejecta Echoname': 'is invalid' } })) as UnprocessableEntityError;
    expect(Object.values(error.errors)).toEqual(['is invalid']);
    expectNoEcho(error);
  });

  it('a 400 keeps "This column is not searchable." and the observed filter messages, nothing else', async () => {
    expect((await failureOf('cliniko', 400, { message: 'This column is not searchable.' })).message).toContain('This column is not searchable.');
    expect((await failureOf('cliniko', 400, { message: 'recall_at is not filterable' })).message).toContain('recall_at is not filterable');
    expect((await failureOf('cliniko', 400, { message: 'Filter value for status must be a number' })).message).toContain('Filter value for status must be a number');
    const echoed = await failureOf('cliniko', 400, { message: 'Rejecta Echoname is not searchable' });
    expect(echoed).toBeInstanceOf(BadRequestError);
    expectNoEcho(echoed);
  });

  it('5xx messages and request ids that are not plain tokens are dropped', async () => {
    const error = await failureOf('cliniko', 500, { message: ECHO }, { 'x-request-id': 'Rejecta Echoname' });
    expect(error.status).toBe(500);
    expect(error.requestId).toBeUndefined();
    expectNoEcho(error);
    expect((await failureOf('cliniko', 500, {}, { 'x-request-id': 'req_7f3a-91' })).requestId).toBe('req_7f3a-91');
  });
});

describe('Tradify-contract error bodies', () => {
  const body = (code: string, message: string, details: unknown[]) => ({ error: { code, message, details }, requestId: 'req_1' });

  it('a 409 duplicate still carries existingId and its reason for the engine', async () => {
    const error = (await failureOf('tradify', 409, body('conflict', `${ECHO} in another record.`, [{ field: 'externalReference', issue: 'duplicate', existingId: 'cus_9' }]))) as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.existingId).toBe('cus_9');
    expect(error.reason).toBe('duplicate_external_reference');
    expect(error.message).toContain('cus_9');
    expectNoEcho(error);
  });

  it('a 409 invalid_state keeps its code as the reason; free text as a reason is dropped', async () => {
    expect(((await failureOf('tradify', 409, body('invalid_state', 'Cannot edit an invoice in state paid.', [{ field: 'status', issue: 'invalid_state' }]))) as ConflictError).reason).toBe('invalid_state');
    const echoed = (await failureOf('tradify', 409, body('conflict', ECHO, [{ field: 'name', issue: ECHO }]))) as ConflictError;
    expect(echoed.reason).toBeUndefined();
    expectNoEcho(echoed);
  });

  it('an existingId that is not an id token is not adopted', async () => {
    const error = (await failureOf('tradify', 409, body('conflict', 'x', [{ field: 'externalReference', issue: 'duplicate', existingId: ECHO }]))) as ConflictError;
    expect(error.existingId).toBeUndefined();
    expectNoEcho(error);
  });

  it('a 422 keeps field names and issue codes only', async () => {
    const error = (await failureOf('tradify', 422, body('validation_failed', ECHO, [{ field: 'lineItems[0].description', issue: 'required' }, { field: 'name', issue: ECHO }]))) as UnprocessableEntityError;
    expect(error.errors).toEqual({ 'lineItems[0].description': 'required', name: 'invalid' });
    expectNoEcho(error);
  });
});

describe('ApiError.from, the public factory', () => {
  it('applies the same allow-list to a raw body and message', () => {
    const init = { api: 'cliniko' as const, method: 'POST', path: '/v1/patients', queryKeys: [], status: 422, apiMessage: ECHO };
    const error = ApiError.from(init, { message: ECHO, errors: { first_name: ECHO } }) as UnprocessableEntityError;
    expect(error.errors).toEqual({ first_name: 'invalid' });
    expectNoEcho(error);
    expectNoEcho(ApiError.from({ ...init, status: 400 }, undefined));
  });
});
