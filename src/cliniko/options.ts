/**
 * Every option of {@link ClinikoClient}, its default, and their resolution in one place.
 *
 * @module
 */
import { systemClock, type Clock } from '../core/clock.js';
import { ConfigError } from '../core/errors.js';
import { defaultLogger, type Logger } from '../core/logger.js';
import { TRANSPORT_OPTION_SHAPE, type HttpTransportOptions } from '../core/http.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import type { RetryOptions } from '../core/retry.js';
import { VERSION } from '../version.js';
import { clinikoBaseUrl, shardFromApiKey } from './shard.js';

/** Options of `new ClinikoClient(options)`; the transport settings (timeout, retry…) are {@link HttpTransportOptions}. */
export interface ClinikoClientOptions extends HttpTransportOptions {
  /**
   * The Cliniko API key (My Info → Manage API keys). Its suffix (`-au2`) picks the shard.
   * Read it from the environment; it never appears in an error or a log.
   */
  apiKey: string;
  /**
   * Who you are, as Cliniko requires: `App name (contact@email)`. `cliniko-tradify/<version>`
   * is appended.
   * @example 'Acme Physio Sync (it@acme.example)'
   */
  userAgent: string;
  /**
   * Override the API base URL (fakes, proxies). Must be `https:` unless loopback, with no
   * credentials (`user:password@`) and no query string.
   * @defaultValue `https://api.<shard>.cliniko.com/v1`, the shard taken from the key's suffix (none → `au1`)
   */
  baseUrl?: string | undefined;
  /**
   * Requests started per minute, shared by every client using this key in the process.
   * @defaultValue 190 (Cliniko allows 200 per user per minute)
   */
  requestsPerMinute?: number | undefined;
}

/** The defaults of {@link ClinikoClientOptions}. */
export const CLINIKO_DEFAULTS = Object.freeze({
  requestsPerMinute: 190,
  timeout: 30_000,
  /** Rows per list page: Cliniko's maximum. */
  perPage: 100,
});

/** Options after validation and defaults. */
export interface ResolvedClinikoOptions {
  apiKey: string;
  shard: string;
  baseUrl: string;
  userAgentHeader: string;
  requestsPerMinute: number;
  timeout: number;
  fetch: typeof fetch | undefined;
  logger: Logger;
  clock: Clock;
  retry: Partial<RetryOptions> | undefined;
  random: (() => number) | undefined;
  maxResponseBytes: number | undefined;
}

const CLINIKO_OPTION_SHAPE = {
  ...TRANSPORT_OPTION_SHAPE,
  apiKey: true,
  userAgent: true,
  baseUrl: true,
  requestsPerMinute: true,
} as const satisfies OptionShape<ClinikoClientOptions>;

const USER_AGENT_PATTERN = /^[^\s(](.*\S)?\s*\(\s*[^\s()@]+@[^\s()@]+\.[^\s()@]+\s*\)$/;

/**
 * Validate options and apply {@link CLINIKO_DEFAULTS}.
 *
 * @throws {@link ConfigError} for a missing key, a `userAgent` not shaped `Name (email)`, or an
 *   unknown option (naming the nearest valid one).
 */
export function resolveClinikoOptions(options: ClinikoClientOptions): ResolvedClinikoOptions {
  rejectUnknownOptions(options, CLINIKO_OPTION_SHAPE, { owner: 'ClinikoClient' });
  const apiKey = options.apiKey;
  if (typeof apiKey !== 'string' || apiKey.trim() === '' || /\s/.test(apiKey)) {
    throw new ConfigError('apiKey', 'apiKey is missing or malformed: pass the Cliniko API key (e.g. from CLINIKO_API_KEY)');
  }
  if (typeof options.userAgent !== 'string' || !USER_AGENT_PATTERN.test(options.userAgent.trim())) {
    throw new ConfigError('userAgent', "userAgent must be your app's name and a contact email, like 'Acme Physio Sync (it@acme.example)': Cliniko may block requests without one");
  }
  const shard = shardFromApiKey(apiKey);
  return {
    apiKey,
    shard,
    baseUrl: options.baseUrl ?? clinikoBaseUrl(shard),
    userAgentHeader: `${options.userAgent.trim()} cliniko-tradify/${VERSION}`,
    requestsPerMinute: options.requestsPerMinute ?? CLINIKO_DEFAULTS.requestsPerMinute,
    timeout: options.timeout ?? CLINIKO_DEFAULTS.timeout,
    fetch: options.fetch,
    logger: options.logger ?? defaultLogger,
    clock: options.clock ?? systemClock,
    retry: options.retry,
    random: options.random,
    maxResponseBytes: options.maxResponseBytes,
  };
}
