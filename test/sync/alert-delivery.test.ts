/**
 * A failed alert delivery is never recorded as sent: during a Tradify outage with the alert
 * destination failing too, the outage alert is delivered once the destination recovers (on the
 * next run, scheduler tick or reconciliation), exactly once, and the failure is logged once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CallbackAlerter,
  DedupingAlerter,
  WebhookAlerter,
  AbortError,
  type Clock,
  silentLogger,
  createScheduler,
  type Scheduler,
  type Alert,
  type Alerter,
  type AlertIncident,
} from 'cliniko-tradify';
import { alertProblems, instantClock, startWebhook } from '../alerts/webhook-server.js';
import type { LoopbackWebhook } from '../alerts/webhook-server.js';
import { startHarness, type Harness } from './helpers.js';

const QUICK_RETRIES = { retryPolicy: { decide: ({ attempt }: { attempt: number }) => ({ retry: attempt < 2, delayMs: 10, reason: 'test' }) } };

let h: Harness | undefined;
let hook: LoopbackWebhook;
beforeEach(async () => {
  hook = await startWebhook();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await hook.close();
});

const outages = (alerts: readonly Alert[]) => alerts.filter((a) => a.kind === 'outage');

async function outageIncident(harness: Harness): Promise<AlertIncident | undefined> {
  return (await harness.store.incidents.list('default')).find((i) => i.fingerprint.startsWith('outage:'));
}

/** A callback alerter that throws while `down` is set. */
function flakyCallback(throwOnFailure: boolean) {
  const state = { down: true, sent: [] as Alert[] };
  const alerter = new CallbackAlerter(
    (alert) => {
      if (state.down) throw new Error('pager unreachable');
      state.sent.push(alert);
    },
    { throwOnFailure },
  );
  return Object.assign(state, { alerter });
}

describe('an outage alert during a webhook outage', () => {
  for (const throwOnFailure of [false, true]) {
    it(`is delivered exactly once by the first run after the webhook recovers (throwOnFailure: ${throwOnFailure})`, async () => {
      const webhook = new WebhookAlerter({ url: hook.url, retries: 1, clock: instantClock, throwOnFailure });
      h = await startHarness({ engine: { ...QUICK_RETRIES, alerter: webhook } });
      h.ft.faults.set({ down: true });
      hook.status = 500;

      expect((await h.engine.run()).stoppedBecause).toBe('target-down');
      expect(outages(hook.received)).toHaveLength(2); // the first attempt and one retry
      expect(await outageIncident(h)).toMatchObject({ state: 'open', lastAlertedAt: undefined, deliveries: { webhook: { status: 'failed', errorCode: 'server_error' } } });

      expect((await h.engine.run()).stoppedBecause).toBe('target-down'); // the webhook still fails
      expect(outages(hook.accepted)).toHaveLength(0);

      hook.status = 200;
      expect((await h.engine.run()).stoppedBecause).toBe('target-down');
      expect((await h.engine.run()).stoppedBecause).toBe('target-down');
      expect(outages(hook.accepted)).toHaveLength(1);
      const incident = await outageIncident(h);
      expect(incident).toMatchObject({ state: 'open', count: 4, deliveries: { webhook: { status: 'delivered', failures: 0 } } });
      expect(incident?.lastAlertedAt).toBeGreaterThan(0);

      expect(alertProblems(h.logger)).toHaveLength(1);
      expect(alertProblems(h.logger)[0]).toMatch(/"kind":"outage".*"destination":"webhook".*"code":"server_error"/);
      expect(h.logger.lines.join('\n')).not.toContain('secret-token-canary');
    });
  }

  it('is still delivered, once, when Tradify and the webhook both recover before the next run', async () => {
    h = await startHarness({ engine: { ...QUICK_RETRIES, alerter: new WebhookAlerter({ url: hook.url, retries: 0, clock: instantClock }) } });
    h.ft.faults.set({ down: true });
    hook.status = 502;
    expect((await h.engine.run()).stoppedBecause).toBe('target-down');
    const [raised] = outages(hook.received);

    h.ft.faults.set({ down: false });
    hook.status = 200;
    expect((await h.engine.run()).outcome).toBe('completed');
    await h.engine.run();
    expect(outages(hook.accepted)).toEqual([raised]);
    expect(await outageIncident(h)).toMatchObject({ state: 'resolved', deliveries: { webhook: { status: 'delivered' } } });
    expect(await h.store.incidents.list('default', { undelivered: true })).toEqual([]);
  });
});

