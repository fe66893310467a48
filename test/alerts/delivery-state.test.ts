import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CallbackAlerter,
  ConsoleAlerter,
  DedupingAlerter,
  WebhookAlerter,
  isConfigError,
  MemoryStateStore,
  type Alert,
  type Alerter,
} from 'cliniko-tradify';
import { alertFingerprint } from '../../src/alerts/dedupe.js';
import { alertProblems, instantClock, recordingLogger, startWebhook } from './webhook-server.js';
import type { LoopbackWebhook } from './webhook-server.js';

const ACCOUNT = 'default';

function outage(at = '2026-07-01T00:00:00.000Z'): Alert {
  return {
    kind: 'outage',
    severity: 'critical',
    accountId: ACCOUNT,
    summary: '1 outage problem in this run (target-down: 1)',
    counts: { total: 1, 'target-down': 1 },
    recordIds: [],
    fingerprint: alertFingerprint('outage', [ACCOUNT, 'reasons:target-down']),
    runId: 'run-1',
    at,
  };
}

function deduper(alerter: Alerter, store: MemoryStateStore, logger = recordingLogger()) {
  let now = Date.UTC(2026, 6, 1);
  const dedupe = new DedupingAlerter({ alerter, store, logger, clock: { now: () => now } });
  return { dedupe, logger, advance: (ms: number) => (now += ms) };
}

describe('DedupingAlerter over a webhook that fails, then recovers', () => {
  let hook: LoopbackWebhook;
  beforeEach(async () => {
    hook = await startWebhook();
  });
  afterEach(async () => hook.close());

  for (const throwOnFailure of [false, true]) {
    it(`counts the incident as alerted only once delivered, and delivers exactly once after the recovery (throwOnFailure: ${throwOnFailure})`, async () => {
      const store = new MemoryStateStore();
      const logger = recordingLogger();
      const webhook = new WebhookAlerter({ url: hook.url, retries: 1, clock: instantClock, throwOnFailure, logger });
      const { dedupe, advance } = deduper(webhook, store);
      const alert = outage();
      const notify = () => (throwOnFailure ? dedupe.notify(alert).catch((e: unknown) => e) : dedupe.notify(alert));

      hook.status = 500;
      const first = await notify();
      if (throwOnFailure) expect(first).toMatchObject({ code: 'server_error' });
      else expect(first).toBeUndefined();
      let incident = await store.incidents.get(ACCOUNT, alert.fingerprint);
      expect(incident).toMatchObject({ state: 'open', count: 1, lastAlertedAt: undefined });
      expect(incident?.deliveries?.webhook).toMatchObject({ status: 'failed', failures: 1, errorCode: 'server_error', deliveredAt: undefined });

      advance(60_000);
      await notify(); // the next run: still failing
      expect(hook.received).toHaveLength(4); // two runs, each a first attempt and one retry
      expect((await store.incidents.get(ACCOUNT, alert.fingerprint))?.deliveries?.webhook).toMatchObject({ status: 'failed', failures: 2 });

      hook.status = 200;
      advance(60_000);
      await dedupe.notify(alert);
      advance(60_000);
      await dedupe.notify(alert);
      expect(hook.accepted).toEqual([alert]);
      incident = await store.incidents.get(ACCOUNT, alert.fingerprint);
      expect(incident).toMatchObject({ count: 4, lastAlertedAt: Date.UTC(2026, 6, 1) + 120_000 });
      expect(incident?.deliveries?.webhook).toMatchObject({ status: 'delivered', failures: 0, deliveredAt: Date.UTC(2026, 6, 1) + 120_000 });

      // logged once, in the webhook's own logger, without the URL
      expect(alertProblems(logger)).toHaveLength(1);
      expect(alertProblems(logger)[0]).toContain('"destination":"webhook"');
      expect(alertProblems(logger)[0]).toContain('"code":"server_error"');
      expect(logger.lines.join('\n')).not.toContain('secret-token-canary');
      expect(logger.lines.join('\n')).not.toContain('127.0.0.1');
    });
  }

  it('with no logger given anywhere, reports the failure once on the console, as one line without the URL', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const dedupe = new DedupingAlerter({ alerter: new WebhookAlerter({ url: hook.url, retries: 0, clock: instantClock }), store: new MemoryStateStore() });
      hook.status = 500;
      await dedupe.notify(outage());
      await dedupe.notify(outage());
      expect(printed).toHaveBeenCalledTimes(1);
      const args = printed.mock.calls[0]!;
      expect(args).toHaveLength(1);
      expect(String(args[0])).not.toMatch(/[\r\n]/);
      expect(String(args[0])).toContain('"destination":"webhook"');
      expect(String(args[0])).not.toContain('secret-token-canary');
    } finally {
      printed.mockRestore();
    }
  });

  it('re-sends an undelivered alert whose incident has since been resolved, once, as it was raised', async () => {
    const store = new MemoryStateStore();
    const { dedupe, logger } = deduper(new WebhookAlerter({ url: hook.url, retries: 0, clock: instantClock }), store);
    const alert = outage();
    hook.status = 503;
    await dedupe.send(alert);
    expect(await dedupe.resolveAbsent(ACCOUNT, [])).toBe(1);
    expect(await dedupe.retryUndelivered(ACCOUNT)).toEqual([{ status: 'failed', destination: 'webhook', errorCode: 'server_error' }]);
    hook.status = 204;
    expect(await dedupe.retryUndelivered(ACCOUNT)).toEqual([{ status: 'delivered', destination: 'webhook' }]);
    expect(await dedupe.retryUndelivered(ACCOUNT)).toEqual([]);
    expect(hook.accepted).toEqual([alert]);
    expect(await store.incidents.get(ACCOUNT, alert.fingerprint)).toMatchObject({ state: 'resolved', deliveries: { webhook: { status: 'delivered' } } });
    expect(await store.incidents.list(ACCOUNT, { undelivered: true })).toEqual([]);
    expect(alertProblems(logger)).toHaveLength(1);
  });
});

