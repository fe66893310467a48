/**
 * The CLI and its state file (CLINIKO_TRADIFY_DB): a path that is not a regular file, or a file
 * from a newer release, is refused with exit 2 and left as it was; `status` shows a run that the
 * store ended after its process died as ended, with the reason.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteStateStore } from 'cliniko-tradify/sqlite';
import { baseEnv, lines, runCli, tempDir as makeTempDir } from './helpers.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = makeTempDir('ct-cli-state-');
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string): number => lstatSync(path).mode & 0o777;
const statusOf = (db: string, json = false) => runCli(json ? ['--json', 'status'] : ['status'], baseEnv({ CLINIKO_TRADIFY_DB: db }));

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  return Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
}

describe('cliniko-tradify and its state file', () => {
  it('refuses a FIFO as CLINIKO_TRADIFY_DB with exit 2 on one line, and leaves its mode alone', async () => {
    const fifo = join(tempDir(), 'state.db');
    execFileSync('mkfifo', ['-m', '0644', fifo]);
    const result = await statusOf(fifo);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/CLINIKO_TRADIFY_DB: .*is not a regular file \(it is a FIFO\); nothing was changed/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(mode(fifo)).toBe(0o644);
  });

  it('refuses a symlink as CLINIKO_TRADIFY_DB, and the file it points to keeps its mode', async () => {
    const dir = tempDir();
    const target = join(dir, 'shared-file');
    writeFileSync(target, 'another program’s data\n');
    chmodSync(target, 0o644);
    symlinkSync(target, join(dir, 'state.db'));
    const result = await statusOf(join(dir, 'state.db'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is a symbolic link');
    expect(mode(target)).toBe(0o644);
  });

  it('refuses a state file from a newer release with exit 2, naming its version and CLINIKO_TRADIFY_DB', async () => {
    const db = join(tempDir(), 'state.db');
    await new SqliteStateStore({ path: db }).close();
    const raw = new Database(db);
    raw.prepare('UPDATE schema_version SET version = 999, package_version = ?').run('9.9.9');
    raw.close();
    const result = await statusOf(db, true);
    expect(result.code).toBe(2);
    const doc = JSON.parse(result.stdout) as { error: { code: string; setting: string; message: string } };
    expect(doc.error).toMatchObject({ code: 'config_invalid', setting: 'CLINIKO_TRADIFY_DB' });
    expect(doc.error.message).toContain('schema version 999, cliniko-tradify 9.9.9');
    expect(doc.error.message).toMatch(/nothing was changed/i);
    const after = new Database(db, { readonly: true });
    expect(after.prepare('SELECT version FROM schema_version').pluck().get()).toBe(999);
    after.close();
  });

  it('status shows a run ended by a takeover as aborted and ended, with the reason', async () => {
    const db = join(tempDir(), 'state.db');
    const store = new SqliteStateStore({ path: db });
    await store.acquireLease('default', { owner: `${hostname()}:${deadPid()}:gone`, ttlMs: 600_000 });
    const dead = await store.runs.start('default', { kind: 'sync' });
    const lease = await store.acquireLease('default', { owner: `${hostname()}:${process.pid}:me`, ttlMs: 600_000 });
    await store.releaseLease('default', lease.token);
    await store.close();
    const text = await statusOf(db);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/last run {2}sync aborted, started \S+, ended \S+ \(its process had died when another run took the lease over\)/);
    const json = await statusOf(db, true);
    const doc = JSON.parse(json.stdout) as { status: { lastRun: { id: string; status: string; endReason: string; finishedAt: string } } };
    expect(doc.status.lastRun).toMatchObject({ id: dead.id, status: 'aborted', endReason: 'holder-died' });
    expect(Date.parse(doc.status.lastRun.finishedAt)).toBeGreaterThan(0);
  });

  it('status says a run left running with no live lease has stopped', async () => {
    const db = join(tempDir(), 'state.db');
    const store = new SqliteStateStore({ path: db });
    await store.runs.start('default', { kind: 'sync' });
    await store.close();
    const result = await statusOf(db);
    expect(result.stdout).toContain('sync running, started');
    expect(result.stdout).toContain('no live lease: its process has stopped');
  });
});
