/**
 * Quick start: one sync of Cliniko into Tradify, state in SQLite.
 *
 *   CLINIKO_API_KEY=… CLINIKO_USER_AGENT='Acme (it@acme.example)' TRADIFY_API_KEY=… \
 *   TRADIFY_BASE_URL=https://… npx tsx examples/quick-start.ts
 *
 * With no keys set it runs against the built-in fakes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncEngine } from 'cliniko-tradify';
import { SqliteStateStore } from 'cliniko-tradify/sqlite';
import { connect } from './connect.js';

const { cliniko, tradify, usingFakes, close } = await connect();
const dbPath = usingFakes ? join(mkdtempSync(join(tmpdir(), 'quick-start-')), 'state.db') : './cliniko-tradify.db';
const store = new SqliteStateStore({ path: dbPath });
const engine = new SyncEngine({ cliniko, tradify, store, timeZone: 'Australia/Sydney' });

engine.on('recordWritten', (e) => console.log(`${e.stream} ${e.clinikoId} → ${e.tradifyId} (${e.action})`));
const summary = await engine.run();
console.log(`created ${summary.created}, updated ${summary.updated}, dead letters ${summary.deadLettered}, reviews ${summary.reviews}`);

await store.close();
await close();
