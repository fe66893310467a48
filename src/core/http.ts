/**
 * The HTTP layer both API clients are built on (`docs/architecture.md#one-retry-layer`): ky with its own retry off,
 * one shared pacer per API key, the one retry layer, and the mapping of every failure onto
 * the error family. Nothing secret leaves this module: errors and logs carry the method,
 * the path and the query's keys only.
 *
 * @example
 * ```ts
 * const http = createHttpClient({
 *   api: 'tradify',
 *   baseUrl: 'https://tradify.example/v1',
 *   headers: { 'X-Api-Key': key },
 *   limiterKey: key,
 *   requestsPerMinute: 95,
 * });
 * const { data } = await http.request({ method: 'GET', path: '/customers', query: [['page', '1']], schema });
 * ```
 *
 * @module
 */
import ky, { TimeoutError as KyTimeoutError } from 'ky';
import type { z } from 'zod';
import { systemClock, type Clock } from './clock.js';
import {
  AbortError,
  ApiError,
  ConfigError,
  ConnectionError,
  MAX_REDIRECTS,
  RateLimitError,
  RedirectError,
  ResponseTooLargeError,
  ResponseValidationError,
  TimeoutError,
  type RedirectRefusal,
  type RequestDescription,
  type ValidationIssue,
} from './errors.js';
import { defaultLogger, type Logger } from './logger.js';
import { sharedLimiter, type RequestLimiter } from './pacing.js';
import { isLoopbackHost, queryKeysOf } from './redact.js';
import { rejectUnknownOptions, RETRY_OPTION_SHAPE, type OptionShape } from './options.js';
import { retryLoop, type NextTry } from './retry-loop.js';
import { FullJitterBackoff, RETRY_DEFAULTS, isRetryableMethod, type RetryOptions } from './retry.js';

/**
 * Which API a client speaks to: `'cliniko'`, `'tradify'`, or any short plain name of your
 * own (`'ledger'`, `'acme-gateway'`): a letter, then up to 31 letters, digits, `-` or `_`. It
 * names the API in every error (`ApiError.api`) and log line, and keys the shared pacer.
 */
export type ApiName = string;

/**
 * What an `HttpClientOptions.parseErrorBody` hook read from a failed response: the details of
 * a backend whose error body has its own shape. Each field goes through the same allow-list as
 * the Tradify contract's body, so a value echoed by the server never reaches an error.
 */
export interface HttpErrorDetails {
  /** A machine code such as `validation_failed`; kept when it is snake_case. */
  code?: string | undefined;
  /** The API's message; shown only when it is one of the known fixed messages (else dropped). */
  message?: string | undefined;
  /**
   * A 422's field problems, field → message(s): `UnprocessableEntityError.errors`. A field name
   * is kept when it is an identifier path (`Lines[0].Qty`), a message when it is a code or a known
   * message, else it reads `'invalid'`.
   */
  errors?: Record<string, string | readonly string[]> | undefined;
  /**
   * A 409's record that already holds the external reference: `ConflictError.existingId`
   * (kept when it is a plain id token), and the conflict's reason is then
   * `'duplicate_external_reference'`.
   */
  existingId?: string | undefined;
  /** A 409's reason without `existingId`, e.g. `'invalid_state'`: `ConflictError.reason` (kept when snake_case). */
  reason?: string | undefined;
}

/**
 * Reads a failed response's body into {@link HttpErrorDetails}.
 *
 * @param body - the parsed JSON body, or `undefined` when the body was empty or not JSON.
 * @param status - the HTTP status, e.g. `409`.
 * @returns the details, or `undefined` when the body says nothing useful. A hook that throws
 *   is treated as one that returned `undefined`: the error still has its status class.
 */
export type HttpErrorBodyParser = (body: unknown, status: number) => HttpErrorDetails | undefined;

