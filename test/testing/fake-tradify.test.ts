import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTradify, type FakeTradify, type FakeTradifyOptions } from 'cliniko-tradify/testing';
import { tradifyHandlers } from 'cliniko-tradify/testing/msw';

interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const open: FakeTradify[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((ft) => ft.close()));
});

async function start(options: FakeTradifyOptions = {}): Promise<FakeTradify> {
  const ft = await startFakeTradify(options);
  open.push(ft);
  return ft;
}

function caller(base: { url: string; apiKey: string }) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(`${base.url}${path}`, {
      method,
      headers: { 'X-Api-Key': base.apiKey, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
}

/** A fake with a controllable clock and one customer. */
async function withCustomer(options: FakeTradifyOptions = {}) {
  const ft = await start({ rateLimit: false, ...options });
  const call = caller(ft);
  const customer = (await call('POST', '/customers', { name: 'Jo Patient', externalReference: 'cliniko:patient:1' })).body.data;
  return { ft, call, customer };
}

function line(unitPrice: string, extra: Record<string, unknown> = {}) {
  return { description: 'Consultation', quantity: '1', unitPrice, ...extra };
}

async function invoice(call: ReturnType<typeof caller>, customerId: string, lineItems: unknown[], extra: Record<string, unknown> = {}) {
  return call('POST', '/invoices', { customerId, invoiceDate: '2026-03-02', dueDate: '2026-03-16', lineItems, ...extra });
}

describe('auth, errors and envelopes', () => {
  it('refuses a missing or wrong key with 401 and the contract error body, and accepts a bearer token', async () => {
    const ft = await start({ apiKey: 'canary-key-123' });
    const missing = await fetch(`${ft.url}/staff`);
    const body = (await missing.json()) as { error: { code: string; details: unknown[] }; requestId: string };
    expect(missing.status).toBe(401);
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.details).toEqual([]);
    expect(body.requestId).toBe(missing.headers.get('x-request-id'));
    expect((await fetch(`${ft.url}/staff`, { headers: { 'X-Api-Key': 'wrong' } })).status).toBe(401);
    const bearer = await fetch(`${ft.url}/staff`, { headers: { Authorization: 'Bearer canary-key-123' } });
    expect(bearer.status).toBe(200);
    expect(JSON.stringify(ft.requests)).not.toContain('canary-key-123');
  });

  it('answers unknown paths 404, wrong methods 405, unknown query parameters and bad JSON 400', async () => {
    const ft = await start();
    const call = caller(ft);
    expect((await call('GET', '/jobs')).body.error.code).toBe('not_found');
    expect((await call('PUT', '/customers')).status).toBe(405);
    expect((await call('GET', '/customers?name=x')).body.error).toMatchObject({ code: 'bad_request', details: [{ field: 'name' }] });
    expect((await call('POST', '/customers', '{nope')).status).toBe(400);
    expect((await call('GET', '/customers/cus_missing')).status).toBe(404);
  });

  it('lists staff (two sharing an email, one inactive) and the tax rates, with the optional second 0 % rate', async () => {
    const ft = await start();
    const staff = (await caller(ft)('GET', '/staff')).body.data as Array<{ id: string; email: string; active: boolean }>;
    expect(staff.every((s) => typeof s.id === 'string' && s.id.startsWith('stf_'))).toBe(true);
    const emails = staff.map((s) => s.email);
    expect(emails.length - new Set(emails).size).toBe(1);
    expect(staff.filter((s) => !s.active)).toHaveLength(1);
    const rates = (await caller(ft)('GET', '/tax-rates')).body.data;
    expect(rates).toEqual([
      { id: 'tax_gst', name: 'GST', rate: 10, isDefault: true, isNoTax: false, active: true },
      { id: 'tax_gst_free', name: 'GST Free', rate: 0, isDefault: false, isNoTax: true, active: true },
    ]);
    const extra = await start({ taxRates: { extraZeroRate: true } });
    const zeroRates = ((await caller(extra)('GET', '/tax-rates')).body.data as Array<{ rate: number; isNoTax: boolean }>).filter((r) => r.isNoTax);
    expect(zeroRates.map((r) => r.rate)).toEqual([0, 0]);
  });

  it('seeds trade customers without a cliniko reference, deterministically by seed', async () => {
    const a = await start({ seed: 7, customers: 3 });
    const b = await start({ seed: 7, customers: 3 });
    const listA = (await caller(a)('GET', '/customers')).body.data as Array<{ id: string; externalReference: string | null }>;
    const listB = (await caller(b)('GET', '/customers')).body.data as Array<{ id: string }>;
    expect(listA).toHaveLength(3);
    expect(listA.every((c) => c.externalReference === null)).toBe(true);
    expect(listA.map((c) => c.id)).toEqual(listB.map((c) => c.id));
  });
});

describe('customers', () => {
  it('creates with 201, omits a null ownerStaffId, and refuses a duplicate externalReference with existingId', async () => {
    const { call, customer } = await withCustomer();
    expect(customer.id).toMatch(/^cus_/);
    expect('ownerStaffId' in customer).toBe(false);
    expect(customer.active).toBe(true);
    const dup = await call('POST', '/customers', { name: 'Other', externalReference: 'cliniko:patient:1' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'conflict', details: [{ field: 'externalReference', existingId: customer.id }] });
  });

  it('validates name 1–100, unknown and read-only fields, and ownerStaffId against the staff', async () => {
    const { ft, call } = await withCustomer();
    const issues = async (body: unknown) => (await call('POST', '/customers', body)).body.error;
    expect(await issues({ name: '' })).toMatchObject({ code: 'validation_failed', details: [{ field: 'name', issue: 'required' }] });
    expect((await issues({ name: 'x'.repeat(101) })).details).toEqual([{ field: 'name', issue: 'too_long' }]);
    expect((await call('POST', '/customers', { name: 'x'.repeat(100) })).status).toBe(201);
    expect((await issues({ name: 'A', external_reference: 'x', id: 'cus_x' })).details).toEqual([
      { field: 'external_reference', issue: 'unknown_field' },
      { field: 'id', issue: 'read_only' },
    ]);
    expect((await issues({ name: 'A', ownerStaffId: 'stf_nobody' })).details).toEqual([{ field: 'ownerStaffId', issue: 'not_found' }]);
    const staffId = ft.state.staff.all()[0]?.id;
    const owned = await call('POST', '/customers', { name: 'Owned', ownerStaffId: staffId });
    expect(owned.body.data.ownerStaffId).toBe(staffId);
  });

  it('patches partially, bumping updatedAt from the server clock, and filters by updatedSince', async () => {
    let clock = Date.parse('2026-03-01T00:00:00Z');
    const { call, customer } = await withCustomer({ now: () => clock });
    clock += 60_000;
    const patched = (await call('PATCH', `/customers/${customer.id}`, { email: 'jo@example.com' })).body.data;
    expect(patched).toMatchObject({ name: 'Jo Patient', email: 'jo@example.com', updatedAt: '2026-03-01T00:01:00.000Z', createdAt: '2026-03-01T00:00:00.000Z' });
    expect((await call('GET', '/customers?updatedSince=2026-03-01T00:01:00Z')).body.data.map((c: { id: string }) => c.id)).toEqual([customer.id]);
    expect((await call('GET', '/customers?updatedSince=2026-03-01T00:01:01Z')).body.data).toEqual([]);
    expect((await call('GET', '/customers?updatedSince=yesterday')).status).toBe(400);
  });

  it('compares ?email= exactly by default and ignoring case as an option', async () => {
    for (const [emailMatch, expected] of [['exact', 0], ['case-insensitive', 1]] as const) {
      const { call } = await withCustomer({ emailMatch });
      await call('POST', '/customers', { name: 'Mixed', email: 'Jo.Smith@Example.com' });
      expect((await call('GET', '/customers?email=jo.smith%40example.com')).body.data).toHaveLength(expected);
      expect((await call('GET', '/customers?email=Jo.Smith%40Example.com')).body.data).toHaveLength(1);
    }
  });

  it('hides inactive customers unless includeInactive=true', async () => {
    const { call, customer } = await withCustomer();
    await call('PATCH', `/customers/${customer.id}`, { active: false });
    expect((await call('GET', '/customers?externalReference=cliniko%3Apatient%3A1')).body.data).toEqual([]);
    const all = (await call('GET', '/customers?externalReference=cliniko%3Apatient%3A1&includeInactive=true')).body.data;
    expect(all.map((c: { id: string; active: boolean }) => [c.id, c.active])).toEqual([[customer.id, false]]);
  });

  it('pages with an opaque cursor, stable when records are added while paging', async () => {
    const { call, customer } = await withCustomer();
    const created = [customer.id];
    for (let i = 0; i < 4; i++) created.push((await call('POST', '/customers', { name: `C${i}` })).body.data.id);
    const first = (await call('GET', '/customers?pageSize=2')).body;
    expect(first.paging.pageSize).toBe(2);
    expect(first.data.map((c: { id: string }) => c.id)).toEqual(created.slice(0, 2));
    await call('POST', '/customers', { name: 'Late' });
    const seen = [...first.data];
    let cursor: string | null = first.paging.nextCursor;
    while (cursor) {
      const next = (await call('GET', `/customers?pageSize=2&cursor=${encodeURIComponent(cursor)}`)).body;
      seen.push(...next.data);
      cursor = next.paging.nextCursor;
    }
    expect(seen.map((c) => c.id).slice(0, 5)).toEqual(created);
    expect(seen).toHaveLength(6);
    expect((await call('GET', '/customers')).body.paging).toEqual({ pageSize: 50, nextCursor: null });
    expect((await call('GET', '/customers?pageSize=201')).status).toBe(400);
    expect((await call('GET', '/customers?cursor=garbage')).status).toBe(400);
  });
});

describe('invoice arithmetic (docs/tradify-contract.md#arithmetic)', () => {
  async function lines(taxMode: string, items: unknown[], setup?: (ft: FakeTradify) => void) {
    const { ft, call, customer } = await withCustomer();
    setup?.(ft);
    const res = await invoice(call, customer.id, items, { taxMode });
    expect(res.status).toBe(201);
    return res.body.data;
  }

  it('exclusive: per-line tax rounded, then summed (3 × 33.33 = 99.99 → 10.00)', async () => {
    const inv = await lines('exclusive', [line('33.33', { quantity: '3' }), line('0.10'), line('0.20')]);
    expect(inv.lineItems.map((l: { amountExTax: string; taxAmount: string; amountIncTax: string }) => [l.amountExTax, l.taxAmount, l.amountIncTax])).toEqual([
      ['99.99', '10.00', '109.99'],
      ['0.10', '0.01', '0.11'],
      ['0.20', '0.02', '0.22'],
    ]);
    expect(inv).toMatchObject({ status: 'draft', subtotal: '100.29', totalTax: '10.03', total: '110.32', amountPaid: '0.00', amountCredited: '0.00', amountDue: '110.32' });
    expect(inv.lineItems[0]).toMatchObject({ quantity: '3.00', unitPrice: '33.33', discountPercent: '0.00', taxRateId: 'tax_gst', taxRatePercent: 10 });
  });

  it('the legacy Cliniko item: 100.00 less 18.1818 % → 81.82 + GST 8.18 = 90.00', async () => {
    const inv = await lines('exclusive', [line('100.00', { discountPercent: '18.1818' })]);
    expect(inv.lineItems[0]).toMatchObject({ discountPercent: '18.1818', amountExTax: '81.82', taxAmount: '8.18', amountIncTax: '90.00' });
  });

  it('exclusive half-cent tax rounds away from zero, negatives included', async () => {
    const inv = await lines('exclusive', [line('0.05'), line('-0.05'), line('0.15'), line('-0.15')]);
    expect(inv.lineItems.map((l: { taxAmount: string }) => l.taxAmount)).toEqual(['0.01', '-0.01', '0.02', '-0.02']);
    expect(inv.total).toBe('0.00');
  });

  it('a half-cent net (discount) rounds away from zero in both signs', async () => {
    const inv = await lines('no_tax', [line('0.01', { discountPercent: '50' }), line('-0.01', { discountPercent: 50 })]);
    expect(inv.lineItems.map((l: { amountExTax: string }) => l.amountExTax)).toEqual(['0.01', '-0.01']);
    expect(inv.lineItems.map((l: { taxAmount: string; taxRateId: null }) => [l.taxAmount, l.taxRateId])).toEqual([['0.00', null], ['0.00', null]]);
  });

  it('inclusive: 110.00 @ 10 % → tax 10.00, ex 100.00; a half cent at 20 % rounds away from zero', async () => {
    const inv = await lines('inclusive', [line('110.00'), line('0.03', { taxRateId: 'tax_vat' }), line('-0.03', { taxRateId: 'tax_vat' })], (ft) => {
      ft.state.taxRates.insert({ id: 'tax_vat', name: 'VAT', rate: 20, isDefault: false, isNoTax: false, active: true });
    });
    expect(inv.lineItems.map((l: { amountExTax: string; taxAmount: string; amountIncTax: string }) => [l.amountExTax, l.taxAmount, l.amountIncTax])).toEqual([
      ['100.00', '10.00', '110.00'],
      ['0.02', '0.01', '0.03'],
      ['-0.02', '-0.01', '-0.03'],
    ]);
    expect(inv).toMatchObject({ subtotal: '100.00', totalTax: '10.00', total: '110.00' });
  });

  it('takes the customer tax mode, then exclusive, when none is given; GST Free lines carry 0 tax', async () => {
    const { call } = await withCustomer();
    const inclusiveCustomer = (await call('POST', '/customers', { name: 'Inc', taxMode: 'inclusive' })).body.data;
    const inv = (await invoice(call, inclusiveCustomer.id, [line('11.00'), line('11.00', { taxRateId: 'tax_gst_free' })])).body.data;
    expect(inv.taxMode).toBe('inclusive');
    expect(inv.lineItems.map((l: { taxAmount: string }) => l.taxAmount)).toEqual(['1.00', '0.00']);
  });

  it('validates lines: description 1–200, 2-place money and quantity, discount 0–100 to 4 places, known tax rates', async () => {
    const { call, customer } = await withCustomer();
    const details = async (l: unknown) => (await invoice(call, customer.id, [l])).body.error?.details;
    expect(await details(line('1.00', { description: '' }))).toEqual([{ field: 'lineItems[0].description', issue: 'required' }]);
    expect(await details(line('1.00', { description: 'd'.repeat(201) }))).toEqual([{ field: 'lineItems[0].description', issue: 'too_long' }]);
    expect((await invoice(call, customer.id, [line('1.00', { description: 'd'.repeat(200) })])).status).toBe(201);
    expect(await details(line('1.005'))).toEqual([{ field: 'lineItems[0].unitPrice', issue: 'max_2_decimal_places' }]);
    expect(await details(line('1.00', { quantity: '0.125' }))).toEqual([{ field: 'lineItems[0].quantity', issue: 'max_2_decimal_places' }]);
    expect(await details(line('1.00', { quantity: 0.1 + 0.2 }))).toEqual([{ field: 'lineItems[0].quantity', issue: 'max_2_decimal_places' }]);
    expect(await details(line('1.00', { discountPercent: '10.12345' }))).toEqual([{ field: 'lineItems[0].discountPercent', issue: 'max_4_decimal_places' }]);
    expect(await details(line('1.00', { discountPercent: '100.0001' }))).toEqual([{ field: 'lineItems[0].discountPercent', issue: 'must_be_0_to_100' }]);
    expect(await details(line('1.00', { taxRateId: 'tax_nope' }))).toEqual([{ field: 'lineItems[0].taxRateId', issue: 'not_found' }]);
    expect(await details(line('1.00', { amountExTax: '1.00' }))).toEqual([{ field: 'lineItems[0].amountExTax', issue: 'read_only' }]);
    const bad = await call('POST', '/invoices', { customerId: 'cus_nope', invoiceDate: '2026-02-30', lineItems: [] });
    expect(bad.body.error.details).toEqual([{ field: 'customerId', issue: 'not_found' }, { field: 'invoiceDate', issue: 'must_be_date' }]);
  });
});

describe('invoice states (docs/tradify-contract.md#invoice-states-and-validation)', () => {
  it('edits and deletes drafts only; approve assigns a number; cancel only from approved, keeping externalReference', async () => {
    const { call, customer } = await withCustomer();
    const draft = (await invoice(call, customer.id, [line('100.00')], { externalReference: 'cliniko:invoice:9' })).body.data;
    expect(draft.invoiceNumber).toBeNull();
    const edited = await call('PATCH', `/invoices/${draft.id}`, { reference: 'Cliniko #9', lineItems: [line('50.00')] });
    expect(edited.body.data).toMatchObject({ reference: 'Cliniko #9', total: '55.00', externalReference: 'cliniko:invoice:9' });
    expect((await call('POST', `/invoices/${draft.id}/cancel`)).body.error).toMatchObject({ code: 'invalid_state', details: [{ issue: 'invalid_state' }] });
    const approved = (await call('POST', `/invoices/${draft.id}/approve`)).body.data;
    expect(approved).toMatchObject({ status: 'approved', invoiceNumber: 'INV-1001' });
    expect(approved.approvedAt).toEqual(expect.any(String));
    for (const [method, path] of [['PATCH', ''], ['DELETE', ''], ['POST', '/approve']] as const) {
      const res = await call(method, `/invoices/${draft.id}${path}`, method === 'PATCH' ? { reference: 'x' } : undefined);
      expect([res.status, res.body.error.code]).toEqual([409, 'invalid_state']);
    }
    const cancelled = (await call('POST', `/invoices/${draft.id}/cancel`)).body.data;
    expect(cancelled).toMatchObject({ status: 'cancelled', externalReference: 'cliniko:invoice:9' });
    expect((await call('POST', `/invoices/${draft.id}/approve`)).status).toBe(409);
    const dup = await invoice(call, customer.id, [line('1.00')], { externalReference: 'cliniko:invoice:9' });
    expect(dup.body.error.details[0].existingId).toBe(draft.id);
    const other = (await invoice(call, customer.id, [line('1.00')])).body.data;
    expect((await call('DELETE', `/invoices/${other.id}`)).status).toBe(204);
    expect((await call('GET', `/invoices/${other.id}`)).status).toBe(404);
  });

  it('payments: approved only, at most amountDue; paid when due reaches 0; deleting one reopens', async () => {
    const { call, customer } = await withCustomer();
    const inv = (await invoice(call, customer.id, [line('100.00')])).body.data;
    const pay = (amount: string) => call('POST', `/invoices/${inv.id}/payments`, { date: '2026-03-05', amount, method: 'card' });
    expect((await pay('10.00')).body.error.code).toBe('invalid_state');
    await call('POST', `/invoices/${inv.id}/approve`);
    expect((await pay('110.01')).body.error.details).toEqual([{ field: 'amount', issue: 'exceeds_amount_due' }]);
    expect((await pay('0')).body.error.details).toEqual([{ field: 'amount', issue: 'must_be_positive' }]);
    const first = (await pay('10.00')).body.data;
    expect(first).toEqual({ id: expect.stringMatching(/^pay_/), invoiceId: inv.id, date: '2026-03-05', amount: '10.00', method: 'card', reference: null, note: null });
    expect((await call('GET', `/invoices/${inv.id}`)).body.data).toMatchObject({ status: 'approved', amountPaid: '10.00', amountDue: '100.00' });
    const second = (await pay('100.00')).body.data;
    expect((await call('GET', `/invoices/${inv.id}`)).body.data).toMatchObject({ status: 'paid', amountDue: '0.00' });
    expect((await call('GET', `/invoices?status=paid`)).body.data.map((i: { id: string }) => i.id)).toEqual([inv.id]);
    expect((await call('POST', `/invoices/${inv.id}/cancel`)).status).toBe(409);
    expect((await call('GET', `/invoices/${inv.id}/payments`)).body.data.map((p: { id: string }) => p.id)).toEqual([first.id, second.id]);
    expect((await call('DELETE', `/invoices/${inv.id}/payments/${second.id}`)).status).toBe(204);
    expect((await call('GET', `/invoices/${inv.id}`)).body.data).toMatchObject({ status: 'approved', amountDue: '100.00' });
    expect((await call('DELETE', `/invoices/${inv.id}/payments/${second.id}`)).status).toBe(404);
  });

  it('filters invoices by customerId, status, externalReference and overdue', async () => {
    const clock = Date.parse('2026-04-01T00:00:00Z');
    const { call, customer } = await withCustomer({ now: () => clock });
    const a = (await invoice(call, customer.id, [line('1.00')], { externalReference: 'cliniko:invoice:1' })).body.data;
    const other = (await call('POST', '/customers', { name: 'Other' })).body.data;
    const b = (await invoice(call, other.id, [line('1.00')])).body.data;
    await call('POST', `/invoices/${b.id}/approve`);
    const ids = async (q: string) => (await call('GET', `/invoices?${q}`)).body.data.map((i: { id: string }) => i.id);
    expect(await ids(`customerId=${customer.id}`)).toEqual([a.id]);
    expect(await ids('status=draft')).toEqual([a.id]);
    expect(await ids('status=overdue')).toEqual([b.id]);
    expect(await ids('externalReference=cliniko%3Ainvoice%3A1')).toEqual([a.id]);
    expect((await call('GET', '/invoices?status=late')).status).toBe(400);
  });
});

describe('idempotency', () => {
  it('replays the first response for a repeated key, refuses a different body, and forgets after 24 h', async () => {
    let clock = Date.parse('2026-03-01T00:00:00Z');
    const { ft, call } = await withCustomer({ now: () => clock });
    const body = { name: 'Idem', externalReference: 'cliniko:patient:2' };
    const first = await call('POST', '/customers', body, { 'Idempotency-Key': 'k1' });
    const again = await call('POST', '/customers', body, { 'Idempotency-Key': 'k1' });
    expect([again.status, again.body]).toEqual([201, first.body]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(ft.state.customers.all().filter((c) => c.externalReference === 'cliniko:patient:2')).toHaveLength(1);
    const mismatch = await call('POST', '/customers', { ...body, name: 'Other' }, { 'Idempotency-Key': 'k1' });
    expect([mismatch.status, mismatch.body.error.code]).toEqual([422, 'idempotency_mismatch']);
    clock += 24 * 60 * 60 * 1000;
    const late = await call('POST', '/customers', body, { 'Idempotency-Key': 'k1' });
    expect(late.body.error.details[0].existingId).toBe(first.body.data.id);
    expect(ft.requests.filter((r) => r.idempotencyKey === 'k1')).toHaveLength(4);
  });
});

describe('rate limit', () => {
  it('allows perMinute requests per fixed 60 s window, then 429 with Retry-After', async () => {
    let clock = Date.parse('2026-03-01T00:00:15Z');
    const ft = await start({ rateLimit: { perMinute: 3 }, now: () => clock });
    const call = caller(ft);
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 3; i++) remaining.push((await call('GET', '/staff')).headers.get('x-ratelimit-remaining'));
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await call('GET', '/staff');
    expect([limited.status, limited.body.error.code]).toEqual([429, 'rate_limited']);
    expect(limited.headers.get('retry-after')).toBe('45');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('3');
    expect(limited.headers.get('x-ratelimit-reset')).toBe('45');
    clock += 45_000;
    expect((await call('GET', '/staff')).status).toBe(200);
  });
});

describe('faults', () => {
  it('answers every Nth request with a 5xx before applying it', async () => {
    const { ft, call } = await withCustomer();
    ft.faults.set({ serverErrorEvery: { every: 2, status: 502 } });
    expect((await call('POST', '/customers', { name: 'One' })).status).toBe(201);
    const failed = await call('POST', '/customers', { name: 'Two' });
    expect([failed.status, failed.body.error.code]).toEqual([502, 'server_error']);
    expect(ft.state.customers.all().map((c) => c.name)).toEqual(['Jo Patient', 'One']);
    ft.faults.clear();
    expect((await call('GET', '/staff')).status).toBe(200);
  });

  it("'after' applies the write and loses its answer; the retry with the same key is replayed", async () => {
    const { ft, call } = await withCustomer();
    ft.faults.set({ serverErrorEvery: { every: 1, when: 'after' } });
    const lost = await call('POST', '/customers', { name: 'Lost' }, { 'Idempotency-Key': 'k' });
    expect(lost.status).toBe(500);
    expect(ft.state.customers.all().map((c) => c.name)).toContain('Lost');
    ft.faults.clear();
    const retried = await call('POST', '/customers', { name: 'Lost' }, { 'Idempotency-Key': 'k' });
    expect(retried.status).toBe(201);
    expect(ft.state.customers.all().filter((c) => c.name === 'Lost')).toHaveLength(1);
  });

  it('drops every Nth connection without applying it', async () => {
    const { ft, call } = await withCustomer();
    ft.faults.set({ dropEvery: { every: 1 } });
    await expect(call('POST', '/customers', { name: 'Dropped' })).rejects.toThrow();
    expect(ft.state.customers.all().map((c) => c.name)).not.toContain('Dropped');
    expect(ft.requests.at(-1)?.status).toBe(0);
  });

  it('adds latency through the injected sleep', async () => {
    const waits: number[] = [];
    const ft = await start({ latencyMs: 5, sleep: async (ms) => void waits.push(ms) });
    await caller(ft)('GET', '/staff');
    ft.faults.set({ latencyMs: 250 });
    await caller(ft)('GET', '/staff');
    expect(waits).toEqual([5, 255]);
  });

  it('a down window answers 503 to everything until it ends', async () => {
    let clock = Date.parse('2026-03-01T00:00:00Z');
    const ft = await start({ now: () => clock });
    ft.faults.set({ down: { until: clock + 10_000 } });
    expect((await caller(ft)('GET', '/staff')).status).toBe(503);
    expect((await fetch(`${ft.url}/staff`)).status).toBe(503);
    clock += 10_000;
    expect((await caller(ft)('GET', '/staff')).status).toBe(200);
    ft.faults.set({ down: true });
    expect((await caller(ft)('GET', '/tax-rates')).status).toBe(503);
  });

  it('signals after the k-th applied write, with the write applied and its response not yet sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-tradify-'));
    const file = join(dir, 'signal');
    const seen: Array<{ k: number; inState: boolean; answered: boolean }> = [];
    let answered = false;
    const holder: { ft?: FakeTradify } = {};
    const ft = await start({
      rateLimit: false,
      signalAfterWrite: { k: 2, file },
      onWrite: (k, info) => void seen.push({ k, inState: holder.ft?.state.customers.has(info.id ?? '') ?? false, answered }),
    });
    holder.ft = ft;
    const call = caller(ft);
    await call('POST', '/customers', { name: 'One' });
    expect(existsSync(file)).toBe(false);
    await call('POST', '/customers', { name: '' }); // refused: not a write
    const pending = call('POST', '/customers', { name: 'Two' }).then((r) => ((answered = true), r));
    const second = (await pending).body.data;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ k: 2, method: 'POST', path: '/v1/customers', status: 201, id: second.id });
    expect(seen).toEqual([{ k: 1, inState: true, answered: false }, { k: 2, inState: true, answered: false }]);
  });
});

