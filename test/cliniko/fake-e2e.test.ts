import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCliniko, type FakeCliniko } from 'cliniko-tradify/testing';
import { ClinikoClient, AuthenticationError, ResponseValidationError } from 'cliniko-tradify';
import { compareIds } from '../../src/cliniko/links.js';
import { InstantClock, ManualClock, MemoryLogger, USER_AGENT } from './helpers.js';

function clientFor(fc: { url: string; apiKey: string }, overrides: Partial<ConstructorParameters<typeof ClinikoClient>[0]> = {}) {
  return new ClinikoClient({
    apiKey: fc.apiKey,
    userAgent: USER_AGENT,
    baseUrl: fc.url,
    requestsPerMinute: 60_000,
    clock: new InstantClock(),
    logger: new MemoryLogger(),
    random: () => 0,
    ...overrides,
  });
}

describe('against the fake Cliniko (an independent implementation of the reference)', () => {
  let fc: FakeCliniko;
  beforeAll(async () => {
    fc = await startFakeCliniko({ patients: 250, invoices: 300, seed: 7, rateLimit: false });
  });
  afterAll(async () => {
    await fc.close();
  });

  it('reads every patient, invoice and item through the schemas, with exact ids', async () => {
    const c = clientFor(fc);
    const patients = await c.patients.list({ includeArchived: true }).toArray();
    const invoices = await c.invoices.list({ includeArchived: true, includeDeleted: true }).toArray();
    const items = await c.invoiceItems.list({ includeArchived: true, includeDeleted: true }).toArray();
    const listedPatientIds = new Set(patients.map((p) => p.id));
    const dbInvoiceIds = fc.db.invoices.all().map((r) => r.id);
    expect(invoices.map((i) => i.id).sort(compareIds)).toEqual([...dbInvoiceIds].sort(compareIds));
    expect(items.length).toBe(fc.db.invoiceItems.all().length);
    expect(listedPatientIds.size).toBe(patients.length);
    expect(patients.length).toBeGreaterThan(0);
    expect(patients.some((p) => BigInt(p.id) > 2n ** 53n)).toBe(true);
    expect(items.every((i) => i.total_including_tax === null || /^-?\d+(\.\d+)?$/.test(i.total_including_tax))).toBe(true);
    const archived = patients.filter((p) => p.archived_at !== null);
    const active = await c.patients.list().toArray();
    expect(active.length).toBe(patients.length - archived.length);
    // Users, practitioners (incl. inactive), businesses, taxes, settings and the current user parse too.
    await expect(c.users.current()).resolves.toHaveProperty('id');
    expect((await c.users.list().toArray()).length).toBeGreaterThan(0);
    expect((await c.practitioners.list({ includeInactive: true }).toArray()).length).toBeGreaterThan(0);
    expect((await c.businesses.list().toArray()).length).toBeGreaterThan(0);
    expect((await c.taxes.list().toArray()).length).toBeGreaterThan(0);
    await expect(c.settings.retrieve()).resolves.toBeTruthy();
  });

  it('items for a batch of invoices and missing patients by id come back in few requests', async () => {
    const c = clientFor(fc);
    const invoiceIds = fc.db.invoices.all().slice(0, 30).map((r) => r.id);
    const before = fc.requests.length;
    const items = await c.invoiceItems.list({ invoiceIds, includeDeleted: true }).toArray();
    expect(items.length).toBeGreaterThan(0);
    const expected = fc.db.invoiceItems.all().filter((i) => invoiceIds.includes(i.invoice_id) && i.archived_at === null);
    expect(items.map((i) => i.id).sort(compareIds)).toEqual(expected.map((i) => i.id).sort(compareIds));
    const patientIds = fc.db.patients.all().slice(0, 120).map((p) => p.id);
    const got = await c.patients.retrieveMany(patientIds, { includeArchived: true });
    expect(new Set(got.map((p) => p.id))).toEqual(new Set(patientIds.filter((id) => fc.db.patients.get(id).deleted_at === null)));
    expect(fc.requests.length - before).toBeLessThanOrEqual(6);
  });

  it('keyset scan loses nothing while a writer edits and archives rows between page reads', async () => {
    const c = clientFor(fc);
    const all = await c.patients.list({ includeArchived: true }).toArray();
    const ordered = [...all].sort((a, b) => a.updated_at.localeCompare(b.updated_at) || compareIds(a.id, b.id));
    const [first, second] = ordered;
    fc.faults.set({
      beforeList: (event) => {
        if (event.resource === 'patients' && event.page === 1 && event.query.get('sort') === 'updated_at,id' && !editedOnce && seenFirst++ === 1) {
          editedOnce = true;
          fc.db.patients.update(first!.id, { first_name: 'Edited' });
          fc.db.patients.archive(second!.id);
        }
      },
    });
    let seenFirst = 0;
    let editedOnce = false;
    const seen = new Set<string>();
    for await (const page of c.patients.changes({ since: ordered[0]!.updated_at, perPage: 50 })) {
      for (const p of page.records) seen.add(p.id);
      expect(page.rejected).toEqual([]);
    }
    fc.faults.clear();
    expect(editedOnce).toBe(true);
    for (const p of all) expect(seen.has(p.id)).toBe(true);
  });

  it('maps the fake faults: 5xx retried, HTML 504, malformed JSON, wrong shard', async () => {
    const c = clientFor(fc);
    fc.faults.set({ serverError: { every: 2 } });
    await expect(c.taxes.list().toArray()).resolves.toBeTruthy();
    fc.faults.clear();
    fc.faults.set({ malformedJson: { every: 1 } });
    const err = await c.taxes.list().toArray().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseValidationError);
    expect((err as ResponseValidationError).path).toBe('/v1/taxes');
    fc.faults.clear();
    fc.faults.set({ html504: { every: 1 } });
    const gw = await clientFor(fc, { retry: { maxRetries: 1 } }).taxes.list().toArray().catch((e: unknown) => e);
    expect((gw as { status?: number }).status).toBe(504);
    fc.faults.clear();
    const wrongShard = clientFor({ url: fc.url, apiKey: fc.apiKey.replace(/-[a-z]{2}\d+$/i, '-uk1') });
    await expect(wrongShard.users.current()).rejects.toBeInstanceOf(AuthenticationError);
  });
});

