import { describe, expect, it } from 'vitest';
import { ConfigError } from 'cliniko-tradify';
import { checkCron, isDueInMinute, minuteStart, slotJobId } from '../../src/worker/schedule.js';

const at = (iso: string): number => Date.parse(iso);

/** Every UTC minute in [from, from + hours) at which the expression is due, as ISO strings. */
function dueMinutes(cron: string, timeZone: string, fromIso: string, hours: number): string[] {
  const from = at(fromIso);
  const hits: string[] = [];
  for (let t = from; t < from + hours * 3_600_000; t += 60_000) if (isDueInMinute(cron, timeZone, t)) hits.push(new Date(t).toISOString());
  return hits;
}

/** What the worker's tick does over a stretch of minutes: the job ids pg-boss would keep (duplicates ignored). */
function queuedJobIds(cron: string, timeZone: string, fromIso: string, hours: number): Set<string> {
  const ids = new Set<string>();
  for (const minute of dueMinutes(cron, timeZone, fromIso, hours)) ids.add(slotJobId('sync', 'clinic-1', at(minute), timeZone));
  return ids;
}

describe('minuteStart', () => {
  it('floors an instant to the start of its UTC minute', () => {
    expect(minuteStart(at('2026-06-30T16:00:59.999Z'))).toBe(at('2026-06-30T16:00:00Z'));
    expect(minuteStart(at('2026-06-30T16:01:00.000Z'))).toBe(at('2026-06-30T16:01:00Z'));
  });
});

describe('isDueInMinute across zones', () => {
  it('reads "0 2 * * *" at 02:00 on the Sydney wall clock (AEST in June), not at 02:00 UTC', () => {
    expect(isDueInMinute('0 2 * * *', 'Australia/Sydney', at('2026-06-30T16:00:00Z'))).toBe(true);
    expect(isDueInMinute('0 2 * * *', 'Australia/Sydney', at('2026-06-30T02:00:00Z'))).toBe(false);
    expect(dueMinutes('0 2 * * *', 'Australia/Sydney', '2026-06-30T00:00:00Z', 24)).toEqual(['2026-06-30T16:00:00.000Z']);
  });

  it('uses AEDT (UTC+11) in Sydney summer', () => {
    expect(dueMinutes('0 2 * * *', 'Australia/Sydney', '2026-01-14T00:00:00Z', 24)).toEqual(['2026-01-14T15:00:00.000Z']);
  });

  it('any second inside the due minute counts; the minute after does not', () => {
    expect(isDueInMinute('0 2 * * *', 'Australia/Sydney', at('2026-06-30T16:00:42Z'))).toBe(true);
    expect(isDueInMinute('0 2 * * *', 'Australia/Sydney', at('2026-06-30T16:01:00Z'))).toBe(false);
  });

  it('Perth (UTC+8, no DST) and Auckland (UTC+12 in June) fire the same local 02:00 at different instants', () => {
    expect(dueMinutes('0 2 * * *', 'Australia/Perth', '2026-06-30T00:00:00Z', 24)).toEqual(['2026-06-30T18:00:00.000Z']);
    expect(dueMinutes('0 2 * * *', 'Pacific/Auckland', '2026-06-30T00:00:00Z', 24)).toEqual(['2026-06-30T14:00:00.000Z']);
    // The Auckland instant is 02:00 there but 22:00 the day before in Perth.
    expect(isDueInMinute('0 2 * * *', 'Australia/Perth', at('2026-06-30T14:00:00Z'))).toBe(false);
  });

  it('reads day-of-week in the local zone: Monday 09:00 in Auckland is Sunday 21:00 UTC', () => {
    expect(isDueInMinute('0 9 * * 1', 'Pacific/Auckland', at('2026-06-28T21:00:00Z'))).toBe(true);
    expect(isDueInMinute('0 9 * * 1', 'Australia/Perth', at('2026-06-28T21:00:00Z'))).toBe(false);
    expect(dueMinutes('0 9 * * 1', 'Australia/Perth', '2026-06-28T00:00:00Z', 48)).toEqual(['2026-06-29T01:00:00.000Z']);
  });

  it('"*/15" fires four times an hour in any zone, including a half-hour zone (Adelaide)', () => {
    expect(dueMinutes('*/15 * * * *', 'Australia/Adelaide', '2026-06-30T00:00:00Z', 1)).toEqual([
      '2026-06-30T00:00:00.000Z',
      '2026-06-30T00:15:00.000Z',
      '2026-06-30T00:30:00.000Z',
      '2026-06-30T00:45:00.000Z',
    ]);
    // 02:00 in Adelaide (UTC+9:30) is a half-past instant in UTC.
    expect(dueMinutes('0 2 * * *', 'Australia/Adelaide', '2026-06-30T00:00:00Z', 24)).toEqual(['2026-06-30T16:30:00.000Z']);
  });
});

