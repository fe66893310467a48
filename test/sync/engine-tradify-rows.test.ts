import { afterEach, describe, expect, it } from 'vitest';
import type { TradifyPort, LinkKind } from 'cliniko-tradify';
import { countBy, startHarness, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ACCOUNT = 'default';
const HELD = 'tradify-record-unreadable';
const UNREADABLE = 'tradify-row-unreadable';

const refsOf = (harness: Harness) => countBy(harness.ft.state.customers.all(), (c) => c.externalReference);
const invoiceRefsOf = (harness: Harness) => countBy(harness.ft.state.invoices.all(), (i) => i.externalReference);
const openReviews = async (harness: Harness) => (await harness.store.reviews.list(ACCOUNT, { status: 'open' })).items;
const openLetters = async (harness: Harness) => (await harness.engine.deadLetters.list({ status: 'open' })).items;
const linkOf = async (harness: Harness, kind: LinkKind, id: string) => (await harness.store.links.getMany(ACCOUNT, kind, [id])).get(id);
const currentLinks = async (harness: Harness, kind: LinkKind) => (await harness.store.links.list(ACCOUNT, { kind, limit: 1000 })).items;

/** The open reviews about unreadable Tradify rows, as `[kind, Tradify id, failing paths]`. */
async function rowReviews(harness: Harness): Promise<unknown[][]> {
  return (await openReviews(harness)).filter((r) => r.reasonCode === UNREADABLE).map((r) => [r.kind, r.recordId, r.detail.paths]);
}

/** How many reviews and letters are open: a run's counters must move them by exactly as much. */
async function stored(harness: Harness): Promise<{ reviews: number; letters: number }> {
  return { reviews: (await openReviews(harness)).length, letters: (await openLetters(harness)).length };
}

/** The alerts since `from` that mention unreadable rows or records held by them, as `[kind, count]`. */
function rowAlerts(harness: Harness, from: number): unknown[][] {
  return harness.alerter.alerts
    .slice(from)
    .filter((a) => a.counts[UNREADABLE] !== undefined || a.counts[HELD] !== undefined)
    .map((a) => [a.kind, a.counts[UNREADABLE] ?? 0, a.counts[HELD] ?? 0]);
}

/** Writes (POST, PATCH, DELETE) sent to Tradify since request `from` whose path names `id`. */
function writesTo(harness: Harness, from: number, id: string): string[] {
  return harness.ft.requests
    .slice(from)
    .filter((r) => r.method !== 'GET' && r.path.split('/').includes(id))
    .map((r) => `${r.method} ${r.path}`);
}

function closedNow(harness: Harness): string {
  return new Date(harness.fc.db.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Cliniko invoice id our Tradify invoice carries in its reference. */
function clinikoIdOf(reference: string | null): string {
  return /^cliniko:invoice:(\d+)$/.exec(reference ?? '')![1]!;
}

describe('SyncEngine: a Tradify row failing its schema never blocks a sync', () => {
  it('a listed customer: the run completes, the rest syncs, its patient gets no write and no duplicate; one review and one alert; the next run does not alert again', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 0 } });
    await h.engine.run();
    const [held, other] = h.fc.db.patients.all();
    const x = (await linkOf(h, 'patient', held!.id))!.tradifyId;
    const otherCustomer = (await linkOf(h, 'patient', other!.id))!.tradifyId;
    h.fc.db.clock.advance(1000);
    h.fc.db.patients.update(held!.id, { first_name: 'Changed' });
    h.fc.db.patients.update(other!.id, { first_name: 'Also' });
    h.ft.faults.set({ malformedRows: { [x]: { name: 42 } } });
    const from = h.ft.requests.length;
    const alertsBefore = h.alerter.alerts.length;
    const customersBefore = h.ft.state.customers.size;

    const summary = await h.engine.run();

    expect(summary.outcome).toBe('completed');
    expect(h.ft.state.customers.get(otherCustomer)!.name).toMatch(/^Also /);
    expect(writesTo(h, from, x)).toEqual([]);
    expect(h.ft.state.customers.size).toBe(customersBefore);
    expect(refsOf(h).get(`cliniko:patient:${held!.id}`)).toBe(1);
    expect((await linkOf(h, 'patient', held!.id))?.tradifyId).toBe(x);
    const reviews = await openReviews(h);
    expect(reviews.map((r) => [r.kind, r.recordId, r.reasonCode, r.detail.paths])).toEqual([['tradify-customer', x, UNREADABLE, ['name']]]);
    const letters = await openLetters(h);
    expect(letters.map((l) => [l.recordId, l.reasonCode, l.paths])).toEqual([[held!.id, HELD, [`customers:${x}`]]]);
    expect([summary.reviews, summary.deadLettered]).toEqual([reviews.length, letters.length]);
    const alerts = h.alerter.alerts.slice(alertsBefore);
    expect(alerts.map((a) => [a.kind, a.recordIds])).toEqual([['reviews', [x]]]);
    expect(h.logger.lines.filter((l) => l.includes('could not be read')).join('\n')).not.toContain('42');

    // the same unchanged problem next run: nothing new opened, counted or alerted
    const again = await h.engine.run();
    expect(again.reviews).toBe(0);
    expect(h.alerter.alerts).toHaveLength(alertsBefore + 1);
    expect(await openReviews(h)).toHaveLength(1);
    expect(writesTo(h, from, x)).toEqual([]);

    // once the row reads fine, its review closes by itself and the patient syncs
    h.ft.faults.set({ malformedRows: undefined });
    await h.engine.run();
    await h.engine.deadLetters.replay();
    expect(await openReviews(h)).toEqual([]);
    expect(await openLetters(h)).toEqual([]);
    expect(h.ft.state.customers.get(x)!.name).toMatch(/^Changed /);
    expect(h.ft.state.customers.size).toBe(customersBefore);
  });

  it('a customer that would be linked by reference or by email is never replaced by a new one while unreadable, in the run or in a replay', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 6 } });
    const [byRef, byEmail] = h.fc.db.patients.all();
    h.fc.db.patients.update(byEmail!.id, { email: 'only.this.patient@example.org' });
    const existing = await h.tradify.customers.create({ name: 'Existing', externalReference: `cliniko:patient:${byRef!.id}` });
    const trade = await h.tradify.customers.create({ name: 'Trade Co', email: 'only.this.patient@example.org' });
    h.ft.faults.set({ malformedRows: { [existing.id]: { name: null }, [trade.id]: { active: 'yes' } } });

    const summary = await h.engine.run();

    expect(summary.outcome).toBe('completed');
    const held = [byRef!.id, byEmail!.id];
    expect(refsOf(h).get(`cliniko:patient:${byRef!.id}`)).toBe(1);
    expect(refsOf(h).has(`cliniko:patient:${byEmail!.id}`)).toBe(false);
    for (const p of h.fc.db.patients.all().filter((p) => !held.includes(p.id))) expect(refsOf(h).get(`cliniko:patient:${p.id}`)).toBe(1);
    const letters = await openLetters(h);
    const patientLetters = letters.filter((l) => l.stream === 'patients');
    expect(patientLetters.map((l) => [l.recordId, l.reasonCode, l.paths[0]]).sort()).toEqual(
      [
        [byRef!.id, HELD, `customers:${existing.id}`],
        [byEmail!.id, HELD, `customers:${trade.id}`],
      ].sort(),
    );
    // their invoices wait with them, under the same reason
    const heldInvoices = h.fc.db.invoices.all().filter((i) => held.includes(i.patient_id) && (i.status === 10 || i.status === 20) && i.deleted_at === null);
    for (const invoice of heldInvoices) expect(letters.find((l) => l.recordId === invoice.id)?.reasonCode).toBe(HELD);
    expect((await rowReviews(h)).sort()).toEqual(
      [
        ['tradify-customer', existing.id, ['name']],
        ['tradify-customer', trade.id, ['active']],
      ].sort(),
    );
    expect([summary.reviews, summary.deadLettered]).toEqual([(await openReviews(h)).length, letters.length]);
    expect(rowAlerts(h, 0)).toEqual([['reviews', 2, 0]]);
    // the unreadable customer's email reached neither the store nor the logs
    const kept = JSON.stringify([await openReviews(h), letters, h.alerter.alerts, h.logger.lines]);
    expect(kept).not.toContain('only.this.patient');

    // a replay does not list customers: the open reviews still hold the creates
    const customers = h.ft.state.customers.size;
    const replay = await h.engine.deadLetters.replay();
    expect(replay.stillFailing).toBe(letters.length);
    expect(h.ft.state.customers.size).toBe(customers);

    // fixed in Tradify: the next sync reads them, closes the reviews, and links them; no duplicate
    h.ft.faults.set({ malformedRows: undefined });
    await h.engine.run();
    await h.engine.deadLetters.replay();
    expect(await rowReviews(h)).toEqual([]);
    expect((await openLetters(h)).filter((l) => l.reasonCode === HELD)).toEqual([]);
    expect((await linkOf(h, 'patient', byRef!.id))?.tradifyId).toBe(existing.id);
    expect((await linkOf(h, 'patient', byEmail!.id))?.tradifyId).toBe(trade.id);
    expect(h.ft.state.customers.size).toBe(customers);
  });

  it('a listed invoice: its Cliniko invoice gets no write (the draft is not deleted), the others still sync', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 8 }, engine: { mapping: { approval: { when: 'manual' } } } });
    await h.engine.run();
    const drafts = h.ft.state.invoices.all().filter((i) => i.status === 'draft' && i.externalReference?.startsWith('cliniko:invoice:'));
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    const [bad, good] = drafts;
    h.fc.db.clock.advance(1000);
    for (const draft of [bad!, good!]) h.fc.db.invoices.update(clinikoIdOf(draft.externalReference), { status: 30, closed_at: closedNow(h) });
    h.ft.faults.set({ malformedRows: { [bad!.id]: { status: 'lost' } } });
    const from = h.ft.requests.length;
    const [before, alertsBefore] = [await stored(h), h.alerter.alerts.length];

    const summary = await h.engine.run();

    expect(summary.outcome).toBe('completed');
    expect(h.ft.state.invoices.has(good!.id)).toBe(false); // closed in Cliniko: its draft deleted
    expect(h.ft.state.invoices.has(bad!.id)).toBe(true);
    expect(writesTo(h, from, bad!.id)).toEqual([]);
    expect(invoiceRefsOf(h).get(bad!.externalReference!)).toBe(1);
    const letters = (await openLetters(h)).filter((l) => l.reasonCode === HELD);
    expect(letters.map((l) => [l.recordId, l.paths])).toEqual([[clinikoIdOf(bad!.externalReference), [`invoices:${bad!.id}`]]]);
    expect(await rowReviews(h)).toEqual([['tradify-invoice', bad!.id, ['status']]]);
    const after = await stored(h);
    expect([summary.reviews, summary.deadLettered]).toEqual([after.reviews - before.reviews, after.letters - before.letters]);
    expect(rowAlerts(h, alertsBefore)).toEqual([['reviews', 1, 0]]);
  });

  it('a payment: the invoice it belongs to is not re-planned without it (our payment is not deleted), the rest syncs', async () => {
    h = await startHarness({ engine: { mapping: { approval: { when: 'immediately' } } } });
    await h.engine.run();
    const paid = h.ft.state.invoices.all().find((i) => i.status === 'paid' && i.externalReference?.startsWith('cliniko:invoice:'))!;
    const payment = h.ft.state.payments.all().find((p) => p.invoiceId === paid.id)!;
    const clinikoId = clinikoIdOf(paid.externalReference);
    h.fc.db.clock.advance(1000);
    h.fc.db.invoices.update(clinikoId, { status: 10, closed_at: null }); // Paid → Open would delete our payment
    const other = h.fc.db.patients.all()[0]!;
    h.fc.db.patients.update(other.id, { first_name: 'Still' });
    h.ft.faults.set({ malformedRows: { [payment.id]: { amount: 'five' } } });
    const from = h.ft.requests.length;
    const [before, alertsBefore] = [await stored(h), h.alerter.alerts.length];

    const summary = await h.engine.run();

    expect(summary.outcome).toBe('completed');
    expect(h.ft.state.payments.has(payment.id)).toBe(true);
    expect(writesTo(h, from, paid.id)).toEqual([]);
    expect(h.ft.state.customers.get((await linkOf(h, 'patient', other.id))!.tradifyId)!.name).toMatch(/^Still /);
    const letters = (await openLetters(h)).filter((l) => l.reasonCode === HELD);
    expect(letters.map((l) => [l.recordId, l.paths])).toEqual([[clinikoId, [`payments:${payment.id}`]]]);
    expect(await rowReviews(h)).toEqual([['tradify-payment', payment.id, ['amount']]]);
    const after = await stored(h);
    expect([summary.reviews, summary.deadLettered]).toEqual([after.reviews - before.reviews, after.letters - before.letters]);
    expect(rowAlerts(h, alertsBefore)).toEqual([['reviews', 1, 0]]);
  });

  it('a staff member: invoices their email would own are held, every other invoice syncs with its owner', async () => {
    const staff = [
      { name: 'Sam Lee', email: 'dr.sam.lee@example.com.au' },
      { name: 'Aisha OReilly', email: 'aisha.oreilly@example.com.au' },
      { name: 'An Nguyen', email: 'an.nguyen@example.com.au' },
      { name: 'Tom Fletcher', email: 'tom.fletcher@example.com.au' },
    ];
    h = await startHarness({ cliniko: { patients: 5, invoices: 12 }, tradify: { staff } });
    const sam = h.ft.state.staff.all().find((s) => s.name === 'Sam Lee')!;
    const samUser = h.fc.db.users.all().find((u) => u.email?.toLowerCase() === 'dr.sam.lee@example.com.au')!;
    const samPractitioner = h.fc.db.practitioners.all().find((p) => p.user_id === samUser.id)!;
    h.ft.faults.set({ malformedRows: { [sam.id]: { active: 'yes' } } });

    const summary = await h.engine.run();

    expect(summary.outcome).toBe('completed');
    const syncable = h.fc.db.invoices.all().filter((i) => (i.status === 10 || i.status === 20) && i.deleted_at === null);
    const samInvoices = syncable.filter((i) => i.practitioner_id === samPractitioner.id);
    const others = syncable.filter((i) => i.practitioner_id !== samPractitioner.id && i.practitioner_id !== null);
    expect(samInvoices.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    const letters = await openLetters(h);
    for (const invoice of samInvoices) {
      expect(invoiceRefsOf(h).has(`cliniko:invoice:${invoice.id}`)).toBe(false);
      expect(letters.find((l) => l.recordId === invoice.id)?.paths).toEqual([`staff:${sam.id}`]);
    }
    for (const invoice of others) {
      const written = h.ft.state.invoices.all().find((i) => i.externalReference === `cliniko:invoice:${invoice.id}`);
      expect(written?.ownerStaffId).toMatch(/^stf_/);
    }
    expect(await rowReviews(h)).toEqual([['tradify-staff', sam.id, ['active']]]);
    expect([summary.reviews, summary.deadLettered]).toEqual([(await openReviews(h)).length, letters.length]);
    expect(rowAlerts(h, 0)).toEqual([['reviews', 1, 0]]);
  });

  it('a tax rate: invoices with a line only that rate could take are held, the others sync; a replay is not alerted again', async () => {
    h = await startHarness({ cliniko: { patients: 5, invoices: 12 } });
    h.ft.faults.set({ malformedRows: { tax_gst_free: { rate: 'zero' } } });

    const summary = await h.engine.run();

    expect(summary.outcome).toBe('completed');
    const items = h.fc.db.invoiceItems.all();
    const gstFree = (invoiceId: string) => items.some((i) => i.invoice_id === invoiceId && i.deleted_at === null && i.archived_at === null && i.tax_name === 'GST Free');
    const syncable = h.fc.db.invoices.all().filter((i) => (i.status === 10 || i.status === 20) && i.deleted_at === null);
    const needsRate = syncable.filter((i) => gstFree(i.id));
    const others = syncable.filter((i) => !gstFree(i.id));
    expect(needsRate.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    const letters = await openLetters(h);
    for (const invoice of needsRate) {
      expect(invoiceRefsOf(h).has(`cliniko:invoice:${invoice.id}`)).toBe(false);
      expect(letters.find((l) => l.recordId === invoice.id)).toMatchObject({ reasonCode: HELD, paths: ['tax-rates:tax_gst_free'] });
    }
    for (const invoice of others) expect(invoiceRefsOf(h).get(`cliniko:invoice:${invoice.id}`)).toBe(1);
    expect(await rowReviews(h)).toEqual([['tradify-tax-rate', 'tax_gst_free', ['rate']]]);
    expect([summary.reviews, summary.deadLettered]).toEqual([(await openReviews(h)).length, letters.length]);
    expect(rowAlerts(h, 0)).toEqual([['reviews', 1, 0]]);

    // the replay reads the rates again: the same unchanged row opens and alerts nothing new
    const reviewsBefore = (await openReviews(h)).length;
    await h.engine.deadLetters.replay();
    expect((await openLetters(h)).filter((l) => l.reasonCode === HELD)).toHaveLength(needsRate.length);
    expect(rowAlerts(h, 0)).toEqual([['reviews', 1, 0]]);
    expect(await openReviews(h)).toHaveLength(reviewsBefore);
  });

  it("resolving a Tradify row's review closes it without syncing anything", async () => {
    h = await startHarness({ cliniko: { patients: 2, invoices: 0 } });
    h.ft.faults.set({ malformedRows: { tax_gst: { rate: 'ten' } } });
    await h.engine.run();
    await h.engine.run(); // no invoices: the tax rates are only read when an invoice needs them
    const existing = await h.tradify.customers.create({ name: 'Broken', externalReference: 'cliniko:patient:424242' });
    h.ft.faults.set({ malformedRows: { [existing.id]: { name: null } } });
    await h.engine.run();
    const [review] = await openReviews(h);
    expect(review?.kind).toBe('tradify-customer');
    const from = h.fc.requests.length;
    const resolved = await h.engine.reviews.resolve(review!.id, 'retry');
    expect(resolved.status).toBe('resolved');
    expect(h.fc.requests.length).toBe(from);
  });
});

