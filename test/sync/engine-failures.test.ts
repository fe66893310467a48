import { afterEach, describe, expect, it } from 'vitest';
import { SyncEngine, MemoryStateStore, isConfigError, LeaseHeldError } from 'cliniko-tradify';
import { startHarness, countBy, tradifyWrites, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const refsOf = (harness: Harness) => countBy(harness.ft.state.customers.all(), (c) => c.externalReference);
const invoiceRefsOf = (harness: Harness) => countBy(harness.ft.state.invoices.all(), (c) => c.externalReference);

describe('SyncEngine: bad data → dead letters → replay', () => {
  it('dead-letters a patient failing its schema (and its blocked invoice), goes on, and replays both once fixed', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 6 } });
    const invoice = h.fc.db.invoices.all().find((i) => i.status === 10 || i.status === 20)!;
    const patientId = invoice.patient_id;
    h.fc.db.patients.update(patientId, { date_of_birth: 'not-a-date' } as never);
    const summary = await h.engine.run();
    expect(summary.outcome).toBe('completed');
    const open = await h.engine.deadLetters.list({ status: 'open' });
    const byRecord = new Map(open.items.map((l) => [l.recordId, l]));
    expect(byRecord.get(patientId)?.reasonCode).toBe('schema');
    expect(byRecord.get(patientId)?.paths.join(',')).toContain('date_of_birth');
    expect(byRecord.get(invoice.id)?.reasonCode).toBe('customer-missing');
    expect(refsOf(h).has(`cliniko:patient:${patientId}`)).toBe(false);
    // the rest still synced
    expect(refsOf(h).size).toBe(h.fc.db.patients.all().length - 1);
    expect(h.alerter.alerts.filter((a) => a.kind === 'dead-letters')).toHaveLength(1);

    h.fc.db.patients.update(patientId, { date_of_birth: '1980-02-03' } as never);
    const replay = await h.engine.deadLetters.replay();
    expect(open.items.length).toBeGreaterThanOrEqual(2);
    expect(replay.resolved).toBe(open.items.length);
    expect(replay.stillFailing).toBe(0);
    expect(refsOf(h).get(`cliniko:patient:${patientId}`)).toBe(1);
    expect(invoiceRefsOf(h).get(`cliniko:invoice:${invoice.id}`)).toBe(1);
    expect((await h.engine.deadLetters.list({ status: 'open' })).items).toHaveLength(0);
    // letters hold no payload: only ids, codes, paths
    expect(JSON.stringify(open.items)).not.toContain('not-a-date');
  });

  it('closes a letter as superseded when a newer version already synced; keeps it open while still failing', async () => {
    h = await startHarness({ cliniko: { patients: 3, invoices: 0 } });
    const [bad, other] = h.fc.db.patients.all();
    h.fc.db.patients.update(bad!.id, { date_of_birth: 'nope' } as never);
    h.fc.db.patients.update(other!.id, { date_of_birth: 'nope' } as never);
    await h.engine.run();
    h.fc.db.clock.advance(1000);
    h.fc.db.patients.update(bad!.id, { date_of_birth: '1990-01-01' } as never);
    await h.engine.run(); // the fixed version syncs through the stream
    const replay = await h.engine.deadLetters.replay();
    expect(replay.superseded).toBe(1);
    expect(replay.stillFailing).toBe(1);
    const open = await h.engine.deadLetters.list({ status: 'open' });
    expect(open.items.map((l) => l.recordId)).toEqual([other!.id]);
    expect(open.items[0]!.attempts).toBe(2);
    await h.engine.deadLetters.discard(open.items[0]!.id);
    expect((await h.engine.deadLetters.list({ status: 'open' })).items).toHaveLength(0);
  });
});

