/**
 * The request-handling core shared by the `node:http` server and the msw handlers, so both
 * behave identically: User-Agent and Basic-auth checks, the rate limiter, fault injection,
 * routing, the `Date` header from the server clock and the request log.
 *
 * @module
 */
import { ConfigError } from '../../core/errors.js';
import type { OptionShape } from '../../core/options.js';
import { createFakeClock, type FakeClock } from './clock.js';
import { createFakeClinikoDb, type FakeClinikoDb } from './db.js';
import { createFaultController, type FaultController, type FaultKind } from './faults.js';
import { generateClinikoData, type GenerateClinikoDataOptions } from './generate.js';
import { SortedViews, type PerPageOver100 } from './listing.js';
import { MatchCache } from './selection.js';
import { createRandom } from './random.js';
import { createRateLimiter, type FakeRateLimitOptions, type RateLimiter } from './rate-limiter.js';
import type { ClinikoSeedData } from './records.js';
import { matchRoute, NOT_FOUND, type RouteResult } from './routes.js';

/** Options of the fake Cliniko (server and msw handlers alike). */
export interface FakeClinikoOptions extends GenerateClinikoDataOptions {
  /**
   * The shard this fake plays; the key's suffix must match it.
   * @defaultValue 'au1'
   */
  shard?: string;
  /** The key's body (without `-shard`). @defaultValue derived from the seed */
  apiKeyBody?: string;
  /** Use these rows instead of generating (taken over, not copied). */
  data?: ClinikoSeedData;
  /** Rate limit per key; `false` turns it off. @defaultValue `{ perMinute: 200, window: 'fixed' }` */
  rateLimit?: FakeRateLimitOptions | false;
  /** Latency added before every response, ms. @defaultValue 0 */
  latencyMs?: number;
  /** The server clock's source, epoch ms. @defaultValue Date.now */
  now?: () => number;
  /** How latency is waited for (inject for tests). @defaultValue a `setTimeout` promise */
  sleep?: (ms: number) => Promise<void>;
  /** Status of the "Requires a user agent" answer (unverified upstream). @defaultValue 403 */
  userAgentStatus?: number;
  /** `per_page` above 100: clamp to 100 or answer 400. @defaultValue 'clamp' */
  perPageOver100?: PerPageOver100;
}

/** The keys of {@link FakeClinikoOptions}; the entry points add their own. */
export const FAKE_CLINIKO_OPTION_SHAPE = {
  seed: true,
  patients: true,
  invoices: true,
  shard: true,
  apiKeyBody: true,
  data: true,
  rateLimit: { perMinute: true, window: true } satisfies OptionShape<FakeRateLimitOptions>,
  latencyMs: true,
  now: true,
  sleep: true,
  userAgentStatus: true,
  perPageOver100: true,
} as const satisfies OptionShape<FakeClinikoOptions>;

/** One logged request: no headers, ever. */
export interface FakeRequestRecord {
  method: string;
  /** The path including `/v1`, without the query. */
  path: string;
  /** Parsed query: keys ending in `[]` and repeated keys hold arrays. */
  query: Record<string, string | string[]>;
  /** The answered status; `0` for a dropped connection. */
  status: number;
  /** Server-clock time of arrival, epoch ms. */
  at: number;
}

/** A request as the core sees it (transport-neutral). */
export interface FakeHttpRequest {
  method: string;
  url: URL;
  /** A header by lower-case name. */
  header(name: string): string | undefined;
  body: string;
}

/** The core's answer: a response, or a dropped connection. */
export type FakeHttpResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'drop' };

/** The shared state and request handler of one fake Cliniko. */
export interface FakeClinikoCore {
  /** A valid key, with its `-shard` suffix. */
  readonly apiKey: string;
  readonly shard: string;
  readonly db: FakeClinikoDb;
  readonly clock: FakeClock;
  readonly faults: FaultController;
  readonly rateLimiter: RateLimiter;
  /** Every request answered or dropped, oldest first. Clear with `requests.length = 0`. */
  readonly requests: FakeRequestRecord[];
  /** Handles one request. */
  handle(request: FakeHttpRequest): Promise<FakeHttpResult>;
}

const USER_AGENT = /\([^()\s]*[^()\s@]@[^()\s@][^()\s]*\)/;
const SHARD_SUFFIX = /-([a-z]{2}\d{1,2})$/i;
const ACCESS_DENIED = 'HTTP Basic: Access denied.\n';
const HTML_504 = '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n';

/**
 * Creates the core of a fake Cliniko.
 *
 * @throws ConfigError when the shard or a numeric option is invalid
 */
