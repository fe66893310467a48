import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReportFiles, isConfigError } from 'cliniko-tradify';
import { reportFileName } from '../../src/sync/report/files.js';
import { checkOutputDirectory, checkOutputFile, writePrivateFile } from '../../src/core/private-files.js';
import { fixtureReport } from './report-fixture.js';

const mode = (path: string): number => lstatSync(path).mode & 0o777;

async function configError(promise: Promise<unknown>): Promise<{ setting: string; message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!isConfigError(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  expect(error.message).not.toContain('\n');
  return { setting: error.setting, message: error.message };
}

describe('files that hold identifiers end up 0600, and nothing else is touched', () => {
  let dir: string;
  let umask: number;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ct-modes-'));
    umask = process.umask(0); // a permissive umask must not loosen what we write
  });
  afterEach(async () => {
    process.umask(umask);
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a new file 0600 even under umask 0', async () => {
    const path = join(dir, 'new.csv');
    await writePrivateFile(path, 'a,b\n', { setting: '--out', overwrite: false });
    expect(mode(path)).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('a,b\n');
  });

  it('tightens an existing 0644 or 0666 file to 0600 when it may be overwritten, and replaces its content', async () => {
    for (const loose of [0o644, 0o666]) {
      const path = join(dir, `existing-${loose.toString(8)}.csv`);
      writeFileSync(path, 'old content that is longer than the new one\n');
      chmodSync(path, loose);
      await writePrivateFile(path, 'new\n', { setting: '--out', overwrite: true });
      expect(mode(path)).toBe(0o600);
      expect(readFileSync(path, 'utf8')).toBe('new\n');
    }
  });

  it('refuses an existing file where overwriting is not allowed, leaving it as it was', async () => {
    const path = join(dir, 'kept.csv');
    writeFileSync(path, 'keep me');
    chmodSync(path, 0o644);
    const error = await configError(writePrivateFile(path, 'x', { setting: '--out', overwrite: false }));
    expect(error.message).toContain('already exists');
    expect(readFileSync(path, 'utf8')).toBe('keep me');
    expect(mode(path)).toBe(0o644);
  });

  it('refuses a FIFO without blocking and leaves its mode alone', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', ['-m', '644', fifo]);
    const error = await configError(writePrivateFile(fifo, 'x', { setting: '--out', overwrite: true }));
    expect(error).toMatchObject({ setting: '--out' });
    expect(error.message).toContain('a FIFO');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(mode(fifo)).toBe(0o644);
  });

  it('never follows a symbolic link: the target keeps its content and mode', async () => {
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'not yours');
    chmodSync(outside, 0o644);
    const link = join(dir, 'report.csv');
    symlinkSync(outside, link);
    const error = await configError(writePrivateFile(link, 'x', { setting: '--out', overwrite: true }));
    expect(error.message).toContain('symbolic link');
    expect(readFileSync(outside, 'utf8')).toBe('not yours');
    expect(mode(outside)).toBe(0o644);
    const dangling = join(dir, 'dangling.csv');
    symlinkSync(join(dir, 'would-be-created.txt'), dangling);
    await configError(writePrivateFile(dangling, 'x', { setting: '--out', overwrite: false }));
    expect(existsSync(join(dir, 'would-be-created.txt'))).toBe(false);
  });

  it('refuses a file with a second hard link (writing would change the other name too)', async () => {
    const original = join(dir, 'original.txt');
    writeFileSync(original, 'shared');
    chmodSync(original, 0o644);
    const alias = join(dir, 'alias.csv');
    linkSync(original, alias);
    const error = await configError(writePrivateFile(alias, 'x', { setting: '--out', overwrite: true }));
    expect(error.message).toContain('hard links');
    expect(readFileSync(original, 'utf8')).toBe('shared');
  });

  it('checks output paths before any work: a missing folder, a directory given for a file, a file given for a directory', async () => {
    expect((await configError(checkOutputFile(join(dir, 'no-such-folder', 'a.csv'), { setting: '--out', overwrite: true }))).message).toContain('does not exist');
    expect((await configError(checkOutputFile(dir, { setting: '--out', overwrite: true }))).message).toContain('a directory');
    const file = join(dir, 'file');
    writeFileSync(file, '');
    expect((await configError(checkOutputDirectory(file, '--out'))).message).toContain('give a directory');
    const linked = join(dir, 'linked-dir');
    symlinkSync(dir, linked);
    expect((await configError(checkOutputDirectory(linked, '--out'))).message).toContain('symbolic link');
    await expect(checkOutputDirectory(join(dir, 'new-reports'), '--out')).resolves.toBeUndefined();
    await expect(checkOutputDirectory(dir, '--out')).resolves.toBeUndefined();
  });

  describe('writeReportFiles', () => {
    it('writes new report files 0600 in a new 0700 folder, under umask 0', async () => {
      const reports = join(dir, 'reports');
      const paths = await writeReportFiles(fixtureReport(), { dir: reports, formats: ['csv', 'json'] });
      expect(mode(reports)).toBe(0o700);
      for (const path of paths) expect(mode(path)).toBe(0o600);
    });

    it('tightens an existing 0644 report file it overwrites to 0600', async () => {
      const report = fixtureReport();
      const path = join(dir, reportFileName(report, 'csv', report.summary.timeZone));
      writeFileSync(path, 'stale');
      chmodSync(path, 0o644);
      await writeReportFiles(report, { dir, formats: ['csv'] });
      expect(mode(path)).toBe(0o600);
      expect(readFileSync(path, 'utf8')).toBe(report.toCSV());
    });

    it('refuses a FIFO planted at a report path, leaving its mode alone', async () => {
      const report = fixtureReport();
      const fifo = join(dir, reportFileName(report, 'json', report.summary.timeZone));
      execFileSync('mkfifo', ['-m', '666', fifo]);
      await configError(writeReportFiles(report, { dir, formats: ['json'] }));
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      expect(mode(fifo)).toBe(0o666);
    });

    it('refuses a symbolic link planted at a report path, or given as the folder', async () => {
      const report = fixtureReport();
      const outside = join(dir, 'outside.txt');
      writeFileSync(outside, 'not yours');
      chmodSync(outside, 0o644);
      const reports = join(dir, 'reports');
      mkdirSync(reports);
      symlinkSync(outside, join(reports, reportFileName(report, 'md', report.summary.timeZone)));
      await configError(writeReportFiles(report, { dir: reports, formats: ['md'] }));
      expect(readFileSync(outside, 'utf8')).toBe('not yours');
      expect(statSync(outside).mode & 0o777).toBe(0o644);
      const elsewhere = join(dir, 'elsewhere');
      mkdirSync(elsewhere, { mode: 0o755 });
      const linkedDir = join(dir, 'linked');
      symlinkSync(elsewhere, linkedDir);
      const error = await configError(writeReportFiles(report, { dir: linkedDir, formats: ['csv'] }));
      expect(error.setting).toBe('dir');
      expect(readdirSync(elsewhere)).toEqual([]);
    });

    it('refuses an unknown format before writing any file', async () => {
      const reports = join(dir, 'reports');
      await configError(writeReportFiles(fixtureReport(), { dir: reports, formats: ['csv', 'pdf' as never] }));
      expect(existsSync(reports)).toBe(false);
    });
  });
});