describe('an engine given a DedupingAlerter of its own', () => {
  it('still learns of the failed delivery: delivered once after the recovery, logged once', async () => {
    h = await startHarness({ engine: QUICK_RETRIES });
    const webhook = new WebhookAlerter({ url: hook.url, retries: 0, clock: instantClock });
    const engine = h.newEngine({ alerter: new DedupingAlerter({ alerter: webhook, store: h.store, logger: h.logger }) });
    h.ft.faults.set({ down: true });
    hook.status = 500;
    await engine.run();
    expect(await outageIncident(h)).toMatchObject({ lastAlertedAt: undefined, deliveries: { webhook: { status: 'failed' } } });
    hook.status = 200;
    await engine.run();
    await engine.run();
    expect(outages(hook.accepted)).toHaveLength(1);
    expect(await outageIncident(h)).toMatchObject({ deliveries: { webhook: { status: 'delivered' } } });
    expect(alertProblems(h.logger)).toHaveLength(1);
  });
});

describe('an outage alert to a callback that throws', () => {
  for (const throwOnFailure of [false, true]) {
    it(`is delivered exactly once after the callback works again (throwOnFailure: ${throwOnFailure})`, async () => {
      const callback = flakyCallback(throwOnFailure);
      h = await startHarness({ engine: { ...QUICK_RETRIES, alerter: callback.alerter } });
      h.ft.faults.set({ down: true });
      await h.engine.run();
      await h.engine.run();
      expect(await outageIncident(h)).toMatchObject({ lastAlertedAt: undefined, deliveries: { callback: { status: 'failed', failures: 2, errorCode: 'Error' } } });
      callback.down = false;
      await h.engine.run();
      await h.engine.run();
      expect(outages(callback.sent)).toHaveLength(1);
      expect(await outageIncident(h)).toMatchObject({ deliveries: { callback: { status: 'delivered' } } });
      expect(alertProblems(h.logger)).toHaveLength(1);
      expect(h.logger.lines.join('\n')).not.toContain('pager unreachable');
    });
  }
});

describe('reconciliation alerts', () => {
  for (const throwOnFailure of [false, true]) {
    it(`are recorded as undelivered and delivered once by the next reconciliation (throwOnFailure: ${throwOnFailure})`, async () => {
      h = await startHarness({ engine: { alerter: new WebhookAlerter({ url: hook.url, retries: 0, clock: instantClock, throwOnFailure }) } });
      expect((await h.engine.run()).outcome).toBe('completed');
      const customer = h.ft.state.customers.all().find((c) => c.externalReference?.startsWith('cliniko:patient:'))!;
      h.ft.state.customers.tamper(customer.id, { name: 'Changed In Tradify' });
      hook.status = 500;
      await h.engine.reconcile();
      const reconciliation = async () => (await h!.store.incidents.list('default')).find((i) => i.fingerprint.startsWith('reconciliation:'));
      expect(await reconciliation()).toMatchObject({ state: 'open', lastAlertedAt: undefined, deliveries: { webhook: { status: 'failed' } } });
      await h.engine.reconcile();
      hook.status = 200;
      await h.engine.reconcile();
      await h.engine.reconcile();
      expect(hook.accepted.filter((a) => a.kind === 'reconciliation')).toHaveLength(1);
      expect(await reconciliation()).toMatchObject({ deliveries: { webhook: { status: 'delivered' } } });
      expect(alertProblems(h.logger)).toHaveLength(1);
    });
  }
});

