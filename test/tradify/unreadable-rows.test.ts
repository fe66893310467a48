import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTradify, type FakeTradify } from 'cliniko-tradify/testing';
import { ResponseValidationError, HttpTradifyClient, type TradifyUnreadableRow } from 'cliniko-tradify';
import { instantClock } from './helpers.js';

const fakes: FakeTradify[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function setup() {
  const clock = instantClock();
  const fake = await startFakeTradify({ seed: 5, apiKey: `fake-key-${randomUUID()}`, rateLimit: false, now: clock.now, customers: 5 });
  fakes.push(fake);
  const client = new HttpTradifyClient({ apiKey: fake.apiKey, baseUrl: fake.url, requestsPerMinute: 600_000, clock, pageSize: 2 });
  return { fake, client };
}

async function all<T>(listing: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of listing) out.push(item);
  return out;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('HttpTradifyClient: a listed row failing its schema', () => {
  it('fails the listing when the caller gave no onUnreadable, naming the row and field but no value', async () => {
    const { fake, client } = await setup();
    const bad = fake.state.customers.all()[2]!;
    fake.faults.set({ malformedRows: { [bad.id]: { name: 11, email: 'canary@example.com', active: 'SECRET-ACTIVE' } } });
    const error = await rejectionOf(all(client.customers.list()));
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues.map((i) => i.path).sort()).toEqual(['data.0.active', 'data.0.name']);
    expect(JSON.stringify(error)).not.toContain('SECRET');
    expect(JSON.stringify(error)).not.toContain('canary');
  });

  it('skips the row, reports its id, reference, email and failing fields, and reads every other row on every page', async () => {
    const { fake, client } = await setup();
    const customers = fake.state.customers.all();
    const bad = customers[2]!;
    fake.state.customers.tamper(bad.id, { externalReference: 'cliniko:patient:77' });
    fake.faults.set({ malformedRows: { [bad.id]: { name: null } } });
    const unreadable: TradifyUnreadableRow[] = [];
    const read = await all(client.customers.list({ onUnreadable: (row) => unreadable.push(row) }));
    expect(read.map((c) => c.id)).toEqual(customers.filter((c) => c.id !== bad.id).map((c) => c.id));
    expect(unreadable).toEqual([
      { resource: 'customers', id: bad.id, issues: [expect.objectContaining({ path: 'name', code: 'invalid_type' })], externalReference: 'cliniko:patient:77', email: bad.email },
    ]);
    // the fault changes answers only: the stored record is as it was
    expect(fake.state.customers.get(bad.id)!.name).toBe(bad.name);
  });

  it('reports a row whose id itself is unreadable with id null', async () => {
    const { fake, client } = await setup();
    const bad = fake.state.customers.all()[0]!;
    fake.faults.set({ malformedRows: { [bad.id]: { id: 42 } } });
    const unreadable: TradifyUnreadableRow[] = [];
    const read = await all(client.customers.list({ onUnreadable: (row) => unreadable.push(row) }));
    expect(read).toHaveLength(4);
    expect(unreadable.map((r) => [r.id, r.issues.map((i) => i.path)])).toEqual([[null, ['id']]]);
  });

  it('does the same for invoices, payments, staff and tax rates', async () => {
    const { fake, client } = await setup();
    const customer = await client.customers.create({ name: 'Payer', externalReference: 'cliniko:patient:1' });
    const line = { description: 'Consult', quantity: '1', unitPrice: '10.00' };
    const [first, second] = [
      await client.invoices.create({ customerId: customer.id, invoiceDate: '2026-03-01', externalReference: 'cliniko:invoice:1', lineItems: [line] }),
      await client.invoices.create({ customerId: customer.id, invoiceDate: '2026-03-01', externalReference: 'cliniko:invoice:2', lineItems: [line] }),
    ];
    await client.invoices.approve(first!.id);
    const payment = await client.payments.add(first!.id, { date: '2026-03-02', amount: '5.00' });
    await client.payments.add(first!.id, { date: '2026-03-03', amount: '1.00' });
    const staff = fake.state.staff.all()[1]!;
    fake.faults.set({ malformedRows: { [second!.id]: { status: 'lost' }, [payment.id]: { amount: 'five' }, [staff.id]: { active: 'yes' }, tax_gst_free: { rate: 'zero' } } });
    const unreadable: TradifyUnreadableRow[] = [];
    const onUnreadable = (row: TradifyUnreadableRow) => unreadable.push(row);
    expect((await all(client.invoices.list({ onUnreadable }))).map((i) => i.id)).toEqual([first!.id]);
    expect(await all(client.payments.list(first!.id, { onUnreadable }))).toHaveLength(1);
    expect((await all(client.staff.list({ onUnreadable }))).map((s) => s.id)).not.toContain(staff.id);
    expect((await all(client.taxRates.list({ onUnreadable }))).map((r) => r.id)).toEqual(['tax_gst']);
    expect(unreadable.map((r) => [r.resource, r.id, r.issues.map((i) => i.path).join()])).toEqual([
      ['invoices', second!.id, 'status'],
      ['payments', payment.id, 'amount'],
      ['staff', staff.id, 'active'],
      ['tax-rates', 'tax_gst_free', 'rate'],
    ]);
    expect(unreadable.find((r) => r.resource === 'invoices')?.externalReference).toBe('cliniko:invoice:2');
    expect(unreadable.find((r) => r.resource === 'staff')?.email).toBe(staff.email);
    // a single read of a planted record is malformed too, as a broken Tradify would answer it
    expect(await rejectionOf(client.invoices.retrieve(second!.id))).toBeInstanceOf(ResponseValidationError);
  });
});
