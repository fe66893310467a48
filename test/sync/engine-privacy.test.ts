/**
 * The canary test (docs/architecture.md#privacy-by-shape): a canary API key, patient name and email must never
 * reach the raw bytes of the SQLite state file, logs, alerts or errors.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStateStore } from 'cliniko-tradify/sqlite';
import { HttpTradifyClient, silentLogger } from 'cliniko-tradify';
import { startHarness, type Harness } from './helpers.js';

const CANARY_KEY_BODY = 'canarykeyq7w3';
const CANARY_TRADIFY_KEY = 'canary-tradify-secret-9x2';
const CANARY_FIRST = 'Zyxcanaryfirst';
const CANARY_LAST = 'Qwcanarylast';
const CANARY_EMAIL = 'Canary.Person@canary-mail.example';

let h: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function canaries(text: string): string[] {
  const lower = text.toLowerCase();
  return [CANARY_KEY_BODY, CANARY_TRADIFY_KEY, CANARY_FIRST, CANARY_LAST, CANARY_EMAIL, 'canary-mail'].filter((c) => lower.includes(c.toLowerCase()));
}

describe('privacy: canaries never leave the payloads', () => {
  it('keeps the canary key, name and email out of the SQLite file, logs, alerts and errors', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ct-canary-'));
    const path = join(dir, 'state.db');
    h = await startHarness({
      store: new SqliteStateStore({ path }),
      cliniko: { patients: 4, invoices: 4, apiKeyBody: CANARY_KEY_BODY },
      tradify: { apiKey: CANARY_TRADIFY_KEY, emailMatch: 'exact' },
    });
    // a pre-existing customer with the canary email (email linking hashes it), the canary patient,
    // and a second canary patient with bad data (a dead letter) sharing the email (ambiguous)
    await h.tradify.customers.create({ name: 'Walk in', email: CANARY_EMAIL });
    const canary = h.fc.db.patients.insert({ first_name: CANARY_FIRST, last_name: CANARY_LAST, email: CANARY_EMAIL.toLowerCase() });
    h.fc.db.patients.insert({ first_name: CANARY_FIRST, last_name: `${CANARY_LAST}b`, email: CANARY_EMAIL, date_of_birth: 'bad-date' } as never);
    await h.engine.run();
    expect(h.ft.state.customers.all().some((c) => c.externalReference === `cliniko:patient:${canary.id}`)).toBe(true);
    // a Tradify-side edit (conflict) and an outage (alert) in a second run
    const mine = h.ft.state.customers.all().find((c) => c.externalReference === `cliniko:patient:${canary.id}`)!;
    await h.tradify.customers.update(mine.id, { name: `${CANARY_FIRST} edited` });
    h.fc.db.patients.update(canary.id, { last_name: `${CANARY_LAST}x` });
    h.ft.faults.set({ down: true });
    await h.newEngine({ retryPolicy: { decide: () => ({ retry: false, delayMs: 0, reason: 'test' }) } }).run();
    h.ft.faults.set({ down: false });
    await h.engine.run();
    await h.engine.plan();
    // an error from a wrong Tradify key
    const bad = new HttpTradifyClient({ apiKey: `${CANARY_TRADIFY_KEY}-wrong`, baseUrl: h.ft.url, logger: silentLogger });
    const error = await h.newEngine({ tradify: bad }).run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    await h.store.close();

    const bytes = readdirSync(dir)
      .filter((f) => f.startsWith('state.db'))
      .map((f) => readFileSync(join(dir!, f)).toString('latin1'))
      .join('\n');
    expect(bytes.length).toBeGreaterThan(1000);
    expect(canaries(bytes)).toEqual([]);
    expect(canaries(h.logger.lines.join('\n'))).toEqual([]);
    expect(h.alerter.alerts.length).toBeGreaterThan(0);
    expect(canaries(JSON.stringify(h.alerter.alerts))).toEqual([]);
    expect(canaries(`${(error as Error).message}\n${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}`)).toEqual([]);
  });
});