/** A scheduler clock moved by hand: sleeps wake when it passes their deadline. */
class TickClock implements Clock {
  #now = Date.parse('2026-07-01T00:00:30Z');
  #sleepers: Array<{ at: number; resolve: () => void }> = [];
  now(): number {
    return this.#now;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper = { at: this.#now + ms, resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', () => reject(new AbortError()));
    });
  }
  advanceTo(iso: string): void {
    this.#now = Date.parse(iso);
    const due = this.#sleepers.filter((s) => s.at <= this.#now);
    this.#sleepers = this.#sleepers.filter((s) => s.at > this.#now);
    for (const s of due) s.resolve();
  }
}

describe('scheduler ticks', () => {
  let scheduler: Scheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
  });

  it('the next sync tick delivers what an earlier tick could not', async () => {
    const callback = flakyCallback(false);
    h = await startHarness({ engine: { ...QUICK_RETRIES, alerter: callback.alerter } });
    h.ft.faults.set({ down: true });
    const clock = new TickClock();
    scheduler = createScheduler({ engine: h.engine, clock, sync: '*/15 * * * *', reconcile: '0 2 * * *', timeZone: 'UTC', handleSignals: false, logger: silentLogger });
    const ticked = (n: number) => vi.waitFor(() => expect(scheduler!.history).toHaveLength(n), { timeout: 10_000 });

    clock.advanceTo('2026-07-01T00:15:00Z');
    await ticked(1);
    expect(await outageIncident(h)).toMatchObject({ deliveries: { callback: { status: 'failed' } } });
    callback.down = false;
    h.ft.faults.set({ down: false });
    clock.advanceTo('2026-07-01T00:30:00Z');
    await ticked(2);
    expect(scheduler.history.map((t) => [t.job, t.status])).toEqual([
      ['sync', 'completed'],
      ['sync', 'completed'],
    ]);
    expect(outages(callback.sent)).toHaveLength(1);
    expect(await outageIncident(h)).toMatchObject({ state: 'resolved', deliveries: { callback: { status: 'delivered' } } });
  });

  it('a reconcile tick delivers a sync alert the sync tick could not', async () => {
    const callback = flakyCallback(true);
    h = await startHarness({ engine: { ...QUICK_RETRIES, alerter: callback.alerter } });
    h.ft.faults.set({ down: true });
    const clock = new TickClock();
    scheduler = createScheduler({ engine: h.engine, clock, sync: '0 1 * * *', reconcile: '0 2 * * *', timeZone: 'UTC', handleSignals: false, logger: silentLogger });
    const ticked = (n: number) => vi.waitFor(() => expect(scheduler!.history).toHaveLength(n), { timeout: 10_000 });
    clock.advanceTo('2026-07-01T01:00:00Z');
    await ticked(1);
    callback.down = false;
    h.ft.faults.set({ down: false });
    clock.advanceTo('2026-07-01T02:00:00Z');
    await ticked(2);
    expect(scheduler.history.map((t) => t.job)).toEqual(['sync', 'reconcile']);
    expect(outages(callback.sent)).toHaveLength(1);
    expect(await outageIncident(h)).toMatchObject({ deliveries: { callback: { status: 'delivered' } } });
  });
});

describe('the engine refuses an alerter whose name cannot key delivery state', () => {
  it('throws a ConfigError at construction, without echoing the name', async () => {
    h = await startHarness();
    const alerter: Alerter = { name: 'https://hooks.example.com/secret-token-canary', notify: () => Promise.resolve() };
    let error: unknown;
    try {
      h.newEngine({ alerter });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'config_invalid', setting: 'alerter.name' });
    expect(String(error)).not.toContain('secret-token-canary');
  });
});
