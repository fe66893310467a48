/**
 * The options of {@link SyncEngine} and their validation: every mistake is a `ConfigError`
 * naming the option and the fix, raised at construction.
 *
 * @module
 */
import { ConfigError } from '../core/errors.js';
import { systemClock, type Clock } from '../core/clock.js';
import { defaultLogger, type Logger } from '../core/logger.js';
import { DEFAULT_TIME_ZONE, isValidTimeZone, parseDuration, toWholeSecondIso } from '../core/dates.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import { resolveMappingConfig, type MappingConfig, type ResolvedMappingConfig } from '../mapping/config.js';
import type { TradifyPort } from '../tradify/port.js';
import type { Alerter, RetryPolicy, StateStore } from './ports.js';
import { alerterOf, type AlertDestinations } from '../alerts/routing.js';
import { ExponentialBackoffRetryPolicy } from './retry-policy.js';
import type { ClinikoSourceClient } from './streams/source.js';

/** Options of `new SyncEngine(...)`. Only `cliniko`, `tradify` and `store` are required. */
export interface SyncEngineOptions {
  /** The Cliniko client (`ClinikoClient`). */
  cliniko: ClinikoSourceClient;
  /** Any Tradify transport: `HttpTradifyClient` or your own `TradifyPort`. */
  tradify: TradifyPort;
  /** Where cursors, links, hashes, dead letters, reviews and the audit log live. */
  store: StateStore;
  /** Mapping callbacks, filters, tables and policies. @defaultValue `{}` (every mapping default) */
  mapping?: MappingConfig | undefined;
  /** Engine-level retry of whole records. @defaultValue `new ExponentialBackoffRetryPolicy()` */
  retryPolicy?: RetryPolicy | undefined;
  /**
   * Where alerts go (aggregated: one per kind per run): one alerter, or a list of alerters and
   * routes (`{ alerter, minSeverity, kinds }`), each its own destination with its own delivery
   * state (see `AlertRouter`). @defaultValue a `ConsoleAlerter`
   */
  alerter?: AlertDestinations | undefined;
  /** Logs name records by id only. @defaultValue warnings and errors to the console */
  logger?: Logger | undefined;
  /** IANA zone for local dates; a business's `time_zone_identifier` wins. @defaultValue `'Australia/Sydney'` */
  timeZone?: string | undefined;
  /** The account whose state this engine reads and writes. Never random, so a new engine resumes. @defaultValue `'default'` */
  accountId?: string | undefined;
  /** Stop after this long (ms or `'30m'`, `'2h'`), keeping the checkpoint and releasing the lease. @defaultValue no limit */
  maxRunDuration?: number | string | undefined;
  /** The first sync reads only records updated from this instant (e.g. the financial year's start). @defaultValue everything */
  initialSyncFrom?: Date | string | undefined;
  /** Injectable clock and sleep (tests). @defaultValue the system clock */
  clock?: Clock | undefined;
  /** Lease lifetime, renewed while the run works. @defaultValue `120000` */
  leaseTtlMs?: number | undefined;
  /** Seconds re-read before the cursor each run, to catch late commits. @defaultValue `120` */
  lookbackSeconds?: number | undefined;
  /** Cliniko pages read ahead of the writes (memory stays flat). @defaultValue `2` */
  readAhead?: number | undefined;
  /** The Cliniko and Tradify rates used for the ETA. @defaultValue `{ cliniko: 190, tradify: 95 }` */
  rates?: { cliniko?: number | undefined; tradify?: number | undefined } | undefined;
}

/** The options after validation and defaults. */
export interface ResolvedEngineOptions {
  readonly cliniko: ClinikoSourceClient;
  readonly tradify: TradifyPort;
  readonly store: StateStore;
  readonly mapping: ResolvedMappingConfig;
  readonly retryPolicy: RetryPolicy;
  /** The alerter; a list given as `alerter` is an `AlertRouter` here. */
  readonly alerter: Alerter | undefined;
  readonly logger: Logger;
  readonly timeZone: string;
  readonly accountId: string;
  readonly maxRunDurationMs: number | undefined;
  readonly initialSyncFrom: string | undefined;
  readonly clock: Clock;
  readonly leaseTtlMs: number;
  readonly lookbackSeconds: number;
  readonly readAhead: number;
  readonly rates: { readonly cliniko: number; readonly tradify: number };
}

/** The defaults, frozen. */
export const ENGINE_DEFAULTS = Object.freeze({
  accountId: 'default',
  timeZone: DEFAULT_TIME_ZONE,
  leaseTtlMs: 120_000,
  lookbackSeconds: 120,
  readAhead: 2,
  rates: Object.freeze({ cliniko: 190, tradify: 95 }),
});

