import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { isConfigError } from '../../src/core/errors.js';
import { PostgresStateStore } from '../../src/stores/postgres-index.js';
import { POSTGRES_MIGRATIONS } from '../../src/stores/postgres-schema.js';
import { VERSION } from '../../src/version.js';
import { runStateStoreConformance } from '../../src/testing/state-store-conformance.js';

const url = inject('ctPgUrl');
let n = 0;
const freshSchema = (): string => `ct_store_${process.pid}_${++n}`;

runStateStoreConformance({ describe, it, expect }, ({ clock }) => new PostgresStateStore({ connectionString: url, schema: freshSchema(), clock }), {
  name: 'PostgresStateStore conformance',
});

describe('PostgresStateStore on a shared database', () => {
  const stores = (schema: string, count: number): PostgresStateStore[] =>
    Array.from({ length: count }, () => new PostgresStateStore({ connectionString: url, schema, maxConnections: 2 }));
  const closeAll = (list: PostgresStateStore[]) => Promise.all(list.map((s) => s.close()));

  it('migrates once when many processes start at the same moment', async () => {
    const schema = freshSchema();
    const list = stores(schema, 8);
    try {
      const versions = await Promise.all(list.map((s) => s.migrate()));
      expect(new Set(versions).size).toBe(1);
      expect(versions[0]).toBeGreaterThan(1);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const rows = await client.query(`SELECT count(*)::int AS n FROM "${schema}".schema_version`);
      await client.end();
      expect(rows.rows[0].n).toBe(1);
    } finally {
      await closeAll(list);
    }
  });

  it('gives a contested lease to exactly one of many concurrent callers, timed by the database clock', async () => {
    const list = stores(freshSchema(), 6);
    try {
      await Promise.all(list.map((s) => s.migrate()));
      const before = Date.now();
      const results = await Promise.allSettled(list.map((s, i) => s.acquireLease('acct', { owner: `host:${i}:x`, ttlMs: 60_000 })));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((r) => (r.reason as Error).name)).toEqual(Array(5).fill('LeaseHeldError'));
      const lease = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<PostgresStateStore['acquireLease']>>>).value;
      // Same machine, so the database clock and ours agree within a few seconds.
      expect(Math.abs(lease.expiresAt - (before + 60_000))).toBeLessThan(5_000);
      expect((await list[3]!.getLease('acct'))?.owner).toBe(lease.owner);
    } finally {
      await closeAll(list);
    }
  });

  it('fences for real: a lease that expires in wall time cannot commit, and the taker gets a greater token', async () => {
    const [a, b] = stores(freshSchema(), 2) as [PostgresStateStore, PostgresStateStore];
    try {
      const first = await a.acquireLease('acct', { owner: 'host:1:a', ttlMs: 300 });
      await a.commitPage('acct', first.token, { cursors: { patients: { updatedAt: '2026-01-15T00:00:00Z', id: '1' } } });
      await expect(b.acquireLease('acct', { owner: 'host:2:b', ttlMs: 5_000 })).rejects.toMatchObject({ name: 'LeaseHeldError' });
      await new Promise((resolve) => setTimeout(resolve, 450));
      const second = await b.acquireLease('acct', { owner: 'host:2:b', ttlMs: 5_000 });
      expect(BigInt(second.token) > BigInt(first.token)).toBe(true);
      await expect(a.commitPage('acct', first.token, { cursors: { patients: { updatedAt: '2026-01-16T00:00:00Z', id: '2' } } })).rejects.toMatchObject({
        name: 'LeaseLostError',
      });
      expect((await b.cursors.get('acct', 'patients'))?.id).toBe('1');
    } finally {
      await closeAll([a, b]);
    }
  });

  it('a takeover waits for an in-flight commit of the live holder (the commit locks the lease row)', async () => {
    const schema = freshSchema();
    const [a, b] = stores(schema, 2) as [PostgresStateStore, PostgresStateStore];
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      const lease = await a.acquireLease('acct', { owner: 'host:1:a', ttlMs: 1_000 });
      // Hold a lock on the seen table so the holder's commit stays in flight past its lease's expiry.
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${schema}".seen IN EXCLUSIVE MODE`);
      const commit = a.commitPage('acct', lease.token, { seen: { patients: [{ id: '1', updatedAt: '2026-01-15T00:00:00Z' }] } });
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      let takenOver = false;
      const takeover = b.acquireLease('acct', { owner: 'host:2:b', ttlMs: 5_000 }).then((l) => ((takenOver = true), l));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(takenOver).toBe(false);
      await locker.query('COMMIT');
      await commit;
      const second = await takeover;
      expect(BigInt(second.token) > BigInt(lease.token)).toBe(true);
      expect(await b.seen.has('acct', 'patients', [{ id: '1', updatedAt: '2026-01-15T00:00:00Z' }])).toEqual([true]);
    } finally {
      await locker.end();
      await closeAll([a, b]);
    }
  });

  it('refuses a schema from a newer release before any DDL, naming its version, and changes nothing', async () => {
    const schema = freshSchema();
    const [first] = stores(schema, 1) as [PostgresStateStore];
    await first.plans.save('acct', { id: 'p', createdAt: 1, data: null });
    await first.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // What a newer release might leave: a later version, and a table this one would recreate if it migrated.
      await client.query(`UPDATE "${schema}".schema_version SET version = 999, package_version = '9.9.9'`);
      await client.query(`DROP TABLE "${schema}".plans`);
      for (const ahead of [999, POSTGRES_MIGRATIONS.length + 1]) {
        await client.query(`UPDATE "${schema}".schema_version SET version = $1`, [ahead]);
        const [store] = stores(schema, 1) as [PostgresStateStore];
        const error = await store.migrate().then(() => undefined, (e: unknown) => e as Error & { setting?: string });
        const later = await store.runs.last('acct').then(() => undefined, (e: unknown) => e as Error);
        await store.close();
        expect(isConfigError(error)).toBe(true);
        expect(error?.setting).toBe('schema');
        expect(error?.message).toContain(`schema version ${ahead}, cliniko-tradify 9.9.9`);
        expect(error?.message).toMatch(/nothing was changed/i);
        expect(isConfigError(later)).toBe(true);
      }
      const stamp = await client.query(`SELECT version, package_version FROM "${schema}".schema_version`);
      expect(stamp.rows).toEqual([{ version: POSTGRES_MIGRATIONS.length + 1, package_version: '9.9.9' }]);
      const plans = await client.query('SELECT to_regclass($1) AS t', [`"${schema}".plans`]);
      expect(plans.rows[0].t).toBeNull();
    } finally {
      await client.end();
    }
  });

  it('records the release that migrated the schema', async () => {
    const schema = freshSchema();
    const [store] = stores(schema, 1) as [PostgresStateStore];
    try {
      expect(await store.migrate()).toBe(POSTGRES_MIGRATIONS.length);
      const stamp = await store.rawQuery('SELECT package_version FROM {s}.schema_version', []);
      expect(stamp).toEqual([{ package_version: VERSION }]);
    } finally {
      await store.close();
    }
  });

  it('a takeover of an expired lease in wall time ends the dead holder’s run as aborted', async () => {
    const [a, b] = stores(freshSchema(), 2) as [PostgresStateStore, PostgresStateStore];
    try {
      await a.acquireLease('acct', { owner: 'host:1:a', ttlMs: 300 });
      const dead = await a.runs.start('acct', { kind: 'sync' });
      await new Promise((resolve) => setTimeout(resolve, 450));
      const taken = await b.acquireLease('acct', { owner: 'host:2:b', ttlMs: 5_000 });
      const run = await b.runs.get('acct', dead.id);
      expect(run).toMatchObject({ status: 'aborted', endReason: 'lease-expired', finishedAt: taken.acquiredAt });
    } finally {
      await closeAll([a, b]);
    }
  });

  it('refuses a bad schema name and a missing connection with a config error', () => {
    expect(() => new PostgresStateStore({ connectionString: url, schema: 'x; DROP TABLE y' })).toThrow(/schema/);
    expect(() => new PostgresStateStore({} as never)).toThrow(/connectionString/);
  });
});
