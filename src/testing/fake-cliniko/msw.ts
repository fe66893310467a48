/**
 * msw handlers for the fake Cliniko, running the same core as the `node:http` server so
 * both answer byte-for-byte alike. This is the only file of the fake that imports msw.
 *
 * @module
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { rejectUnknownOptions } from '../../core/options.js';
import { createFakeClinikoCore, FAKE_CLINIKO_OPTION_SHAPE, type FakeClinikoCore, type FakeClinikoOptions } from './core.js';

/** Options of {@link clinikoHandlers}. */
export interface ClinikoHandlersOptions extends FakeClinikoOptions {
  /**
   * The base URL the handlers answer on; links in responses use its origin.
   * @defaultValue `https://api.<shard>.cliniko.com/v1`
   */
  baseUrl?: string;
}

/** The msw handlers plus the fake's state. */
export interface ClinikoMsw extends FakeClinikoCore {
  /** Pass to `setupServer(...handlers)` or `server.use(...handlers)`. */
  readonly handlers: RequestHandler[];
  /** The base URL the handlers answer on. */
  readonly url: string;
}

/**
 * Creates msw handlers that behave exactly like {@link testing!startFakeCliniko}'s server.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * const cliniko = clinikoHandlers({ seed: 42, patients: 200 });
 * const server = setupServer(...cliniko.handlers);
 * server.listen();
 * cliniko.db.patients.archive(cliniko.db.patients.all()[0].id);
 * ```
 */
export function clinikoHandlers(options: ClinikoHandlersOptions = {}): ClinikoMsw {
  rejectUnknownOptions(options, { ...FAKE_CLINIKO_OPTION_SHAPE, baseUrl: true }, { owner: 'clinikoHandlers' });
  const core = createFakeClinikoCore(options);
  const url = (options.baseUrl ?? `https://api.${core.shard}.cliniko.com/v1`).replace(/\/+$/, '');
  const origin = new URL(url).origin;
  const handler = http.all(`${origin}/*`, async ({ request }) => {
    const result = await core.handle({
      method: request.method.toUpperCase(),
      url: new URL(request.url),
      header: (name) => request.headers.get(name) ?? undefined,
      body: request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text(),
    });
    if (result.kind === 'drop') return HttpResponse.error();
    return new HttpResponse(result.body === '' ? null : result.body, { status: result.status, headers: result.headers });
  });
  return Object.assign(core, { handlers: [handler], url });
}
