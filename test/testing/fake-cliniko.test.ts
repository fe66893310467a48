import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCliniko, type FakeCliniko } from 'cliniko-tradify/testing';
import { bigIntAscending, call, json, q, rows, type Envelope } from './fake-cliniko-helpers.js';

const NOW = Date.UTC(2025, 6, 1, 3, 4, 5);
let fc: FakeCliniko;

beforeAll(async () => {
  fc = await startFakeCliniko({ seed: 7, patients: 240, invoices: 300, now: () => NOW, rateLimit: false });
});
afterAll(() => fc.close());

const visiblePatients = () => fc.db.patients.all().filter((p) => p.archived_at === null);

describe('auth and user agent', () => {
  it('listens on loopback under /v1 and accepts the key with or without its shard suffix', async () => {
    expect(fc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(fc.apiKey).toMatch(/-au1$/);
    expect((await call(fc, '/user')).status).toBe(200);
    expect((await call(fc, '/user', { key: fc.apiKey.replace(/-au1$/, '') })).status).toBe(200);
  });

  it.each([
    ['a wrong shard suffix', (key: string) => key.replace(/-au1$/, '-uk2'), ''],
    ['a wrong key body', (key: string) => `X${key}`, ''],
    ['a non-empty password', (key: string) => key, 'secret'],
  ])('answers a plain-text 401 for %s', async (_label, mutate, password) => {
    const res = await call(fc, '/patients', { key: mutate(fc.apiKey), password });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await res.text()).trim()).toBe('HTTP Basic: Access denied.');
  });

  it('answers 401 without an Authorization header', async () => {
    const res = await fetch(`${fc.url}/patients`, { headers: { 'user-agent': 'A (a@b.co)' } });
    expect(res.status).toBe(401);
  });

  it.each([[null], ['MCP-Cliniko/1.0'], ['App (not-an-email)']])('refuses the user agent %s', async (userAgent) => {
    const res = await call(fc, '/patients', { userAgent });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('Requires a user agent');
  });

  it('uses the configured status for a missing user agent', async () => {
    const other = await startFakeCliniko({ patients: 1, invoices: 0, userAgentStatus: 400 });
    try {
      expect((await call(other, '/patients', { userAgent: 'curl/8' })).status).toBe(400);
    } finally {
      await other.close();
    }
  });

  it('stamps every response with the server clock in the Date header', async () => {
    const res = await call(fc, '/patients', { key: 'nope' });
    expect(res.headers.get('date')).toBe(new Date(NOW).toUTCString());
  });
});