describe('SyncEngine: outages, rate limits, deadlines', () => {
  it('stops writing when Tradify stays down, alerts once, keeps work pending, and the next run resumes with no duplicates', async () => {
    h = await startHarness({ engine: { retryPolicy: { decide: ({ attempt }) => ({ retry: attempt < 2, delayMs: 10, reason: 'test' }) } } });
    let writes = 0;
    h.engine.on('recordWritten', () => {
      writes++;
      if (writes === 3) h!.ft.faults.set({ down: true });
    });
    const first = await h.engine.run();
    expect(first.outcome).toBe('partial');
    expect(first.stoppedBecause).toBe('target-down');
    const outage = h.alerter.alerts.filter((a) => a.kind === 'outage');
    expect(outage).toHaveLength(1);
    const cursor = await h.store.cursors.get('default', 'patients');
    const patients = [...h.fc.db.patients.all()].sort((a, b) => (a.updated_at < b.updated_at ? -1 : 1));
    expect(cursor === undefined || cursor.updatedAt < patients.at(-1)!.updated_at || refsOf(h).size === patients.length).toBe(true);
    h.ft.faults.set({ down: false });
    const second = await h.engine.run();
    expect(second.outcome).toBe('completed');
    const refs = refsOf(h);
    for (const p of h.fc.db.patients.all()) expect(refs.get(`cliniko:patient:${p.id}`)).toBe(1);
    for (const [, n] of invoiceRefsOf(h)) expect(n).toBe(1);
  });

  it('does not repeat an unchanged outage alert on the next run, and alerts again once it recurred after a recovery', async () => {
    h = await startHarness({ engine: { retryPolicy: { decide: ({ attempt }) => ({ retry: attempt < 2, delayMs: 10, reason: 'test' }) } } });
    h.ft.faults.set({ down: true });
    expect((await h.engine.run()).stoppedBecause).toBe('target-down');
    expect((await h.engine.run()).stoppedBecause).toBe('target-down');
    const outages = () => h!.alerter.alerts.filter((a) => a.kind === 'outage');
    expect(outages()).toHaveLength(1); // the second run's identical problem is not re-sent
    const incidents = await h.store.incidents.list('default', { state: 'open' });
    expect(incidents.filter((i) => i.fingerprint.startsWith('outage:')).map((i) => i.count)).toEqual([2]);
    h.ft.faults.set({ down: false });
    expect((await h.engine.run()).outcome).toBe('completed');
    const openOutages = (await h.store.incidents.list('default', { state: 'open' })).filter((i) => i.fingerprint.startsWith('outage:'));
    expect(openOutages).toEqual([]); // resolved by the clean run (its own reviews alert may stay open)
    h.ft.faults.set({ down: true });
    h.fc.db.patients.insert({ first_name: 'Another', last_name: 'Patient' });
    expect((await h.engine.run()).stoppedBecause).toBe('target-down');
    expect(outages()).toHaveLength(2);
  });

  it('rides out 429 storms on both APIs without losing or duplicating records', async () => {
    // server and clients share a clock running 600× faster: a 60 s rate window passes in 100 ms.
    // The limiter is one per key per process, so this test uses keys of its own.
    const t0 = Date.now();
    const SPEED = 600;
    const clock = { now: () => t0 + (Date.now() - t0) * SPEED, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms / SPEED)) };
    h = await startHarness({
      httpClock: clock,
      cliniko: { rateLimit: { perMinute: 2, window: 'fixed' }, now: clock.now, apiKeyBody: 'stormkey429' },
      tradify: { rateLimit: { perMinute: 2 }, now: clock.now, apiKey: 'storm-tradify-key' },
    });
    const summary = await h.engine.run();
    expect(summary.outcome).toBe('completed');
    expect(h.fc.requests.filter((r) => r.status === 429).length + h.ft.requests.filter((r) => r.status === 429).length).toBeGreaterThan(3);
    const refs = refsOf(h);
    for (const p of h.fc.db.patients.all()) expect(refs.get(`cliniko:patient:${p.id}`)).toBe(1);
    for (const [, n] of invoiceRefsOf(h)) expect(n).toBe(1);
    expect(summary.deadLettered).toBe(0);
  });

  it('maxRunDuration saves progress and releases the lease; the next run finishes the rest', async () => {
    h = await startHarness({ cliniko: { patients: 250, invoices: 0 }, engine: { maxRunDuration: 5_000 } });
    h.engine.on('pageRead', () => h!.clock.advance(3_000)); // each page "takes" 3 s
    const first = await h.engine.run();
    expect(first.outcome).toBe('partial');
    expect(first.stoppedBecause).toBe('max-run-duration');
    expect(await h.store.getLease('default')).toBeUndefined();
    expect(refsOf(h).size).toBeGreaterThanOrEqual(199); // two pages of 100 (one row may share a boundary second)
    expect(refsOf(h).size).toBeLessThan(250);
    // the summary says how much is left and how long it will take at the APIs' limits
    expect(first.pending!.patients).toBeGreaterThan(0);
    expect(first.pending!.patients).toBeLessThanOrEqual(250 - refsOf(h).size + 1);
    expect(first.eta.ms).toBeGreaterThan(0);
    const second = await h.engine.run();
    expect(second.outcome).toBe('completed');
    expect(second.pending).toEqual({ patients: 0, invoices: 0 });
    expect(second.eta.ms).toBe(0);
    expect(refsOf(h).size).toBe(250);
    expect([...refsOf(h).values()].every((n) => n === 1)).toBe(true);
  });

  it('initialSyncFrom bounds the first sync', async () => {
    h = await startHarness({ cliniko: { patients: 20, invoices: 0 } });
    const sorted = [...h.fc.db.patients.all()].sort((a, b) => (a.updated_at < b.updated_at ? -1 : 1));
    const from = sorted[10]!.updated_at;
    await h.newEngine({ initialSyncFrom: from }).run();
    const expected = sorted.filter((p) => p.updated_at >= from).length;
    expect(refsOf(h).size).toBe(expected);
  });
});