/** How a client talks HTTP: the same settings on `ClinikoClient` and `HttpTradifyClient`. */
export interface HttpTransportOptions {
  /** Per-try timeout in ms. @defaultValue 30000 */
  timeout?: number | undefined;
  /** A `fetch` to use instead of the global one (proxies, tests). @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch | undefined;
  /**
   * Where request logs go; lines name methods, paths and ids only.
   * @defaultValue {@link defaultLogger}: warnings and errors to the console
   */
  logger?: Logger | undefined;
  /** Time source and sleeper, injectable so tests never wait. @defaultValue the system clock (`Date.now`, real timers) */
  clock?: Clock | undefined;
  /** The one retry layer's budget for 5xx, network errors and 429s. @defaultValue {@link RETRY_DEFAULTS} */
  retry?: Partial<RetryOptions> | undefined;
  /** `[0, 1)` source for backoff jitter. @defaultValue `Math.random` */
  random?: (() => number) | undefined;
  /**
   * The largest response body read, in bytes (after decompression). A larger `Content-Length`
   * is refused before reading; otherwise bytes are counted as they arrive and reading stops
   * at the cap. Either way the request fails with `ResponseTooLargeError`, not retried.
   * @defaultValue 16777216 (16 MiB)
   */
  maxResponseBytes?: number | undefined;
}

/** The transport settings shared by `ClinikoClient`, `HttpTradifyClient` and the HTTP core. */
export const TRANSPORT_OPTION_SHAPE = {
  timeout: true,
  fetch: true,
  logger: true,
  clock: true,
  retry: RETRY_OPTION_SHAPE,
  random: true,
  maxResponseBytes: true,
} as const satisfies OptionShape<HttpTransportOptions>;

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions extends HttpTransportOptions {
  /**
   * Which API this is (see {@link ApiName}). Every API but Cliniko has its 429 waits read the
   * standard way: `Retry-After` first, then `X-RateLimit-Reset` as seconds until the reset.
   */
  api: ApiName;
  /**
   * How to read a failed response's body when it is not in the Tradify contract's shape
   * (`{ error: { code, details: [{ field, issue, existingId }] } }`) or Cliniko's
   * (`{ message, errors }`). Without it those two shapes are read.
   */
  parseErrorBody?: HttpErrorBodyParser | undefined;
  /** Base URL every `path` is appended to, e.g. `https://api.au1.cliniko.com/v1`. Must be `https:` unless loopback. */
  baseUrl: string;
  /** Headers sent on every request, auth included. Never logged, never put on an error. */
  headers: Record<string, string>;
  /** The secret that identifies the API's rate bucket (the API key); only its hash is kept. */
  limiterKey: string;
  /** Requests started per minute at most, shared by every client with the same key. */
  requestsPerMinute: number;
}

/** One request. Give `path` (appended to the base URL) or `url` (absolute, same origin as the base URL). */
export interface HttpRequest<T> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path below the base URL, starting with `/`, e.g. `/patients/123`. */
  path?: string | undefined;
  /** An absolute URL followed verbatim (e.g. `links.next`); must share the base URL's origin. */
  url?: string | undefined;
  /** Query pairs in order; repeated keys (`q[]`) allowed. Values are percent-encoded (`+` → `%2B`). */
  query?: ReadonlyArray<readonly [string, string]> | undefined;
  /** A JSON body; sets `Content-Type: application/json`. */
  json?: unknown;
  /** Validates a 2xx body; failure throws {@link ResponseValidationError}. Without it `data` is the raw JSON or `undefined`. */
  schema?: z.ZodType<T> | undefined;
  /** Sent as `Idempotency-Key`; makes a POST retryable (unless `retrySafe` says otherwise). */
  idempotencyKey?: string | undefined;
  /**
   * Whether the request may be sent again after a 5xx, a dropped connection or a timeout,
   * whatever its method. `true` for a POST the backend de-duplicates by itself (a change-set
   * or request id in the body): it is retried and no `Idempotency-Key` is sent. `false` for a
   * request the backend would apply twice. Left out, the method decides: GET, PUT, PATCH and
   * DELETE are retried, a POST only with `idempotencyKey`. A 429 is always waited out and
   * resent, as the request was not processed.
   */
  retrySafe?: boolean | undefined;
  /** Extra headers for this request. */
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
}

/** A successful response. */
export interface HttpResponse<T> {
  data: T;
  status: number;
  headers: Headers;
}

/** Counters of one HTTP client since it was made. */
export interface HttpStats {
  /** Tries sent (every retry counts). */
  requests: number;
  /** Retries after 5xx, connection failures and timeouts. */
  retries: number;
  /** 429 responses received. */
  rateLimited: number;
  /** Total ms this client asked the shared limiter to pause for 429s. */
  rateLimitWaitMs: number;
}

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Failures worth another try: a 5xx, a dropped connection, a timeout (a refused redirect or an oversized body is not). */
const TRANSIENT_CODES = new Set(['server_error', 'connection_failed', 'timeout']);
const STOP: NextTry = { retry: false };

