/**
 * Options of {@link HttpTradifyClient}, their defaults, and their validation.
 *
 * @module
 */
import { ConfigError } from '../core/errors.js';
import { TRANSPORT_OPTION_SHAPE, type HttpTransportOptions } from '../core/http.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import { isLoopbackHost } from '../core/redact.js';
import type { TradifyCapabilities } from './port.js';

/** How the API key is sent: `X-Api-Key: <key>` or `Authorization: Bearer <key>`. */
export type TradifyAuthStrategy = 'x-api-key' | 'bearer';

/** Settings for {@link HttpTradifyClient}; the transport settings (timeout, retry…) are {@link HttpTransportOptions}. */
export interface HttpTradifyClientOptions extends HttpTransportOptions {
  /** The key for the Tradify-contract server. Never logged, never in an error. */
  apiKey: string;
  /**
   * The server's base URL including the version, e.g. `https://tradify-gateway.example/v1`.
   * Required: Tradify publishes no API, so there is no default host, and `*.tradifyhq.com`
   * is refused. Must be `https:` unless it is a loopback address.
   */
  baseUrl: string;
  /** How the key is sent. @defaultValue `'x-api-key'` */
  auth?: TradifyAuthStrategy | undefined;
  /**
   * Pace: at most this many requests a minute, shared by every client in this process that
   * uses the same key. @defaultValue `95` (a little under the assumed 100)
   */
  requestsPerMinute?: number | undefined;
  /** Records per list page (`?pageSize=`, the contract allows 1–200). @defaultValue `200` */
  pageSize?: number | undefined;
  /**
   * What the server supports. @defaultValue `{ ownerStaffId: true, uniqueExternalReference: true }`
   * (both part of the library's contract; set `ownerStaffId: false`, or per entity
   * `{ customers: true, invoices: false }`, for a server that rejects the field).
   */
  capabilities?: Partial<TradifyCapabilities> | undefined;
}

/** The defaults of {@link HttpTradifyClientOptions}. */
export const TRADIFY_DEFAULTS = Object.freeze({
  auth: 'x-api-key' as TradifyAuthStrategy,
  requestsPerMinute: 95,
  pageSize: 200,
  timeout: 30_000,
  capabilities: Object.freeze({ ownerStaffId: true, uniqueExternalReference: true }),
});

const TRADIFY_OPTION_SHAPE = {
  ...TRANSPORT_OPTION_SHAPE,
  apiKey: true,
  baseUrl: true,
  auth: true,
  requestsPerMinute: true,
  pageSize: true,
  capabilities: { ownerStaffId: true, uniqueExternalReference: true },
} as const satisfies OptionShape<HttpTradifyClientOptions>;

/** A capability is a boolean, or `{ customers, invoices }` booleans. */
function isCapabilityValue(value: unknown): boolean {
  if (typeof value === 'boolean') return true;
  if (typeof value !== 'object' || value === null) return false;
  const entries = Object.entries(value);
  return entries.length === 2 && entries.every(([key, flag]) => (key === 'customers' || key === 'invoices') && typeof flag === 'boolean');
}

function validateCapabilities(capabilities: unknown): void {
  if (capabilities === undefined) return;
  if (typeof capabilities !== 'object' || capabilities === null) throw new ConfigError('capabilities', 'capabilities must be an object.');
  for (const [name, value] of Object.entries(capabilities)) {
    if (value !== undefined && !isCapabilityValue(value)) {
      throw new ConfigError(`capabilities.${name}`, `capabilities.${name} must be true, false or { customers: boolean, invoices: boolean }.`);
    }
  }
}

/**
 * Checks the settings that can be wrong before any request.
 *
 * @throws `ConfigError` naming the setting: no key, no or malformed base URL, plain `http:`
 * off loopback, a `*.tradifyhq.com` host, a rate or page size out of range, an unknown auth,
 * an unknown option (naming the nearest valid one), an unknown capability or one that is not
 * a boolean or `{ customers, invoices }`.
 */
export function validateTradifyOptions(options: HttpTradifyClientOptions): URL {
  rejectUnknownOptions(options, TRADIFY_OPTION_SHAPE, { owner: 'HttpTradifyClient' });
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new ConfigError('apiKey', 'HttpTradifyClient needs an apiKey (set TRADIFY_API_KEY).');
  }
  const url = parseBaseUrl(options.baseUrl);
  const rpm = options.requestsPerMinute ?? TRADIFY_DEFAULTS.requestsPerMinute;
  if (!Number.isFinite(rpm) || rpm <= 0) {
    throw new ConfigError('requestsPerMinute', 'requestsPerMinute must be a positive number.');
  }
  const pageSize = options.pageSize ?? TRADIFY_DEFAULTS.pageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200) {
    throw new ConfigError('pageSize', 'pageSize must be a whole number from 1 to 200.');
  }
  const auth = options.auth ?? TRADIFY_DEFAULTS.auth;
  if (auth !== 'x-api-key' && auth !== 'bearer') {
    throw new ConfigError('auth', "auth must be 'x-api-key' or 'bearer'.");
  }
  validateCapabilities(options.capabilities);
  return url;
}

function parseBaseUrl(baseUrl: unknown): URL {
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '') {
    throw new ConfigError(
      'baseUrl',
      'HttpTradifyClient needs a baseUrl (set TRADIFY_BASE_URL): Tradify publishes no API, so there is no default host.',
    );
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError('baseUrl', 'baseUrl is not a valid absolute URL.');
  }
  if (url.hostname === 'tradifyhq.com' || url.hostname.endsWith('.tradifyhq.com')) {
    throw new ConfigError('baseUrl', 'baseUrl must not point at tradifyhq.com: the library speaks an assumed contract Tradify does not serve.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ConfigError('baseUrl', 'baseUrl must use https: (plain http: is allowed only on loopback).');
  }
  if (url.username || url.password || url.search) {
    throw new ConfigError('baseUrl', 'baseUrl must not carry credentials or a query string.');
  }
  return url;
}
