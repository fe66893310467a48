/**
 * `ClinikoClient`: the Cliniko REST API v1 with pacing, one retry layer and validated,
 * normalised records.
 *
 * @module
 */
import { createHttpClient, type HttpClient, type HttpStats } from '../core/http.js';
import { Businesses } from './businesses.js';
import { InvoiceItems } from './invoice-items.js';
import { Invoices } from './invoices.js';
import { resolveClinikoOptions, type ClinikoClientOptions } from './options.js';
import { Patients } from './patients.js';
import { Practitioners } from './practitioners.js';
import { Settings } from './settings.js';
import { Taxes } from './taxes.js';
import { ClinikoTransport } from './transport.js';
import { Users } from './users.js';

/**
 * A Cliniko API client. Every client built with the same key in one process shares one pacer.
 *
 * @throws {@link ConfigError} from the constructor for a missing key, a `userAgent` not shaped
 *   `Name (email)`, a non-`https:` non-loopback `baseUrl`, or a `baseUrl` carrying credentials
 *   or a query string.
 * @example
 * ```ts
 * const cliniko = new ClinikoClient({ apiKey: process.env.CLINIKO_API_KEY!, userAgent: 'Acme Physio Sync (it@acme.example)' });
 * for await (const p of cliniko.patients.list({ includeArchived: true })) console.log(p.id);
 * ```
 */
export class ClinikoClient {
  /** The shard taken from the key's suffix (`au1` when none). */
  readonly shard: string;
  /** The base URL requests go to. */
  readonly baseUrl: string;
  readonly patients: Patients;
  readonly invoices: Invoices;
  readonly invoiceItems: InvoiceItems;
  readonly users: Users;
  readonly practitioners: Practitioners;
  readonly businesses: Businesses;
  readonly taxes: Taxes;
  readonly settings: Settings;
  readonly #http: HttpClient;

  constructor(options: ClinikoClientOptions) {
    const resolved = resolveClinikoOptions(options);
    this.shard = resolved.shard;
    this.baseUrl = resolved.baseUrl;
    this.#http = createHttpClient({
      api: 'cliniko',
      baseUrl: resolved.baseUrl,
      headers: {
        Authorization: `Basic ${Buffer.from(`${resolved.apiKey}:`).toString('base64')}`,
        Accept: 'application/json',
        'User-Agent': resolved.userAgentHeader,
      },
      limiterKey: resolved.apiKey,
      requestsPerMinute: resolved.requestsPerMinute,
      timeout: resolved.timeout,
      fetch: resolved.fetch,
      logger: resolved.logger,
      clock: resolved.clock,
      retry: resolved.retry,
      random: resolved.random,
      maxResponseBytes: resolved.maxResponseBytes,
    });
    const transport = new ClinikoTransport(this.#http);
    this.patients = new Patients(transport);
    this.invoices = new Invoices(transport);
    this.invoiceItems = new InvoiceItems(transport);
    this.users = new Users(transport);
    this.practitioners = new Practitioners(transport);
    this.businesses = new Businesses(transport);
    this.taxes = new Taxes(transport);
    this.settings = new Settings(transport);
  }

  /** Requests sent, retries, 429s and the time paused for them, since this client was made. */
  get stats(): Readonly<HttpStats> {
    return { ...this.#http.stats };
  }

  /** Keep the key out of `util.inspect` and `JSON.stringify`. */
  toJSON(): Record<string, string> {
    return { shard: this.shard, baseUrl: this.baseUrl };
  }
}
