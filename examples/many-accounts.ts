/**
 * Many accounts: a pg-boss worker syncing several Cliniko accounts, state in PostgreSQL.
 *
 *   DATABASE_URL=postgres://sync@localhost/cliniko_tradify npx tsx examples/many-accounts.ts
 *
 * PostgreSQL is required (`pg` and `pg-boss` are optional peers of the library). The accounts
 * here are three pairs of the built-in fakes; in production `resolveCredentials` would read each
 * account's keys from your secret store.
 */
import pg from 'pg';
import { PostgresStateStore } from 'cliniko-tradify/postgres';
import { startFakeCliniko, startFakeTradify } from 'cliniko-tradify/testing';
import { startWorker, type AccountCredentials } from 'cliniko-tradify/worker';

const connectionString = process.env.DATABASE_URL;
if (!connectionString) {
  console.error('Set DATABASE_URL to a PostgreSQL database, e.g. postgres://sync@localhost/cliniko_tradify');
  process.exit(2);
}

const ids = ['clinic-perth', 'clinic-sydney', 'clinic-hobart'];
const fakes = new Map<string, AccountCredentials>();
const closers: Array<() => Promise<void>> = [];
for (const [i, id] of ids.entries()) {
  // Fakes limited at 60× the real limits, so the example takes seconds rather than minutes.
  const cliniko = await startFakeCliniko({ patients: 20, invoices: 20, seed: i + 1, rateLimit: { perMinute: 12_000 } });
  const tradify = await startFakeTradify({ seed: i + 1, rateLimit: { perMinute: 6_000 } });
  closers.push(() => cliniko.close(), () => tradify.close());
  fakes.set(id, {
    cliniko: { apiKey: cliniko.apiKey, userAgent: 'Many Accounts Example (it@example.com)', baseUrl: cliniko.url, requestsPerMinute: 11_400 },
    tradify: { apiKey: tradify.apiKey, baseUrl: tradify.url, requestsPerMinute: 5_700 },
  });
}

// The example's own schemas, emptied first so every run starts fresh (the fakes are new each time).
const schemas = { store: 'example_many_accounts', boss: 'example_many_accounts_boss' };
const admin = new pg.Client({ connectionString });
await admin.connect();
for (const schema of Object.values(schemas)) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
await admin.end();
const worker = await startWorker({
  connectionString,
  accounts: [
    { id: 'clinic-perth', timeZone: 'Australia/Perth' },
    { id: 'clinic-sydney', timeZone: 'Australia/Sydney' },
    { id: 'clinic-hobart', timeZone: 'Australia/Hobart', reconcileCron: false },
  ],
  resolveCredentials: async (accountId) => fakes.get(accountId)!,
  concurrency: 3,
  schedule: { tick: false }, // this example sends its jobs itself; a real worker keeps the tick
  pollingIntervalSeconds: 0.5,
  schemas,
  engineOptions: () => ({ alerter: { notify: async () => undefined } }),
});

// What the cron tick would do at each account's due minute: queue a sync for each.
for (const id of ids) await worker.send(id, 'sync');

const store = new PostgresStateStore({ connectionString, schema: schemas.store });
for (const id of ids) {
  let run = await store.runs.last(id, { kind: 'sync', status: 'succeeded' });
  while (!run) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    run = await store.runs.last(id, { kind: 'sync', status: 'succeeded' });
  }
  const summary = run.summary as { created?: number; deadLettered?: number };
  console.log(`${id}: sync succeeded, created ${summary.created ?? 0}, dead letters ${summary.deadLettered ?? 0}`);
}

await store.close();
await worker.stop();
for (const close of closers) await close();
console.log('all accounts synced; worker stopped');
