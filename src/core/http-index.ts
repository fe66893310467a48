/**
 * `cliniko-tradify/http`: the paced, retrying HTTP client that `ClinikoClient` and
 * `HttpTradifyClient` are built on, for authors of their own `TradifyPort` adapter. It paces
 * requests per API key, retries 5xx, network errors and timeouts with full-jitter backoff
 * (a POST only with an `Idempotency-Key`, or when the request says `retrySafe`), waits out 429s without using that budget, refuses
 * cross-origin redirects and oversized bodies, and throws the library's error classes, which
 * the engine reads through the guards exported from `cliniko-tradify`. Any API name shows in
 * those errors, and a `parseErrorBody` hook reads an error body of your backend's own shape.
 *
 * @example
 * ```ts
 * import { createHttpClient } from 'cliniko-tradify/http';
 *
 * const http = createHttpClient({
 *   api: 'tradify',
 *   baseUrl: 'https://gateway.example/tradify/v1',
 *   headers: { Authorization: `Bearer ${process.env.TRADIFY_API_KEY}` },
 *   limiterKey: process.env.TRADIFY_API_KEY!,
 *   requestsPerMinute: 95,
 * });
 * const { data } = await http.request({ method: 'GET', path: '/tax-rates' });
 * ```
 *
 * @packageDocumentation
 */

export { createHttpClient, HttpClient } from './http.js';
export type { ApiName, HttpClientOptions, HttpTransportOptions, HttpRequest, HttpResponse, HttpStats } from './http.js';
export type { HttpErrorBodyParser, HttpErrorDetails } from './http.js';
export { RETRY_DEFAULTS, worstCaseRequestMs } from './retry.js';
export type { RetryOptions } from './retry.js';