describe('DedupingAlerter over a callback that throws, then works', () => {
  for (const throwOnFailure of [false, true]) {
    it(`records the failure, logs it once and delivers on the next notify (throwOnFailure: ${throwOnFailure})`, async () => {
      const store = new MemoryStateStore();
      const sent: Alert[] = [];
      let down = true;
      const callback = new CallbackAlerter(
        (a) => {
          if (down) throw new TypeError('pager down for jane@example.com');
          sent.push(a);
        },
        { throwOnFailure },
      );
      const { dedupe, logger } = deduper(callback, store);
      const alert = outage();
      for (let run = 0; run < 2; run++) {
        const outcome = await dedupe.notify(alert).then(
          () => 'resolved',
          (e: unknown) => (e as Error).name,
        );
        expect(outcome).toBe(throwOnFailure ? 'TypeError' : 'resolved');
      }
      expect((await store.incidents.get(ACCOUNT, alert.fingerprint))?.deliveries?.callback).toMatchObject({ status: 'failed', failures: 2, errorCode: 'TypeError' });
      down = false;
      await dedupe.notify(alert);
      await dedupe.notify(alert);
      expect(sent).toEqual([alert]);
      expect((await store.incidents.get(ACCOUNT, alert.fingerprint))?.deliveries?.callback?.status).toBe('delivered');
      expect(alertProblems(logger)).toHaveLength(1);
      expect(logger.lines.join('\n')).not.toContain('jane@example.com');
    });
  }
});

describe('destinations', () => {
  it('keeps delivery state per destination name: one destination delivered does not count for another', async () => {
    const store = new MemoryStateStore();
    const alert = outage();
    const pager: Alert[] = [];
    const lines: string[] = [];
    await deduper(new ConsoleAlerter({ write: (line) => void lines.push(line) }), store).dedupe.notify(alert);
    await deduper(new CallbackAlerter((a) => void pager.push(a), { name: 'pager' }), store).dedupe.notify(alert);
    await deduper(new ConsoleAlerter({ write: (line) => void lines.push(line) }), store).dedupe.notify(alert);
    expect(lines).toHaveLength(1);
    expect(pager).toEqual([alert]);
    const incident = await store.incidents.get(ACCOUNT, alert.fingerprint);
    expect(Object.keys(incident?.deliveries ?? {}).sort()).toEqual(['console', 'pager']);
  });

  it('names a custom alerter "custom" unless it names itself, and refuses a name that is not plain (a URL)', async () => {
    const store = new MemoryStateStore();
    const custom: Alerter = { notify: () => Promise.resolve() };
    await deduper(custom, store).dedupe.notify(outage());
    expect(Object.keys((await store.incidents.get(ACCOUNT, outage().fingerprint))?.deliveries ?? {})).toEqual(['custom']);
    const named: Alerter = { name: 'https://hooks.example.com/secret-token-canary', notify: () => Promise.resolve() };
    const refused = (() => {
      try {
        deduper(named, store);
      } catch (error) {
        return error;
      }
    })();
    expect(isConfigError(refused)).toBe(true);
    expect(String(refused)).not.toContain('secret-token-canary');
    expect(() => new WebhookAlerter({ url: 'https://hooks.example.com/x', name: 'a/b' })).toThrow(expect.objectContaining({ code: 'config_invalid', setting: 'name' }));
  });

  it('counts an incident alerted before delivery state was kept as delivered (no repeat after an upgrade)', async () => {
    const store = new MemoryStateStore();
    const alert = outage();
    await store.incidents.put(ACCOUNT, { fingerprint: alert.fingerprint, firstSeenAt: 1, lastSeenAt: 1, lastAlertedAt: 1, count: 1, state: 'open' });
    const sent: Alert[] = [];
    await deduper(new CallbackAlerter((a) => void sent.push(a)), store).dedupe.notify(alert);
    expect(sent).toEqual([]);
    expect(await store.incidents.get(ACCOUNT, alert.fingerprint)).toMatchObject({ count: 2, deliveries: { callback: { status: 'delivered', deliveredAt: 1 } } });
  });
});
