import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { CallbackAlerter, DedupingAlerter, type Alert } from 'cliniko-tradify';
import { SqliteStateStore } from 'cliniko-tradify/sqlite';
import { SQLITE_MIGRATIONS } from '../../src/stores/sqlite-schema.js';

const dir = mkdtempSync(join(tmpdir(), 'ct-incidents-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A state file as the version before delivery state wrote it, holding one alerted incident. */
function fileBeforeDeliveryState(path: string): void {
  const db = new Database(path);
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
  for (const sql of SQLITE_MIGRATIONS.slice(0, 2)) db.exec(sql);
  db.prepare('INSERT INTO schema_version (version) VALUES (2)').run();
  db.prepare('INSERT INTO incidents (account_id, fingerprint, first_seen_at, last_seen_at, last_alerted_at, count, state) VALUES (?, ?, ?, ?, ?, ?, ?)').run('a', 'outage:1', 1, 2, 2, 1, 'open');
  db.close();
}

describe('SQLite incidents before and after the delivery-state migration', () => {
  it('keeps an old incident, counts it as delivered (no repeat on upgrade), and stores delivery state from then on', async () => {
    const path = join(dir, 'old.db');
    fileBeforeDeliveryState(path);
    const store = new SqliteStateStore({ path });
    expect(store.schemaVersion()).toBe(SQLITE_MIGRATIONS.length);
    expect(await store.incidents.get('a', 'outage:1')).toEqual({ fingerprint: 'outage:1', firstSeenAt: 1, lastSeenAt: 2, lastAlertedAt: 2, count: 1, state: 'open' });
    expect(await store.incidents.list('a', { undelivered: true })).toEqual([]);

    const sent: Alert[] = [];
    const alert: Alert = { kind: 'outage', severity: 'critical', accountId: 'a', summary: 'Tradify down', counts: { total: 1 }, recordIds: [], fingerprint: 'outage:1', at: '2026-07-01T00:00:00.000Z' };
    await new DedupingAlerter({ alerter: new CallbackAlerter((x) => void sent.push(x)), store, clock: { now: () => 5 } }).notify(alert);
    expect(sent).toEqual([]);
    const upgraded = await store.incidents.get('a', 'outage:1');
    expect(upgraded).toMatchObject({ count: 2, lastSeenAt: 5, alert, deliveries: { callback: { status: 'delivered', deliveredAt: 2 } } });
    await store.close();
  });
});
