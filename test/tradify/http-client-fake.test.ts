import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTradify } from 'cliniko-tradify/testing';
import {
  AuthenticationError,
  ConflictError,
  ServerError,
  UnprocessableEntityError,
  HttpTradifyClient,
  type HttpTradifyClientOptions,
} from 'cliniko-tradify';
import { instantClock, recordingLogger } from './helpers.js';

type Fake = Awaited<ReturnType<typeof startFakeTradify>>;
const fakes: Fake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

/** A fake and a client sharing one instant clock (server clock = client clock: no real waiting). */
async function setup(fakeOptions: Parameters<typeof startFakeTradify>[0] = {}, clientOptions: Partial<HttpTradifyClientOptions> = {}) {
  const clock = instantClock();
  const logger = recordingLogger();
  const fake = await startFakeTradify({ seed: 3, apiKey: `fake-key-${randomUUID()}`, rateLimit: false, now: clock.now, ...fakeOptions });
  fakes.push(fake);
  const client = new HttpTradifyClient({
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    requestsPerMinute: 600_000,
    clock,
    logger,
    ...clientOptions,
  });
  return { fake, client, clock, logger };
}

async function all<T>(listing: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of listing) out.push(item);
  return out;
}

describe('HttpTradifyClient against the fake Tradify', () => {
  it('walks every method: customers, invoices through their states, payments, staff, tax rates', async () => {
    const { client, fake } = await setup();
    const rates = await all(client.taxRates.list());
    const gst = rates.find((r) => r.isDefault);
    expect(gst).toMatchObject({ rate: '10', isNoTax: false });
    const staff = await all(client.staff.list());
    const owner = staff.find((s) => s.active && s.email);
    expect(owner?.id).toEqual(expect.any(String));

    const customer = await client.customers.create({
      name: 'Jo Bloggs',
      email: 'jo@example.com',
      externalReference: 'cliniko:patient:1390710863102485699',
      ownerStaffId: owner?.id,
      physicalAddress: { line1: '1 Main St', line2: null, suburb: 'Fitzroy', state: 'VIC', postcode: '3065', country: 'AU' },
      customFields: { custom1: 'x' },
    });
    expect(customer).toMatchObject({ name: 'Jo Bloggs', active: true, ownerStaffId: owner?.id, customFields: { custom1: 'x', custom2: null } });
    expect((await client.customers.retrieve(customer.id)).physicalAddress?.suburb).toBe('Fitzroy');
    const renamed = await client.customers.update(customer.id, { name: 'Jo B', ownerStaffId: null });
    expect(renamed).toMatchObject({ name: 'Jo B', ownerStaffId: null, email: 'jo@example.com' });
    expect((await all(client.customers.list({ email: 'jo@example.com' }))).map((c) => c.id)).toEqual([customer.id]);

    const invoice = await client.invoices.create(
      {
        customerId: customer.id,
        invoiceDate: '2026-03-02',
        dueDate: '2026-03-16',
        taxMode: 'inclusive',
        reference: 'Cliniko #1042',
        externalReference: 'cliniko:invoice:998',
        lineItems: [{ description: 'Initial consult', quantity: '1', unitPrice: '110.00', taxRateId: gst?.id }],
      },
      { idempotencyKey: 'invoice-998-v1' },
    );
    expect(invoice).toMatchObject({ status: 'draft', subtotal: '100.00', totalTax: '10.00', total: '110.00', amountDue: '110.00' });
    const edited = await client.invoices.update(invoice.id, { reference: 'Cliniko #1042b' });
    expect(edited.reference).toBe('Cliniko #1042b');
    const approved = await client.invoices.approve(invoice.id);
    expect(approved.status).toBe('approved');
    expect(approved.invoiceNumber).toEqual(expect.any(String));

    const payment = await client.payments.add(invoice.id, { date: '2026-03-05', amount: '110.00', method: 'card' }, { idempotencyKey: 'pay-998' });
    expect(payment).toMatchObject({ invoiceId: invoice.id, amount: '110.00', date: '2026-03-05' });
    expect((await client.invoices.retrieve(invoice.id)).status).toBe('paid');
    expect((await all(client.payments.list(invoice.id))).map((p) => p.id)).toEqual([payment.id]);
    await client.payments.delete(invoice.id, payment.id);
    expect((await client.invoices.list({ status: 'approved' }).pages()[Symbol.asyncIterator]().next()).value?.map((i: { id: string }) => i.id)).toEqual([invoice.id]);
    const cancelled = await client.invoices.cancel(invoice.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', externalReference: 'cliniko:invoice:998' });

    const draft = await client.invoices.create({ customerId: customer.id, invoiceDate: '2026-03-02', taxMode: 'no_tax', lineItems: [{ description: 'x', quantity: '2', unitPrice: '5.00' }] });
    await client.invoices.delete(draft.id);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'DELETE', status: 204 });
    expect((await all(client.invoices.list({ customerId: customer.id }))).map((i) => i.id)).toEqual([invoice.id]);
  });

  it('replays an idempotent create whose answer was lost: one record, the same id', async () => {
    const { client, fake } = await setup({}, { retry: { baseDelayMs: 1 } });
    // Every 2nd request is applied and its answer lost: a GET first, so the POST is the 2nd.
    fake.faults.set({ serverErrorEvery: { every: 2, status: 502, when: 'after' } });
    await all(client.taxRates.list());
    const created = await client.customers.create({ name: 'Lost answer', externalReference: 'cliniko:patient:5' }, { idempotencyKey: 'k-5' });
    fake.faults.clear();
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([502, 201]);
    const listed = await all(client.customers.list({ externalReference: 'cliniko:patient:5' }));
    expect(listed.map((c) => c.id)).toEqual([created.id]);
    expect(fake.requests.filter((r) => r.method === 'POST').every((r) => r.idempotencyKey === 'k-5')).toBe(true);
  });

  it('reports both kinds of 409 and keeps 422 details', async () => {
    const { client } = await setup();
    const first = await client.customers.create({ name: 'A', externalReference: 'cliniko:patient:9' });
    const dup = await client.customers.create({ name: 'B', externalReference: 'cliniko:patient:9' }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ConflictError);
    expect((dup as ConflictError).existingId).toBe(first.id);

    const inv = await client.invoices.create({ customerId: first.id, invoiceDate: '2026-03-02', lineItems: [{ description: 'x', quantity: '1', unitPrice: '1.00' }] });
    await client.invoices.approve(inv.id);
    const state = await client.invoices.delete(inv.id).catch((e: unknown) => e);
    expect(state).toBeInstanceOf(ConflictError);
    expect((state as ConflictError).reason).toBe('invalid_state');

    const invalid = await client.customers.create({ name: '' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(UnprocessableEntityError);
    expect(Object.keys((invalid as UnprocessableEntityError).errors)).toContain('name');
  });

  it("waits out the fake's 429 on the shared clock, without real waiting", async () => {
    const { client, fake, clock } = await setup({ rateLimit: { perMinute: 3 } });
    const started = Date.now();
    for (let i = 0; i < 5; i++) await all(client.staff.list());
    expect(fake.requests.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(1);
    expect(fake.requests.filter((r) => r.status === 200).length).toBe(5);
    expect(clock.sleeps.some((ms) => ms >= 1000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('surfaces an outage as ServerError after the retry budget, and rides out a short one', async () => {
    const { client, fake, clock } = await setup({}, { retry: { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 1000 }, random: () => 1 });
    fake.faults.set({ down: true });
    const error = await client.customers.retrieve('cus_missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(503);
    expect(fake.requests.filter((r) => r.status === 503).length).toBe(4);

    fake.faults.set({ down: { from: clock.now(), until: clock.now() + 1500 } });
    expect((await all(client.taxRates.list())).length).toBeGreaterThan(0);
  });

  it('keeps a canary key out of errors, inspect, JSON and logs (401 from the fake)', async () => {
    const CANARY = `canary-${randomUUID()}`;
    const { fake } = await setup();
    const logger = recordingLogger();
    const client = new HttpTradifyClient({ apiKey: CANARY, baseUrl: fake.url, requestsPerMinute: 600_000, clock: instantClock(), logger });
    const error = await all(client.customers.list({ email: 'canary.patient@leak.example' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    for (const text of [(error as Error).message, inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), ...logger.lines]) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain('canary.patient');
    }
    expect(JSON.stringify(fake.requests)).not.toContain(CANARY);
  });

  it('keeps patient details out of a 422 and a 409 from the fake', async () => {
    const { client, logger } = await setup();
    const email = 'canary.patient@leak.example';
    const tooLong = await client.customers.create({ name: `Canary Patient ${'x'.repeat(100)}`, email }).catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(UnprocessableEntityError);
    await client.customers.create({ name: 'Canary Patient', email, externalReference: 'cliniko:patient:canary' });
    const dup = await client.customers.create({ name: 'Canary Patient', email, externalReference: 'cliniko:patient:canary' }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ConflictError);
    for (const error of [tooLong, dup]) {
      for (const text of [(error as Error).message, inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), ...logger.lines]) {
        expect(text).not.toContain('Canary Patient');
        expect(text).not.toContain('canary.patient');
      }
    }
  });
});