describe('msw parity', () => {
  it('the msw handlers answer exactly like the server on the same scenario', async () => {
    const clock = () => Date.parse('2026-03-01T00:00:00Z');
    const scenario = async (call: ReturnType<typeof caller>) => {
      const out: unknown[] = [];
      const customer = await call('POST', '/customers', { name: 'Jo', externalReference: 'cliniko:patient:1' });
      out.push(customer.status, customer.body);
      const inv = await invoice(call, customer.body.data.id, [line('33.33', { quantity: '3' }), line('-0.05')]);
      out.push(inv.status, inv.body);
      out.push((await call('POST', `/invoices/${inv.body.data.id}/approve`)).body);
      out.push((await call('PATCH', `/invoices/${inv.body.data.id}`, { reference: 'x' })).body.error);
      out.push((await call('POST', '/customers', { name: 'Dup', externalReference: 'cliniko:patient:1' })).body.error);
      out.push((await call('GET', '/customers?pageSize=1')).body);
      return out;
    };
    const ft = await start({ seed: 3, now: clock });
    const fromServer = await scenario(caller(ft));
    const fake = tradifyHandlers({ seed: 3, now: clock });
    const server = setupServer(...fake.handlers);
    server.listen({ onUnhandledRequest: 'error' });
    try {
      const fromMsw = await scenario(caller(fake));
      expect(fromMsw).toEqual(fromServer);
      fake.faults.set({ dropEvery: { every: 1 } });
      await expect(caller(fake)('GET', '/staff')).rejects.toThrow();
    } finally {
      server.close();
    }
  });
});
