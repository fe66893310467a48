import { http as mswHttp, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClinikoClient, ConfigError, NotFoundError, ResponseValidationError, UnprocessableEntityError, VERSION } from 'cliniko-tradify';
import { clinikoBaseUrl, shardFromApiKey } from '../../src/cliniko/shard.js';
import { BASE, USER_AGENT, envelope, makeClient, patientRow, uniqueKey } from './helpers.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('shards', () => {
  it.each([
    ['MS0xLTEyMzQ1Njc4OQ-au2', 'au2'],
    ['abc-AU4', 'au4'],
    ['abc-uk1', 'uk1'],
    ['abc-ca1', 'ca1'],
    ['abc-eu1', 'eu1'],
    ['abc-us12', 'us12'],
    ['abc-with-dash-uk2', 'uk2'],
    ['legacykey', 'au1'],
    ['abc-not-a-shard', 'au1'],
    ['abc-au123', 'au1'],
    ['abc-', 'au1'],
  ])('%s → %s', (key, shard) => {
    expect(shardFromApiKey(key)).toBe(shard);
  });

  it('builds the sharded base URL unless overridden', () => {
    const c = new ClinikoClient({ apiKey: 'k-uk2', userAgent: USER_AGENT });
    expect(c.shard).toBe('uk2');
    expect(c.baseUrl).toBe(clinikoBaseUrl('uk2'));
    expect(c.baseUrl).toBe('https://api.uk2.cliniko.com/v1');
  });
});