describe('isDueInMinute on Sydney daylight-saving days', () => {
  it('2026-10-04, clocks go forward at 02:00 (02:00–02:59 never happens): 02:00 and 02:30 jobs run once, at 03:00 AEDT', () => {
    // 02:00 AEST on the 4th would be 16:00Z on the 3rd; that instant is 03:00 AEDT.
    expect(dueMinutes('0 2 * * *', 'Australia/Sydney', '2026-10-03T12:00:00Z', 12)).toEqual(['2026-10-03T16:00:00.000Z']);
    expect(dueMinutes('30 2 * * *', 'Australia/Sydney', '2026-10-03T12:00:00Z', 12)).toEqual(['2026-10-03T16:00:00.000Z']);
    // The day before and after run at 02:00 local as usual (AEST, then AEDT).
    expect(dueMinutes('0 2 * * *', 'Australia/Sydney', '2026-10-02T12:00:00Z', 12)).toEqual(['2026-10-02T16:00:00.000Z']);
    expect(dueMinutes('0 2 * * *', 'Australia/Sydney', '2026-10-04T12:00:00Z', 12)).toEqual(['2026-10-04T15:00:00.000Z']);
  });

  it('2026-10-04: a "*/15" sync keeps its rhythm and the skipped hour collapses into one job at 03:00', () => {
    expect(dueMinutes('*/15 * * * *', 'Australia/Sydney', '2026-10-03T15:30:00Z', 1)).toEqual([
      '2026-10-03T15:30:00.000Z', // 01:30 AEST
      '2026-10-03T15:45:00.000Z', // 01:45 AEST
      '2026-10-03T16:00:00.000Z', // 03:00 AEDT (also stands for 02:00–02:45)
      '2026-10-03T16:15:00.000Z', // 03:15 AEDT
    ]);
    expect(queuedJobIds('*/15 * * * *', 'Australia/Sydney', '2026-10-03T16:00:00Z', 1 / 60).size).toBe(1);
  });

  it('2026-04-05, clocks go back at 03:00 (02:00 happens twice): "0 2 * * *" runs once, on the first 02:00 (AEDT)', () => {
    const first = at('2026-04-04T15:00:00Z'); // 02:00 AEDT
    const second = at('2026-04-04T16:00:00Z'); // 02:00 AEST
    expect(isDueInMinute('0 2 * * *', 'Australia/Sydney', first)).toBe(true);
    expect(isDueInMinute('0 2 * * *', 'Australia/Sydney', second)).toBe(false);
    expect(dueMinutes('0 2 * * *', 'Australia/Sydney', '2026-04-04T12:00:00Z', 12)).toEqual(['2026-04-04T15:00:00.000Z']);
  });

  it('2026-04-05: both 02:00 occurrences share one slot job id, so even a tick at the second queues nothing new', () => {
    const first = at('2026-04-04T15:00:00Z');
    const second = at('2026-04-04T16:00:00Z');
    expect(slotJobId('sync', 'clinic-1', first, 'Australia/Sydney')).toBe(slotJobId('sync', 'clinic-1', second, 'Australia/Sydney'));
    // Named by the UTC minute (no zone), they would be two jobs.
    expect(slotJobId('sync', 'clinic-1', first)).not.toBe(slotJobId('sync', 'clinic-1', second));
    expect(queuedJobIds('0 2 * * *', 'Australia/Sydney', '2026-04-04T12:00:00Z', 12).size).toBe(1);
  });

  it('2026-04-05: a "*/30" sync runs in the first 02:xx hour and not again in the repeated one', () => {
    expect(dueMinutes('*/30 * * * *', 'Australia/Sydney', '2026-04-04T14:00:00Z', 4)).toEqual([
      '2026-04-04T14:00:00.000Z', // 01:00 AEDT
      '2026-04-04T14:30:00.000Z', // 01:30 AEDT
      '2026-04-04T15:00:00.000Z', // 02:00 AEDT
      '2026-04-04T15:30:00.000Z', // 02:30 AEDT; 02:00 and 02:30 AEST are repeats
      '2026-04-04T17:00:00.000Z', // 03:00 AEST
      '2026-04-04T17:30:00.000Z', // 03:30 AEST
    ]);
  });

  it('Lord Howe Island shifts by 30 minutes: the repeated half hour runs once', () => {
    // 2026-04-05 02:00 +11 becomes 01:30 +10:30, so 01:30–01:59 happens twice.
    expect(dueMinutes('45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T12:00:00Z', 6)).toEqual(['2026-04-04T14:45:00.000Z']);
  });
});

describe('slotJobId', () => {
  it('is a UUID, stable for one (kind, account, minute) and distinct otherwise', () => {
    const id = slotJobId('sync', 'clinic-1', at('2026-06-30T16:00:00Z'), 'Australia/Sydney');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(slotJobId('sync', 'clinic-1', at('2026-06-30T16:00:30Z'), 'Australia/Sydney')).toBe(id);
    expect(slotJobId('reconcile', 'clinic-1', at('2026-06-30T16:00:00Z'), 'Australia/Sydney')).not.toBe(id);
    expect(slotJobId('sync', 'clinic-2', at('2026-06-30T16:00:00Z'), 'Australia/Sydney')).not.toBe(id);
    expect(slotJobId('sync', 'clinic-1', at('2026-06-30T16:01:00Z'), 'Australia/Sydney')).not.toBe(id);
  });
});

describe('checkCron', () => {
  it('accepts a 5-field expression with a real zone', () => {
    expect(() => checkCron('*/15 * * * *', 'Australia/Perth', 'syncCron')).not.toThrow();
  });

  it.each([
    ['0 2 * *', 'Australia/Sydney'],
    ['0 0 2 * * *', 'Australia/Sydney'],
    ['61 2 * * *', 'Australia/Sydney'],
    ['0 2 * * *', 'Australia/Atlantis'],
  ])('rejects %s in %s as a ConfigError naming the setting', (cron, zone) => {
    const error = (() => {
      try {
        checkCron(cron, zone, 'accounts[3].syncCron');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe('accounts[3].syncCron');
  });
});