/** The keys of {@link SyncEngineOptions}; `mapping` is checked by `resolveMappingConfig`. */
const ENGINE_OPTION_SHAPE = {
  cliniko: true,
  tradify: true,
  store: true,
  mapping: true,
  retryPolicy: true,
  alerter: true,
  logger: true,
  timeZone: true,
  accountId: true,
  maxRunDuration: true,
  initialSyncFrom: true,
  clock: true,
  leaseTtlMs: true,
  lookbackSeconds: true,
  readAhead: true,
  rates: { cliniko: true, tradify: true },
} as const satisfies OptionShape<SyncEngineOptions>;

function requireObject(value: unknown, setting: string, fix: string): void {
  if (value === null || typeof value !== 'object') throw new ConfigError(setting, `SyncEngine option '${setting}' is required: ${fix}`);
}

function positiveNumber(value: number | undefined, setting: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ConfigError(setting, `SyncEngine option '${setting}' must be a ${allowZero ? 'non-negative' : 'positive'} number (got ${typeof value}).`);
  }
  return value;
}

/** An `initialSyncFrom` option as the engine keeps it (ISO 8601 UTC, whole seconds). */
export function resolveInitialSyncFrom(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new ConfigError('initialSyncFrom', `SyncEngine option 'initialSyncFrom' must be a Date or an ISO 8601 date such as '2025-07-01'.`);
  }
  return toWholeSecondIso(ms);
}

function resolveAccountId(value: string | undefined): string {
  if (value === undefined) return ENGINE_DEFAULTS.accountId;
  if (typeof value !== 'string' || !/^[A-Za-z0-9._:-]{1,100}$/.test(value)) {
    throw new ConfigError('accountId', `SyncEngine option 'accountId' must be 1–100 letters, digits, '.', '_', ':' or '-'; leave it out to use 'default'.`);
  }
  return value;
}

/**
 * Validates the options and fills in the defaults.
 *
 * @throws ConfigError naming the option and the fix, or an unknown option and the nearest valid one.
 */
export function resolveEngineOptions(options: SyncEngineOptions, defaultAlerter?: () => Alerter): ResolvedEngineOptions {
  requireObject(options, 'options', 'pass { cliniko, tradify, store }.');
  rejectUnknownOptions(options, ENGINE_OPTION_SHAPE, { owner: 'SyncEngine' });
  requireObject(options.cliniko, 'cliniko', 'pass a ClinikoClient.');
  requireObject(options.tradify, 'tradify', 'pass an HttpTradifyClient or another TradifyPort.');
  requireObject(options.store, 'store', 'pass a MemoryStateStore or SqliteStateStore.');
  const timeZone = options.timeZone ?? ENGINE_DEFAULTS.timeZone;
  if (!isValidTimeZone(timeZone)) {
    throw new ConfigError('timeZone', `SyncEngine option 'timeZone' must be an IANA zone such as 'Australia/Sydney'.`);
  }
  const maxRunDurationMs = options.maxRunDuration === undefined ? undefined : parseDuration(options.maxRunDuration, 'maxRunDuration');
  return Object.freeze({
    cliniko: options.cliniko,
    tradify: options.tradify,
    store: options.store,
    mapping: resolveMappingConfig(options.mapping ?? {}),
    retryPolicy: options.retryPolicy ?? new ExponentialBackoffRetryPolicy(),
    alerter: alerterOf(options.alerter ?? defaultAlerter?.()),
    logger: options.logger ?? defaultLogger,
    timeZone,
    accountId: resolveAccountId(options.accountId),
    maxRunDurationMs,
    initialSyncFrom: resolveInitialSyncFrom(options.initialSyncFrom),
    clock: options.clock ?? systemClock,
    leaseTtlMs: positiveNumber(options.leaseTtlMs, 'leaseTtlMs', ENGINE_DEFAULTS.leaseTtlMs),
    lookbackSeconds: positiveNumber(options.lookbackSeconds, 'lookbackSeconds', ENGINE_DEFAULTS.lookbackSeconds, true),
    readAhead: Math.floor(positiveNumber(options.readAhead, 'readAhead', ENGINE_DEFAULTS.readAhead)),
    rates: Object.freeze({
      cliniko: positiveNumber(options.rates?.cliniko, 'rates.cliniko', ENGINE_DEFAULTS.rates.cliniko),
      tradify: positiveNumber(options.rates?.tradify, 'rates.tradify', ENGINE_DEFAULTS.rates.tradify),
    }),
  });
}
