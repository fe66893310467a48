import { afterEach, describe, expect, it } from 'vitest';
import { type KeysetPage, createLeaseOwner, type PendingWork } from 'cliniko-tradify';
import { refreshTradifyIndex } from '../../src/sync/conflicts.js';
import { resolveEngineOptions } from '../../src/sync/engine-options.js';
import { runEta } from '../../src/sync/eta.js';
import { SyncEvents } from '../../src/sync/events.js';
import { Lookups } from '../../src/sync/lookups.js';
import { RunAlerts } from '../../src/sync/run-alerts.js';
import { RunContext } from '../../src/sync/streams/context.js';
import { invoicesHandler } from '../../src/sync/streams/invoices.js';
import { patientsHandler } from '../../src/sync/streams/patients.js';
import { runStream } from '../../src/sync/streams/runner.js';
import { PendingTracker } from '../../src/sync/streams/source.js';
import { emptyCounters } from '../../src/sync/summary.js';
import { startHarness, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const RATES = { cliniko: 190, tradify: 95 };

type Row = { id: string; updated_at: string };

function page(ids: string[], remaining: number | null): KeysetPage<Row> {
  return {
    records: ids.map((id) => ({ id, updated_at: '2026-01-01T00:00:00Z' })),
    rejected: [],
    position: { updatedAt: '2026-01-01T00:00:00Z', afterId: ids.at(-1) ?? null },
    serverTime: null,
    totalEntries: remaining === null ? null : remaining + ids.length,
    remaining,
  };
}

async function* pagesOf(...pages: Array<KeysetPage<Row>>): AsyncGenerator<KeysetPage<Row>> {
  yield* pages;
}

describe('PendingTracker: records still to read, as of the last page handled', () => {
  it('counts a page only once its rows start, so pages read ahead stay pending', async () => {
    const pending: PendingWork = { patients: 0, invoices: 0 };
    const tracker = new PendingTracker(pending, 'patients');
    const read: Array<KeysetPage<Row>> = [];
    for await (const p of tracker.track(pagesOf(page(['1', '2'], 3), page(['3', '4'], 1), page(['5'], 0)))) read.push(p);
    expect(pending.patients).toBe(0); // nothing handled yet
    tracker.started(read[0]!.records);
    expect(pending.patients).toBe(3);
    tracker.started(read[1]!.records.slice(1)); // a filtered subset of the page still places it
    expect(pending.patients).toBe(1);
    tracker.started(read[0]!.records); // an earlier page finishing late does not move it back
    expect(pending.patients).toBe(1);
    tracker.started(read[2]!.records);
    expect(pending.patients).toBe(0);
    expect(pending.invoices).toBe(0);
  });

  it('takes a draining page (no total) off the previous estimate', async () => {
    const pending: PendingWork = { patients: 0, invoices: 0 };
    const tracker = new PendingTracker(pending, 'invoices');
    const read: Array<KeysetPage<Row>> = [];
    for await (const p of tracker.track(pagesOf(page(['1', '2'], 8), page(['3', '4'], null)))) read.push(p);
    tracker.started(read[1]!.records);
    expect(pending.invoices).toBe(6);
  });
});

describe('runEta', () => {
  it('is 0 with nothing pending and grows with pending work at the Tradify limit', () => {
    expect(runEta({ patients: 0, invoices: 0 }, RATES).ms).toBe(0);
    const eta = runEta({ patients: 95, invoices: 0 }, RATES);
    expect(eta.ms).toBe(60_000); // 95 customer writes at 95 rpm
    expect(eta.bottleneck).toBe('tradify');
    expect(runEta({ patients: 0, invoices: 95 }, RATES).ms).toBe(180_000); // up to 3 writes an invoice
  });
});

async function runContext(harness: Harness, maxRunDuration?: number): Promise<RunContext> {
  const options = resolveEngineOptions({
    cliniko: harness.cliniko,
    tradify: harness.tradify,
    store: harness.store,
    clock: harness.clock,
    alerter: harness.alerter,
    logger: harness.logger,
    lookbackSeconds: 120,
    ...(maxRunDuration === undefined ? {} : { maxRunDuration }),
  });
  const lease = await harness.store.acquireLease(options.accountId, { owner: createLeaseOwner(), ttlMs: options.leaseTtlMs });
  return new RunContext({
    options,
    runId: 'eta-test',
    token: lease.token,
    signal: undefined,
    dryRun: false,
    counters: emptyCounters(),
    events: new SyncEvents(),
    alerts: new RunAlerts(),
    lookups: new Lookups({ ...options, signal: undefined }),
  });
}

describe('the streams fill the pending work the summary ETA is computed from', () => {
  it('a stream that reads everything leaves 0 pending and an ETA of 0', async () => {
    h = await startHarness({ cliniko: { patients: 130, invoices: 120 } });
    const run = await runContext(h);
    expect(await refreshTradifyIndex(run)).toBeUndefined();
    expect(await runStream(run, patientsHandler())).toBeUndefined();
    expect(await runStream(run, invoicesHandler())).toBeUndefined();
    expect(run.counters.read.patients).toBeGreaterThanOrEqual(130);
    expect(run.counters.pending).toEqual({ patients: 0, invoices: 0 });
    expect(runEta(run.counters.pending, RATES).ms).toBe(0);
  });

  it('a stream stopped by maxRunDuration reports the rows it never handled and a positive ETA', async () => {
    h = await startHarness({ cliniko: { patients: 250, invoices: 0 } });
    const run = await runContext(h, 5_000);
    run.events.on('pageRead', () => h!.clock.advance(3_000)); // each page "takes" 3 s: two pages, then the deadline
    expect(await refreshTradifyIndex(run)).toBeUndefined();
    expect(await runStream(run, patientsHandler())).toBe('max-run-duration');
    const handled = run.counters.read.patients;
    expect(handled).toBeLessThan(250);
    // the third page was read ahead but never handled: it is still pending
    expect(run.counters.pending.patients).toBe(250 - handled);
    const eta = runEta(run.counters.pending, RATES);
    expect(eta.ms).toBe(Math.round((run.counters.pending.patients / RATES.tradify) * 60_000));
    expect(eta.ms).toBeGreaterThan(0);
  });
});

describe('engine.estimate(): the ETA of the next sync, from one-row counts', () => {
  it('counts every record before the first sync, at the engine’s rates, in two Cliniko requests', async () => {
    h = await startHarness({ cliniko: { patients: 130, invoices: 70 }, engine: { rates: RATES } });
    const before = h.fc.requests.length;
    const estimate = await h.engine.estimate();
    const requests = h.fc.requests.slice(before);
    expect(requests.map((r) => r.path)).toEqual(['/v1/patients', '/v1/invoices']);
    expect(requests.every((r) => r.query.per_page === '1')).toBe(true);
    // the fake serves archived and deleted rows too: the engine reads those, so they count
    const invoices = h.fc.db.invoices.all().length;
    expect(estimate.pending).toEqual({ patients: h.fc.db.patients.all().length, invoices });
    expect(estimate.eta).toEqual(runEta(estimate.pending, RATES));
    expect(estimate.eta.ms).toBe(Math.round(((estimate.pending.patients + 3 * invoices) / RATES.tradify) * 60_000));
  });

  it('after a sync counts only what changed since the cursor (and its lookback)', async () => {
    h = await startHarness({ cliniko: { patients: 30, invoices: 10 } });
    await h.engine.run();
    const cursors = await h.store.cursors.list('default');
    const since = (stream: string): number => Date.parse(cursors[stream]!.updatedAt) - 120_000;
    const [patient] = h.fc.db.patients.all();
    h.fc.db.patients.update(patient!.id, { first_name: 'Edited', updated_at: new Date(Date.parse(cursors.patients!.updatedAt) + 60_000).toISOString() });
    const inWindow = <T extends { updated_at: string }>(rows: readonly T[], stream: string): number => rows.filter((r) => Date.parse(r.updated_at) >= since(stream)).length;
    const estimate = await h.engine.estimate();
    // the edit, plus the rows inside the lookback before each cursor (an upper bound by design)
    expect(estimate.pending).toEqual({ patients: inWindow(h.fc.db.patients.all(), 'patients'), invoices: inWindow(h.fc.db.invoices.all(), 'invoices') });
    expect(estimate.pending.patients).toBeLessThan(30);
    expect(estimate.pending.patients).toBeGreaterThanOrEqual(1);
  });

  it('a run stopped in the patient stream counts the invoices it never reached into its ETA', async () => {
    h = await startHarness({ cliniko: { patients: 250, invoices: 40 }, engine: { rates: RATES, maxRunDuration: 5_000 } });
    h.engine.on('pageRead', () => h!.clock.advance(3_000));
    const summary = await h.engine.run();
    expect(summary.stoppedBecause).toBe('max-run-duration');
    expect(summary.read.invoices).toBe(0);
    expect(summary.pending!.invoices).toBe(h.fc.db.invoices.all().length);
    expect(summary.pending!.patients).toBeGreaterThan(0);
    expect(summary.eta).toEqual(runEta(summary.pending!, RATES));
  });
});
