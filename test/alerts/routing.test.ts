/**
 * Alert routing: one run notifies several destinations, each with its own severity threshold
 * and kinds, and keeps delivery state per destination: a failing destination gets the alert
 * once it recovers, without the alert being repeated to the others.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackAlerter } from '../../src/alerts/callback.js';
import { DedupingAlerter } from '../../src/alerts/dedupe.js';
import { AlertRouter } from '../../src/alerts/routing.js';
import { WebhookAlerter } from '../../src/alerts/webhook.js';
import { isConfigError } from '../../src/core/errors.js';
import { MemoryStateStore } from '../../src/stores/memory.js';
import type { Alert, AlertIncident } from '../../src/sync/ports.js';
import { runReconciliation } from '../../src/sync/reconcile/run.js';
import { startHarness, type Harness } from '../sync/helpers.js';
import { minimalSync, startHarness as startReconcileHarness } from '../sync/reconcile-helpers.js';
import { alertProblems, instantClock, recordingLogger, startWebhook, type LoopbackWebhook } from './webhook-server.js';

const QUICK_RETRIES = { retryPolicy: { decide: ({ attempt }: { attempt: number }) => ({ retry: attempt < 2, delayMs: 10, reason: 'test' }) } };

let h: Harness | undefined;
let chat: LoopbackWebhook;
let ops: LoopbackWebhook;
beforeEach(async () => {
  chat = await startWebhook();
  ops = await startWebhook();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await chat.close();
  await ops.close();
});

const outages = (alerts: readonly Alert[]) => alerts.filter((a) => a.kind === 'outage');
const webhook = (hook: LoopbackWebhook, name: string) => new WebhookAlerter({ url: hook.url, name, retries: 0, clock: instantClock });

async function outageIncident(harness: Harness): Promise<AlertIncident | undefined> {
  return (await harness.store.incidents.list('default')).find((i) => i.fingerprint.startsWith('outage:'));
}

describe('an engine with two alert destinations, one failing', () => {
  it('delivers to the working one once, to the failing one once it recovers, never again to the first', async () => {
    h = await startHarness({ engine: { ...QUICK_RETRIES, alerter: [webhook(chat, 'chat'), webhook(ops, 'ops')] } });
    h.ft.faults.set({ down: true });
    ops.status = 500;

    expect((await h.engine.run()).stoppedBecause).toBe('target-down');
    expect(outages(chat.accepted)).toHaveLength(1);
    expect(outages(ops.received)).toHaveLength(1);
    expect(await outageIncident(h)).toMatchObject({ count: 1, deliveries: { chat: { status: 'delivered' }, ops: { status: 'failed', errorCode: 'server_error' } } });

    await h.engine.run(); // ops still failing
    expect(outages(ops.received)).toHaveLength(2);
    expect(outages(ops.accepted)).toHaveLength(0);

    ops.status = 200;
    await h.engine.run();
    await h.engine.run();
    expect(outages(ops.accepted)).toHaveLength(1);
    expect(outages(chat.received)).toHaveLength(1);
    expect(await outageIncident(h)).toMatchObject({ count: 4, deliveries: { chat: { status: 'delivered' }, ops: { status: 'delivered', failures: 0 } } });

    const problems = alertProblems(h.logger);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/"destination":"ops"/);
  });

  it('sends the failed one its alert after the problem is gone, still without repeating the other', async () => {
    h = await startHarness({ engine: { ...QUICK_RETRIES, alerter: [webhook(chat, 'chat'), webhook(ops, 'ops')] } });
    h.ft.faults.set({ down: true });
    chat.status = 503;
    await h.engine.run();
    const [raised] = outages(ops.accepted);
    expect(raised).toBeDefined();

    h.ft.faults.set({ down: false });
    chat.status = 200;
    expect((await h.engine.run()).outcome).toBe('completed');
    await h.engine.run();
    expect(outages(chat.accepted)).toEqual([raised]);
    expect(outages(ops.received)).toEqual([raised]);
    expect(await outageIncident(h)).toMatchObject({ state: 'resolved', deliveries: { chat: { status: 'delivered' }, ops: { status: 'delivered' } } });
  });
});

describe('routes with a severity threshold and kinds', () => {
  it('sends each alert only to the routes that take it, and records delivery only there', async () => {
    const deadLetterDesk: Alert[] = [];
    const pager: Alert[] = [];
    const everything: Alert[] = [];
    h = await startHarness({
      cliniko: { patients: 4, invoices: 0 },
      engine: {
        ...QUICK_RETRIES,
        alerter: [
          { alerter: new CallbackAlerter((a) => void deadLetterDesk.push(a), { name: 'desk' }), kinds: ['dead-letters'] },
          { alerter: new CallbackAlerter((a) => void pager.push(a), { name: 'pager' }), minSeverity: 'critical' },
          new CallbackAlerter((a) => void everything.push(a), { name: 'all' }),
        ],
      },
    });
    const [patient] = h.fc.db.patients.all();
    h.fc.db.patients.update(patient!.id, { date_of_birth: 'not-a-date' } as never);
    await h.engine.run(); // a dead letter (warning)
    h.fc.db.clock.advance(1000);
    h.fc.db.patients.update(h.fc.db.patients.all()[1]!.id, { city: 'Katoomba' });
    h.ft.faults.set({ down: true });
    await h.engine.run(); // an outage (critical); the dead letter is unchanged, so not sent again

    expect(deadLetterDesk.map((a) => a.kind)).toEqual(['dead-letters']);
    expect(pager.map((a) => a.kind)).toEqual(['outage']);
    expect(everything.map((a) => a.kind).sort()).toEqual(['dead-letters', 'outage']);
    const incidents = await h.store.incidents.list('default');
    const deliveredTo = (prefix: string) => Object.keys(incidents.find((i) => i.fingerprint.startsWith(prefix))?.deliveries ?? {}).sort();
    expect(deliveredTo('dead-letters:')).toEqual(['all', 'desk']);
    expect(deliveredTo('outage:')).toEqual(['all', 'pager']);
  });
});

describe('DedupingAlerter over an AlertRouter', () => {
  const alert = (fingerprint: string): Alert => ({ kind: 'reviews', severity: 'info', accountId: 'a', summary: 's', counts: { total: 1 }, recordIds: ['1'], fingerprint, at: '2026-07-01T00:00:00Z' });

  it('retries the undelivered alerts of every destination except those named, each at most until it fails again', async () => {
    const store = new MemoryStateStore();
    const state = { down: true, sent: [] as string[], steady: [] as string[] };
    const flaky = new CallbackAlerter((a) => {
      if (state.down) throw new Error('down');
      state.sent.push(a.fingerprint);
    }, { name: 'flaky' });
    const steady = new CallbackAlerter((a) => void state.steady.push(a.fingerprint), { name: 'steady' });
    const logger = recordingLogger();
    const deduper = new DedupingAlerter({ alerter: new AlertRouter([flaky, steady]), store, logger });
    expect(deduper.destinations).toEqual(['flaky', 'steady']);

    for (const f of ['reviews:1', 'reviews:2']) expect(await deduper.sendEach(alert(f))).toEqual([{ status: 'failed', destination: 'flaky', errorCode: 'Error' }, { status: 'delivered', destination: 'steady' }]);
    expect(await deduper.retryUndelivered('a', { except: ['flaky'] })).toEqual([]);
    expect(await deduper.retryUndelivered('a')).toEqual([{ status: 'failed', destination: 'flaky', errorCode: 'Error' }]); // still down: stops
    state.down = false;
    const retried = await deduper.retryUndelivered('a');
    expect(retried.map((r) => r.status)).toEqual(['delivered', 'delivered']);
    expect(state.sent.sort()).toEqual(['reviews:1', 'reviews:2']);
    expect(state.steady.sort()).toEqual(['reviews:1', 'reviews:2']);
    expect(await store.incidents.list('a', { undelivered: true })).toEqual([]);
    expect(await deduper.send(alert('reviews:1'))).toEqual({ status: 'suppressed', destination: 'flaky' });
    expect(alertProblems(logger)).toHaveLength(2); // one per incident at the failing destination
  });
});

describe('route validation', () => {
  const callback = (name: string) => new CallbackAlerter(() => undefined, { name });

  it('refuses an unknown route option, naming the nearest valid one', () => {
    const error = (() => {
      try {
        new AlertRouter([{ alerter: callback('a'), minSeverty: 'critical' } as never]);
      } catch (e) {
        return e;
      }
    })();
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toMatch(/unknown option `minSeverty`; did you mean `minSeverity`\?/);
  });

  it('refuses two destinations sharing a name, an unknown kind and a bad threshold', () => {
    expect(() => new AlertRouter([callback('x'), callback('x')])).toThrow(/two alert destinations are named 'x'/);
    expect(() => new AlertRouter([{ alerter: callback('a'), kinds: ['outages' as never] }])).toThrow(/option `kinds\.0` is not valid/);
    expect(() => new AlertRouter([{ alerter: callback('a'), minSeverity: 'high' as never }])).toThrow(/option `minSeverity` is not valid/);
    expect(() => new AlertRouter([{ alerter: {} as never }])).toThrow(/option `alerter` is not valid/);
  });

  it('refuses the same through the engine option', async () => {
    h = await startHarness({ engine: QUICK_RETRIES });
    expect(() => h!.newEngine({ alerter: [webhook(chat, 'same'), webhook(ops, 'same')] })).toThrow(/two alert destinations are named 'same'/);
  });
});

describe('reconciliation findings routed to one destination', () => {
  it('reach only the route that takes them, again once that destination recovers, never twice', async () => {
    const r = await startReconcileHarness({ patients: 4, invoices: 4 });
    try {
      await minimalSync(r);
      const books = { down: true, got: [] as Alert[] };
      const pager: Alert[] = [];
      const alerter = new AlertRouter([
        {
          alerter: new CallbackAlerter((a) => {
            if (books.down) throw new Error('mailbox full');
            books.got.push(a);
          }, { name: 'books' }),
          kinds: ['reconciliation'],
        },
        { alerter: new CallbackAlerter((a) => void pager.push(a), { name: 'pager' }), minSeverity: 'critical' },
      ]);
      const internals = { ...r.internals, alerter, logger: recordingLogger() };
      const patient = r.fc.db.patients.all().find((p) => p.deleted_at === null)!;
      const customerId = (await r.store.links.getMany('default', 'patient', [patient.id])).get(patient.id)!.tradifyId;
      r.ft.state.customers.tamper(customerId, { name: 'Changed In Tradify' });

      await runReconciliation(internals);
      await runReconciliation(internals);
      expect(books.got).toHaveLength(0);
      books.down = false;
      await runReconciliation(internals);
      await runReconciliation(internals);
      expect(books.got.map((a) => a.kind)).toEqual(['reconciliation']);
      expect(pager).toEqual([]); // a warning: below the pager's threshold
      expect(alertProblems(internals.logger)).toHaveLength(1);
    } finally {
      await r.close();
    }
  });
});
