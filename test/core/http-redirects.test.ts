/**
 * Redirects against real loopback servers: the API's origin and a foreign one (another port
 * is another origin). No msw here, so every request really goes over a socket.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from 'cliniko-tradify/http';
import { ClinikoClient, HttpTradifyClient, isApiError, isRedirectError, isTransientError, type RedirectError } from 'cliniko-tradify';
import { InstantClock, MemoryLogger, USER_AGENT, uniqueKey } from '../cliniko/helpers.js';
import { wireCustomer } from '../tradify/helpers.js';
import { json, redirect, startLoopbackServer, type LoopbackServer } from './loopback-server.js';

const KEY = 'tradify-secret-key-canary';
const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handle: Parameters<typeof startLoopbackServer>[0]): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handle);
  servers.push(server);
  return server;
}

/** A foreign origin that would happily answer with data, and records whatever reaches it. */
async function foreignServer(): Promise<LoopbackServer> {
  return serve((req, res) => json(res, 200, { data: wireCustomer('cus_foreign') }));
}

function tradify(origin: string, auth: 'x-api-key' | 'bearer' = 'x-api-key', apiKey = `${KEY}-${uniqueKey()}`) {
  return new HttpTradifyClient({ apiKey, baseUrl: `${origin}/v1`, auth, requestsPerMinute: 600_000, clock: new InstantClock(), logger: new MemoryLogger() });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => expect.fail('expected a rejection'), (error: unknown) => error);
}

function expectNamesOriginNotKey(error: unknown, status: number, targetOrigin: string, key: string): void {
  expect(isRedirectError(error)).toBe(true);
  expect(isApiError(error)).toBe(true);
  const e = error as RedirectError;
  expect(e.code).toBe('redirect_refused');
  expect(e.status).toBe(status);
  expect(e.targetOrigin).toBe(targetOrigin);
  expect(e.message).toContain(String(status));
  expect(e.message).toContain(targetOrigin);
  const shown = `${e.message} ${JSON.stringify(e)} ${inspect(e)}`;
  expect(shown).not.toContain(key);
  expect(shown).not.toContain(Buffer.from(`${key}:`).toString('base64'));
}

describe('cross-origin redirects are never followed', () => {
  it.each([301, 302, 303, 307, 308])('Tradify X-Api-Key GET answered %i to another origin: nothing reaches it, typed error', async (status) => {
    const foreign = await foreignServer();
    const api = await serve((req, res) => redirect(res, status, `${foreign.origin}/v1/customers/cus_1?token=abc`));
    const apiKey = `${KEY}-${uniqueKey()}`;
    const error = await rejection(tradify(api.origin, 'x-api-key', apiKey).customers.retrieve('cus_1'));
    expect(foreign.seen).toEqual([]);
    expect(api.seen).toHaveLength(1); // not retried either
    expectNamesOriginNotKey(error, status, foreign.origin, apiKey);
    expect((error as RedirectError).message).not.toContain('token=abc');
  });

  it('a 307 on a keyed customer create re-posts neither the body, the key nor the Idempotency-Key', async () => {
    const foreign = await foreignServer();
    const api = await serve((req, res) => redirect(res, 307, `${foreign.origin}/v1/customers`));
    const apiKey = `${KEY}-${uniqueKey()}`;
    const create = tradify(api.origin, 'x-api-key', apiKey).customers.create({ name: 'Jo Bloggs', externalReference: 'cliniko:patient:1' }, { idempotencyKey: 'idem-canary' });
    const error = await rejection(create);
    expect(foreign.seen).toEqual([]);
    expect(api.seen.map((r) => r.method)).toEqual(['POST']);
    expect(api.seen[0]?.headers['x-api-key']).toBe(apiKey);
    expectNamesOriginNotKey(error, 307, foreign.origin, apiKey);
    expect(isTransientError(error)).toBe(false);
  });

  it('with Bearer auth the foreign answer is not accepted as data', async () => {
    const foreign = await foreignServer();
    const api = await serve((req, res) => redirect(res, 302, `${foreign.origin}/v1/customers/cus_1`));
    const apiKey = `${KEY}-${uniqueKey()}`;
    const error = await rejection(tradify(api.origin, 'bearer', apiKey).customers.retrieve('cus_1'));
    expect(foreign.seen).toEqual([]);
    expectNamesOriginNotKey(error, 302, foreign.origin, apiKey);
  });

  it('ClinikoClient: a 301 to another origin sends no Authorization there', async () => {
    const foreign = await foreignServer();
    const api = await serve((req, res) => redirect(res, 301, `${foreign.origin}/v1/patients/1`));
    const apiKey = uniqueKey('cliniko-secret');
    const cliniko = new ClinikoClient({ apiKey, userAgent: USER_AGENT, baseUrl: `${api.origin}/v1`, requestsPerMinute: 60_000, clock: new InstantClock(), logger: new MemoryLogger() });
    const error = await rejection(cliniko.patients.retrieve('1'));
    expect(foreign.seen).toEqual([]);
    expectNamesOriginNotKey(error, 301, foreign.origin, apiKey);
  });

  it('an HttpClient from createHttpClient (what adapters build) gets the same protection', async () => {
    const foreign = await foreignServer();
    const api = await serve((req, res) => redirect(res, 308, `${foreign.origin}/elsewhere`));
    const secret = 'adapter-secret-canary';
    const http = createHttpClient({ api: 'tradify', baseUrl: `${api.origin}/v1`, headers: { 'X-Custom-Auth': secret }, limiterKey: uniqueKey('adapter'), requestsPerMinute: 60_000, clock: new InstantClock(), logger: new MemoryLogger() });
    const error = await rejection(http.request({ method: 'PUT', path: '/things/1', json: { a: 1 } }));
    expect(foreign.seen).toEqual([]);
    expectNamesOriginNotKey(error, 308, foreign.origin, secret);
  });

  it('another scheme or port on the same host is another origin', async () => {
    const api = await serve((req, res) => redirect(res, 302, `https://127.0.0.1:1/v1/x`));
    const http = createHttpClient({ api: 'cliniko', baseUrl: `${api.origin}/v1`, headers: {}, limiterKey: uniqueKey('scheme'), requestsPerMinute: 60_000, clock: new InstantClock(), logger: new MemoryLogger() });
    const error = await rejection(http.request({ method: 'GET', path: '/x' }));
    expect((error as RedirectError).targetOrigin).toBe('https://127.0.0.1:1');
  });

  it('a fetch that follows redirects by itself: the foreign answer is still refused', async () => {
    const foreign = await foreignServer();
    const api = await serve((req, res) => redirect(res, 302, `${foreign.origin}/v1/customers/cus_1`));
    // A proxy-style wrapper that rebuilds the request and so loses `redirect: 'manual'`.
    const following: typeof fetch = (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init);
      return fetch(request.url, { method: request.method, headers: request.headers });
    };
    const client = new HttpTradifyClient({ apiKey: `${KEY}-${uniqueKey()}`, baseUrl: `${api.origin}/v1`, fetch: following, requestsPerMinute: 600_000, clock: new InstantClock(), logger: new MemoryLogger() });
    const error = await rejection(client.customers.retrieve('cus_1'));
    expect(isRedirectError(error)).toBe(true);
    expect((error as RedirectError).targetOrigin).toBe(foreign.origin);
  });
});