type Attempt =
  | { kind: 'response'; response: Response; text: string }
  | { kind: 'failure'; error: ApiError | AbortError };

const JSON_TYPE = /\bjson\b/i;

/** Encode query pairs: every reserved character, `+` and `%` included, is percent-encoded. */
export function encodeQuery(query: ReadonlyArray<readonly [string, string]>): string {
  return query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/**
 * Check a base URL: absolute, `https:` unless the host is loopback, no credentials
 * (`user:password@`) and no query string (either could hold a secret that would then show in
 * the client's `baseUrl`).
 *
 * @throws {@link ConfigError} naming `setting`; the message never repeats the URL.
 */
export function assertSafeBaseUrl(baseUrl: string, setting = 'baseUrl'): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError(setting, `${setting} must be an absolute URL such as https://api.au1.cliniko.com/v1`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(setting, `${setting} must not carry credentials (user:password@): pass the API key in the client's options`);
  }
  if (url.search !== '') throw new ConfigError(setting, `${setting} must not carry a query string`);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new ConfigError(setting, `${setting} must use https: (plain http: is allowed only on a loopback host)`);
}

function assertMaxResponseBytes(value: number): number {
  if (Number.isSafeInteger(value) && value > 0) return value;
  throw new ConfigError('maxResponseBytes', 'maxResponseBytes must be a positive whole number of bytes');
}

/** A letter, then up to 31 letters, digits, `-` or `_`: short and plain enough for any error or log line. */
const API_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

function assertApiName(api: unknown): ApiName {
  if (typeof api === 'string' && API_NAME.test(api)) return api;
  throw new ConfigError('api', "api must be a short plain name such as 'tradify' or 'my-backend': a letter, then up to 31 letters, digits, '-' or '_'");
}

function assertErrorBodyParser(parser: unknown): HttpErrorBodyParser | undefined {
  if (parser === undefined || typeof parser === 'function') return parser as HttpErrorBodyParser | undefined;
  throw new ConfigError('parseErrorBody', 'parseErrorBody must be a function (body, status) => details');
}

const HTTP_CLIENT_OPTION_SHAPE = {
  ...TRANSPORT_OPTION_SHAPE,
  api: true,
  parseErrorBody: true,
  baseUrl: true,
  headers: true,
  limiterKey: true,
  requestsPerMinute: true,
} as const satisfies OptionShape<HttpClientOptions>;

/** The paced, retrying HTTP client. Make one with {@link createHttpClient}. */
export class HttpClient {
  /** Counters since creation. */
  readonly stats: HttpStats = { requests: 0, retries: 0, rateLimited: 0, rateLimitWaitMs: 0 };
  /** @internal The limiter shared with every client on the same key (pacing plumbing, not part of the API). */
  readonly limiter: RequestLimiter;
  readonly #api: ApiName;
  readonly #base: URL;
  readonly #headers: Record<string, string>;
  readonly #timeout: number;
  readonly #fetch: typeof fetch | undefined;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #retry: RetryOptions;
  readonly #backoff: FullJitterBackoff;
  readonly #maxResponseBytes: number;
  readonly #parseErrorBody: HttpErrorBodyParser | undefined;

  /** @throws {@link index!ConfigError} for a bad API name, base URL or rate, or an unknown option. */
  constructor(options: HttpClientOptions) {
    rejectUnknownOptions(options, HTTP_CLIENT_OPTION_SHAPE, { owner: 'HttpClient' });
    this.#api = assertApiName(options.api);
    this.#parseErrorBody = assertErrorBodyParser(options.parseErrorBody);
    this.#base = assertSafeBaseUrl(options.baseUrl);
    if (!(options.requestsPerMinute > 0) || !Number.isFinite(options.requestsPerMinute)) {
      throw new ConfigError('requestsPerMinute', 'requestsPerMinute must be a positive finite number');
    }
    this.#headers = { ...options.headers };
    this.#timeout = options.timeout ?? 30_000;
    this.#fetch = options.fetch;
    this.#logger = options.logger ?? defaultLogger;
    this.#clock = options.clock ?? systemClock;
    this.#retry = { ...RETRY_DEFAULTS, ...options.retry };
    this.#backoff = new FullJitterBackoff(this.#retry, options.random ?? Math.random);
    this.#maxResponseBytes = assertMaxResponseBytes(options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    this.limiter = sharedLimiter(options.api, options.limiterKey, options.requestsPerMinute, this.#clock);
  }

