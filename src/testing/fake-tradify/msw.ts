/**
 * msw handlers for the fake Tradify, on the same handler core as `startFakeTradify()`, for
 * tests that mock `fetch` rather than open a port. The only file of the fake that imports msw.
 *
 * @module
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { rejectUnknownOptions } from '../../core/options.js';
import { createFakeTradifyCore } from './core.js';
import { FAKE_TRADIFY_OPTION_SHAPE, type FakeRequestLogEntry, type FakeTradifyFaultControl, type FakeTradifyOptions } from './options.js';
import type { FakeTradifyState } from './state.js';

/** Options of {@link tradifyHandlers}: the fake's options plus the base URL to intercept. */
export interface TradifyHandlersOptions extends FakeTradifyOptions {
  /** The base URL the client is given. @defaultValue `'https://fake-tradify.test/v1'` */
  baseUrl?: string | undefined;
}

/** The handlers and the same controls as a running fake. */
export interface TradifyHandlers {
  /** Spread into `setupServer(...)` or `server.use(...)`. */
  handlers: RequestHandler[];
  /** The base URL intercepted, ending in `/v1`. */
  url: string;
  apiKey: string;
  requests: FakeRequestLogEntry[];
  state: FakeTradifyState;
  faults: FakeTradifyFaultControl;
}

/**
 * Builds msw handlers that behave exactly like `startFakeTradify()` (one shared core). A
 * dropped connection becomes `HttpResponse.error()` (a network error).
 *
 * @param options - see {@link TradifyHandlersOptions}
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * const fake = tradifyHandlers({ seed: 1 });
 * const server = setupServer(...fake.handlers);
 * server.listen();
 * const client = new HttpTradifyClient({ apiKey: fake.apiKey, baseUrl: fake.url });
 * ```
 */
export function tradifyHandlers(options: TradifyHandlersOptions = {}): TradifyHandlers {
  rejectUnknownOptions(options, { ...FAKE_TRADIFY_OPTION_SHAPE, baseUrl: true }, { owner: 'tradifyHandlers' });
  const core = createFakeTradifyCore(options);
  const base = new URL((options.baseUrl ?? 'https://fake-tradify.test/v1').replace(/\/+$/, ''));
  const prefix = base.pathname.replace(/\/v1$/, '');
  const handler = http.all(`${base.origin}${prefix}/v1/*`, async ({ request }) => {
    const url = new URL(request.url);
    const answer = await core.handle({
      method: request.method.toUpperCase(),
      path: url.pathname.slice(prefix.length),
      query: url.searchParams,
      header: (name) => request.headers.get(name) ?? undefined,
      body: await request.text(),
    });
    if (answer.kind === 'drop') return HttpResponse.error();
    return new HttpResponse(answer.body, { status: answer.status, headers: answer.headers });
  });
  return { handlers: [handler], url: `${base.origin}${prefix}/v1`, apiKey: core.apiKey, requests: core.requests, state: core.state, faults: core.faults };
}