describe('the fake rate limit', () => {
  it('a 429 pauses the client until X-RateLimit-Reset, then it goes on (injected clocks, no real wait)', async () => {
    const clock = new ManualClock();
    const fc = await startFakeCliniko({ patients: 5, invoices: 0, seed: 3, rateLimit: { perMinute: 3 }, now: () => clock.now() });
    try {
      const c = clientFor(fc, { clock });
      const done = Promise.all([1, 2, 3, 4, 5].map(() => c.taxes.list().toArray()));
      await new Promise((r) => setTimeout(r, 300));
      // Requests already in flight when the first 429 lands may also get 429; none go out after it.
      const firstWave = fc.requests.map((r) => r.status);
      expect(firstWave.slice(0, 4)).toEqual([200, 200, 200, 429]);
      expect(firstWave.slice(3).every((s) => s === 429)).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(fc.requests).toHaveLength(firstWave.length); // paused: nothing more is sent
      expect(clock.sleeps.at(-1)).toBeGreaterThan(55_000);
      expect(clock.sleeps.at(-1)).toBeLessThanOrEqual(60_000);
      await clock.advance(60_000);
      await done;
      const statuses = fc.requests.map((r) => r.status);
      expect(statuses.slice(firstWave.length).every((s) => s === 200)).toBe(true);
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
      expect(c.stats.rateLimited).toBe(firstWave.length - 3);
    } finally {
      await fc.close();
    }
  });
});