describe('SyncEngine: conflicts, filters, leases, config', () => {
  it("'cliniko-wins' overwrites a Tradify-side edit and names the overwritten fields in the audit log", async () => {
    h = await startHarness({ cliniko: { patients: 3, invoices: 0 } });
    await h.engine.run();
    const customer = h.ft.state.customers.all()[0]!;
    const original = customer.name;
    await h.tradify.customers.update(customer.id, { name: 'Edited in Tradify' });
    await h.engine.run();
    expect(h.ft.state.customers.get(customer.id)!.name).toBe(original);
    const audit = await h.engine.audit.list({ action: 'conflict-overwrite' });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]!.changedFields).toEqual(['name']);
  });

  it("'review' leaves a Tradify-side edit alone and opens a review", async () => {
    h = await startHarness({ cliniko: { patients: 3, invoices: 0 }, engine: { mapping: { conflictPolicy: 'review' } } });
    await h.engine.run();
    const customer = h.ft.state.customers.all()[0]!;
    await h.tradify.customers.update(customer.id, { name: 'Edited in Tradify' });
    const summary = await h.engine.run();
    expect(h.ft.state.customers.get(customer.id)!.name).toBe('Edited in Tradify');
    expect(summary.reviews).toBe(1);
    const reviews = await h.engine.reviews.list({ status: 'open' });
    expect(reviews.items.map((r) => r.reasonCode)).toContain('tradify-edit-conflict');
  });

  it('skips filtered patients and their invoices as patient-filtered', async () => {
    h = await startHarness();
    const invoice = h.fc.db.invoices.all().find((i) => i.status === 20)!;
    const excluded = invoice.patient_id;
    const skipped: string[] = [];
    const engine = h.newEngine({ mapping: { filterPatient: (p) => p.id !== excluded } });
    engine.on('recordSkipped', (e) => skipped.push(`${e.stream}:${e.clinikoId}:${e.reason}`));
    await engine.run();
    expect(refsOf(h).has(`cliniko:patient:${excluded}`)).toBe(false);
    expect(invoiceRefsOf(h).has(`cliniko:invoice:${invoice.id}`)).toBe(false);
    expect(skipped).toContain(`patients:${excluded}:patient-filtered`);
    expect(skipped).toContain(`invoices:${invoice.id}:patient-filtered`);
  });

  it('refuses a second top-level run while one holds the lease, even on the same engine', async () => {
    h = await startHarness();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started = new Promise<void>((resolve) => h!.engine.on('runStarted', () => resolve()));
    h.engine.on('pageRead', () => void 0);
    const slowTradify = { ...h.tradify, customers: { ...h.tradify.customers, list: (q?: never) => ({ ...h!.tradify.customers.list(q), pages: async function* () { await gate; yield* []; } }) } };
    const engine = h.newEngine({ tradify: slowTradify as never });
    engine.on('runStarted', () => undefined);
    const first = engine.run();
    await new Promise((r) => setTimeout(r, 50));
    const second = await engine.run().catch((e: unknown) => e);
    const third = await h.engine.run().catch((e: unknown) => e);
    release();
    await first;
    void started;
    expect(second).toBeInstanceOf(LeaseHeldError);
    expect(third).toBeInstanceOf(LeaseHeldError);
  });

  it('rejects invalid options at construction with a ConfigError naming the option', async () => {
    h = await startHarness();
    const base = { cliniko: h.cliniko, tradify: h.tradify, store: new MemoryStateStore() };
    const attempt = (o: object) => {
      try {
        new SyncEngine({ ...base, ...o } as never);
        return undefined;
      } catch (e) {
        return e;
      }
    };
    for (const [option, value] of [
      ['cliniko', undefined],
      ['timeZone', 'Mars/Olympus'],
      ['maxRunDuration', 'soon'],
      ['leaseTtlMs', -1],
      ['accountId', 'a b'],
      ['initialSyncFrom', 'yesterday'],
    ] as const) {
      const error = attempt({ [option]: value });
      expect(isConfigError(error), option).toBe(true);
      expect((error as { setting: string }).setting).toBe(option);
    }
  });
});

describe('SyncEngine: plan and apply', () => {
  it('plan writes nothing; apply writes the plan and refuses items changed since', async () => {
    h = await startHarness({ cliniko: { patients: 4, invoices: 0 } });
    const t0 = h.ft.requests.length;
    const plan = await h.engine.plan();
    expect(tradifyWrites(h.ft, t0)).toBe(0);
    expect(plan.counts.create).toBe(4);
    expect(await h.store.cursors.get('default', 'patients')).toBeUndefined();
    const saved = await h.store.plans.get('default', plan.id);
    const names = h.fc.db.patients.all().map((p) => p.last_name).filter((n) => n.length > 2);
    for (const n of names) expect(JSON.stringify(saved)).not.toContain(n);
    const changed = h.fc.db.patients.all()[0]!;
    h.fc.db.clock.advance(1000);
    h.fc.db.patients.update(changed.id, { first_name: 'Changed' });
    const result = await h.engine.apply(plan.id);
    expect(result.applied).toBe(3);
    expect(result.refused).toEqual([{ stream: 'patients', clinikoId: changed.id, reason: 'changed-since-plan' }]);
    expect(refsOf(h).size).toBe(3);
  });
});
