/**
 * Which accounts are due in a given minute, from cron expressions read in each account's zone.
 * pg-boss 10 keeps ONE cron schedule per queue, so the worker runs a per-minute tick and asks
 * this module which accounts' own schedules fall inside that minute.
 *
 * Expressions are matched against the account's local wall clock, so daylight-saving changes
 * behave the same way in every zone:
 * - **Clocks go forward** (Sydney, first Sunday of October: 02:00 becomes 03:00): a time that
 *   does not exist that night (02:00, 02:30…) fires once, in the first minute after the gap
 *   (03:00 local). A daily job is never lost, and several skipped times collapse into one job.
 * - **Clocks go back** (Sydney, first Sunday of April: 03:00 becomes 02:00 again): a time that
 *   happens twice fires on its first occurrence only, and {@link slotJobId} names a slot by its
 *   local wall-clock minute, so even a tick for the second occurrence queues nothing new.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import { ConfigError } from '../core/errors.js';

const MINUTE_MS = 60_000;
/** Longest daylight-saving shift looked back over (real zones shift by 30 or 60 minutes; 2 h is spare). */
const MAX_SHIFT_MS = 3 * 60 * MINUTE_MS;

/** The start (epoch ms, UTC) of the minute holding `ms`. */
export function minuteStart(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/**
 * Whether a 5-field cron expression, read on the local wall clock of `timeZone`, fires in the
 * minute holding `slotStartMs` (epoch ms). See the module notes for daylight-saving days.
 *
 * @throws ConfigError when the expression or the zone is invalid.
 * @example
 * ```ts
 * isDueInMinute('0 2 * * *', 'Australia/Sydney', Date.parse('2026-01-14T15:00:00Z')); // true: 02:00 in Sydney (AEDT)
 * isDueInMinute('0 2 * * *', 'Australia/Sydney', Date.parse('2026-06-30T16:00:00Z')); // true: 02:00 in Sydney (AEST)
 * ```
 */
export function isDueInMinute(cron: string, timeZone: string, slotStartMs: number): boolean {
  const pattern = compile(cron);
  const slot = minuteStart(slotStartMs);
  const wall = wallClockMs(slot, timeZone);
  if (matchesWallMinute(pattern, wall)) return !occurredEarlier(slot, wall, timeZone);
  return skippedMinutesBefore(slot, wall, timeZone).some((skipped) => matchesWallMinute(pattern, skipped));
}

/** Validate a cron expression and zone at start-up, naming the setting at fault. */
export function checkCron(cron: string, timeZone: string, setting: string): void {
  try {
    compile(cron);
    wallClockMs(0, timeZone);
  } catch {
    throw new ConfigError(setting, `Worker option '${setting}' must be a 5-field cron expression such as '*/15 * * * *' with a valid IANA zone.`);
  }
}

/**
 * A stable UUID for one (kind, account, slot): the tick sends each due job with it, and pg-boss
 * ignores a second insert with the same id, so a retried or doubled tick sends nothing twice.
 * With `timeZone` the slot is named by its local wall-clock minute, so the two occurrences of a
 * repeated hour (clocks going back) share one id; without it, by its UTC minute.
 *
 * @example
 * ```ts
 * slotJobId('sync', 'clinic-42', Date.parse('2026-04-04T15:00:00Z'), 'Australia/Sydney')
 *   === slotJobId('sync', 'clinic-42', Date.parse('2026-04-04T16:00:00Z'), 'Australia/Sydney'); // true: 02:00 twice
 * ```
 */
export function slotJobId(kind: string, accountId: string, slotStartMs: number, timeZone?: string): string {
  const slot = minuteStart(slotStartMs);
  const name = timeZone === undefined ? String(slot) : `${timeZone}@${new Date(wallClockMs(slot, timeZone)).toISOString().slice(0, 16)}`;
  const hex = createHash('sha256').update(`cliniko-tradify\n${kind}\n${accountId}\n${name}`).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const compiled = new Map<string, Cron>();

/** The pattern, compiled once; it is evaluated at offset 0 (no zone lookups) against wall-clock times written as UTC. */
function compile(cron: string): Cron {
  if (typeof cron !== 'string' || cron.trim().split(/\s+/).length !== 5) throw new ConfigError('schedule', 'Cron expressions have five fields.');
  let pattern = compiled.get(cron);
  if (!pattern) {
    pattern = new Cron(cron, { utcOffset: 0, paused: true });
    compiled.set(cron, pattern);
  }
  return pattern;
}

/** Whether the pattern fires at this wall-clock minute (encoded as a UTC epoch, so no DST). */
function matchesWallMinute(pattern: Cron, wallMs: number): boolean {
  return pattern.nextRun(new Date(wallMs - 1))?.getTime() === wallMs;
}

/**
 * The same wall-clock minute already happened, earlier the same night (clocks went back): the
 * zone's offset a few hours ago was larger, and the instant that much earlier reads the same.
 */
function occurredEarlier(slot: number, wall: number, timeZone: string): boolean {
  const probe = slot - MAX_SHIFT_MS;
  const shift = wallClockMs(probe, timeZone) - probe - (wall - slot);
  return shift > 0 && wallClockMs(slot - shift, timeZone) === wall;
}

/** The wall-clock minutes the zone skipped just before this slot (clocks went forward), else none. */
function skippedMinutesBefore(slot: number, wall: number, timeZone: string): number[] {
  const previousWall = wallClockMs(slot - MINUTE_MS, timeZone);
  const skipped: number[] = [];
  for (let m = previousWall + MINUTE_MS; m < wall && skipped.length <= MAX_SHIFT_MS / MINUTE_MS; m += MINUTE_MS) skipped.push(m);
  return skipped;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The local wall-clock time of an instant in `timeZone`, written as if it were UTC (epoch ms):
 * 2026-06-30T16:00Z in Australia/Sydney gives the epoch of 2026-07-01T02:00Z.
 */
function wallClockMs(instantMs: number, timeZone: string): number {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      calendar: 'gregory',
      numberingSystem: 'latn',
    });
    formatters.set(timeZone, formatter);
  }
  const part: Record<string, number> = {};
  for (const p of formatter.formatToParts(instantMs)) if (p.type !== 'literal') part[p.type] = Number(p.value);
  return Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!);
}
