import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConfigError,
  ConflictError,
  NotFoundError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  UnprocessableEntityError,
  HttpTradifyClient,
} from 'cliniko-tradify';
import { collect } from '../../src/tradify/pagination.js';
import { MSW_BASE, makeClient, wireCustomer, wireInvoice } from './helpers.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const url = (path: string): string => `${MSW_BASE}/${path}`;
const errorBody = (code: string, details: unknown[] = []) => ({ error: { code, message: `${code} happened`, details }, requestId: 'req_1' });

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('HttpTradifyClient options', () => {
  it.each([
    ['no baseUrl', { baseUrl: '' }, 'baseUrl'],
    ['plain http off loopback', { baseUrl: 'http://tradify-contract.test/v1' }, 'baseUrl'],
    ["Tradify's own host", { baseUrl: 'https://api.tradifyhq.com/v1' }, 'baseUrl'],
    ['no apiKey', { apiKey: ' ' }, 'apiKey'],
    ['a zero rate', { requestsPerMinute: 0 }, 'requestsPerMinute'],
    ['a page size over 200', { pageSize: 500 }, 'pageSize'],
  ])('refuses %s with a ConfigError naming the setting', (_label, override, setting) => {
    const build = () => new HttpTradifyClient({ apiKey: 'k', baseUrl: MSW_BASE, ...override });
    expect(build).toThrow(ConfigError);
    try {
      build();
    } catch (error) {
      expect((error as ConfigError).setting).toBe(setting);
    }
  });

  it('accepts plain http on loopback and reports the default capabilities', () => {
    const client = new HttpTradifyClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v1' });
    expect(client.capabilities).toEqual({ ownerStaffId: true, uniqueExternalReference: true });
    expect(new HttpTradifyClient({ apiKey: 'k', baseUrl: MSW_BASE, capabilities: { ownerStaffId: false } }).capabilities.ownerStaffId).toBe(false);
    const perEntity = new HttpTradifyClient({ apiKey: 'k', baseUrl: MSW_BASE, capabilities: { ownerStaffId: { customers: true, invoices: false } } });
    expect(perEntity.capabilities).toEqual({ ownerStaffId: { customers: true, invoices: false }, uniqueExternalReference: true });
  });

  it('refuses an unknown capability, naming it and the known ones, and a capability that is not a flag', () => {
    const make = (capabilities: unknown) => () => new HttpTradifyClient({ apiKey: 'k', baseUrl: MSW_BASE, capabilities: capabilities as never });
    expect(make({ uniqueExternalReferences: true })).toThrow(/unknown option `capabilities\.uniqueExternalReferences`; did you mean `uniqueExternalReference`\?/);
    expect(make({ ownerStaffId: 'yes' })).toThrow(/capabilities\.ownerStaffId must be true, false or \{ customers: boolean, invoices: boolean \}/);
    expect(make({ ownerStaffId: { customers: true } })).toThrow(ConfigError);
    expect(make({ ownerStaffId: { customers: true, invoices: false } })).not.toThrow();
  });
});

