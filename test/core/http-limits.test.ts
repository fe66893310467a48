/**
 * The response size cap, against a real loopback server (chunked bodies with and without a
 * Content-Length), so the bytes are really streamed.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClientOptions } from 'cliniko-tradify/http';
import {
  ClinikoClient,
  HttpTradifyClient,
  ConfigError,
  isApiError,
  isResponseTooLargeError,
  isTransientError,
  type ResponseTooLargeError,
} from 'cliniko-tradify';
import { InstantClock, MemoryLogger, USER_AGENT, uniqueKey } from '../cliniko/helpers.js';
import { startLoopbackServer, type LoopbackServer } from './loopback-server.js';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A JSON string body of exactly `bytes` bytes. */
function jsonOfSize(bytes: number): string {
  return `"${'a'.repeat(bytes - 2)}"`;
}

/** Write `body` in 64 KiB chunks; with `declare`, send its Content-Length first. */
function stream(res: ServerResponse, status: number, body: string, declare: boolean): void {
  res.writeHead(status, { 'content-type': 'application/json', ...(declare ? { 'content-length': String(Buffer.byteLength(body)) } : {}) });
  for (let i = 0; i < body.length; i += 65_536) res.write(body.slice(i, i + 65_536));
  res.end();
}

async function serveBody(status: number, body: string, declare: boolean): Promise<LoopbackServer> {
  const server = await startLoopbackServer((req, res) => stream(res, status, body, declare));
  servers.push(server);
  return server;
}

function client(origin: string, overrides: Partial<HttpClientOptions> = {}) {
  return createHttpClient({ api: 'cliniko', baseUrl: `${origin}/v1`, headers: {}, limiterKey: uniqueKey('size'), requestsPerMinute: 60_000, clock: new InstantClock(), logger: new MemoryLogger(), random: () => 0, ...overrides });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => expect.fail('expected a rejection'), (error: unknown) => error);
}

describe('maxResponseBytes', () => {
  it.each([
    ['declared in Content-Length', true],
    ['only counted while streaming (chunked, no Content-Length)', false],
  ])('refuses a body over the cap %s, with a typed error that is not retried', async (_label, declare) => {
    const server = await serveBody(200, jsonOfSize(1_025), declare);
    const http = client(server.origin, { maxResponseBytes: 1_024 });
    const error = await rejection(http.request({ method: 'GET', path: '/patients', query: [['q[]', 'secret-value']] }));
    expect(isResponseTooLargeError(error)).toBe(true);
    expect(isApiError(error)).toBe(true);
    expect(isTransientError(error)).toBe(false);
    const e = error as ResponseTooLargeError;
    expect(e.code).toBe('response_too_large');
    expect(e.limitBytes).toBe(1_024);
    expect(e.status).toBe(200);
    expect(e.path).toBe('/v1/patients');
    expect(e.message).toContain('1024');
    expect(e.message).not.toContain('secret-value');
    expect(http.stats.requests).toBe(1);
    expect(server.seen).toHaveLength(1);
  });

  it('accepts a body of exactly the cap', async () => {
    const server = await serveBody(200, jsonOfSize(1_024), false);
    const { data } = await client(server.origin, { maxResponseBytes: 1_024 }).request({ method: 'GET', path: '/x' });
    expect(data).toHaveLength(1_022);
  });

  it('caps error bodies too: a huge 500 is not read, nor retried', async () => {
    const server = await serveBody(500, jsonOfSize(4_096), false);
    const http = client(server.origin, { maxResponseBytes: 1_024 });
    const error = await rejection(http.request({ method: 'GET', path: '/x' }));
    expect(isResponseTooLargeError(error)).toBe(true);
    expect((error as ResponseTooLargeError).status).toBe(500);
    expect(server.seen).toHaveLength(1);
  });

  it('defaults to 16 MiB', async () => {
    const server = await serveBody(200, jsonOfSize(16 * 1024 * 1024 + 1), false);
    const error = await rejection(client(server.origin).request({ method: 'GET', path: '/big' }));
    expect(isResponseTooLargeError(error)).toBe(true);
    expect((error as ResponseTooLargeError).limitBytes).toBe(16 * 1024 * 1024);
  });

  it('is passed on by ClinikoClient and HttpTradifyClient', async () => {
    const server = await serveBody(200, jsonOfSize(2_048), true);
    const cliniko = new ClinikoClient({ apiKey: uniqueKey(), userAgent: USER_AGENT, baseUrl: `${server.origin}/v1`, maxResponseBytes: 1_000, clock: new InstantClock(), logger: new MemoryLogger() });
    expect(isResponseTooLargeError(await rejection(cliniko.users.current()))).toBe(true);
    const tradify = new HttpTradifyClient({ apiKey: uniqueKey('t'), baseUrl: `${server.origin}/v1`, maxResponseBytes: 1_000, clock: new InstantClock(), logger: new MemoryLogger() });
    expect(isResponseTooLargeError(await rejection(tradify.customers.retrieve('cus_1')))).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses maxResponseBytes %s with a ConfigError naming it', (value) => {
    const build = () => client('http://127.0.0.1:9', { maxResponseBytes: value });
    expect(build).toThrow(ConfigError);
    expect(() => build()).toThrow(/maxResponseBytes/);
  });
});
