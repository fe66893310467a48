/**
 * What the SQLite store does with the file it is pointed at before it uses it: only a regular
 * file (or nothing) is accepted, a symlink never, the mode is changed only after the checks, and
 * a file from a newer schema is refused with nothing written.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { isConfigError } from 'cliniko-tradify';
import { SqliteStateStore } from 'cliniko-tradify/sqlite';
import { SQLITE_MIGRATIONS } from '../../src/stores/sqlite-schema.js';

const root = mkdtempSync(join(tmpdir(), 'ct-sqlite-file-'));
let n = 0;
const freshDir = (): string => {
  const dir = join(root, `case-${++n}`);
  mkdirSync(dir);
  return dir;
};
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mode = (path: string): number => lstatSync(path).mode & 0o777;
const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The error the constructor throws for `path` (fails the test when it opens instead). */
function refusal(path: string): Error & { setting?: string } {
  try {
    const store = new SqliteStateStore({ path });
    void store.close();
  } catch (error) {
    return error as Error & { setting?: string };
  }
  throw new Error(`SqliteStateStore opened ${path}`);
}

function expectConfigError(error: Error & { setting?: string }, text: RegExp): void {
  expect(isConfigError(error)).toBe(true);
  expect(error.setting).toBe('path');
  expect(error.message).toMatch(text);
  expect(error.message).toMatch(/nothing was changed/i);
}

/** A state file made by the store itself, closed, with the given mode. */
async function stateFile(dir: string, fileMode: number): Promise<string> {
  const path = join(dir, 'state.db');
  const store = new SqliteStateStore({ path });
  await store.plans.save('a', { id: 'p', createdAt: 1, data: { ok: true } });
  await store.close();
  chmodSync(path, fileMode);
  return path;
}

/** Stamps the file as a newer release would leave it. */
function stampNewer(path: string, version: number): void {
  const db = new Database(path);
  db.prepare('UPDATE schema_version SET version = ?, package_version = ?').run(version, '9.9.9');
  db.close();
}

describe('SqliteStateStore: what it accepts as its state file', () => {
  it('refuses a FIFO and leaves its mode alone', () => {
    const fifo = join(freshDir(), 'state.db');
    execFileSync('mkfifo', ['-m', '0644', fifo]);
    expectConfigError(refusal(fifo), /not a regular file/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(mode(fifo)).toBe(0o644);
  });

  it('refuses a directory and leaves its mode alone', () => {
    const dir = join(freshDir(), 'state.db');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    expectConfigError(refusal(dir), /not a regular file/);
    expect(mode(dir)).toBe(0o755);
  });

  it('refuses a symlink, even to a good state file, and leaves that file as it was', async () => {
    const target = await stateFile(freshDir(), 0o644);
    const before = digest(target);
    const link = join(freshDir(), 'state.db');
    symlinkSync(target, link);
    expectConfigError(refusal(link), /symbolic link/);
    expect(mode(target)).toBe(0o644);
    expect(digest(target)).toBe(before);
  });

  it('refuses a dangling symlink without creating the file it points to', () => {
    const dir = freshDir();
    const target = join(dir, 'elsewhere.db');
    const link = join(dir, 'state.db');
    symlinkSync(target, link);
    expectConfigError(refusal(link), /symbolic link/);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a regular file that is not a SQLite database, leaving its mode and bytes as they were', () => {
    const path = join(freshDir(), 'state.db');
    writeFileSync(path, 'not a database, and long enough for SQLite to read a header from it\n'.repeat(20));
    chmodSync(path, 0o644);
    const before = digest(path);
    expectConfigError(refusal(path), /not a SQLite database/);
    expect(mode(path)).toBe(0o644);
    expect(digest(path)).toBe(before);
  });

  it('refuses a -wal, -shm or -journal side file that is a symlink or not a regular file', async () => {
    for (const suffix of ['-wal', '-shm', '-journal']) {
      const path = await stateFile(freshDir(), 0o600);
      const outside = join(freshDir(), 'outside');
      writeFileSync(outside, 'someone else’s file');
      chmodSync(outside, 0o644);
      symlinkSync(outside, path + suffix);
      expectConfigError(refusal(path), new RegExp(`${suffix}.*symbolic link`));
      expect(mode(outside)).toBe(0o644);
      expect(readFileSync(outside, 'utf8')).toBe('someone else’s file');
    }
    const path = await stateFile(freshDir(), 0o600);
    execFileSync('mkfifo', ['-m', '0644', `${path}-shm`]);
    expectConfigError(refusal(path), /-shm.*not a regular file/);
    expect(mode(`${path}-shm`)).toBe(0o644);
  });

  it('makes its own existing state file private (0644 becomes 0600) after checking it', async () => {
    const path = await stateFile(freshDir(), 0o644);
    const store = new SqliteStateStore({ path });
    expect(mode(path)).toBe(0o600);
    expect((await store.plans.get('a', 'p'))?.data).toEqual({ ok: true });
    await store.close();
  });
});

describe('SqliteStateStore: a state file from a newer version', () => {
  it('is refused with the version that wrote it, and neither its bytes nor its mode change', async () => {
    const path = await stateFile(freshDir(), 0o640);
    stampNewer(path, 999);
    const before = digest(path);
    const error = refusal(path);
    expectConfigError(error, /schema version 999/);
    expect(error.message).toContain('cliniko-tradify 9.9.9');
    expect(error.message).toContain(`up to ${SQLITE_MIGRATIONS.length}`);
    expect(digest(path)).toBe(before);
    expect(mode(path)).toBe(0o640);
    for (const suffix of ['-wal', '-shm', '-journal']) expect(existsSync(path + suffix), suffix).toBe(false);
  });

  it('is refused one version ahead of this one, whatever this one is', async () => {
    const path = await stateFile(freshDir(), 0o600);
    stampNewer(path, SQLITE_MIGRATIONS.length + 1);
    expectConfigError(refusal(path), new RegExp(`schema version ${SQLITE_MIGRATIONS.length + 1}\\b`));
  });

  it('is refused after the newer version was killed with its stamp only in the WAL, and the WAL is not checkpointed into the file', async () => {
    const path = await stateFile(freshDir(), 0o600);
    const newer = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1]);
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.prepare("UPDATE schema_version SET version = 999, package_version = '9.9.9'").run();
      process.kill(process.pid, 'SIGKILL');`;
    spawnSync(process.execPath, ['-e', newer, path], { cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    expect(existsSync(`${path}-wal`)).toBe(true);
    const before = { file: digest(path), wal: digest(`${path}-wal`) };
    expectConfigError(refusal(path), /schema version 999, cliniko-tradify 9\.9\.9/);
    expect({ file: digest(path), wal: digest(`${path}-wal`) }).toEqual(before);
  });

  it('is refused while the newer version still has it open (its stamp only in the WAL), and its schema is left as it made it', async () => {
    const path = await stateFile(freshDir(), 0o600);
    const newer = new Database(path);
    newer.pragma('journal_mode = WAL');
    newer.pragma('wal_autocheckpoint = 0');
    newer.exec('DROP TABLE plans');
    newer.prepare('UPDATE schema_version SET version = ?, package_version = ?').run(999, '9.9.9');
    expectConfigError(refusal(path), /schema version 999/);
    expect(newer.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'plans'").pluck().get()).toBe(0);
    expect(newer.prepare('SELECT version FROM schema_version').pluck().get()).toBe(999);
    newer.close();
  });
});