describe('HttpTradifyClient requests', () => {
  it('sends X-Api-Key by default and Bearer when asked, never both', async () => {
    const seen: Array<[string | null, string | null]> = [];
    server.use(
      http.get(url('customers/cus_1'), ({ request }) => {
        seen.push([request.headers.get('x-api-key'), request.headers.get('authorization')]);
        return HttpResponse.json({ data: wireCustomer('cus_1') });
      }),
    );
    await makeClient({ apiKey: 'key-header' }).client.customers.retrieve('cus_1');
    await makeClient({ apiKey: 'key-bearer', auth: 'bearer' }).client.customers.retrieve('cus_1');
    expect(seen).toEqual([
      ['key-header', null],
      [null, 'Bearer key-bearer'],
    ]);
  });

  it('follows cursors across pages, for records and for .pages()', async () => {
    const queries: string[] = [];
    server.use(
      http.get(url('customers'), ({ request }) => {
        const q = new URL(request.url).searchParams;
        queries.push(q.toString());
        const cursor = q.get('cursor');
        if (cursor === null) return HttpResponse.json({ data: [wireCustomer('c1'), wireCustomer('c2')], paging: { pageSize: 2, nextCursor: 'b64:2' } });
        if (cursor === 'b64:2') return HttpResponse.json({ data: [wireCustomer('c3'), wireCustomer('c4')], paging: { pageSize: 2, nextCursor: 'b64:4' } });
        return HttpResponse.json({ data: [wireCustomer('c5')], paging: { pageSize: 2, nextCursor: null } });
      }),
    );
    const { client } = makeClient({ pageSize: 2 });
    const ids: string[] = [];
    for await (const customer of client.customers.list({ includeInactive: true, email: 'a+b@x.example' })) ids.push(customer.id);
    expect(ids).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(queries[0]).toBe('email=a%2Bb%40x.example&includeInactive=true&pageSize=2');
    expect(queries[2]).toBe('email=a%2Bb%40x.example&includeInactive=true&pageSize=2&cursor=b64%3A4');
    const sizes: number[] = [];
    for await (const page of client.customers.list().pages()) sizes.push(page.length);
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('stops with ResponseValidationError when the server repeats a cursor', async () => {
    server.use(http.get(url('staff'), () => HttpResponse.json({ data: [], paging: { nextCursor: 'same' } })));
    expect(await rejectionOf(collect(makeClient().client.staff.list()))).toBeInstanceOf(ResponseValidationError);
  });

  it('sends updatedSince as an ISO instant and invoice filters by name', async () => {
    let query = '';
    server.use(
      http.get(url('invoices'), ({ request }) => {
        query = new URL(request.url).search;
        return HttpResponse.json({ data: [wireInvoice('inv_1')], paging: { nextCursor: null } });
      }),
    );
    const { client } = makeClient();
    const all = [];
    for await (const inv of client.invoices.list({ customerId: 'cus_9', status: 'draft', updatedSince: new Date('2026-03-01T10:00:00Z') })) all.push(inv);
    expect(all.map((i) => i.id)).toEqual(['inv_1']);
    expect(query).toBe('?customerId=cus_9&status=draft&updatedSince=2026-03-01T10%3A00%3A00.000Z&pageSize=200');
  });

  it('normalises JSON numbers in money and rates to decimal strings, money to two places, and absent fields to null', async () => {
    server.use(http.get(url('invoices/inv_1'), () => HttpResponse.json({ data: wireInvoice('inv_1', { subtotal: 100, total: 110.1, amountDue: '7' }) })));
    const invoice = await makeClient().client.invoices.retrieve('inv_1');
    expect(invoice.subtotal).toBe('100.00');
    expect(invoice.total).toBe('110.10');
    expect(invoice.amountDue).toBe('7.00');
    expect(invoice.lineItems[0]?.discountPercent).toBe('0');
    expect(invoice.lineItems[0]?.taxRatePercent).toBe('10');
    expect(invoice.ownerStaffId).toBeNull();
  });

  it('refuses money with a third decimal place as a ResponseValidationError naming the path', async () => {
    server.use(http.get(url('invoices/inv_1'), () => HttpResponse.json({ data: wireInvoice('inv_1', { total: '110.005' }) })));
    const error = (await rejectionOf(makeClient().client.invoices.retrieve('inv_1'))) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.issues.map((i) => i.path)).toContain('data.total');
  });

  it('refuses a numeric id as a ResponseValidationError naming the path, not the value', async () => {
    server.use(http.get(url('customers/7'), () => HttpResponse.json({ data: wireCustomer('x', { id: 7_390_710_863 }) })));
    const error = (await rejectionOf(makeClient().client.customers.retrieve('7'))) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.issues.map((i) => i.path)).toContain('data.id');
    expect(error.message).not.toContain('7390710863');
  });

  it('URL-encodes ids in paths', async () => {
    let path = '';
    server.use(
      http.get(`${MSW_BASE}/customers/:id`, ({ request }) => {
        path = new URL(request.url).pathname;
        return HttpResponse.json({ data: wireCustomer('a/b') });
      }),
    );
    await makeClient().client.customers.retrieve('a/b');
    expect(path).toBe('/v1/customers/a%2Fb');
  });

  it('omits a null ownerStaffId on create, keeps it on update, and strips it when unsupported', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post(url('customers'), async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ data: wireCustomer('cus_1') }, { status: 201 });
      }),
      http.patch(url('customers/cus_1'), async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ data: wireCustomer('cus_1') });
      }),
    );
    const { client } = makeClient();
    await client.customers.create({ name: 'A', ownerStaffId: null });
    await client.customers.update('cus_1', { ownerStaffId: null });
    const { client: noOwner } = makeClient({ capabilities: { ownerStaffId: false } });
    await noOwner.customers.create({ name: 'B', ownerStaffId: 'stf_1' });
    expect(bodies).toEqual([{ name: 'A' }, { ownerStaffId: null }, { name: 'B' }]);
  });

  it('sends Idempotency-Key on creates and payments only when given', async () => {
    const keys: Array<string | null> = [];
    const record = ({ request }: { request: Request }) => {
      keys.push(request.headers.get('idempotency-key'));
    };
    server.use(
      http.post(url('invoices'), (info) => (record(info), HttpResponse.json({ data: wireInvoice('inv_1') }, { status: 201 }))),
      http.post(url('invoices/inv_1/payments'), (info) =>
        (record(info), HttpResponse.json({ data: { id: 'pay_1', invoiceId: 'inv_1', date: '2026-03-02', amount: '1.00' } }, { status: 201 }))),
    );
    const { client } = makeClient();
    const input = { customerId: 'cus_1', invoiceDate: '2026-03-01', lineItems: [] };
    await client.invoices.create(input, { idempotencyKey: 'idem-1' });
    await client.invoices.create(input);
    const payment = await client.payments.add('inv_1', { date: '2026-03-02', amount: '1.00' }, { idempotencyKey: 'idem-2' });
    expect(keys).toEqual(['idem-1', null, 'idem-2']);
    expect(payment).toMatchObject({ id: 'pay_1', amount: '1.00', method: null });
  });

  it('deletes drafts and payments, answering 204 with no body', async () => {
    const deleted: string[] = [];
    server.use(
      http.delete(url('invoices/inv_1'), ({ request }) => (deleted.push(new URL(request.url).pathname), new HttpResponse(null, { status: 204 }))),
      http.delete(url('invoices/inv_1/payments/pay_1'), ({ request }) => (deleted.push(new URL(request.url).pathname), new HttpResponse(null, { status: 204 }))),
    );
    const { client } = makeClient();
    await expect(client.invoices.delete('inv_1')).resolves.toBeUndefined();
    await expect(client.payments.delete('inv_1', 'pay_1')).resolves.toBeUndefined();
    expect(deleted).toEqual(['/v1/invoices/inv_1', '/v1/invoices/inv_1/payments/pay_1']);
  });

  it('counts every request, retries included, in stats.requests', async () => {
    let calls = 0;
    server.use(
      http.get(url('tax-rates'), () => {
        calls += 1;
        return calls === 1
          ? HttpResponse.json(errorBody('server_error'), { status: 503 })
          : HttpResponse.json({ data: [{ id: 'tax_gst', name: 'GST', rate: 10, isDefault: true, isNoTax: false, active: true }], paging: { nextCursor: null } });
      }),
    );
    const { client } = makeClient({ retry: { baseDelayMs: 1 } });
    expect(client.stats.requests).toBe(0);
    const rates = await collect(client.taxRates.list());
    expect(rates).toEqual([expect.objectContaining({ id: 'tax_gst', rate: '10', isDefault: true })]);
    expect(client.stats.requests).toBe(2);
  });
});