  /** The base URL (no credentials in it). */
  get baseUrl(): string {
    return this.#base.href;
  }

  /** The base URL's path without a trailing slash, e.g. `/v1`: prefix of every endpoint in errors. */
  get basePath(): string {
    return this.#base.pathname.replace(/\/+$/, '');
  }

  /**
   * Send one request through the pacer and the retry layer.
   *
   * 5xx, dropped connections and timeouts are retried (GET, PATCH, PUT, DELETE, keyed POST,
   * or as the request's `retrySafe` says) with full-jitter backoff; a 429 pauses the shared limiter until the API's reset and is
   * retried without using the 5xx budget. See `worstCaseRequestMs` for the bound.
   *
   * Redirects are handled here, never by `fetch`: one to another origin is never followed
   * (the auth headers would go with it), a GET follows up to 5 same-origin redirects with
   * the same headers, and any other method follows none (a body is never re-sent). A refused
   * redirect throws {@link index!RedirectError}. Bodies over `maxResponseBytes` throw
   * {@link index!ResponseTooLargeError}. Neither is retried.
   *
   * @throws {@link index!ApiError} subclasses for failing statuses (via `ApiError.from`),
   *   {@link index!ConnectionError}, {@link index!TimeoutError}, {@link index!RedirectError},
   *   {@link index!ResponseTooLargeError}, {@link index!AbortError},
   *   {@link index!ResponseValidationError} for a 2xx body that is not JSON or fails `schema`.
   */
  async request<T = unknown>(req: HttpRequest<T>): Promise<HttpResponse<T>> {
    const target = { url: this.#urlFor(req), redirects: 0 };
    const where: RequestDescription = { api: this.#api, method: req.method, path: target.url.pathname, queryKeys: queryKeysOf(target.url) };
    const retryable = isRetryableMethod(req.method, req.idempotencyKey !== undefined, req.retrySafe);
    let rateLimits = 0;
    return retryLoop(() => this.#tryOnce(target, req, where), {
      clock: this.#clock,
      signal: req.signal,
      next: ({ error, retriesUsed }) =>
        error instanceof RateLimitError ? this.#afterRateLimit(error, where, (rateLimits += 1)) : this.#afterFailure(error, where, retryable, retriesUsed),
    });
  }

  /** One try: send, following the redirects allowed; a failing status throws its `ApiError`. */
  async #tryOnce<T>(target: { url: URL; redirects: number }, req: HttpRequest<T>, where: RequestDescription): Promise<HttpResponse<T>> {
    for (;;) {
      const attempt = await this.#attempt(target.url, req, where);
      if (attempt.kind === 'failure') throw attempt.error;
      if (!isRedirect(attempt.response)) {
        if (attempt.response.ok) return this.#success(attempt, req, where);
        if (attempt.response.status === 429) this.stats.rateLimited += 1;
        throw this.#errorFor(attempt, where);
      }
      target.redirects += 1;
      target.url = this.#redirectTarget(attempt.response, target.url, req.method, where, target.redirects);
    }
  }

  /**
   * A 429 means the request was not processed, so every method (POSTs too) may be resent: pause
   * the whole key's limiter until the API's reset (the next try waits there), without using the 5xx budget.
   */
  #afterRateLimit(error: RateLimitError, where: RequestDescription, count: number): NextTry {
    const wait = error.retryAfterMs ?? this.#backoff.ceilingMs(count - 1);
    if (count > this.#retry.maxRateLimitWaits || wait > this.#retry.maxRateLimitWaitMs) return STOP;
    this.stats.rateLimitWaitMs += wait;
    this.#logger.warn('rate limited: pausing every request on this key', { api: this.#api, path: where.path, waitMs: wait, attempt: count });
    this.limiter.pauseFor(wait);
    return { retry: true, usesBudget: false };
  }

  /** A 5xx, a dropped connection or a timeout of a repeatable request is retried after a full-jitter wait, within the budget. */
  #afterFailure(error: unknown, where: RequestDescription, retryable: boolean, retriesUsed: number): NextTry {
    if (!(error instanceof ApiError) || !TRANSIENT_CODES.has(error.code) || !retryable || retriesUsed >= this.#retry.maxRetries) return STOP;
    const delay = this.#backoff.delayMs(retriesUsed);
    this.stats.retries += 1;
    this.#logger.warn('retrying after a transient failure', { api: this.#api, method: where.method, path: where.path, code: error.code, retry: retriesUsed + 1, delayMs: delay });
    return { retry: true, waitMs: delay };
  }

