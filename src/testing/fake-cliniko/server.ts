/**
 * `startFakeCliniko`: the fake Cliniko on a loopback `node:http` port.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbortError } from '../../core/errors.js';
import { rejectUnknownOptions } from '../../core/options.js';
import { createFakeClinikoCore, FAKE_CLINIKO_OPTION_SHAPE, type FakeClinikoCore, type FakeClinikoOptions, type FakeHttpRequest } from './core.js';

/** Options of {@link startFakeCliniko}. */
export interface StartFakeClinikoOptions extends FakeClinikoOptions {
  /** Aborting it before the server listens rejects; aborting later closes the server. */
  signal?: AbortSignal;
}

/** A running fake Cliniko. */
export interface FakeCliniko extends FakeClinikoCore {
  /** The base URL to give the client, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string;
  /** Stops the server, cutting open connections. */
  close(): Promise<void>;
}

/**
 * Starts a fake Cliniko on `127.0.0.1` and a free port, faithful to `docs/cliniko-api-notes.md`:
 * Basic auth with the key as username (shard suffix optional, a wrong shard is a plain-text
 * 401), a required `User-Agent: App (email)`, list envelopes with absolute links, `q[]`
 * filters with per-endpoint whitelists, sorting, the archived/deleted rules, a fixed-window
 * rate limit and fault injection settable while it runs.
 *
 * @param options - data size and seed, shard, rate limit, latency, server clock, …
 * @returns the running fake; call `close()` when done
 * @throws AbortError when `signal` is already aborted
 * @example
 * ```ts
 * const fc = await startFakeCliniko({ patients: 1000, invoices: 2000, seed: 42 });
 * const res = await fetch(`${fc.url}/patients?per_page=100`, {
 *   headers: { authorization: `Basic ${btoa(`${fc.apiKey}:`)}`, 'user-agent': 'Tests (dev@example.com)' },
 * });
 * fc.faults.set({ serverError: { every: 3 } });
 * await fc.close();
 * ```
 */
export async function startFakeCliniko(options: StartFakeClinikoOptions = {}): Promise<FakeCliniko> {
  rejectUnknownOptions(options, { ...FAKE_CLINIKO_OPTION_SHAPE, signal: true }, { owner: 'startFakeCliniko' });
  if (options.signal?.aborted) throw new AbortError('startFakeCliniko was aborted');
  const core = createFakeClinikoCore(options);
  let origin = 'http://127.0.0.1';
  const server = createServer((req, res) => {
    void serve(core, origin, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = (): Promise<void> => new Promise<void>((resolve, reject) => {
    server.closeAllConnections();
    if (!server.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
  });
  options.signal?.addEventListener('abort', () => void close(), { once: true });
  return Object.assign(core, { url: `${origin}/v1`, close });
}

async function serve(core: FakeClinikoCore, origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: FakeHttpRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      url: new URL(req.url ?? '/', origin),
      header: (name) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const result = await core.handle(request);
    if (result.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    res.writeHead(result.status, result.headers);
    res.end(result.body);
  } catch {
    // A hook threw or the client went away: answer a bare 500 if still possible.
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end('{"message":"Internal Server Error"}');
  }
}