describe('list envelopes and pagination', () => {
  it('defaults to 50 per page and counts every matching row', async () => {
    const page = await json<Envelope>(fc, '/patients');
    expect(rows(page, 'patients')).toHaveLength(50);
    expect(page.total_entries).toBe(visiblePatients().length);
    expect(page.links.self).toBe(`${fc.url}/patients?page=1`);
    expect(page.links.next).toBe(`${fc.url}/patients?page=2`);
    expect(page.links.previous).toBeUndefined();
  });

  it('keeps every other query parameter in absolute links and reaches each row once', async () => {
    const filter = q('created_at:>=2023-01-01T00:00:00Z');
    let next: string | undefined = `${fc.url}/patients?${filter}&per_page=30&sort=id`;
    const seen: string[] = [];
    let pages = 0;
    while (next) {
      const res = await call(fc, next);
      const page = (await res.json()) as Envelope;
      seen.push(...rows(page, 'patients').map((p) => p.id as string));
      if (pages > 0) expect(page.links.previous).toContain(`page=${pages}`);
      next = page.links.next;
      if (next) {
        const url = new URL(next);
        expect(url.origin + url.pathname).toBe(`${fc.url}/patients`);
        expect(url.searchParams.getAll('q[]')).toEqual(['created_at:>=2023-01-01T00:00:00Z']);
        expect(url.searchParams.get('per_page')).toBe('30');
        expect(url.searchParams.get('sort')).toBe('id');
      }
      pages += 1;
    }
    expect(seen).toHaveLength(visiblePatients().length);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(visiblePatients().length / 30));
  });

  it('answers an empty page past the end with the total unchanged', async () => {
    const page = await json<Envelope>(fc, '/patients?page=99&per_page=100');
    expect(rows(page, 'patients')).toEqual([]);
    expect(page.total_entries).toBe(visiblePatients().length);
    expect(page.links.next).toBeUndefined();
    expect(page.links.previous).toContain('page=98');
  });

  it('clamps per_page above 100, or refuses it when configured', async () => {
    expect(rows(await json<Envelope>(fc, '/patients?per_page=150'), 'patients')).toHaveLength(100);
    const strict = await startFakeCliniko({ patients: 5, invoices: 0, perPageOver100: 'error' });
    try {
      expect((await call(strict, '/patients?per_page=101')).status).toBe(400);
      expect((await call(strict, '/patients?per_page=100')).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('filters', () => {
  it('refuses a column outside the endpoint whitelist with Cliniko’s 400', async () => {
    for (const path of [`/patients?${q('patient_phone_numbers:~0412')}`, `/users?${q('email:=a@b.co')}`, `/patients/${visiblePatients()[0]?.id}?${q('updated_at:*')}`]) {
      const res = await call(fc, path);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: 'This column is not searchable.' });
    }
  });

  it('refuses a non-numeric value on a numeric field and = on a DateTime', async () => {
    const res = await call(fc, `/invoices?${q('status:=open')}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'Filter value for status must be a number' });
    expect((await call(fc, `/patients?${q('updated_at:=2024-01-01T00:00:00Z')}`)).status).toBe(400);
  });

  it('takes comma lists on numeric = and compares ids as integers', async () => {
    const [a, b] = visiblePatients().slice(3, 5);
    const page = await json<Envelope>(fc, `/patients?${q(`id:=${a?.id},${b?.id}`)}`);
    expect(rows(page, 'patients').map((p) => p.id).sort()).toEqual([a?.id, b?.id].sort());
    const threshold = visiblePatients()[100]?.id ?? '';
    const above = await json<Envelope>(fc, `/patients?${q(`id:>${threshold}`)}&per_page=100`);
    expect(above.total_entries).toBe(visiblePatients().filter((p) => BigInt(p.id) > BigInt(threshold)).length);
  });

  it('applies the * wildcard of dates, ~ contains, ~~ with % and the bare q parameter', async () => {
    const may = await json<Envelope>(fc, `/patients?${q('date_of_birth:=****-05-**')}&per_page=100`);
    expect(may.total_entries).toBe(visiblePatients().filter((p) => p.date_of_birth?.slice(5, 7) === '05').length);
    expect(may.total_entries).toBeGreaterThan(0);
    const apostrophe = await json<Envelope>(fc, `/patients?${q("last_name:~o'")}&per_page=100`);
    expect(apostrophe.total_entries).toBe(visiblePatients().filter((p) => p.last_name.toLowerCase().includes("o'")).length);
    expect(apostrophe.total_entries).toBeGreaterThan(0);
    const like = await json<Envelope>(fc, `/patients?${q('last_name:~~o%n%')}&per_page=100`);
    expect(like.total_entries).toBe(visiblePatients().filter((p) => /^o.*n.*$/is.test(p.last_name)).length);
    const bare = await json<Envelope>(fc, `/patients?q=${encodeURIComponent('accepted_privacy_policy:=true')}`);
    expect(bare.total_entries).toBe(visiblePatients().filter((p) => p.accepted_privacy_policy === true).length);
  });

  it('filters DateTime with > and integer status lists on invoices', async () => {
    const cut = '2024-06-01T00:00:00Z';
    const live = fc.db.invoices.all().filter((i) => i.archived_at === null && i.deleted_at === null);
    const recent = await json<Envelope>(fc, `/invoices?${q(`updated_at:>${cut}`)}`);
    expect(recent.total_entries).toBe(live.filter((i) => i.updated_at > cut).length);
    const openish = await json<Envelope>(fc, `/invoices?${q('status:=10,40')}`);
    expect(openish.total_entries).toBe(live.filter((i) => i.status === 10 || i.status === 40).length);
  });
});

describe('archived and deleted rows', () => {
  const archived = () => fc.db.patients.all().find((p) => p.archived_at !== null && p.merged_at === null);

  it('hides archived patients unless an archived_at filter is present', async () => {
    const all = fc.db.patients.all();
    expect((await json<Envelope>(fc, '/patients')).total_entries).toBe(visiblePatients().length);
    expect((await json<Envelope>(fc, `/patients?${q('archived_at:*')}`)).total_entries).toBe(all.length);
    expect((await json<Envelope>(fc, `/patients?${q('archived_at:?')}`)).total_entries).toBe(all.length - visiblePatients().length);
  });

  it('answers 404 for an archived patient by id unless archived_at:* is asked', async () => {
    const id = archived()?.id ?? '';
    expect((await call(fc, `/patients/${id}`)).status).toBe(404);
    const found = await json(fc, `/patients/${id}?${q('archived_at:*')}`);
    expect(found.id).toBe(id);
  });

  it('hides deleted invoices and items unless a deleted_at filter is present', async () => {
    const deleted = fc.db.invoices.all().find((i) => i.deleted_at !== null);
    expect(deleted).toBeDefined();
    const byId = q(`id:=${deleted?.id}`);
    expect((await json<Envelope>(fc, `/invoices?${byId}`)).total_entries).toBe(0);
    expect((await json<Envelope>(fc, `/invoices?${byId}&${q('deleted_at:*')}`)).total_entries).toBe(1);
    expect((await call(fc, `/invoices/${deleted?.id}`)).status).toBe(404);
    expect((await call(fc, `/invoices/${deleted?.id}?${q('deleted_at:*')}`)).status).toBe(200);
    const items = q(`invoice_id:=${deleted?.id}`);
    const hidden = await json<Envelope>(fc, `/invoice_items?${items}`);
    const shown = await json<Envelope>(fc, `/invoice_items?${items}&${q('deleted_at:*')}`);
    expect(hidden.total_entries).toBe(0);
    expect(shown.total_entries).toBe(fc.db.invoiceItems.all().filter((it) => it.invoice_id === deleted?.id).length);
  });
});

describe('sorting', () => {
  it('defaults to created_at ascending', async () => {
    const page = rows(await json<Envelope>(fc, '/patients?per_page=100'), 'patients');
    const created = page.map((p) => p.created_at as string);
    expect(created).toEqual([...created].sort());
  });

  it('sorts ids as integers, not text, across 18- and 19-digit ids', async () => {
    const lengths = new Set(fc.db.patients.all().map((p) => p.id.length));
    expect(lengths).toEqual(new Set([18, 19]));
    const ids = rows(await json<Envelope>(fc, `/patients?sort=id&per_page=100&page=2&${q('archived_at:*')}`), 'patients').map((p) => p.id as string);
    expect(bigIntAscending(ids)).toBe(true);
    expect(ids).not.toEqual([...ids].sort());
  });

  it('sorts by updated_at,id and by a descending column', async () => {
    const page = rows(await json<Envelope>(fc, `/patients?sort=updated_at,id&per_page=100&${q('archived_at:*')}`), 'patients');
    for (let i = 1; i < page.length; i += 1) {
      const [prev, cur] = [page[i - 1] ?? {}, page[i] ?? {}];
      const order = (prev.updated_at as string).localeCompare(cur.updated_at as string);
      expect(order < 0 || (order === 0 && BigInt(prev.id as string) < BigInt(cur.id as string))).toBe(true);
    }
    const desc = rows(await json<Envelope>(fc, '/invoices?sort=number:desc&per_page=10'), 'invoices').map((i) => i.number as number);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    const deprecated = rows(await json<Envelope>(fc, '/invoices?sort=number&order=desc&per_page=10'), 'invoices').map((i) => i.number);
    expect(deprecated).toEqual(desc);
  });
});

describe('keyset reads', () => {
  it('returns exactly the rows at or after an updated_at bound, in updated_at,id order, fractions rounded inward', async () => {
    const all = fc.db.patients.all();
    const bound = [...all].sort((a, b) => a.updated_at.localeCompare(b.updated_at))[150]?.updated_at ?? '';
    const expected = all
      .filter((p) => p.updated_at >= bound)
      .sort((a, b) => a.updated_at.localeCompare(b.updated_at) || (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
      .map((p) => p.id);
    const page = await json<Envelope>(fc, `/patients?${q(`updated_at:>=${bound}`, 'archived_at:*')}&sort=updated_at,id&per_page=100`);
    expect(page.total_entries).toBe(expected.length);
    expect(rows(page, 'patients').map((p) => p.id)).toEqual(expected.slice(0, 100));
    const fractional = await json<Envelope>(fc, `/patients?${q(`updated_at:>${bound.replace('Z', '.5Z')}`, 'archived_at:*')}&sort=updated_at,id&per_page=100`);
    expect(fractional.total_entries).toBe(all.filter((p) => p.updated_at > bound).length);
  });

  it('serves later pages from a cache that a write invalidates', async () => {
    const path = `/patients?sort=updated_at,id&per_page=20&page=2&${q('archived_at:*')}`;
    const before = rows(await json<Envelope>(fc, path), 'patients');
    const target = before[0]?.id as string;
    const original = fc.db.patients.get(target).updated_at;
    fc.db.patients.update(target, { updated_at: '2030-01-01T00:00:00Z' });
    try {
      const after = rows(await json<Envelope>(fc, path), 'patients').map((p) => p.id);
      expect(after).not.toContain(target);
      expect(after[0]).toBe(before[1]?.id);
    } finally {
      fc.db.patients.update(target, { updated_at: original });
    }
  });
});

describe('record shapes', () => {
  it('renders absolute links on the fake host, merged patients and link-less invoices', async () => {
    const merged = fc.db.patients.all().find((p) => p.merged_at !== null);
    const patient = await json(fc, `/patients/${merged?.id}?${q('archived_at:*')}`);
    expect(patient.merged_with_patient).toEqual({ links: { self: `${fc.url}/patients/${merged?.merged_with_patient_id}` } });
    expect(patient.links).toEqual({ self: `${fc.url}/patients/${merged?.id}` });
    const bare = fc.db.invoices.all().find((i) => i.practitioner_id === null && i.deleted_at === null && i.archived_at === null);
    const invoice = await json(fc, `/invoices/${bare?.id}`);
    expect(invoice).not.toHaveProperty('practitioner');
    expect(invoice).not.toHaveProperty('appointment');
    expect(invoice.patient).toEqual({ links: { self: `${fc.url}/patients/${bare?.patient_id}` } });
    expect(typeof invoice.total_amount).toBe('string');
  });

  it('serves users, the key owner, active and inactive practitioners, businesses, taxes and settings', async () => {
    const me = await json(fc, '/user');
    expect(me.id).toBe(fc.db.ownerUserId);
    const active = rows(await json<Envelope>(fc, '/practitioners'), 'practitioners');
    const inactive = rows(await json<Envelope>(fc, '/practitioners/inactive'), 'practitioners');
    expect(active.every((p) => p.active === true) && inactive.every((p) => p.active === false)).toBe(true);
    expect(active.length + inactive.length).toBe(fc.db.practitioners.all().length);
    const user = await json(fc, String((active[0]?.user as { links: { self: string } }).links.self).replace(fc.url, ''));
    expect(user.email).toMatch(/@/);
    const business = rows(await json<Envelope>(fc, '/businesses'), 'businesses')[0];
    expect(business?.time_zone_identifier).toBe('Australia/Sydney');
    const taxes = rows(await json<Envelope>(fc, '/taxes'), 'taxes').map((t) => [t.name, t.rate]);
    expect(taxes).toEqual([['GST', '10.0'], ['GST Free', '0.0']]);
    expect((await json(fc, '/settings')).account).toMatchObject({ country_code: 'AU' });
  });
});

describe('writes', () => {
  it('creates a patient (201) and refuses blank names with a U+2019 422', async () => {
    const created = await call(fc, '/patients', { method: 'POST', body: { first_name: 'Ngaio', last_name: "O'Hara", email: 'ngaio@example.com' } });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(fc.db.patients.get(body.id as string).last_name).toBe("O'Hara");
    expect(body.created_at).toBe(new Date(NOW).toISOString().replace('.000', ''));
    const refused = await call(fc, '/patients', { method: 'POST', body: { first_name: '  ', email: 'x' } });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({
      message: 'Validation Failed',
      errors: { first_name: 'can\u2019t be blank', last_name: 'can\u2019t be blank', email: 'is invalid' },
    });
  });

  it('ignores a body not sent as JSON, as Cliniko does', async () => {
    const res = await call(fc, '/patients', { method: 'POST', body: { first_name: 'A', last_name: 'B' }, contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(422);
  });

  it('patches (200, updated_at from the server clock), archives (204), unarchives (200) and DELETE archives', async () => {
    const id = visiblePatients()[10]?.id ?? '';
    fc.clock.set(NOW + 5_000);
    try {
      const patched = await call(fc, `/patients/${id}`, { method: 'PATCH', body: { occupation: 'Chef', patient_phone_numbers: [{ phone_type: 'Mobile', number: '0412 000 111' }] } });
      expect(patched.status).toBe(200);
      const body = (await patched.json()) as Record<string, unknown>;
      expect(body.occupation).toBe('Chef');
      expect(body.updated_at).toBe('2025-07-01T03:04:10Z');
      expect(body.patient_phone_numbers).toEqual([{ phone_type: 'Mobile', number: '0412 000 111', normalized_number: '61412000111' }]);
      const archivedRes = await call(fc, `/patients/${id}/archive`, { method: 'POST' });
      expect(archivedRes.status).toBe(204);
      expect(await archivedRes.text()).toBe('');
      expect((await call(fc, `/patients/${id}`)).status).toBe(404);
      const unarchived = await call(fc, `/patients/${id}/unarchive`, { method: 'POST' });
      expect(unarchived.status).toBe(200);
      expect(((await unarchived.json()) as Record<string, unknown>).archived_at).toBeNull();
      expect((await call(fc, `/patients/${id}`, { method: 'DELETE' })).status).toBe(204);
      expect(fc.db.patients.get(id).archived_at).toBe('2025-07-01T03:04:10Z');
    } finally {
      fc.db.patients.unarchive(id);
      fc.clock.set(NOW);
    }
  });

  it('answers 405 to writes on read-only resources and 404 to unknown routes', async () => {
    const invoice = fc.db.invoices.all()[0]?.id ?? '';
    expect((await call(fc, '/invoices', { method: 'POST', body: {} })).status).toBe(405);
    expect((await call(fc, `/invoices/${invoice}`, { method: 'PATCH', body: {} })).status).toBe(405);
    expect((await call(fc, `/invoice_items`, { method: 'DELETE' })).status).toBe(405);
    expect((await call(fc, '/payments')).status).toBe(404);
  });
});
