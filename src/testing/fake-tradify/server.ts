/**
 * `startFakeTradify()`: the strict fake of the assumed Tradify contract on a loopback
 * node:http server.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rejectUnknownOptions } from '../../core/options.js';
import { createFakeTradifyCore, type FakeTradifyCore } from './core.js';
import type { FakeHttpRequest } from './http.js';
import { FAKE_TRADIFY_OPTION_SHAPE, type FakeRequestLogEntry, type FakeTradifyFaultControl, type FakeTradifyOptions } from './options.js';
import type { FakeTradifyState } from './state.js';

/** A running fake Tradify. */
export interface FakeTradify {
  /** Base URL, `http://127.0.0.1:<port>/v1`. */
  url: string;
  /** The key it accepts (`X-Api-Key` or `Authorization: Bearer`). */
  apiKey: string;
  /** Every request in arrival order (never the key or any header but `Idempotency-Key`). */
  requests: FakeRequestLogEntry[];
  /** The records, for assertions and tampering. */
  state: FakeTradifyState;
  /** Fault injection while running. */
  faults: FakeTradifyFaultControl;
  /** Stops the server and destroys open connections. */
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function toFakeRequest(req: IncomingMessage, body: string): FakeHttpRequest {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    header: (name) => {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
    body,
  };
}

async function serve(core: FakeTradifyCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const answer = await core.handle(toFakeRequest(req, await readBody(req)));
  if (answer.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body ?? undefined);
}

/**
 * Starts the fake Tradify on 127.0.0.1 on a free port.
 *
 * It enforces `docs/tradify-contract.md`: auth, the contract's error body, cursor
 * paging, `Idempotency-Key` replay (24 h on the server clock; the same key with a different
 * method, path or body is 422 `idempotency_mismatch`), `externalReference` conflicts (409
 * with `existingId`), the invoice state graph (409 `invalid_state`), exact per-line GST
 * rounded half away from zero, the rate limit, and faults switchable while it runs.
 *
 * @param options - see {@link FakeTradifyOptions}
 * @returns the running fake; call `close()` when done
 * @example
 * ```ts
 * const ft = await startFakeTradify({ seed: 42, emailMatch: 'case-insensitive' });
 * const tradify = new HttpTradifyClient({ apiKey: ft.apiKey, baseUrl: ft.url });
 * ft.faults.set({ down: true });   // every request now answers 503
 * await ft.close();
 * ```
 */
export async function startFakeTradify(options: FakeTradifyOptions = {}): Promise<FakeTradify> {
  rejectUnknownOptions(options, FAKE_TRADIFY_OPTION_SHAPE, { owner: 'startFakeTradify' });
  const core = createFakeTradifyCore(options);
  const server = createServer((req, res) => {
    serve(core, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'server_error', message: 'The fake failed.', details: [] }, requestId: null }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    apiKey: core.apiKey,
    requests: core.requests,
    state: core.state,
    faults: core.faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
