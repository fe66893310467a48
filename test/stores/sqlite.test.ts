import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteStateStore } from 'cliniko-tradify/sqlite';
import { VERSION } from 'cliniko-tradify';
import { runStateStoreConformance } from 'cliniko-tradify/testing';
import { SQLITE_MIGRATIONS } from '../../src/stores/sqlite-schema.js';

const dir = mkdtempSync(join(tmpdir(), 'ct-sqlite-'));
let n = 0;
const freshPath = (): string => join(dir, `store-${++n}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStateStoreConformance({ describe, it, expect }, ({ clock }) => new SqliteStateStore({ path: freshPath(), clock }), {
  name: 'SqliteStateStore conformance',
});

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number.parseInt(child.stdout, 10);
}

describe('SqliteStateStore', () => {
  it('keeps its state across a reopen, including the lease fence', async () => {
    const path = freshPath();
    const first = new SqliteStateStore({ path });
    const lease = await first.acquireLease('a', { owner: 'h:1:x', ttlMs: 60_000 });
    await first.commitPage('a', lease.token, {
      cursors: { patients: { updatedAt: '2026-01-15T00:00:00Z', id: '1390710863102485699' } },
      links: [{ kind: 'patient', clinikoId: '1390710863102485699', tradifyId: 'c1' }],
    });
    await first.releaseLease('a', lease.token);
    await first.close();
    const second = new SqliteStateStore({ path });
    expect((await second.cursors.get('a', 'patients'))?.id).toBe('1390710863102485699');
    expect((await second.links.getMany('a', 'patient', ['1390710863102485699'])).get('1390710863102485699')?.tradifyId).toBe('c1');
    const next = await second.acquireLease('a', { owner: 'h:1:y', ttlMs: 60_000 });
    expect(BigInt(next.token)).toBeGreaterThan(BigInt(lease.token));
    await second.close();
  });

  it('runs migrations once: reopening leaves the version and the data as they were', async () => {
    const path = freshPath();
    const first = new SqliteStateStore({ path });
    const version = first.schemaVersion();
    expect(version).toBeGreaterThan(0);
    await first.plans.save('a', { id: 'p', createdAt: 1, data: { ids: ['1'] } });
    await first.close();
    const second = new SqliteStateStore({ path });
    const third = new SqliteStateStore({ path });
    expect(second.schemaVersion()).toBe(version);
    expect(third.schemaVersion()).toBe(version);
    expect((await third.plans.get('a', 'p'))?.data).toEqual({ ids: ['1'] });
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM schema_version').pluck().get()).toBe(1);
    db.close();
    await second.close();
    await third.close();
  });

  it('uses WAL, creates the file with mode 0600', async () => {
    const path = freshPath();
    const store = new SqliteStateStore({ path });
    expect(store.journalMode()).toBe('wal');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await store.close();
  });

  it('frees a lease held by a dead process on this host, but not by a live one', async () => {
    const path = freshPath();
    const store = new SqliteStateStore({ path });
    const dead = await store.acquireLease('a', { owner: `${hostname()}:${deadPid()}:gone`, ttlMs: 600_000 });
    const taken = await store.acquireLease('a', { owner: `${hostname()}:${process.pid}:me`, ttlMs: 600_000 });
    expect(BigInt(taken.token)).toBeGreaterThan(BigInt(dead.token));
    await expect(store.commitPage('a', dead.token, {})).rejects.toMatchObject({ name: 'LeaseLostError' });
    await store.acquireLease('b', { owner: `${hostname()}:${process.ppid}:parent`, ttlMs: 600_000 });
    await expect(store.acquireLease('b', { owner: `${hostname()}:${process.pid}:me`, ttlMs: 600_000 })).rejects.toMatchObject({ name: 'LeaseHeldError' });
    await store.acquireLease('c', { owner: `another-host:${deadPid()}:x`, ttlMs: 600_000 });
    await expect(store.acquireLease('c', { owner: `${hostname()}:${process.pid}:me`, ttlMs: 600_000 })).rejects.toMatchObject({ name: 'LeaseHeldError' });
    await store.close();
  });

  it('ends the runs of a dead process on this host as aborted (holder-died) when its lease is taken', async () => {
    const store = new SqliteStateStore({ path: freshPath() });
    await store.acquireLease('a', { owner: `${hostname()}:${deadPid()}:gone`, ttlMs: 600_000 });
    const dead = await store.runs.start('a', { kind: 'sync' });
    const taken = await store.acquireLease('a', { owner: `${hostname()}:${process.pid}:me`, ttlMs: 600_000 });
    expect(await store.runs.get('a', dead.id)).toMatchObject({ status: 'aborted', endReason: 'holder-died', finishedAt: taken.acquiredAt });
    await store.close();
  });

  it('upgrades a file written by 0.1.0 (schema version 2): its runs keep their status, and the release is recorded', async () => {
    const path = freshPath();
    const old = new Database(path);
    old.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version (version) VALUES (2)');
    for (const sql of SQLITE_MIGRATIONS.slice(0, 2)) old.exec(sql);
    old.prepare(`INSERT INTO runs (account_id, id, kind, status, started_at, finished_at) VALUES ('a', 'r1', 'sync', 'succeeded', 1, 2)`).run();
    old.close();
    const store = new SqliteStateStore({ path });
    expect(store.schemaVersion()).toBe(SQLITE_MIGRATIONS.length);
    expect(await store.runs.get('a', 'r1')).toMatchObject({ status: 'succeeded', finishedAt: 2, endReason: undefined });
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT package_version FROM schema_version').pluck().get()).toBe(VERSION);
    db.close();
  });

  it('two handles on one file see one lease (a second process is refused)', async () => {
    const path = freshPath();
    const one = new SqliteStateStore({ path });
    const two = new SqliteStateStore({ path });
    const lease = await one.acquireLease('a', { owner: `${hostname()}:${process.pid}:one`, ttlMs: 60_000 });
    await expect(two.acquireLease('a', { owner: `${hostname()}:${process.pid}:two`, ttlMs: 60_000 })).rejects.toMatchObject({ name: 'LeaseHeldError' });
    await one.commitPage('a', lease.token, { hashes: [{ kind: 'patient', clinikoId: '1', hash: 'h' }] });
    expect((await two.hashes.getMany('a', 'patient', ['1'])).get('1')).toBe('h');
    await one.close();
    await two.close();
  });

  it('gives the WAL and shared-memory files the same 0600 mode as the database file', async () => {
    const path = freshPath();
    const store = new SqliteStateStore({ path });
    const lease = await store.acquireLease('a', { owner: 'h:1:x', ttlMs: 60_000 });
    await store.commitPage('a', lease.token, { hashes: [{ kind: 'patient', clinikoId: '1', hash: 'h' }] });
    for (const suffix of ['-wal', '-shm']) expect(statSync(path + suffix).mode & 0o777).toBe(0o600);
    await store.close();
  });

  it('rejects a missing path with a config error', () => {
    expect(() => new SqliteStateStore({ path: '' })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});
