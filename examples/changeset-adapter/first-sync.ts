/**
 * A first sync through the example adapter: Cliniko's fake from `cliniko-tradify/testing`, the
 * Ledger fake, and the engine with a memory store, approving invoices at once.
 *
 *   npx tsx examples/changeset-adapter/first-sync.ts
 *
 * Against your own backend, replace the fakes: a `ClinikoClient` with your key, your adapter
 * with its URL and token, and a persistent store (`SqliteStateStore` from `cliniko-tradify/sqlite`).
 */
import { pathToFileURL } from 'node:url';
import { ClinikoClient, MemoryStateStore, SyncEngine, type Logger, type SyncSummary } from 'cliniko-tradify';
import { startFakeCliniko, type FakeCliniko } from 'cliniko-tradify/testing';
import { LedgerTradifyAdapter } from './adapter.js';
import { startLedgerBackend, type LedgerBackend } from './fake-backend.js';

/** What a first sync leaves behind, to look at; `close` stops the fakes. */
export interface FirstSync {
  summary: SyncSummary;
  cliniko: FakeCliniko;
  ledger: LedgerBackend;
  tradify: LedgerTradifyAdapter;
  engine: SyncEngine;
  close(): Promise<void>;
}

/** Starts both fakes and runs one sync of `patients` and `invoices` through the Ledger adapter. */
export async function firstSync(options: { patients?: number; invoices?: number; logger?: Logger } = {}): Promise<FirstSync> {
  const cliniko = await startFakeCliniko({ patients: options.patients ?? 12, invoices: options.invoices ?? 24, seed: 5, rateLimit: false });
  const ledger = await startLedgerBackend();
  const tradify = new LedgerTradifyAdapter({ baseUrl: ledger.url, token: ledger.token, requestsPerMinute: 60_000, logger: options.logger });
  const engine = new SyncEngine({
    cliniko: new ClinikoClient({ apiKey: cliniko.apiKey, userAgent: 'Ledger example (dev@example.com)', baseUrl: cliniko.url, requestsPerMinute: 60_000, logger: options.logger }),
    tradify,
    store: new MemoryStateStore(),
    mapping: { approval: { when: 'immediately' } },
    timeZone: 'Australia/Sydney',
    logger: options.logger,
  });
  const summary = await engine.run();
  return { summary, cliniko, ledger, tradify, engine, close: async () => void (await Promise.all([cliniko.close(), ledger.close()])) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const run = await firstSync();
  const { summary } = run;
  console.log(`sync ${summary.outcome}: created ${summary.created}, updated ${summary.updated}, dead letters ${summary.deadLettered}, reviews ${summary.reviews}`);
  for (const invoice of run.ledger.records('Invoice')) {
    console.log(`${String(invoice.ExternalRef)} → ${String(invoice.State)}, total ${((invoice.TotalCents as number) / 100).toFixed(2)}`);
  }
  await run.close();
}
