// Why the zone code (toLocalDate, the worker's cron wall clock) stays on Intl and not on
// date-fns-tz: each case below is one date-fns-tz gets wrong and ours gets right. If date-fns-tz
// ever gets them right, these tests fail, and the choice is worth making again.
import { spawnSync } from 'node:child_process';
import { getTimezoneOffset } from 'date-fns-tz';
import { describe, expect, it } from 'vitest';
import { toLocalDate } from 'cliniko-tradify/mapping';
import { isDueInMinute } from '../../src/worker/schedule.js';

const at = (iso: string): number => Date.parse(iso);

/** date-fns-tz's `formatInTimeZone` run in a fresh Node whose machine zone is `machineZone`. */
function formatInTimeZoneOn(machineZone: string, instantMs: number, timeZone: string, pattern: string): string {
  const script = `import { formatInTimeZone } from 'date-fns-tz';
process.stdout.write(formatInTimeZone(${instantMs}, ${JSON.stringify(timeZone)}, ${JSON.stringify(pattern)}));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '--eval', script], { env: { ...process.env, TZ: machineZone }, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`date-fns-tz child failed: ${child.stderr}`);
  return child.stdout;
}

describe('toLocalDate stays on Intl', () => {
  it("date-fns-tz moves a date when the machine's own zone skipped that day; toLocalDate does not", () => {
    // 2011-12-30T12:00Z is 23:00 on 30 December in Sydney. Samoa (Pacific/Apia) skipped 30 December
    // 2011, and date-fns-tz builds its result from the machine zone's local fields.
    const instant = at('2011-12-30T12:00:00Z');
    expect(toLocalDate(instant, 'Australia/Sydney')).toBe('2011-12-30');
    expect(formatInTimeZoneOn('UTC', instant, 'Australia/Sydney', 'yyyy-MM-dd')).toBe('2011-12-30');
    expect(formatInTimeZoneOn('Pacific/Apia', instant, 'Australia/Sydney', 'yyyy-MM-dd')).toBe('2011-12-31');
  });
});

describe('the cron wall clock stays on Intl', () => {
  it("date-fns-tz's wall clock is an hour late inside the machine zone's own DST gap (a test:tz zone)", () => {
    // 2026-03-07T15:30Z is 02:30 AEDT on Sunday 8 March in Sydney; on a machine in Los Angeles
    // 02:30 that day does not exist (clocks go forward), and date-fns-tz reads it as 03:30.
    const instant = at('2026-03-07T15:30:00Z');
    expect(formatInTimeZoneOn('UTC', instant, 'Australia/Sydney', 'HH:mm')).toBe('02:30');
    expect(formatInTimeZoneOn('America/Los_Angeles', instant, 'Australia/Sydney', 'HH:mm')).toBe('03:30');
    expect(isDueInMinute('30 2 * * *', 'Australia/Sydney', instant)).toBe(true);
    expect(isDueInMinute('30 3 * * *', 'Australia/Sydney', instant)).toBe(false);
  });

  it("getTimezoneOffset reads the hour after Sydney's clocks go back with the summer offset", () => {
    // Clocks go back at 03:00 AEDT = 2026-04-04T16:00Z: 16:30Z is the second 02:30 (AEST, +10).
    // getTimezoneOffset takes a wall time, not an instant, and gives +11 here: 03:30, an hour early
    // for a "30 3" job, which would then run twice.
    const instant = at('2026-04-04T16:30:00Z');
    expect(new Date(instant + getTimezoneOffset('Australia/Sydney', new Date(instant))).toISOString()).toBe('2026-04-05T03:30:00.000Z');
    expect(isDueInMinute('30 3 * * *', 'Australia/Sydney', instant)).toBe(false);
    expect(isDueInMinute('30 3 * * *', 'Australia/Sydney', at('2026-04-04T17:30:00Z'))).toBe(true);
  });
});
