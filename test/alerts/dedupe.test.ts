import { describe, expect, it } from 'vitest';
import { DedupingAlerter, CallbackAlerter, MemoryStateStore, type Alert } from 'cliniko-tradify';
import { MAX_ALERT_RECORD_IDS, aggregateAlerts, alertFingerprint } from '../../src/alerts/dedupe.js';

function alert(kind: Alert['kind'], ids: string[], overrides: Partial<Alert> = {}): Alert {
  return {
    kind,
    severity: 'warning',
    accountId: 'default',
    summary: `${ids.length} records`,
    counts: { records: ids.length },
    recordIds: ids,
    fingerprint: alertFingerprint(kind, ids),
    at: '2026-07-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('alertFingerprint', () => {
  it('is stable under order and repetition, and differs when the problem differs', () => {
    expect(alertFingerprint('reviews', ['2', '1', '1'])).toBe(alertFingerprint('reviews', ['1', '2']));
    expect(alertFingerprint('reviews', ['1', '2'])).not.toBe(alertFingerprint('reviews', ['1', '3']));
    expect(alertFingerprint('reviews', ['1'])).not.toBe(alertFingerprint('dead-letters', ['1']));
    expect(alertFingerprint('reviews', ['1'])).toMatch(/^reviews:[0-9a-f]{24}$/);
  });
});

describe('aggregateAlerts', () => {
  it('folds a run into one alert per account and kind, summing counts and keeping the worst severity', () => {
    const out = aggregateAlerts([
      alert('dead-letters', ['1', '2']),
      alert('reviews', ['9']),
      alert('dead-letters', ['2', '3'], { severity: 'critical' }),
      alert('dead-letters', ['4'], { accountId: 'other' }),
    ]);
    expect(out.map((a) => [a.accountId, a.kind, a.severity, a.counts.records, a.recordIds])).toEqual([
      ['default', 'dead-letters', 'critical', 4, ['1', '2', '3']],
      ['default', 'reviews', 'warning', 1, ['9']],
      ['other', 'dead-letters', 'warning', 1, ['4']],
    ]);
    expect(out[0]!.summary).toBe('2 dead-letters alerts; first: 2 records');
  });

  it('bounds the ids it keeps', () => {
    const many = Array.from({ length: 80 }, (_, i) => String(i));
    const [merged] = aggregateAlerts([alert('outage', many.slice(0, 40)), alert('outage', many.slice(40))]);
    expect(merged!.recordIds).toHaveLength(MAX_ALERT_RECORD_IDS);
    expect(merged!.counts.records).toBe(80);
  });
});

describe('DedupingAlerter', () => {
  function setup(renotifyAfterMs?: number) {
    const sent: Alert[] = [];
    let now = 1_000;
    const store = new MemoryStateStore();
    const alerter = new DedupingAlerter({ alerter: new CallbackAlerter((a) => void sent.push(a), { throwOnFailure: true }), store, clock: { now: () => now }, renotifyAfterMs });
    return { sent, store, alerter, advance: (ms: number) => (now += ms) };
  }

  it('sends an unchanged problem once across runs, and records every sighting', async () => {
    const { sent, store, alerter, advance } = setup();
    const a = alert('dead-letters', ['1', '2']);
    await alerter.notify(a);
    advance(60_000);
    await alerter.notify(a);
    await alerter.notify(a);
    expect(sent).toHaveLength(1);
    const incident = await store.incidents.get('default', a.fingerprint);
    expect(incident).toMatchObject({ count: 3, state: 'open', firstSeenAt: 1_000, lastAlertedAt: 1_000, lastSeenAt: 61_000 });
  });

  it('sends a changed problem, and sends again once a resolved one comes back', async () => {
    const { sent, alerter } = setup();
    const first = alert('dead-letters', ['1']);
    const second = alert('dead-letters', ['1', '2']);
    await alerter.notify(first);
    await alerter.notify(second);
    expect(sent.map((s) => s.fingerprint)).toEqual([first.fingerprint, second.fingerprint]);
    expect(await alerter.resolveAbsent('default', [second.fingerprint])).toBe(1);
    await alerter.notify(second);
    expect(sent).toHaveLength(2);
    await alerter.notify(first);
    expect(sent).toHaveLength(3);
  });

  it('limits resolveAbsent to the kinds a run re-checked', async () => {
    const { store, alerter } = setup();
    const dl = alert('dead-letters', ['1']);
    const rec = alert('reconciliation', ['5']);
    await alerter.notify(dl);
    await alerter.notify(rec);
    expect(await alerter.resolveAbsent('default', [], { kinds: ['reconciliation'] })).toBe(1);
    expect((await store.incidents.get('default', dl.fingerprint))!.state).toBe('open');
    expect((await store.incidents.get('default', rec.fingerprint))!.state).toBe('resolved');
  });

  it('reminds after renotifyAfterMs', async () => {
    const { sent, alerter, advance } = setup(3_600_000);
    const a = alert('outage', ['tradify']);
    await alerter.notify(a);
    advance(3_599_999);
    await alerter.notify(a);
    advance(1);
    await alerter.notify(a);
    expect(sent).toHaveLength(2);
  });

  it('tries again next run when delivery failed', async () => {
    const store = new MemoryStateStore();
    let fail = true;
    const sent: Alert[] = [];
    const alerter = new DedupingAlerter({
      store,
      alerter: new CallbackAlerter((a) => {
        if (fail) throw new Error('down');
        sent.push(a);
      }, { throwOnFailure: true }),
    });
    const a = alert('reviews', ['7']);
    await expect(alerter.notify(a)).rejects.toThrow('down');
    fail = false;
    await alerter.notify(a);
    expect(sent).toHaveLength(1);
  });
});
