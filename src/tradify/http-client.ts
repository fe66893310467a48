/**
 * `HttpTradifyClient`: the library's `TradifyPort` over the assumed HTTP contract
 * (`docs/tradify-contract.md`), built on the core HTTP layer (pacing per key, the
 * one retry layer, 429 pauses, the error family, redaction).
 *
 * @module
 */
import { createHttpClient, type HttpClient } from '../core/http.js';
import { createCustomersResource } from './customers.js';
import { createInvoicesResource } from './invoices.js';
import { TRADIFY_DEFAULTS, validateTradifyOptions, type HttpTradifyClientOptions } from './options.js';
import { createPaymentsResource } from './payments.js';
import type {
  TradifyCapabilities,
  TradifyCustomersResource,
  TradifyInvoicesResource,
  TradifyPaymentsResource,
  TradifyPort,
  TradifyPortStats,
  TradifyStaffResource,
  TradifyTaxRatesResource,
} from './port.js';
import type { TradifyResourceContext } from './resource-context.js';
import { createStaffResource } from './staff.js';
import { createTaxRatesResource } from './tax-rates.js';
import type { TradifyRequest, TradifySend } from './transport.js';

/**
 * The `TradifyPort` over HTTP. Tradify publishes no API: this speaks the library's ASSUMED
 * contract (see `docs/tradify-contract.md`), served by `startFakeTradify()` in tests or by
 * whatever gateway an integrator runs.
 *
 * Requests are paced (one limiter per key per process), retried on 5xx and network errors
 * (GET, PATCH, DELETE, and POSTs carrying an `Idempotency-Key`), and paused for `Retry-After`
 * on a 429. Failures are the library's error family; none carries the key or a query value.
 *
 * @example
 * ```ts
 * const tradify = new HttpTradifyClient({ apiKey: process.env.TRADIFY_API_KEY!, baseUrl: process.env.TRADIFY_BASE_URL! });
 * const customer = await tradify.customers.create(
 *   { name: 'Jo Bloggs', externalReference: 'cliniko:patient:123' },
 *   { idempotencyKey: 'patient-123-v1' },
 * );
 * for await (const invoice of tradify.invoices.list({ customerId: customer.id })) console.log(invoice.status);
 * ```
 */
export class HttpTradifyClient implements TradifyPort {
  readonly capabilities: TradifyCapabilities;
  readonly customers: TradifyCustomersResource;
  readonly invoices: TradifyInvoicesResource;
  readonly payments: TradifyPaymentsResource;
  readonly staff: TradifyStaffResource;
  readonly taxRates: TradifyTaxRatesResource;
  readonly #http: HttpClient;

  /**
   * @throws `ConfigError` naming the setting: no key, no base URL, plain `http:` off loopback,
   *   a `*.tradifyhq.com` host, a bad rate or page size.
   */
  constructor(options: HttpTradifyClientOptions) {
    const baseUrl = validateTradifyOptions(options);
    this.#http = createHttpClient({
      api: 'tradify',
      baseUrl: baseUrl.href,
      headers: authHeaders(options),
      limiterKey: options.apiKey,
      requestsPerMinute: options.requestsPerMinute ?? TRADIFY_DEFAULTS.requestsPerMinute,
      timeout: options.timeout ?? TRADIFY_DEFAULTS.timeout,
      fetch: options.fetch,
      logger: options.logger,
      clock: options.clock,
      retry: options.retry,
      random: options.random,
      maxResponseBytes: options.maxResponseBytes,
    });
    this.capabilities = Object.freeze({ ...TRADIFY_DEFAULTS.capabilities, ...options.capabilities });
    const ctx: TradifyResourceContext = {
      send: this.#send,
      pageSize: options.pageSize ?? TRADIFY_DEFAULTS.pageSize,
      capabilities: this.capabilities,
    };
    this.customers = createCustomersResource(ctx);
    this.invoices = createInvoicesResource(ctx);
    this.payments = createPaymentsResource(ctx);
    this.staff = createStaffResource(ctx);
    this.taxRates = createTaxRatesResource(ctx);
  }

  /** Requests sent so far by this client (every try, retries included). */
  get stats(): TradifyPortStats {
    return { requests: this.#http.stats.requests };
  }

  readonly #send: TradifySend = async <T>(request: TradifyRequest<T>): Promise<T> => {
    const response = await this.#http.request<T>({
      method: request.method,
      path: `/${request.path}`,
      query: request.query,
      json: request.json,
      schema: request.schema,
      idempotencyKey: request.idempotencyKey,
      signal: request.signal,
    });
    return response.data;
  };
}

function authHeaders(options: HttpTradifyClientOptions): Record<string, string> {
  const auth = options.auth ?? TRADIFY_DEFAULTS.auth;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (auth === 'bearer') headers.Authorization = `Bearer ${options.apiKey}`;
  else headers['X-Api-Key'] = options.apiKey;
  return headers;
}