export function createFakeClinikoCore(options: FakeClinikoOptions = {}): FakeClinikoCore {
  const shard = (options.shard ?? 'au1').toLowerCase();
  if (!/^[a-z]{2}\d{1,2}$/.test(shard)) throw new ConfigError('shard', 'The fake Cliniko shard must look like "au1".');
  const seed = options.seed ?? 42;
  const keyBody = options.apiKeyBody ?? makeKeyBody(seed);
  const clock = createFakeClock(options.now);
  const db = createFakeClinikoDb(options.data ?? generateClinikoData(options), clock, createRandom(seed ^ 0x2545f491));
  const faults = createFaultController();
  const rateLimiter = createRateLimiter(options.rateLimit === false ? { perMinute: Number.MAX_SAFE_INTEGER } : options.rateLimit);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const requests: FakeRequestRecord[] = [];
  const views = new SortedViews();
  const matches = new MatchCache();
  const listCounts = new Map<string, number>();

  const respond = (status: number, body: string, contentType: string, extra: Record<string, string> = {}): FakeHttpResult => ({
    kind: 'response', status, body,
    headers: { date: new Date(clock.now()).toUTCString(), ...(body === '' ? {} : { 'content-type': contentType }), ...extra },
  });
  const json = (result: RouteResult): FakeHttpResult =>
    respond(result.status, result.json === undefined ? '' : JSON.stringify(result.json), 'application/json; charset=utf-8');

  const authenticate = (header: string | undefined): boolean => {
    const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
    if (!match?.[1]) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(colon + 1) !== '') return false;
    const user = decoded.slice(0, colon);
    const suffix = SHARD_SUFFIX.exec(user);
    if (suffix) return suffix[1]?.toLowerCase() === shard && user.slice(0, -suffix[0].length) === keyBody;
    return user === keyBody;
  };

  const applyFault = (kind: FaultKind | undefined, routed: () => Promise<FakeHttpResult>): Promise<FakeHttpResult> => {
    if (kind === 'dropConnection') return Promise.resolve({ kind: 'drop' });
    if (kind === 'html504') return Promise.resolve(respond(504, HTML_504, 'text/html'));
    if (kind === 'serverError') {
      const status = faults.current.serverError?.status ?? 500;
      return Promise.resolve(json({ status, json: { message: 'Internal Server Error' } }));
    }
    if (kind === 'malformedJson') {
      return routed().then((result) => result.kind === 'response' && result.body !== ''
        ? { ...result, status: 200, body: result.body.slice(0, Math.max(1, Math.floor(result.body.length / 2))) }
        : result);
    }
    return routed();
  };

  const route = async (request: FakeHttpRequest, path: string): Promise<FakeHttpResult> => {
    const found = matchRoute(request.method, path);
    if (found === 404) return json(NOT_FOUND());
    if (found === 405) return json({ status: 405, json: { message: 'Method Not Allowed' } });
    const base = `${request.url.origin}/v1`;
    const result = await found.handler({
      db, faults, views, matches, perPageOver100: options.perPageOver100 ?? 'clamp', listCounts, base, path,
      query: request.url.searchParams, params: found.params, body: parseBody(request),
    });
    return json(result);
  };

  const processRequest = async (request: FakeHttpRequest): Promise<FakeHttpResult> => {
    const path = request.url.pathname;
    if (path !== '/v1' && !path.startsWith('/v1/')) return json(NOT_FOUND());
    if (!USER_AGENT.test(request.header('user-agent') ?? '')) return respond(options.userAgentStatus ?? 403, 'Requires a user agent', 'text/plain; charset=utf-8');
    if (!authenticate(request.header('authorization'))) {
      return respond(401, ACCESS_DENIED, 'text/plain; charset=utf-8', { 'www-authenticate': 'Basic realm="Application"' });
    }
    const accept = request.header('accept');
    if (accept !== undefined && !/application\/json|\*\/\*|application\/\*/.test(accept)) return json({ status: 406, json: { message: 'Not Acceptable' } });
    const verdict = rateLimiter.take(keyBody, clock.now());
    if (!verdict.allowed) {
      return respond(429, JSON.stringify({ message: 'Too many requests' }), 'application/json; charset=utf-8', {
        'x-ratelimit-reset': String(Math.ceil(verdict.resetAtMs / 1000)),
      });
    }
    const fault = faults.decide({ method: request.method, path });
    return applyFault(fault, () => route(request, path.slice(3)));
  };

  return {
    apiKey: `${keyBody}-${shard}`,
    shard, db, clock, faults, rateLimiter, requests,
    async handle(request) {
      const at = clock.now();
      const latency = (options.latencyMs ?? 0) + (faults.current.latencyMs ?? 0);
      if (latency > 0) await sleep(latency);
      const result = await processRequest(request);
      requests.push({ method: request.method, path: request.url.pathname, query: parseQuery(request.url.searchParams), status: result.kind === 'drop' ? 0 : result.status, at });
      return result;
    },
  };
}

function makeKeyBody(seed: number): string {
  const rnd = createRandom(seed ^ 0x6b657921);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `MS0${Array.from({ length: 40 }, () => alphabet[rnd.int(0, alphabet.length - 1)]).join('')}`;
}

/** The JSON body, or `{}` when there is none or it is not sent as JSON (Cliniko ignores such bodies). */
function parseBody(request: FakeHttpRequest): Record<string, unknown> {
  if (request.body === '' || !/json/i.test(request.header('content-type') ?? '')) return {};
  try {
    const parsed: unknown = JSON.parse(request.body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function parseQuery(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = key.endsWith('[]') || values.length > 1 ? values : values[0] ?? '';
  }
  return out;
}