  /** Where a redirect may be followed to, or the {@link RedirectError} saying why not. */
  #redirectTarget(response: Response, from: URL, method: string, where: RequestDescription, count: number): URL {
    const target = locationOf(response, from);
    const refuse = (reason: RedirectRefusal) => new RedirectError({ ...where, status: response.status, targetOrigin: target?.origin, reason });
    if (target === undefined) throw refuse('no_location');
    if (target.origin !== this.#base.origin) throw refuse('cross_origin');
    if (method !== 'GET') throw refuse('not_get');
    if (count > MAX_REDIRECTS) throw refuse('too_many');
    return target;
  }

  #urlFor(req: HttpRequest<unknown>): URL {
    if (req.url !== undefined) {
      const url = new URL(req.url);
      if (url.origin !== this.#base.origin) {
        throw new ResponseValidationError({ api: this.#api, method: req.method, path: url.pathname }, [
          { path: 'links.next', code: 'foreign_origin', message: 'a link pointed at another host; it was not followed' },
        ]);
      }
      return url;
    }
    const url = new URL(this.#base.origin + this.basePath + (req.path ?? ''));
    if (req.query && req.query.length > 0) url.search = encodeQuery(req.query);
    return url;
  }

  async #attempt(url: URL, req: HttpRequest<unknown>, where: RequestDescription): Promise<Attempt> {
    try {
      return await this.limiter.schedule(() => this.#send(url, req, where), req.signal);
    } catch (error) {
      if (req.signal?.aborted) return { kind: 'failure', error: new AbortError() };
      if (error instanceof KyTimeoutError) return { kind: 'failure', error: new TimeoutError(where, this.#timeout) };
      if (error instanceof ApiError || error instanceof AbortError) return { kind: 'failure', error };
      // The cause is dropped on purpose: fetch errors can carry the URL with its query values.
      return { kind: 'failure', error: new ConnectionError(where) };
    }
  }

  async #send(url: URL, req: HttpRequest<unknown>, where: RequestDescription): Promise<Attempt> {
    this.stats.requests += 1;
    const started = this.#clock.now();
    const headers: Record<string, string> = { ...this.#headers, ...req.headers };
    if (req.json !== undefined) headers['Content-Type'] = 'application/json';
    if (req.idempotencyKey !== undefined) headers['Idempotency-Key'] = req.idempotencyKey;
    const response = await ky(url.href, {
      method: req.method,
      headers,
      body: req.json === undefined ? undefined : JSON.stringify(req.json),
      signal: req.signal,
      timeout: this.#timeout,
      retry: 0,
      throwHttpErrors: false,
      redirect: 'manual',
      ...(this.#fetch ? { fetch: this.#fetch } : {}),
    });
    this.#refuseForeignAnswer(response, where);
    const text = isRedirect(response) ? await discardBody(response) : await this.#readBody(response, where);
    this.#logger.debug('http', { api: this.#api, method: where.method, path: where.path, status: response.status, ms: this.#clock.now() - started });
    return { kind: 'response', response, text };
  }

  /** A custom `fetch` may follow redirects itself despite `redirect: 'manual'`: never use another origin's answer. */
  #refuseForeignAnswer(response: Response, where: RequestDescription): void {
    if (!response.redirected) return;
    const origin = originOf(response.url);
    if (origin === this.#base.origin) return;
    void discardBody(response);
    throw new RedirectError({ ...where, status: response.status, targetOrigin: origin, reason: 'followed_by_fetch' });
  }

  /** The body as text, refusing one over `maxResponseBytes` before or while it streams in. */
  async #readBody(response: Response, where: RequestDescription): Promise<string> {
    const tooLarge = () => new ResponseTooLargeError({ ...where, status: response.status }, this.#maxResponseBytes);
    if (Number(response.headers.get('content-length') ?? 0) > this.#maxResponseBytes) {
      await discardBody(response);
      throw tooLarge();
    }
    const bytes = response.body ? await readAtMost(response.body, this.#maxResponseBytes) : new Uint8Array(0);
    if (bytes === undefined) throw tooLarge();
    return new TextDecoder().decode(bytes);
  }

  #success<T>(attempt: Extract<Attempt, { kind: 'response' }>, req: HttpRequest<T>, where: RequestDescription): HttpResponse<T> {
    const { response, text } = attempt;
    const parsed = parseJsonBody(response, text);
    const base = { api: where.api, method: where.method, path: where.path };
    if (parsed.kind === 'malformed') {
      throw new ResponseValidationError(base, [{ path: '', code: 'invalid_json', message: 'the body is not valid JSON' }]);
    }
    if (!req.schema) return { data: parsed.value as T, status: response.status, headers: response.headers };
    if (parsed.kind === 'absent') {
      throw new ResponseValidationError(base, [{ path: '', code: 'not_json', message: 'expected a JSON body' }]);
    }
    const result = req.schema.safeParse(parsed.value);
    if (!result.success) throw new ResponseValidationError(base, zodIssues(result.error.issues));
    return { data: result.data, status: response.status, headers: response.headers };
  }

  #errorFor(attempt: Extract<Attempt, { kind: 'response' }>, where: RequestDescription): ApiError {
    const { response, text } = attempt;
    const parsed = parseJsonBody(response, text);
    // ApiError.from keeps the body's text only through its allow-list (codes, field names, known messages).
    const json = parsed.kind === 'json' ? parsed.value : undefined;
    const body = this.#parseErrorBody ? contractErrorBody(this.#parseErrorBody, json, response.status) : json;
    return ApiError.from(
      { ...where, status: response.status, requestId: response.headers.get('x-request-id') ?? undefined, apiMessage: apiMessageOf(body) },
      body,
      response.headers,
      this.#clock.now(),
    );
  }
}

type ParsedBody = { kind: 'json'; value: unknown } | { kind: 'absent'; value: undefined } | { kind: 'malformed' };

function parseJsonBody(response: Response, text: string): ParsedBody {
  const type = response.headers.get('content-type') ?? '';
  if (text.trim() === '' || !JSON_TYPE.test(type)) return { kind: 'absent', value: undefined };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'malformed' };
  }
}

