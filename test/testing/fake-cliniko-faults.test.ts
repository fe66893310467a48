import { afterEach, describe, expect, it } from 'vitest';
import { startFakeCliniko, type FakeCliniko } from 'cliniko-tradify/testing';
import { call, json, q, rows, type Envelope } from './fake-cliniko-helpers.js';

const T0 = Date.UTC(2025, 0, 2, 3, 0, 0);
const started: FakeCliniko[] = [];

async function start(options: Parameters<typeof startFakeCliniko>[0]): Promise<FakeCliniko> {
  const fc = await startFakeCliniko({ patients: 30, invoices: 10, now: () => T0, ...options });
  started.push(fc);
  return fc;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((fc) => fc.close()));
});

describe('rate limit', () => {
  it('allows perMinute requests per fixed 60 s window, then 429 with X-RateLimit-Reset at the window end', async () => {
    const fc = await start({ rateLimit: { perMinute: 3 } });
    fc.clock.set(T0 + 500);
    for (let i = 0; i < 3; i += 1) expect((await call(fc, '/user')).status).toBe(200);
    fc.clock.advance(59_000);
    const limited = await call(fc, '/user');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-reset')).toBe(String(Math.ceil((T0 + 500 + 60_000) / 1000)));
    expect(await limited.json()).toEqual({ message: 'Too many requests' });
    expect(limited.headers.get('date')).toBe(new Date(T0 + 59_500).toUTCString());
    fc.clock.advance(999);
    expect((await call(fc, '/user')).status).toBe(429);
    fc.clock.advance(1);
    expect((await call(fc, '/user')).status).toBe(200);
  });

  it('counts the key with and without its suffix as one key', async () => {
    const fc = await start({ rateLimit: { perMinute: 2 } });
    await call(fc, '/user');
    await call(fc, '/user', { key: fc.apiKey.replace(/-au1$/, '') });
    expect((await call(fc, '/user')).status).toBe(429);
  });

  it('defaults to 200 per minute', async () => {
    const fc = await start({});
    const statuses = await Promise.all(Array.from({ length: 201 }, () => call(fc, '/settings').then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(200);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
  });

  it('offers a sliding window that frees one slot as each old request ages out', async () => {
    const fc = await start({ rateLimit: { perMinute: 2, window: 'sliding' } });
    await call(fc, '/user');
    fc.clock.advance(30_000);
    await call(fc, '/user');
    fc.clock.advance(29_000);
    const limited = await call(fc, '/user');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-reset')).toBe(String((T0 + 60_000) / 1000));
    fc.clock.advance(1_000);
    expect((await call(fc, '/user')).status).toBe(200);
    expect((await call(fc, '/user')).status).toBe(429);
  });
});

describe('faults set while running', () => {
  it('answers a 5xx every Nth request, up to a limit, then recovers when cleared', async () => {
    const fc = await start({ rateLimit: false });
    fc.faults.set({ serverError: { every: 2, status: 503, limit: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await call(fc, '/user')).status);
    expect(statuses).toEqual([200, 503, 200, 503, 200, 200]);
    fc.faults.set({ serverError: { every: 1 } });
    expect((await call(fc, '/user')).status).toBe(500);
    fc.faults.clear();
    expect((await call(fc, '/user')).status).toBe(200);
  });

  it('drops the connection every Nth request and logs it with status 0', async () => {
    const fc = await start({ rateLimit: false });
    fc.faults.set({ dropConnection: { every: 2 } });
    await expect(call(fc, '/user')).resolves.toHaveProperty('status', 200);
    await expect(call(fc, '/user')).rejects.toThrow();
    expect(fc.requests.map((r) => r.status)).toEqual([200, 0]);
  });

  it('sends a truncated JSON body', async () => {
    const fc = await start({ rateLimit: false });
    fc.faults.set({ malformedJson: { every: 1, match: (r) => r.path === '/v1/patients' } });
    const broken = await call(fc, '/patients');
    expect(broken.status).toBe(200);
    expect(broken.headers.get('content-type')).toMatch(/application\/json/);
    await expect(broken.json()).rejects.toThrow();
    expect((await call(fc, '/user')).status).toBe(200);
  });

  it('sends an HTML 504 gateway page', async () => {
    const fc = await start({ rateLimit: false });
    fc.faults.set({ html504: { every: 1, limit: 1 } });
    const res = await call(fc, '/patients');
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toContain('<h1>504 Gateway Time-out</h1>');
    expect((await call(fc, '/patients')).status).toBe(200);
  });

  it('waits the configured latency plus fault latency through the injected sleep', async () => {
    const waits: number[] = [];
    const fc = await start({ rateLimit: false, latencyMs: 30, sleep: async (ms) => { waits.push(ms); } });
    await call(fc, '/user');
    fc.faults.set({ latencyMs: 200 });
    await call(fc, '/user');
    expect(waits).toEqual([30, 230]);
  });

  it('lets a hook edit rows between two page reads, so page-number readers skip a row', async () => {
    const fc = await start({ rateLimit: false });
    const firstPage = rows(await json<Envelope>(fc, '/patients?per_page=5'), 'patients').map((p) => p.id as string);
    const served: string[][] = [];
    fc.faults.set({
      beforeList: ({ resource, page }) => {
        if (resource === 'patients' && page === 2) fc.db.patients.archive(firstPage[0] ?? '');
      },
      onPageServed: ({ ids }) => { served.push(ids); },
    });
    const visibleBefore = fc.db.patients.all().filter((p) => p.archived_at === null || p.id === firstPage[0]).map((p) => p.id);
    const secondPage = rows(await json<Envelope>(fc, '/patients?per_page=5&page=2'), 'patients').map((p) => p.id as string);
    expect(served).toEqual([secondPage]);
    // The row that was 6th moved onto page 1, which was already read: a page-number reader misses it.
    expect(secondPage[0]).toBe(visibleBefore[6]);
    expect([...firstPage, ...secondPage]).not.toContain(visibleBefore[5]);
  });

  it('bumps updated_at from the server clock on data-API writes, visible to keyset filters', async () => {
    const fc = await start({ rateLimit: false });
    const invoice = fc.db.invoices.all()[0];
    fc.clock.set(Date.UTC(2026, 0, 1));
    fc.db.invoices.update(invoice?.id ?? '', { notes: 'edited' });
    fc.db.invoices.delete(fc.db.invoices.all()[1]?.id ?? '');
    const changed = await json<Envelope>(fc, `/invoices?${q('updated_at:>=2026-01-01T00:00:00Z', 'deleted_at:*')}`);
    expect(rows(changed, 'invoices').map((i) => [i.id, i.notes ?? null, i.deleted_at])).toEqual([
      [invoice?.id, 'edited', null],
      [fc.db.invoices.all()[1]?.id, fc.db.invoices.all()[1]?.notes ?? null, '2026-01-01T00:00:00Z'],
    ]);
  });
});

describe('lifecycle', () => {
  it('refuses to start on an aborted signal and closes when the signal aborts later', async () => {
    await expect(startFakeCliniko({ patients: 1, invoices: 0, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'aborted' });
    const controller = new AbortController();
    const fc = await start({ signal: controller.signal });
    expect((await call(fc, '/user')).status).toBe(200);
    controller.abort();
    await new Promise((resolve) => setImmediate(resolve));
    await expect(call(fc, '/user')).rejects.toThrow();
  });

  it('plays another shard when asked, refusing au1 keys', async () => {
    const fc = await start({ shard: 'uk2' });
    expect(fc.apiKey).toMatch(/-uk2$/);
    expect((await call(fc, '/user')).status).toBe(200);
    expect((await call(fc, '/user', { key: fc.apiKey.replace(/-uk2$/, '-au1') })).status).toBe(401);
  });
});

describe('data API', () => {
  it('recalculates an invoice from its live items in exact decimals', async () => {
    const fc = await start({ rateLimit: false });
    const invoice = fc.db.invoices.all().find((i) => i.deleted_at === null) ?? fc.db.invoices.all()[0]!;
    const [first] = fc.db.invoiceItems.all().filter((i) => i.invoice_id === invoice.id && i.deleted_at === null);
    for (const item of fc.db.invoiceItems.all().filter((i) => i.invoice_id === invoice.id && i.id !== first?.id)) fc.db.invoiceItems.delete(item.id);
    fc.db.invoiceItems.update(first?.id ?? '', { net_price: '0.1', total_including_tax: 0.11, discounted_amount: '0.2' });
    fc.db.invoiceItems.insert({ invoice_id: invoice.id, net_price: '0.2', total_including_tax: '0.22', discounted_amount: '0.0' });
    fc.clock.set(Date.UTC(2026, 1, 2));
    const updated = fc.db.invoices.recalculate(invoice.id);
    expect([updated.net_amount, updated.tax_amount, updated.total_amount, updated.discounted_amount]).toEqual(['0.3', '0.03', '0.33', '0.2']);
    expect(updated.updated_at).toBe('2026-02-02T00:00:00Z');
  });

  it('inserts rows with fresh larger ids and merges patients', async () => {
    const fc = await start({ rateLimit: false });
    const [a, b] = fc.db.patients.all().filter((p) => p.archived_at === null);
    const inserted = fc.db.patients.insert({ first_name: 'New', last_name: 'Person' });
    expect(BigInt(inserted.id) > BigInt(fc.db.patients.all()[fc.db.patients.all().length - 2]!.id)).toBe(true);
    expect(inserted.created_at).toBe('2025-01-02T03:00:00Z');
    const merged = fc.db.patients.merge(a!.id, b!.id);
    expect([merged.merged_with_patient_id, merged.archived_at !== null, merged.merged_at]).toEqual([b!.id, true, '2025-01-02T03:00:00Z']);
    const shown = await json(fc, `/patients/${a!.id}?${q('archived_at:*')}`);
    expect(shown.merged_with_patient).toEqual({ links: { self: `${fc.url}/patients/${b!.id}` } });
  });
});

describe('request log', () => {
  it('records method, path, parsed query, status and server time, never headers', async () => {
    const fc = await start({ rateLimit: false });
    await call(fc, `/patients?${q('archived_at:*', 'id:>1')}&per_page=10`);
    await call(fc, '/patients', { key: 'wrong' });
    expect(fc.requests).toEqual([
      { method: 'GET', path: '/v1/patients', query: { 'q[]': ['archived_at:*', 'id:>1'], per_page: '10' }, status: 200, at: T0 },
      { method: 'GET', path: '/v1/patients', query: {}, status: 401, at: T0 },
    ]);
    expect(JSON.stringify(fc.requests)).not.toContain(fc.apiKey.slice(0, 12));
  });
});
