import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { ConfigError } from 'cliniko-tradify';
import { loadCliConfig } from '../../src/cli/config.js';
import { CommandContext } from '../../src/cli/context.js';
import type { CliIo } from '../../src/cli/output.js';
import type { Bind } from '../../src/cli/bind.js';
import { accountCredentialsFromEnv, accountEnvSuffix, loadAccountsFile, registerWorker, workerDatabaseUrl, workerOptions } from '../../src/cli/worker.js';

const CANARY = 'ck_canary_9f3e1d_secret-au2';

function tempFile(name: string, content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'ct-worker-cli-'));
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function io(env: Record<string, string>, cwd: string): CliIo & { err: string[] } {
  const err: string[] = [];
  return { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) }, env, cwd, err };
}

const ENV = {
  DATABASE_URL: 'postgres://db.example/fleet',
  CLINIKO_USER_AGENT: 'Fleet Sync (ops@example.com)',
  TRADIFY_BASE_URL: 'https://tradify-gateway.example/v1',
  CLINIKO_API_KEY_CLINIC_42: 'ck-42-au1',
  TRADIFY_API_KEY_CLINIC_42: 'tk-42',
  CLINIKO_API_KEY_PERTH_WEST: 'ck-pw-au2',
  TRADIFY_API_KEY_PERTH_WEST: 'tk-pw',
  TRADIFY_BASE_URL_PERTH_WEST: 'https://west.example/v1',
};

describe('loadAccountsFile', () => {
  it('reads a list of accounts with zones and crons, as an array or under "accounts"', () => {
    const accounts = [
      { id: 'clinic-42', timeZone: 'Australia/Sydney', syncCron: '*/10 * * * *', reconcileCron: '0 2 * * *' },
      { id: 'perth.west', timeZone: 'Australia/Perth', reconcileCron: false },
    ];
    expect(loadAccountsFile(tempFile('a.json', accounts))).toEqual(accounts);
    expect(loadAccountsFile(tempFile('b.json', { accounts }))).toEqual(accounts);
  });

  it('refuses a file holding a key, naming where but never echoing the value', () => {
    const error = thrown(() => loadAccountsFile(tempFile('k.json', [{ id: 'clinic-42', clinikoApiKey: CANARY }])));
    expect(error.setting).toBe('accounts[0].clinikoApiKey');
    expect(error.message).toContain('CLINIKO_API_KEY_<ACCOUNT>');
    expect(`${error.message} ${inspect(error)} ${JSON.stringify(error)}`).not.toContain(CANARY);
  });

  it('refuses unknown settings, wrong types, an empty list, bad JSON and a missing file', () => {
    expect(thrown(() => loadAccountsFile(tempFile('u.json', [{ id: 'a', cron: '* * * * *' }]))).setting).toBe('accounts[0].cron');
    expect(thrown(() => loadAccountsFile(tempFile('t.json', [{ id: 'a', syncCron: 5 }]))).setting).toBe('accounts[0].syncCron');
    expect(thrown(() => loadAccountsFile(tempFile('e.json', []))).setting).toBe('accounts');
    expect(thrown(() => loadAccountsFile(tempFile('j.json', '[{'))).message).toMatch(/not valid JSON/);
    expect(thrown(() => loadAccountsFile('/nonexistent/accounts.json')).message).toMatch(/does not exist/);
  });

  it('refuses two ids that would read the same environment variables', () => {
    const error = thrown(() => loadAccountsFile(tempFile('d.json', [{ id: 'perth-west' }, { id: 'perth.west' }])));
    expect(error.message).toContain('PERTH_WEST');
  });
});