function isRedirect(response: Response): boolean {
  return REDIRECT_STATUSES.has(response.status) || response.type === 'opaqueredirect';
}

/** The redirect's absolute target (`Location` read against the URL requested), or `undefined` without one. */
function locationOf(response: Response, from: URL): URL | undefined {
  const location = response.headers.get('location');
  if (location === null) return undefined;
  try {
    return new URL(location, from);
  } catch {
    return undefined;
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

async function discardBody(response: Response): Promise<string> {
  await response.body?.cancel().catch(() => undefined);
  return '';
}

/** Read a stream to the end, or stop and cancel it once it passes `max` bytes (`undefined`). */
async function readAtMost(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, size);
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
}

/**
 * A parser hook's details, put in the Tradify contract's error shape so that `ApiError.from`
 * reads them through the same allow-list. A hook that throws or returns nothing gives no details.
 */
function contractErrorBody(parse: HttpErrorBodyParser, body: unknown, status: number): unknown {
  let details: HttpErrorDetails | undefined;
  try {
    details = parse(body, status);
  } catch {
    return undefined;
  }
  if (typeof details !== 'object' || details === null) return undefined;
  const conflict = [
    ...(details.existingId === undefined ? [] : [{ existingId: details.existingId }]),
    ...(details.reason === undefined ? [] : [{ issue: details.reason }]),
  ];
  return { message: details.message, errors: details.errors, error: { code: details.code, details: conflict } };
}

function apiMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { message?: unknown; error?: { message?: unknown } };
  return typeof b.message === 'string' ? b.message : typeof b.error?.message === 'string' ? b.error.message : undefined;
}

/** Reduce zod issues to path + code + message (zod never puts the input in them: `reportInput` stays off). */
export function zodIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; code: string; message: string }>): ValidationIssue[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.'), code: i.code, message: i.message }));
}

/**
 * Make the paced, retrying HTTP client used by `ClinikoClient` and `HttpTradifyClient`, and by
 * any `TradifyPort` adapter of your own: give it your API's name, and a `parseErrorBody` hook
 * when its error bodies have their own shape.
 *
 * @throws {@link index!ConfigError} for a bad API name, a non-`https:` non-loopback base URL, a bad
 *   rate or an unknown option.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  return new HttpClient(options);
}
