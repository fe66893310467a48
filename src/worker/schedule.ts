/**
 * Which accounts are due in a given minute, from cron expressions read in each account's zone.
 * pg-boss 10 keeps ONE cron schedule per queue, so the worker runs a per-minute tick and asks
 * this module which accounts' own schedules fall inside that minute.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import { ConfigError } from '../core/errors.js';

/** The start (epoch ms, UTC) of the minute holding `ms`. */
export function minuteStart(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

/**
 * Whether a 5-field cron expression, read in `timeZone`, fires inside the minute starting at
 * `slotStartMs` (epoch ms, a whole minute).
 *
 * @throws ConfigError when the expression or the zone is invalid.
 * @example
 * ```ts
 * isDueInMinute('0 2 * * *', 'Australia/Sydney', Date.parse('2026-01-14T15:00:00Z')); // true: 02:00 in Sydney (AEDT)
 * ```
 */
export function isDueInMinute(cron: string, timeZone: string, slotStartMs: number): boolean {
  const next = compile(cron, timeZone).nextRun(new Date(slotStartMs - 1));
  return next !== null && next.getTime() >= slotStartMs && next.getTime() < slotStartMs + 60_000;
}

/** Validate a cron expression and zone at start-up, naming the setting at fault. */
export function checkCron(cron: string, timeZone: string, setting: string): void {
  try {
    compile(cron, timeZone);
  } catch {
    throw new ConfigError(setting, `Worker option '${setting}' must be a 5-field cron expression such as '*/15 * * * *' with a valid IANA zone.`);
  }
}

function compile(cron: string, timeZone: string): Cron {
  if (typeof cron !== 'string' || cron.trim().split(/\s+/).length !== 5) throw new ConfigError('schedule', 'Cron expressions have five fields.');
  return new Cron(cron, { timezone: timeZone, paused: true });
}

/**
 * A stable UUID for one (kind, account, minute): the tick sends each due job with it, and
 * pg-boss ignores a second insert with the same id, so a retried or doubled tick sends nothing twice.
 */
export function slotJobId(kind: string, accountId: string, slotStartMs: number): string {
  const hex = createHash('sha256').update(`cliniko-tradify\n${kind}\n${accountId}\n${slotStartMs}`).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