describe('HttpTradifyClient errors', () => {
  it('maps a duplicate externalReference to ConflictError with existingId', async () => {
    server.use(
      http.post(url('customers'), () =>
        HttpResponse.json(errorBody('conflict', [{ field: 'externalReference', issue: 'duplicate', existingId: 'cus_7' }]), { status: 409 })),
    );
    const error = (await rejectionOf(makeClient().client.customers.create({ name: 'A', externalReference: 'cliniko:patient:1' }))) as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.existingId).toBe('cus_7');
    expect(error.api).toBe('tradify');
  });

  it('maps an edit in the wrong state to ConflictError with reason invalid_state', async () => {
    server.use(http.patch(url('invoices/inv_1'), () => HttpResponse.json(errorBody('invalid_state'), { status: 409 })));
    const error = (await rejectionOf(makeClient().client.invoices.update('inv_1', { reference: 'x' }))) as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.reason).toBe('invalid_state');
    expect(error.existingId).toBeUndefined();
  });

  it('keeps 422 field details', async () => {
    server.use(
      http.post(url('invoices'), () =>
        HttpResponse.json(errorBody('validation_failed', [{ field: 'lineItems[0].description', issue: 'required' }]), { status: 422 })),
    );
    const error = (await rejectionOf(makeClient().client.invoices.create({ customerId: 'c', invoiceDate: '2026-03-01', lineItems: [] }))) as UnprocessableEntityError;
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.errors).toEqual({ 'lineItems[0].description': 'required' });
  });

  it('maps 404 to NotFoundError', async () => {
    server.use(http.post(url('invoices/nope/approve'), () => HttpResponse.json(errorBody('not_found'), { status: 404 })));
    expect(await rejectionOf(makeClient().client.invoices.approve('nope'))).toBeInstanceOf(NotFoundError);
  });

  it('waits out a 429 for Retry-After on the injected clock, then succeeds', async () => {
    let calls = 0;
    server.use(
      http.get(url('staff'), () => {
        calls += 1;
        // the contract's X-RateLimit-Reset is seconds until the reset, not Cliniko's epoch seconds.
        if (calls === 1) return HttpResponse.json(errorBody('rate_limited'), { status: 429, headers: { 'Retry-After': '7', 'X-RateLimit-Reset': '7' } });
        return HttpResponse.json({ data: [{ id: 'stf_1', name: 'Sam', email: 'sam@x.example', active: true }], paging: { nextCursor: null } });
      }),
    );
    const { client, clock } = makeClient();
    const started = clock.now();
    const staff = await collect(client.staff.list());
    expect(staff.map((s) => s.email)).toEqual(['sam@x.example']);
    expect(calls).toBe(2);
    expect(clock.now() - started).toBeGreaterThanOrEqual(7000);
    expect(clock.sleeps).toContain(7000);
  });

  it('ends a 429 storm in RateLimitError carrying retryAfterMs', async () => {
    server.use(http.get(url('staff'), () => HttpResponse.json(errorBody('rate_limited'), { status: 429, headers: { 'Retry-After': '2' } })));
    const error = (await rejectionOf(collect(makeClient().client.staff.list()))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(2000);
  });

  it('surfaces an outage as ServerError after the retry budget', async () => {
    let calls = 0;
    server.use(http.get(url('invoices/inv_1'), () => (calls++, HttpResponse.json(errorBody('server_error'), { status: 503 }))));
    const { client } = makeClient({ retry: { maxRetries: 3, baseDelayMs: 10 } });
    const error = (await rejectionOf(client.invoices.retrieve('inv_1'))) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    expect(error.status).toBe(503);
    expect(calls).toBe(4);
  });

  it('never retries a POST without an Idempotency-Key, and retries one with it', async () => {
    let calls = 0;
    server.use(http.post(url('customers'), () => (calls++, HttpResponse.json(errorBody('server_error'), { status: 502 }))));
    const { client } = makeClient({ retry: { maxRetries: 2, baseDelayMs: 1 } });
    await rejectionOf(client.customers.create({ name: 'A' }));
    expect(calls).toBe(1);
    await rejectionOf(client.customers.create({ name: 'A' }, { idempotencyKey: 'k1' }));
    expect(calls).toBe(1 + 3);
  });

  it('rejects with AbortError when the signal fires', async () => {
    server.use(http.get(url('customers/cus_1'), () => HttpResponse.json({ data: wireCustomer('cus_1') })));
    const controller = new AbortController();
    controller.abort();
    const error = await rejectionOf(makeClient().client.customers.retrieve('cus_1', { signal: controller.signal }));
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('privacy: the canary key and email never leak', () => {
  const CANARY_KEY = 'canary-key-5c1d9e';
  const CANARY_EMAIL = 'canary.patient@leak.example';

  it.each([
    [401, 'unauthorized', AuthenticationError],
    [409, 'conflict', ConflictError],
    [422, 'validation_failed', UnprocessableEntityError],
    [500, 'server_error', ServerError],
  ])('a %i keeps the key and the query values out of the message, inspect, JSON and logs', async (status, code, type) => {
    server.use(
      http.get(url('customers'), () =>
        HttpResponse.json(errorBody(code, [{ field: 'email', issue: 'invalid' }]), { status, headers: { 'X-Request-Id': 'req_9' } })),
    );
    const { client, logger } = makeClient({ apiKey: CANARY_KEY, retry: { maxRetries: 1, baseDelayMs: 1 } });
    const error = await rejectionOf(client.customers.list({ email: CANARY_EMAIL }).pages()[Symbol.asyncIterator]().next());
    expect(error).toBeInstanceOf(type);
    const surfaces = [String((error as Error).message), inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), ...logger.lines];
    for (const text of surfaces) {
      expect(text).not.toContain(CANARY_KEY);
      expect(text).not.toContain(CANARY_EMAIL);
      expect(text).not.toContain('canary.patient');
    }
    expect((error as ConflictError).queryKeys).toEqual(['email', 'pageSize']);
  });
});