describe('SyncEngine: a create answered with another record is never trusted', () => {
  it('dead-letters the record with the reason, links nothing, alerts, and the counters agree with the store', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 8 }, engine: { mapping: { approval: { when: 'immediately' } } } });
    const [victim] = h.fc.db.patients.all();
    const victimRef = `cliniko:patient:${victim!.id}`;
    const victimInvoice = h.fc.db.invoices.all().find((i) => i.patient_id !== victim!.id && (i.status === 10 || i.status === 20) && i.deleted_at === null)!;
    const invoiceRef = `cliniko:invoice:${victimInvoice.id}`;
    const real = h.tradify;
    const port: TradifyPort = {
      capabilities: real.capabilities,
      customers: {
        ...real.customers,
        create: async (input, options) => {
          const created = await real.customers.create(input, options);
          return input.externalReference === victimRef ? { ...created, id: 'cus_someone_else', externalReference: 'cliniko:patient:1' } : created;
        },
      },
      invoices: {
        ...real.invoices,
        create: async (input, options) => {
          const created = await real.invoices.create(input, options);
          return input.externalReference === invoiceRef ? { ...created, externalReference: 'cliniko:invoice:1' } : created;
        },
      },
      payments: {
        ...real.payments,
        add: async (invoiceId, input, options) => ({ ...(await real.payments.add(invoiceId, input, options)), reference: 'someone else' }),
      },
      staff: real.staff,
      taxRates: real.taxRates,
    };

    const summary = await h.newEngine({ tradify: port }).run();

    expect(summary.outcome).toBe('completed');
    const letters = await openLetters(h);
    const mismatched = letters.filter((l) => l.reasonCode === 'response-mismatch');
    expect(mismatched.find((l) => l.recordId === victim!.id)).toMatchObject({ stream: 'patients', paths: ['externalReference'] });
    expect(mismatched.find((l) => l.recordId === victimInvoice.id)).toMatchObject({ stream: 'invoices', paths: ['invoices.externalReference'] });
    const paidInCliniko = h.fc.db.invoices.all().filter((i) => i.status === 20 && i.deleted_at === null && i.patient_id !== victim!.id);
    expect(paidInCliniko.length).toBeGreaterThan(0);
    for (const invoice of paidInCliniko) {
      if (invoice.id !== victimInvoice.id) expect(mismatched.find((l) => l.recordId === invoice.id)?.paths).toEqual(['payments.reference']);
    }
    // nothing was linked to an answer that was not ours
    expect(await linkOf(h, 'patient', victim!.id)).toBeUndefined();
    expect(await h.store.links.getByTradifyId(ACCOUNT, 'patient', 'cus_someone_else')).toBeUndefined();
    for (const letter of mismatched) expect(await linkOf(h, letter.stream === 'patients' ? 'patient' : 'invoice', letter.recordId)).toBeUndefined();
    // the counters and the store agree
    const links = [...(await currentLinks(h, 'patient')), ...(await currentLinks(h, 'invoice'))];
    expect(summary.created).toBe(links.length);
    expect(summary.deadLettered).toBe(letters.length);
    const alert = h.alerter.alerts.find((a) => a.kind === 'dead-letters');
    expect(alert?.counts['response-mismatch']).toBe(mismatched.length);
    expect(alert?.recordIds).toContain(victim!.id);
  });
});
