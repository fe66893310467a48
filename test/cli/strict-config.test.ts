import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCliniko, startFakeTradify, type FakeCliniko, type FakeTradify } from 'cliniko-tradify/testing';
import { runCli as runCliInProcess } from '../../src/cli/program.js';
import type { CliIo } from '../../src/cli/output.js';
import { baseEnv, lines, runCli as runCliChild, tempDir } from './helpers.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process (stderr lines for people); the signal stops a command that would otherwise wait forever. */
async function cli(args: string[], env: Record<string, string>, cwd: string): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env, cwd };
  const code = await runCliInProcess(['--log-format', 'pretty', ...args], io, AbortSignal.timeout(5_000));
  return { code, stdout, stderr };
}

const mode = (path: string): number => lstatSync(path).mode & 0o777;

/** Every setting a command needs, pointing at a closed loopback port: nothing is ever sent. */
function offlineEnv(dir: string): Record<string, string> {
  return baseEnv({
    CLINIKO_API_KEY: 'MS0xLWFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6-au2',
    CLINIKO_USER_AGENT: 'CLI tests (tests@example.com)',
    CLINIKO_BASE_URL: 'http://127.0.0.1:9/v1',
    TRADIFY_API_KEY: 'tradify-key',
    TRADIFY_BASE_URL: 'http://127.0.0.1:9/v1',
    CLINIKO_TRADIFY_DB: join(dir, 'state.db'),
  });
}

describe('cliniko-tradify: configuration mistakes are one line and exit 2', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('ct-strict-');
  });

  it('a typo in the config file’s mapping names the key and the nearest valid one', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ mapping: { aproval: { when: 'never' } } }));
    const result = await cli(['--config', file, 'status'], baseEnv({ CLINIKO_TRADIFY_DB: join(dir, 's.db') }), dir);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([`cliniko-tradify status: Config file ${file}: unknown option \`mapping.aproval\`; did you mean \`approval\`?`]);
  });

  it('a nested typo in the mapping (mapping.approval.whn) is refused the same way', async () => {
    const file = join(dir, 'config.mjs');
    writeFileSync(file, `export default { mapping: { approval: { whn: 'manual' }, filterPatient: () => true } };`);
    const result = await cli(['--config', file, 'status'], baseEnv({ CLINIKO_TRADIFY_DB: join(dir, 's.db') }), dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown option `mapping.approval.whn`; did you mean `when`?');
    expect(existsSync(join(dir, 's.db'))).toBe(false);
  });

  it('a config module that throws shows its file name and error class, never its message', async () => {
    const file = join(dir, 'throws.mjs');
    writeFileSync(file, `throw new TypeError('vault token canary-secret-4711 rejected');`);
    const result = await cli(['--config', file, 'status'], baseEnv(), dir);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([`cliniko-tradify status: could not load config file ${file}: TypeError`]);
    expect(result.stderr + result.stdout).not.toContain('canary-secret-4711');
  });

  it('schedule with both jobs off is a configuration error, not a process that never ends', async () => {
    const result = await cli(['schedule', '--sync', 'off', '--reconcile', 'off'], offlineEnv(dir), dir);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('nothing to do');
    expect(existsSync(join(dir, 'state.db'))).toBe(false);
  });

  it('schedule with a cron that never fires names the flag', async () => {
    const result = await cli(['schedule', '--sync', '0 0 31 2 *', '--reconcile', 'off'], offlineEnv(dir), dir);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual(["cliniko-tradify schedule: --sync '0 0 31 2 *' never fires (no such date): fix the day and month fields."]);
  });

  it('schedule with nothing to do exits 2 as a real process (it used to exit 13)', async () => {
    const result = await runCliChild(['--log-format', 'pretty', 'schedule', '--sync', 'off', '--reconcile', 'off'], offlineEnv(dir));
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual(['cliniko-tradify schedule: schedule has nothing to do: --sync and --reconcile are both off; turn one on (e.g. --sync "*/15 * * * *").']);
  }, 60_000);
});

describe('cliniko-tradify: output paths are checked before any work', () => {
  let fc: FakeCliniko;
  let ft: FakeTradify;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    fc = await startFakeCliniko({ patients: 3, invoices: 3, seed: 5, rateLimit: false });
    ft = await startFakeTradify({ seed: 5, rateLimit: false });
  });
  afterAll(async () => {
    await fc?.close();
    await ft?.close();
  });
  beforeEach(() => {
    dir = tempDir('ct-out-');
    fc.requests.length = 0;
    ft.requests.length = 0;
    env = baseEnv({
      CLINIKO_API_KEY: fc.apiKey,
      CLINIKO_BASE_URL: fc.url,
      CLINIKO_USER_AGENT: 'CLI tests (tests@example.com)',
      TRADIFY_API_KEY: ft.apiKey,
      TRADIFY_BASE_URL: ft.url,
      CLINIKO_TRADIFY_DB: join(dir, 'state.db'),
      CLINIKO_REQUESTS_PER_MINUTE: '600000',
      TRADIFY_REQUESTS_PER_MINUTE: '600000',
    });
  });

  const nothingSent = (): void => {
    expect(fc.requests).toHaveLength(0);
    expect(ft.requests).toHaveLength(0);
  };

  it('reconcile --out <existing file>: exit 2 at once, one line, no request sent', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, 'keep');
    const result = await cli(['reconcile', '--out', file], env, dir);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(lines(result.stderr)).toEqual([`cliniko-tradify reconcile: --out "${file}" is a file: give a directory to write the report files into.`]);
    expect(readFileSync(file, 'utf8')).toBe('keep');
    nothingSent();
  });

  it('reconcile --out in a folder that does not exist: exit 2, no request sent', async () => {
    const result = await cli(['reconcile', '--out', join(dir, 'missing', 'reports')], env, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('does not exist');
    nothingSent();
  });

  it('reconcile --out that is a symbolic link: refused, no request sent', async () => {
    const target = tempDir('ct-out-target-');
    symlinkSync(target, join(dir, 'reports'));
    const result = await cli(['reconcile', '--out', 'reports'], env, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('symbolic link');
    nothingSent();
  });

  it('audit export --out over an existing 0644 file leaves it 0600', async () => {
    const file = join(dir, 'audit.csv');
    writeFileSync(file, 'old');
    chmodSync(file, 0o644);
    const result = await cli(['audit', 'export', '--out', 'audit.csv'], env, dir);
    expect(result.code).toBe(0);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^id,at,runId,/);
  });

  it('audit export --out a FIFO: refused without blocking, its mode untouched', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', ['-m', '644', fifo]);
    const result = await cli(['audit', 'export', '--out', fifo], env, dir);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('a FIFO');
    expect(mode(fifo)).toBe(0o644);
    expect(existsSync(join(dir, 'state.db'))).toBe(false);
  });

  it('audit export --out a symbolic link: refused, the target keeps its content and mode', async () => {
    const target = join(tempDir('ct-out-target-'), 'elsewhere.csv');
    writeFileSync(target, 'not yours');
    chmodSync(target, 0o644);
    symlinkSync(target, join(dir, 'audit.csv'));
    const result = await cli(['audit', 'export', '--out', 'audit.csv'], env, dir);
    expect(result.code).toBe(2);
    expect(readFileSync(target, 'utf8')).toBe('not yours');
    expect(mode(target)).toBe(0o644);
  });
});
