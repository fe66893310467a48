/**
 * Embedding: an HTTP endpoint in your own app that triggers a sync. `POST /sync` answers 202
 * and runs in the background; a second POST while one runs answers 409; `GET /sync` shows the
 * last summary (counts only — no patient data). Against the fakes it calls itself once and exits.
 *
 *   npx tsx examples/embed-http-endpoint.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStateStore, SyncEngine, isClinikoTradifyError } from 'cliniko-tradify';
import { connect } from './connect.js';

const { cliniko, tradify, usingFakes, close } = await connect();
const store = new MemoryStateStore();
const engine = new SyncEngine({ cliniko, tradify, store });

let running: Promise<void> | undefined;
let last: { at: string; created?: number; updated?: number; deadLettered?: number; error?: string } | undefined;

function startSync(): void {
  running = engine
    .run()
    .then((s) => void (last = { at: new Date().toISOString(), created: s.created, updated: s.updated, deadLettered: s.deadLettered }))
    .catch((error: unknown) => void (last = { at: new Date().toISOString(), error: isClinikoTradifyError(error) ? error.code : 'unexpected' }))
    .finally(() => (running = undefined));
}

const server = createServer((req, res) => {
  const send = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.url !== '/sync') return send(404, { error: 'not found' });
  if (req.method === 'GET') return send(200, { running: running !== undefined, last: last ?? null });
  if (req.method !== 'POST') return send(405, { error: 'use GET or POST' });
  if (running) return send(409, { error: 'a sync is already running' });
  startSync();
  return send(202, { started: true });
});

await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sync`;
console.log(`listening: POST ${url} to start a sync, GET ${url} for the last result`);

if (usingFakes) {
  const first = await fetch(url, { method: 'POST' });
  const second = await fetch(url, { method: 'POST' });
  console.log(`POST → ${first.status}, POST again while running → ${second.status}`);
  await running;
  console.log('GET →', await (await fetch(url)).text());
  server.close();
  await store.close();
  await close();
}
