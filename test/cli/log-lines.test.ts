/**
 * Every line the CLI writes on stderr during a faulty sync (Cliniko 429s, Tradify 500s, a
 * Tradify 422 and a record failing its schema: two dead letters) is one log entry: in `json`
 * format each line is one JSON object with `time`, `level` and `msg`; in `pretty` format each
 * line starts an entry. No line names a patient or carries a key.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeCliniko, startFakeTradify, type FakeCliniko, type FakeTradify } from 'cliniko-tradify/testing';
import { baseEnv, lines, runCli, tempDir } from './helpers.js';

let fc: FakeCliniko | undefined;
let ft: FakeTradify | undefined;
afterEach(async () => {
  await fc?.close();
  await ft?.close();
  fc = ft = undefined;
});

interface FaultySync {
  env: Record<string, string>;
  config: string;
  /** Text that must never reach a log line: keys and personal details. */
  privateText: string[];
}

/** Fakes with faults, a patient that fails its schema, and one whose customer Tradify rejects (422). */
async function faultySync(): Promise<FaultySync> {
  fc = await startFakeCliniko({ patients: 10, invoices: 10, seed: 7, rateLimit: false });
  ft = await startFakeTradify({ seed: 7, rateLimit: false });
  const [broken, rejected, named] = fc.db.patients.all().filter((p) => p.archived_at === null && p.deleted_at === null);
  fc.db.patients.update(broken!.id, { date_of_birth: 'not-a-date' } as never);
  fc.db.patients.update(named!.id, { first_name: 'Zephyrine', last_name: 'Quillfeather', email: 'zephyrine.q@example.com' } as never);
  fc.faults.set({ serverError: { every: 4, limit: 3, status: 429 } });
  ft.faults.set({ serverErrorEvery: { every: 5, status: 503 } });
  const dir = tempDir('ct-logs-');
  const config = join(dir, 'config.mjs');
  // an unknown field makes the fake Tradify answer 422 for this one patient's customer
  writeFileSync(config, `export default { mapping: { customer: (draft, patient) => (patient.id === '${rejected!.id}' ? { ...draft, notAField: 'x' } : draft) } };\n`);
  const env = baseEnv({
    CLINIKO_API_KEY: fc.apiKey,
    CLINIKO_BASE_URL: fc.url,
    CLINIKO_USER_AGENT: 'CLI log tests (tests@example.com)',
    TRADIFY_API_KEY: ft.apiKey,
    TRADIFY_BASE_URL: ft.url,
    CLINIKO_TRADIFY_DB: join(dir, 'state.db'),
    CLINIKO_REQUESTS_PER_MINUTE: '600000',
    TRADIFY_REQUESTS_PER_MINUTE: '600000',
  });
  return { env, config, privateText: [fc.apiKey, ft.apiKey, 'Zephyrine', 'Quillfeather', 'zephyrine.q@example.com', 'not-a-date'] };
}

function expectFaultsLogged(stderr: string): void {
  expect(stderr).toContain('retrying after a transient failure');
  expect(stderr).toContain('rate limited');
  expect(stderr).toMatch(/record dead-lettered.*schema/);
  expect(stderr).toMatch(/record dead-lettered.*unprocessable/);
}

describe('log lines of a faulty sync through the CLI', () => {
  it('json: every stderr line is one JSON object with time, level and msg', async () => {
    const { env, config, privateText } = await faultySync();
    const result = await runCli(['sync', '--config', config, '--log-format', 'json', '--log-level', 'debug', '--progress', 'plain'], env);
    expect(result.code).toBe(3);
    const stderrLines = lines(result.stderr);
    expect(stderrLines.length).toBeGreaterThan(20);
    for (const line of stderrLines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry.time, line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(['debug', 'info', 'warn', 'error'], line).toContain(entry.level);
      expect(typeof entry.msg, line).toBe('string');
    }
    expect(result.stderr.split('\n').filter((l) => l === '')).toHaveLength(1); // only after the last line
    expectFaultsLogged(result.stderr);
    expect(stderrLines.some((l) => (JSON.parse(l) as { msg: string }).msg.startsWith('progress: '))).toBe(true);
    for (const text of privateText) expect(result.stderr).not.toContain(text);
  }, 120_000);

  it('pretty: every stderr line is one entry (time and level first), a progress line or a command line', async () => {
    const { env, config, privateText } = await faultySync();
    const result = await runCli(['sync', '--config', config, '--log-format', 'pretty', '-v', '--progress', 'plain'], env);
    expect(result.code).toBe(3);
    const stderrLines = lines(result.stderr);
    expect(stderrLines.length).toBeGreaterThan(4);
    for (const line of stderrLines) {
      expect(line, line).toMatch(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO |WARN |ERROR) \S|progress: |cliniko-tradify )/);
    }
    expect(result.stderr).not.toMatch(/^\s*[{}\]]/m); // no dumped objects
    expectFaultsLogged(result.stderr);
    expect(result.stderr).not.toMatch(/ DEBUG /); // -v shows warnings and errors, not request lines
    for (const text of privateText) expect(result.stderr).not.toContain(text);
  }, 120_000);

  it('logs only errors by default; with --log-level silent only the console alerts remain', async () => {
    const { env, config } = await faultySync();
    const byDefault = await runCli(['sync', '--config', config, '--progress', 'none', '--log-format', 'json'], env);
    expect(byDefault.code).toBe(3);
    const entries = lines(byDefault.stderr).map((l) => JSON.parse(l) as { level: string; msg: string });
    const alerts = entries.filter((e) => e.msg.startsWith('[cliniko-tradify] alert '));
    expect(alerts.map((e) => e.msg)).toEqual([expect.stringContaining('dead-letters'), expect.stringContaining('reviews')]);
    expect(entries.filter((e) => !alerts.includes(e)).every((e) => e.level === 'error')).toBe(true);

    const silent = await runCli(['sync', '--config', config, '--progress', 'none', '--log-format', 'pretty', '--log-level', 'silent'], env);
    expect(silent.code).toBe(3);
    expect(lines(silent.stderr).every((l) => / (WARN|ERROR) \[cliniko-tradify\] alert /.test(l))).toBe(true);
  }, 120_000);

  it('writes a usage error as JSON entries too when stderr carries JSON', async () => {
    const result = await runCli(['sync', '--bogus', '--log-format', 'json'], baseEnv());
    expect(result.code).toBe(2);
    const entries = lines(result.stderr).map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(entries[0]).toMatchObject({ level: 'error', msg: "error: unknown option '--bogus'" });
    const pretty = await runCli(['sync', '--bogus', '--log-format', 'pretty'], baseEnv());
    expect(pretty.stderr).toMatch(/^error: unknown option '--bogus'\n/);
  }, 60_000);
});