describe('same-origin redirects', () => {
  it('are followed for GET, with the same headers, and the answer is used', async () => {
    const api = await serve((req, res) => {
      if (req.url.startsWith('/v1/customers/old')) redirect(res, 301, '/v1/customers/new');
      else json(res, 200, { data: wireCustomer('cus_new') });
    });
    const apiKey = `${KEY}-${uniqueKey()}`;
    const customer = await tradify(api.origin, 'x-api-key', apiKey).customers.retrieve('old');
    expect(customer.id).toBe('cus_new');
    expect(api.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/customers/old', 'GET /v1/customers/new']);
    expect(api.seen[1]?.headers['x-api-key']).toBe(apiKey);
  });

  it('are refused for a write: the body is never re-sent', async () => {
    const api = await serve((req, res) => (req.url === '/v1/customers' ? redirect(res, 307, '/v1/customers-moved') : json(res, 201, { data: wireCustomer('cus_2') })));
    const error = await rejection(tradify(api.origin).customers.create({ name: 'Jo Bloggs' }, { idempotencyKey: 'k1' }));
    expect(api.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/customers']);
    expect(isRedirectError(error)).toBe(true);
    expect((error as RedirectError).status).toBe(307);
    expect((error as RedirectError).targetOrigin).toBe(api.origin);
  });

  it('stop after 5 hops with a typed error', async () => {
    let hop = 0;
    const api = await serve((req, res) => redirect(res, 302, `/v1/loop/${(hop += 1)}`));
    const http = createHttpClient({ api: 'cliniko', baseUrl: `${api.origin}/v1`, headers: {}, limiterKey: uniqueKey('loop'), requestsPerMinute: 60_000, clock: new InstantClock(), logger: new MemoryLogger() });
    const error = await rejection(http.request({ method: 'GET', path: '/loop/0' }));
    expect(api.seen).toHaveLength(6); // the request and 5 followed hops
    expect(isRedirectError(error)).toBe(true);
    expect((error as RedirectError).message).toMatch(/5 redirects/);
  });

  it('a redirect with no Location is a typed error too', async () => {
    const api = await serve((req, res) => res.writeHead(302).end());
    const http = createHttpClient({ api: 'cliniko', baseUrl: `${api.origin}/v1`, headers: {}, limiterKey: uniqueKey('noloc'), requestsPerMinute: 60_000, clock: new InstantClock(), logger: new MemoryLogger() });
    const error = await rejection(http.request({ method: 'GET', path: '/x' }));
    expect(isRedirectError(error)).toBe(true);
    expect((error as RedirectError).targetOrigin).toBeUndefined();
  });
});
