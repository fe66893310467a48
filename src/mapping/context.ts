/**
 * The context every mapping function and user callback receives: the time zone, the engine's
 * "now" (mapping reads no clock), the account and what the Tradify port supports.
 *
 * @module
 */

import { ConfigError } from '../core/errors.js';
import { DEFAULT_TIME_ZONE, instantToEpochMs, isValidTimeZone } from '../core/dates.js';
import type { ClinikoBusiness } from '../cliniko/schemas/business.js';
import type { TradifyCapabilities } from '../tradify/port.js';

/** What mapping functions and callbacks know about the run. Read-only. */
export interface MappingContext {
  /** IANA zone used to turn UTC instants into local dates (a business's zone wins over the engine's). */
  readonly timeZone: string;
  /** The run's current instant, ISO-8601 UTC, from the engine's injectable clock. */
  readonly now: string;
  /** The account being synced. */
  readonly accountId: string;
  /** What the Tradify port supports (e.g. `ownerStaffId`). */
  readonly capabilities: TradifyCapabilities;
}

/** Input of {@link createMappingContext}. */
export interface MappingContextInit {
  /** The engine's `timeZone` option. @defaultValue `'Australia/Sydney'` */
  timeZone?: string | undefined;
  /** The business whose `time_zone_identifier`, when set and valid, wins over `timeZone`. */
  business?: Pick<ClinikoBusiness, 'time_zone_identifier'> | null | undefined;
  /** The current instant (ISO string, `Date` or epoch ms) from the engine's clock. */
  now: string | Date | number;
  /** @defaultValue `'default'` */
  accountId?: string | undefined;
  /** @defaultValue `{ ownerStaffId: true }` */
  capabilities?: TradifyCapabilities | undefined;
}

/**
 * Builds a frozen {@link MappingContext}.
 *
 * @throws ConfigError (`timeZone`) when the engine's zone is not an IANA zone.
 * @example
 * ```ts
 * const ctx = createMappingContext({ timeZone: 'Australia/Perth', now: clock.now() });
 * ```
 */
export function createMappingContext(init: MappingContextInit): MappingContext {
  const configured = init.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(configured)) {
    throw new ConfigError('timeZone', `timeZone must be an IANA zone such as 'Australia/Sydney'; the one given is not known to this runtime.`);
  }
  const businessZone = init.business?.time_zone_identifier ?? null;
  const timeZone = businessZone !== null && isValidTimeZone(businessZone) ? businessZone : configured;
  return Object.freeze({
    timeZone,
    now: new Date(instantToEpochMs(init.now)).toISOString(),
    accountId: init.accountId ?? 'default',
    capabilities: Object.freeze({ ...(init.capabilities ?? { ownerStaffId: true }) }),
  });
}
