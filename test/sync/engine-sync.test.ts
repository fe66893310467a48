import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, tradifyWrites, countBy, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function customerOf(harness: Harness, patientId: string) {
  return harness.ft.state.customers.all().filter((c) => c.externalReference === `cliniko:patient:${patientId}`);
}

describe('SyncEngine: full sync', () => {
  it('creates one customer per patient and one invoice per syncable invoice, linked both ways', async () => {
    h = await startHarness();
    const summary = await h.engine.run();
    const patients = h.fc.db.patients.all();
    const refs = countBy(h.ft.state.customers.all(), (c) => c.externalReference);
    for (const p of patients) expect(refs.get(`cliniko:patient:${p.id}`), `patient ${p.id}`).toBe(1);
    expect(summary.outcome).toBe('completed');
    expect(summary.deadLettered).toBe(0);
    const links = await h.store.links.getMany(h.engine.accountId, 'patient', patients.map((p) => p.id));
    for (const p of patients) expect(h.ft.state.customers.get(links.get(p.id)!.tradifyId)?.externalReference).toBe(`cliniko:patient:${p.id}`);
    const invoiceRefs = countBy(h.ft.state.invoices.all(), (i) => i.externalReference);
    for (const [, n] of invoiceRefs) expect(n).toBe(1);
    // every Open/Paid invoice exists; the first-seen Closed one is skipped; Open credit goes to review
    for (const inv of h.fc.db.invoices.all()) {
      const present = invoiceRefs.has(`cliniko:invoice:${inv.id}`);
      expect(present, `invoice ${inv.id} status ${inv.status}`).toBe(inv.status === 10 || inv.status === 20);
    }
    expect(summary.created).toBe(patients.length + [...invoiceRefs.keys()].length);
  });

  it('a second run with no changes writes nothing and reads one page per stream', async () => {
    h = await startHarness();
    await h.engine.run();
    const c0 = h.fc.requests.length;
    const t0 = h.ft.requests.length;
    const summary = await h.newEngine().run();
    expect(tradifyWrites(h.ft, t0)).toBe(0);
    expect(summary.created + summary.updated + summary.writes).toBe(0);
    const perStream = countBy(h.fc.requests.slice(c0), (r) => r.path);
    expect(perStream.get('/v1/patients') ?? 0).toBeLessThanOrEqual(3);
    expect((perStream.get('/v1/invoices') ?? 0) + (perStream.get('/v1/invoice_items') ?? 0)).toBeLessThanOrEqual(3);
    expect(h.fc.requests.length - c0).toBeLessThanOrEqual(6);
  });

  it('matches a pre-existing customer by a unique email differing only in case (server compares ?email= exactly)', async () => {
    h = await startHarness({ tradify: { emailMatch: 'exact' }, cliniko: { patients: 3, invoices: 0 } });
    const existing = await h.tradify.customers.create({ name: 'Walk-in customer', email: 'Jane.Unique@Example.COM' });
    const patient = h.fc.db.patients.insert({ first_name: 'Jane', last_name: 'Unique', email: 'jane.unique@example.com' });
    await h.engine.run();
    const mine = customerOf(h, patient.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.id).toBe(existing.id);
    const audit = await h.engine.audit.list({ clinikoId: patient.id });
    expect(audit.items.map((a) => a.action)).toContain('link');
    expect(audit.items.find((a) => a.action === 'link')?.reasonCode).toBe('email');
  });

  it('keeps family members sharing an email apart and does not link either to the shared-email customer', async () => {
    h = await startHarness({ cliniko: { patients: 2, invoices: 0 } });
    const trade = await h.tradify.customers.create({ name: 'Family account', email: 'family@example.com' });
    const a = h.fc.db.patients.insert({ first_name: 'Ann', last_name: 'Fam', email: 'family@example.com' });
    const b = h.fc.db.patients.insert({ first_name: 'Bob', last_name: 'Fam', email: 'FAMILY@example.com' });
    await h.engine.run();
    const ca = customerOf(h, a.id);
    const cb = customerOf(h, b.id);
    expect(ca).toHaveLength(1);
    expect(cb).toHaveLength(1);
    expect(ca[0]!.id).not.toBe(cb[0]!.id);
    expect([ca[0]!.id, cb[0]!.id]).not.toContain(trade.id);
    expect(h.ft.state.customers.get(trade.id)?.externalReference ?? null).toBeNull();
    const audit = await h.engine.audit.list({ clinikoId: a.id });
    expect(audit.items.find((x) => x.action === 'create')?.reasonCode).toBe('ambiguous-email');
  });

  it('picks up edits made between runs, including one in the same second as the cursor', async () => {
    h = await startHarness();
    await h.engine.run();
    const cursor = (await h.store.cursors.get('default', 'patients'))!;
    const [p1, p2] = h.fc.db.patients.all();
    h.fc.db.patients.update(p1!.id, { first_name: 'Renamed' });
    h.fc.db.patients.update(p2!.id, { last_name: 'Samesecond', updated_at: cursor.updatedAt });
    const t0 = h.ft.requests.length;
    const summary = await h.engine.run();
    expect(summary.updated).toBe(2);
    expect(summary.created).toBe(0);
    expect(customerOf(h, p1!.id)[0]!.name).toMatch(/^Renamed /);
    expect(customerOf(h, p2!.id)[0]!.name).toMatch(/ Samesecond$/);
    expect(tradifyWrites(h.ft, t0)).toBe(2);
  });

  it('picks up rows edited between two page reads of one run', async () => {
    h = await startHarness({ cliniko: { patients: 150, invoices: 0 } });
    const ordered = [...h.fc.db.patients.all()].sort((x, y) => (x.updated_at < y.updated_at ? -1 : x.updated_at > y.updated_at ? 1 : BigInt(x.id) < BigInt(y.id) ? -1 : 1));
    const early = ordered[10]!;
    const late = ordered[140]!;
    let done = false;
    h.fc.faults.set({
      onPageServed: (event) => {
        if (done || event.resource !== 'patients') return;
        done = true;
        h!.fc.db.patients.update(early.id, { first_name: 'Early' });
        h!.fc.db.patients.update(late.id, { first_name: 'Late' });
      },
    });
    await h.engine.run();
    expect(customerOf(h, early.id)[0]!.name).toMatch(/^Early /);
    expect(customerOf(h, late.id)[0]!.name).toMatch(/^Late /);
    const refs = countBy(h.ft.state.customers.all(), (c) => c.externalReference);
    expect([...refs.values()].every((n) => n === 1)).toBe(true);
    expect(refs.size).toBe(150);
  });
});
