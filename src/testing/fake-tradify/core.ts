/**
 * The fake Tradify's handler core, shared by the node:http server and the msw handlers: the
 * order in which every request meets latency, faults, auth, the rate limit, idempotency, its
 * route and the write signal.
 *
 * @module
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { FaultState } from './faults.js';
import { errorBody, FakeHttpError, type FakeHttpAnswer, type FakeHttpRequest } from './http.js';
import type { FakeRequestLogEntry, FakeTradifyOptions, FakeWriteInfo } from './options.js';
import { FixedWindowLimiter } from './rate-limit.js';
import { route, type RouteContext, type RouteResult } from './routes.js';
import { createIdSource, createState, seededRandom, type FakeTradifyState } from './state.js';

/** The default key of a fake started without `apiKey`. */
export const DEFAULT_FAKE_TRADIFY_KEY = 'fake-tradify-test-key';

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const WRITE_METHODS = new Set(['POST', 'PATCH', 'DELETE']);

interface StoredReplay {
  fingerprint: string;
  at: number;
  status: number;
  body: string | null;
}

/** The shared core: state, logs, faults and the request handler. */
export interface FakeTradifyCore {
  apiKey: string;
  state: FakeTradifyState;
  requests: FakeRequestLogEntry[];
  faults: FaultState;
  /** Answers one request (`/v1/...` path). */
  handle(req: FakeHttpRequest): Promise<FakeHttpAnswer>;
}

/** Creates a core from the options (see {@link FakeTradifyOptions}). */
export function createFakeTradifyCore(options: FakeTradifyOptions = {}): FakeTradifyCore {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const random = seededRandom(options.seed ?? 1);
  const ids = createIdSource(random);
  const state = createState(options, ids, random, now);
  const apiKey = options.apiKey ?? DEFAULT_FAKE_TRADIFY_KEY;
  const faults = new FaultState(now, options.faults);
  const limiter = options.rateLimit === false ? undefined : new FixedWindowLimiter(options.rateLimit?.perMinute ?? 100, now);
  const requests: FakeRequestLogEntry[] = [];
  const replays = new Map<string, StoredReplay>();
  let requestCount = 0;
  let writeCount = 0;
  let invoiceNumber = 1000;
  const ctx: RouteContext = {
    state,
    ids,
    nowIso: () => new Date(now()).toISOString(),
    emailMatch: options.emailMatch ?? 'exact',
    currency: options.currency ?? 'AUD',
    nextInvoiceNumber: () => `INV-${++invoiceNumber}`,
  };

  function authenticated(req: FakeHttpRequest): boolean {
    const bearer = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    return req.header('x-api-key') === apiKey || bearer === apiKey;
  }

  async function signalWrite(info: FakeWriteInfo): Promise<void> {
    const signal = options.signalAfterWrite;
    if (signal && signal.k === info.k) appendFileSync(signal.file, `${JSON.stringify(info)}\n`);
    await options.onWrite?.(info.k, info);
  }

  /** Runs the route with `Idempotency-Key` replay for POSTs (answers of the route only, 5xx never). */
  async function routeOnce(req: FakeHttpRequest, path: string, requestId: string): Promise<{ status: number; body: string | null; replayed: boolean; written?: string | null }> {
    const key = req.method === 'POST' ? req.header('idempotency-key') : undefined;
    const fingerprint = `${req.method} ${req.path} ${req.body}`;
    const previous = key === undefined ? undefined : replays.get(key);
    if (previous && now() - previous.at < IDEMPOTENCY_TTL_MS) {
      if (previous.fingerprint !== fingerprint) {
        throw new FakeHttpError(422, 'This Idempotency-Key was used with a different request.', {
          code: 'idempotency_mismatch',
          details: [{ field: 'Idempotency-Key', issue: 'idempotency_mismatch' }],
        });
      }
      return { status: previous.status, body: previous.body, replayed: true };
    }
    const result = runRoute(req, path, requestId);
    if (key !== undefined) replays.set(key, { fingerprint, at: now(), status: result.status, body: result.body });
    return { ...result, replayed: false };
  }

  function runRoute(req: FakeHttpRequest, path: string, requestId: string): { status: number; body: string | null; written?: string | null } {
    let result: RouteResult;
    try {
      result = route(ctx, req, path);
    } catch (error) {
      if (!(error instanceof FakeHttpError)) throw error;
      return { status: error.status, body: errorBody(error, requestId) };
    }
    return { status: result.status, body: result.body === null ? null : JSON.stringify(result.body), written: result.written };
  }

  async function handle(req: FakeHttpRequest): Promise<FakeHttpAnswer> {
    const requestId = `req_${(++requestCount).toString().padStart(6, '0')}`;
    const entry: FakeRequestLogEntry = { method: req.method, path: req.path, query: Object.fromEntries(req.query), status: 0, at: now() };
    const key = req.header('idempotency-key');
    if (key !== undefined) entry.idempotencyKey = key;
    requests.push(entry);
    const headers: Record<string, string> = { 'X-Request-Id': requestId };
    const respond = (status: number, body: string | null): FakeHttpAnswer => {
      entry.status = status;
      if (body !== null) headers['Content-Type'] = 'application/json';
      return { kind: 'response', status, headers, body };
    };
    const fail = (error: FakeHttpError): FakeHttpAnswer => {
      Object.assign(headers, error.headers);
      return respond(error.status, errorBody(error, requestId));
    };

    const latency = (options.latencyMs ?? 0) + faults.latencyMs();
    if (latency > 0) await sleep(latency);
    const fault = faults.decide();
    if (fault.kind === 'down') return fail(new FakeHttpError(503, 'The service is unavailable.', { code: 'server_error', headers: { 'Retry-After': '1' } }));
    if (fault.kind === 'drop') return { kind: 'drop' };
    if (!req.path.startsWith('/v1/')) return fail(new FakeHttpError(404, 'No such endpoint.'));
    if (!authenticated(req)) return fail(new FakeHttpError(401, 'A valid API key is required.'));
    if (limiter) {
      const decision = limiter.take(apiKey);
      Object.assign(headers, decision.headers);
      if (!decision.allowed) return fail(new FakeHttpError(429, 'Too many requests.'));
    }
    if (fault.kind === 'error' && fault.when === 'before') return fail(new FakeHttpError(fault.status, 'Injected server error.', { code: 'server_error' }));

    let result: Awaited<ReturnType<typeof routeOnce>>;
    try {
      result = await routeOnce(req, req.path.slice('/v1'.length), requestId);
    } catch (error) {
      if (error instanceof FakeHttpError) return fail(error);
      throw error;
    }
    if (result.replayed) headers['Idempotent-Replayed'] = 'true';
    if (result.written !== undefined && WRITE_METHODS.has(req.method) && result.status < 300) {
      await signalWrite({ k: ++writeCount, method: req.method, path: req.path, status: result.status, id: result.written });
    }
    if (fault.kind === 'error') return fail(new FakeHttpError(fault.status, 'Injected server error.', { code: 'server_error' }));
    return respond(result.status, result.status < 300 ? faults.malform(result.body) : result.body);
  }

  return {
    apiKey,
    state,
    requests,
    faults,
    handle,
  };
}