describe('options', () => {
  it.each(['', 'NoEmail', 'App <a@b.co>', 'App (not-an-email)', '(a@b.co)'])('rejects userAgent %j with ConfigError', (ua) => {
    const err = (() => {
      try {
        new ClinikoClient({ apiKey: 'k-au1', userAgent: ua });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).setting).toBe('userAgent');
  });

  it('rejects a missing key and a plain-http remote baseUrl', () => {
    expect(() => new ClinikoClient({ apiKey: '', userAgent: USER_AGENT })).toThrow(ConfigError);
    expect(() => new ClinikoClient({ apiKey: 'k', userAgent: USER_AGENT, baseUrl: 'http://cliniko.example/v1' })).toThrow(ConfigError);
    expect(new ClinikoClient({ apiKey: 'k', userAgent: USER_AGENT, baseUrl: 'http://127.0.0.1:9/v1' }).baseUrl).toBe('http://127.0.0.1:9/v1');
  });

  it('sends Basic auth with the key and an empty password, Accept, and the User-Agent with our suffix', async () => {
    const apiKey = uniqueKey();
    let seen: Headers | undefined;
    server.use(mswHttp.get(`${BASE}/user`, ({ request }) => ((seen = request.headers), HttpResponse.json({ id: '1', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' }))));
    const user = await makeClient({ apiKey }).users.current();
    expect(user.id).toBe('1');
    expect(seen?.get('authorization')).toBe(`Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`);
    expect(Buffer.from(seen!.get('authorization')!.slice(6), 'base64').toString()).toBe(`${apiKey}:`);
    expect(seen?.get('accept')).toBe('application/json');
    expect(seen?.get('user-agent')).toBe(`${USER_AGENT} cliniko-tradify/${VERSION}`);
    expect(seen?.get('content-type')).toBeNull();
  });
});

describe('patients', () => {
  it('lists across pages by following links.next verbatim, as records and as pages', async () => {
    const next = `${BASE}/patients?page=2&per_page=100&q%5B%5D=archived_at%3A%2A&opaque=keep-me`;
    const urls: string[] = [];
    server.use(
      mswHttp.get(`${BASE}/patients`, ({ request }) => {
        urls.push(request.url);
        const page = new URL(request.url).searchParams.get('page');
        return page === '2'
          ? HttpResponse.json(envelope('patients', [patientRow('3')], undefined, 3))
          : HttpResponse.json(envelope('patients', [patientRow('1'), patientRow('2')], next, 3));
      }),
    );
    const c = makeClient();
    const ids: string[] = [];
    for await (const p of c.patients.list({ includeArchived: true, updatedSince: new Date('2026-01-01T00:00:00.900Z') })) ids.push(p.id);
    expect(ids).toEqual(['1', '2', '3']);
    expect(urls[1]).toBe(next);
    const first = new URL(urls[0]!);
    expect(first.searchParams.getAll('q[]')).toEqual(['updated_at:>=2026-01-01T00:00:00Z', 'archived_at:*']);
    expect(first.searchParams.get('per_page')).toBe('100');
    const pages: number[] = [];
    for await (const page of c.patients.list().pages()) pages.push(page.length);
    expect(pages).toEqual([2, 1]);
    expect(new URL(urls[2]!).searchParams.getAll('q[]')).toEqual([]);
  });

  it('refuses to follow a links.next to another host (the key would leak)', async () => {
    server.use(mswHttp.get(`${BASE}/patients`, () => HttpResponse.json(envelope('patients', [patientRow('1')], 'https://evil.example/v1/patients?page=2'))));
    const err = await makeClient().patients.list().toArray().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseValidationError);
  });

  it('a bad record in a list → ResponseValidationError naming endpoint and record path', async () => {
    server.use(mswHttp.get(`${BASE}/patients`, () => HttpResponse.json(envelope('patients', [patientRow('1'), { ...patientRow('2'), updated_at: 'nope' }]))));
    const err = (await makeClient().patients.list().toArray().catch((e: unknown) => e)) as ResponseValidationError;
    expect(err).toBeInstanceOf(ResponseValidationError);
    expect(err.path).toBe('/v1/patients');
    expect(err.issues[0]?.path).toBe('patients.1.updated_at');
  });

  it('readablePages sets a bad record aside (id and paths, no value) and goes on with the listing', async () => {
    const next = `${BASE}/patients?page=2`;
    server.use(
      mswHttp.get(`${BASE}/patients`, ({ request }) =>
        new URL(request.url).searchParams.get('page') === '2'
          ? HttpResponse.json(envelope('patients', [patientRow('4')]))
          : HttpResponse.json(envelope('patients', [patientRow('1'), { ...patientRow('2'), updated_at: 'not-a-time' }, { ...patientRow('3'), id: 'x3' }], next)),
      ),
    );
    const pages = [];
    for await (const page of makeClient().patients.list().readablePages()) pages.push(page);
    expect(pages.map((p) => p.records.map((r) => r.id))).toEqual([['1'], ['4']]);
    expect(pages[0]!.unreadable.map((u) => [u.id, u.issues.map((i) => i.path)])).toEqual([
      ['2', ['updated_at']],
      [null, ['id']],
    ]);
    expect(JSON.stringify(pages)).not.toContain('not-a-time');
  });

  it('retrieve needs archived_at:* for an archived patient (404 otherwise)', async () => {
    server.use(
      mswHttp.get(`${BASE}/patients/:id`, ({ request, params }) => {
        const q = new URL(request.url).searchParams.getAll('q[]');
        return q.includes('archived_at:*')
          ? HttpResponse.json(patientRow(String(params.id), '2026-01-01T00:00:00Z', { archived_at: '2026-01-02T00:00:00Z' }))
          : new HttpResponse(null, { status: 404 });
      }),
    );
    const c = makeClient();
    await expect(c.patients.retrieve('1390710863102485699')).rejects.toBeInstanceOf(NotFoundError);
    const p = await c.patients.retrieve('1390710863102485699', { includeArchived: true });
    expect(p.archived_at).toBe('2026-01-02T00:00:00Z');
    expect(() => c.patients.retrieve(Number("1390710863102485699") as unknown as string)).toThrow(ConfigError);
    expect(() => c.patients.retrieve('../users')).toThrow(ConfigError);
  });

  it('retrieveMany batches ids with id:=a,b,… and archived_at:*', async () => {
    const seen: string[][] = [];
    server.use(
      mswHttp.get(`${BASE}/patients`, ({ request }) => {
        const q = new URL(request.url).searchParams.getAll('q[]');
        seen.push(q);
        const ids = (q.find((f) => f.startsWith('id:=')) ?? '').slice(4).split(',');
        return HttpResponse.json(envelope('patients', ids.slice(0, 2).map((id) => patientRow(id))));
      }),
    );
    const ids = Array.from({ length: 150 }, (_, i) => String(9_007_199_254_740_993n + BigInt(i)));
    const got = await makeClient().patients.retrieveMany(ids, { includeArchived: true });
    expect(seen).toHaveLength(2);
    expect(seen[0]?.[0]?.split(',')).toHaveLength(100);
    expect(seen[0]).toContain('archived_at:*');
    expect(got.map((p) => p.id)).toEqual([ids[0], ids[1], ids[100], ids[101]]);
  });

  it('create (201) and update (PATCH) send JSON; archive handles a 204 with no body', async () => {
    const calls: Array<{ method: string; type: string | null; body: unknown; path: string }> = [];
    const record = async (request: Request) => {
      const text = await request.text();
      calls.push({ method: request.method, type: request.headers.get('content-type'), body: text ? JSON.parse(text) : undefined, path: new URL(request.url).pathname });
    };
    server.use(
      mswHttp.post(`${BASE}/patients`, async ({ request }) => (await record(request), HttpResponse.json(patientRow('5'), { status: 201 }))),
      mswHttp.patch(`${BASE}/patients/5`, async ({ request }) => (await record(request), HttpResponse.json(patientRow('5')))),
      mswHttp.post(`${BASE}/patients/5/archive`, async ({ request }) => (await record(request), new HttpResponse(null, { status: 204 }))),
      mswHttp.post(`${BASE}/patients/5/unarchive`, async ({ request }) => (await record(request), HttpResponse.json(patientRow('5')))),
    );
    const c = makeClient();
    expect((await c.patients.create({ first_name: 'A', last_name: 'B' })).id).toBe('5');
    await c.patients.update('5', { email: 'x@y.co' });
    await expect(c.patients.archive('5')).resolves.toBeUndefined();
    expect((await c.patients.unarchive('5')).id).toBe('5');
    expect(calls.map((x) => `${x.method} ${x.path}`)).toEqual(['POST /v1/patients', 'PATCH /v1/patients/5', 'POST /v1/patients/5/archive', 'POST /v1/patients/5/unarchive']);
    expect(calls.every((x) => x.type === 'application/json')).toBe(true);
    expect(calls[1]?.body).toEqual({ email: 'x@y.co' });
  });

  it("surfaces Cliniko's 422 errors map", async () => {
    server.use(mswHttp.post(`${BASE}/patients`, () => HttpResponse.json({ message: 'Validation Failed', errors: { first_name: 'can’t be blank' } }, { status: 422 })));
    const err = (await makeClient().patients.create({ first_name: '', last_name: 'B' }).catch((e: unknown) => e)) as UnprocessableEntityError;
    expect(err).toBeInstanceOf(UnprocessableEntityError);
    expect(err.errors).toEqual({ first_name: 'can’t be blank' });
  });
});

describe('invoices, items and the rest', () => {
  const ts = { created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' };

  it('invoices: includeDeleted adds deleted_at:*, status filters take integer lists', async () => {
    const seen: string[][] = [];
    server.use(
      mswHttp.get(`${BASE}/invoices`, ({ request }) => (seen.push(new URL(request.url).searchParams.getAll('q[]')), HttpResponse.json(envelope('invoices', [{ id: '1', ...ts }])))),
      mswHttp.get(`${BASE}/invoices/:id`, ({ request }) => (seen.push(new URL(request.url).searchParams.getAll('q[]')), HttpResponse.json({ id: '2', ...ts, deleted_at: '2024-02-01T00:00:00Z' }))),
    );
    const c = makeClient();
    await c.invoices.list({ includeDeleted: true, includeArchived: true, filters: [['status', '=', [10, 40]]] }).toArray();
    expect(seen[0]).toEqual(['status:=10,40', 'archived_at:*', 'deleted_at:*']);
    const inv = await c.invoices.retrieve('2', { includeDeleted: true });
    expect(seen[1]).toEqual(['deleted_at:*']);
    expect(inv.deleted_at).toBe('2024-02-01T00:00:00Z');
  });

  it('invoice items by invoice ids: invoice_id:=a,b,c in batches of 100', async () => {
    const seen: string[][] = [];
    server.use(mswHttp.get(`${BASE}/invoice_items`, ({ request }) => (seen.push(new URL(request.url).searchParams.getAll('q[]')), HttpResponse.json(envelope('invoice_items', [{ id: String(seen.length), quantity: 1, total_including_tax: 11, ...ts }])))));
    const ids = Array.from({ length: 201 }, (_, i) => String(1000 + i));
    const items = await makeClient().invoiceItems.list({ invoiceIds: ids, includeDeleted: true }).toArray();
    expect(seen).toHaveLength(3);
    expect(seen[0]?.[0]).toBe(`invoice_id:=${ids.slice(0, 100).join(',')}`);
    expect(seen[2]).toEqual(['invoice_id:=1200', 'deleted_at:*']);
    expect(items.map((i) => i.quantity)).toEqual(['1', '1', '1']);
    expect(items[0]?.total_including_tax).toBe('11');
  });

  it('practitioners with includeInactive read /practitioners then /practitioners/inactive', async () => {
    server.use(
      mswHttp.get(`${BASE}/practitioners`, () => HttpResponse.json(envelope('practitioners', [{ id: '1', active: true, ...ts }]))),
      mswHttp.get(`${BASE}/practitioners/inactive`, () => HttpResponse.json(envelope('practitioners', [{ id: '2', active: false, ...ts }]))),
    );
    const all = await makeClient().practitioners.list({ includeInactive: true }).toArray();
    expect(all.map((p) => [p.id, p.active])).toEqual([['1', true], ['2', false]]);
  });

  it('users, businesses, taxes and settings', async () => {
    server.use(
      mswHttp.get(`${BASE}/users`, () => HttpResponse.json(envelope('users', [{ id: '1', email: 'a@b.co', ...ts }]))),
      mswHttp.get(`${BASE}/users/1`, () => HttpResponse.json({ id: '1', ...ts })),
      mswHttp.get(`${BASE}/businesses`, () => HttpResponse.json(envelope('businesses', [{ id: '3', time_zone_identifier: 'Australia/Perth', ...ts }]))),
      mswHttp.get(`${BASE}/taxes`, () => HttpResponse.json(envelope('taxes', [{ id: '4', name: 'GST', rate: '10.0', ...ts }]))),
      mswHttp.get(`${BASE}/settings`, () => HttpResponse.json({ account: { country_code: 'AU' } })),
    );
    const c = makeClient();
    expect((await c.users.list().toArray())[0]?.email).toBe('a@b.co');
    expect((await c.users.retrieve('1')).id).toBe('1');
    expect((await c.businesses.list().toArray())[0]?.time_zone_identifier).toBe('Australia/Perth');
    expect((await c.taxes.list().toArray())[0]?.rate).toBe('10.0');
    expect((await c.settings.retrieve()).account?.country_code).toBe('AU');
    expect(c.stats.requests).toBe(5);
  });
});