describe('credentials and database from the environment', () => {
  it('derives the variable suffix from the id', () => {
    expect(accountEnvSuffix('clinic-42')).toBe('CLINIC_42');
    expect(accountEnvSuffix('perth.west:1')).toBe('PERTH_WEST_1');
  });

  it("reads each account's own keys and base-URL overrides", async () => {
    const config = await loadCliConfig({ env: ENV, cwd: tmpdir() });
    expect(accountCredentialsFromEnv('clinic-42', ENV, config)).toEqual({
      cliniko: { apiKey: 'ck-42-au1', userAgent: 'Fleet Sync (ops@example.com)', baseUrl: undefined, requestsPerMinute: 190 },
      tradify: { apiKey: 'tk-42', baseUrl: 'https://tradify-gateway.example/v1', requestsPerMinute: 95 },
    });
    const west = accountCredentialsFromEnv('perth.west', ENV, config);
    expect(west.cliniko.apiKey).toBe('ck-pw-au2');
    expect(west.tradify.baseUrl).toBe('https://west.example/v1');
  });

  it('never falls back to the single-account CLINIKO_API_KEY: a missing per-account key names its variable', async () => {
    const env = { ...ENV, CLINIKO_API_KEY: CANARY };
    const config = await loadCliConfig({ env, cwd: tmpdir() });
    const error = thrown(() => accountCredentialsFromEnv('clinic-7', env, config));
    expect(error.setting).toBe('CLINIKO_API_KEY_CLINIC_7');
    expect(inspect(error)).not.toContain(CANARY);
  });

  it('takes CLINIKO_TRADIFY_PG_URL over DATABASE_URL, and needs one of them', () => {
    expect(workerDatabaseUrl({ DATABASE_URL: 'postgres://a/x' })).toBe('postgres://a/x');
    expect(workerDatabaseUrl({ DATABASE_URL: 'postgres://a/x', CLINIKO_TRADIFY_PG_URL: 'postgres://b/y' })).toBe('postgres://b/y');
    expect(thrown(() => workerDatabaseUrl({})).setting).toBe('DATABASE_URL');
  });
});

describe('workerOptions', () => {
  it('builds startWorker options whose resolveCredentials reads the environment at job time', async () => {
    const accountsPath = tempFile('accounts.json', [{ id: 'clinic-42', timeZone: 'Australia/Sydney' }, { id: 'perth.west', timeZone: 'Australia/Perth' }]);
    const ctx = new CommandContext(io(ENV, tmpdir()), {}, new AbortController().signal);
    const options = workerOptions(ctx, await ctx.config(), { accounts: accountsPath, concurrency: '4', leaseTtl: '90s' });
    expect(options.connectionString).toBe('postgres://db.example/fleet');
    expect(options.concurrency).toBe(4);
    expect(options.leaseTtlMs).toBe(90_000);
    expect((options.accounts as Array<{ id: string }>).map((a) => a.id)).toEqual(['clinic-42', 'perth.west']);
    const creds = await options.resolveCredentials('perth.west', { signal: new AbortController().signal });
    expect(creds.tradify.apiKey).toBe('tk-pw');
    expect(JSON.stringify(options.accounts)).not.toContain('tk-');
  });

  it("fails at start-up, before connecting, when any account's key is missing", async () => {
    const { TRADIFY_API_KEY_PERTH_WEST: _dropped, ...env } = ENV;
    const accountsPath = tempFile('accounts.json', [{ id: 'clinic-42' }, { id: 'perth.west' }]);
    const ctx = new CommandContext(io(env, tmpdir()), {}, new AbortController().signal);
    const config = await ctx.config();
    expect(thrown(() => workerOptions(ctx, config, { accounts: accountsPath })).setting).toBe('TRADIFY_API_KEY_PERTH_WEST');
    expect(thrown(() => workerOptions(ctx, config, {})).setting).toBe('accounts');
  });

  it('rejects a concurrency that is not a positive whole number', async () => {
    const accountsPath = tempFile('accounts.json', [{ id: 'clinic-42' }]);
    const ctx = new CommandContext(io(ENV, tmpdir()), {}, new AbortController().signal);
    const config = await ctx.config();
    for (const concurrency of ['1.5', '0', 'two']) {
      expect(thrown(() => workerOptions(ctx, config, { accounts: accountsPath, concurrency })).setting).toBe('--concurrency');
    }
  });
});

describe('registerWorker', () => {
  it('adds a `worker` command whose action gets the parsed options', async () => {
    const program = new Command('cliniko-tradify').exitOverride();
    const seen: unknown[] = [];
    const bind: Bind = (name, handler) => async (...args: unknown[]) => {
      seen.push(name, args[0]);
      void handler;
    };
    registerWorker(program, bind);
    await program.parseAsync(['worker', '--accounts', 'fleet.json', '--concurrency', '3', '--no-tick'], { from: 'user' });
    expect(seen[0]).toBe('worker');
    expect(seen[1]).toEqual({ accounts: 'fleet.json', concurrency: '3', tick: false });
  });
});
