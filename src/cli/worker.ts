/**
 * `cliniko-tradify worker`: the multi-account runner (`cliniko-tradify/worker`) as a long-running
 * command. Configured like the other commands (environment + optional `--config` file for the
 * mapping, alerter and rates), plus:
 *
 * - `DATABASE_URL` or `CLINIKO_TRADIFY_PG_URL` (this one wins): the PostgreSQL database holding
 *   the state of every account and pg-boss's job queue;
 * - `--accounts <file>`: a JSON list of `{ id, timeZone?, syncCron?, reconcileCron? }` (a cron of
 *   `false` turns that job off). The file holds no keys: one holding a key is a `ConfigError`;
 * - per account, keys from the environment only, read when each job starts:
 *   `CLINIKO_API_KEY_<ACCOUNT>` and `TRADIFY_API_KEY_<ACCOUNT>`, where `<ACCOUNT>` is the id
 *   upper-cased with every other character than A–Z and 0–9 turned into `_` (`clinic-42` →
 *   `CLINIC_42`). `TRADIFY_BASE_URL_<ACCOUNT>` and `CLINIKO_BASE_URL_<ACCOUNT>` override the shared
 *   `TRADIFY_BASE_URL` / `CLINIKO_BASE_URL`; `CLINIKO_USER_AGENT` is shared.
 *
 * SIGINT/SIGTERM stop it gracefully: running syncs finish their current page, unfinished jobs go
 * back to the queue for another worker, and it exits 0. pg and pg-boss (optional peers) are loaded
 * only by this command.
 *
 * @module
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import { parseDuration } from '../core/dates.js';
import { unknownOptionError } from '../core/options.js';
import type { AccountCredentials, StartWorkerOptions, WorkerAccount } from '../worker/worker.js';
import type * as WorkerModule from '../worker/worker.js';
import { checkAlertDependencies, cliAlerter } from './alerts.js';
import { readJsonFile, type CliConfig } from './config.js';
import type { CommandContext } from './context.js';
import { EXIT } from './exit-codes.js';
import type { Bind } from './bind.js';

/** Options of `worker`. */
export interface WorkerCliOptions {
  accounts?: string | undefined;
  concurrency?: string | undefined;
  leaseTtl?: string | undefined;
  tick?: boolean | undefined;
}

const ACCOUNT_KEYS = ['id', 'timeZone', 'syncCron', 'reconcileCron'];
const SECRET_KEY = /(api[-_]?key|secret|token|password|passwd|credential)/i;

/** `clinic-42` → `CLINIC_42`: the suffix of an account's environment variables. */
export function accountEnvSuffix(accountId: string): string {
  return accountId.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The worker's database from the environment. @throws ConfigError when neither variable is set. */
export function workerDatabaseUrl(env: Readonly<Record<string, string | undefined>>): string {
  const url = env.CLINIKO_TRADIFY_PG_URL?.trim() || env.DATABASE_URL?.trim();
  if (!url) throw new ConfigError('DATABASE_URL', 'DATABASE_URL is not set: export DATABASE_URL=postgres://user@host/db (or CLINIKO_TRADIFY_PG_URL) for the worker’s state and job queue.');
  return url;
}

function checkAccountEntry(entry: unknown, where: string, path: string): WorkerAccount {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ConfigError(where, `Accounts file ${path}: ${where} must be an object { id, timeZone, syncCron, reconcileCron }.`);
  for (const [key, value] of Object.entries(entry)) {
    if (SECRET_KEY.test(key)) {
      throw new ConfigError(`${where}.${key}`, `Accounts file ${path} holds a secret at '${where}.${key}': remove it and set CLINIKO_API_KEY_<ACCOUNT> / TRADIFY_API_KEY_<ACCOUNT> in the environment instead.`);
    }
    if (!ACCOUNT_KEYS.includes(key)) throw unknownOptionError(`${where}.${key}`, key, ACCOUNT_KEYS, `Accounts file ${path}`);
    const ok = key === 'id' || key === 'timeZone' ? typeof value === 'string' : value === false || typeof value === 'string';
    if (!ok) throw new ConfigError(`${where}.${key}`, `Accounts file ${path}: '${where}.${key}' must be ${key === 'id' || key === 'timeZone' ? 'a string' : "a cron string or false"}.`);
  }
  return entry as WorkerAccount;
}

/**
 * Reads the accounts file: a JSON array (or `{ "accounts": [...] }`) of
 * `{ id, timeZone?, syncCron?, reconcileCron? }`. Ids and zones are checked again by the worker.
 *
 * @throws ConfigError for a missing or malformed file, an unknown setting, a secret, or two ids
 *   sharing one environment-variable suffix.
 * @example
 * ```json
 * [{ "id": "clinic-42", "timeZone": "Australia/Perth", "syncCron": "*\/10 * * * *", "reconcileCron": "0 2 * * *" }]
 * ```
 */
export function loadAccountsFile(path: string): WorkerAccount[] {
  const data = readJsonFile(path, `Accounts file ${path} (--accounts)`, 'accounts');
  const list = Array.isArray(data) ? data : (data as { accounts?: unknown } | null)?.accounts;
  if (!Array.isArray(list) || list.length === 0) throw new ConfigError('accounts', `Accounts file ${path} must hold a non-empty JSON array of accounts (or { "accounts": [...] }).`);
  const accounts = list.map((entry, i) => checkAccountEntry(entry, `accounts[${i}]`, path));
  const bySuffix = new Map<string, string>();
  for (const { id } of accounts) {
    const other = bySuffix.get(accountEnvSuffix(id));
    if (other !== undefined) throw new ConfigError('accounts', `Accounts file ${path}: accounts '${other}' and '${id}' would share the variables *_${accountEnvSuffix(id)}: rename one.`);
    bySuffix.set(accountEnvSuffix(id), id);
  }
  return accounts;
}

/**
 * An account's keys and endpoints from the environment (never from a file).
 *
 * @throws ConfigError naming the first missing variable.
 */
export function accountCredentialsFromEnv(accountId: string, env: Readonly<Record<string, string | undefined>>, config: CliConfig): AccountCredentials {
  const suffix = accountEnvSuffix(accountId);
  const read = (name: string): string | undefined => env[name]?.trim() || undefined;
  const required = (name: string, fix: string): string => {
    const value = read(name);
    if (value === undefined) throw new ConfigError(name, `${name} is not set: ${fix}.`);
    return value;
  };
  const userAgent = config.cliniko.userAgent ?? required('CLINIKO_USER_AGENT', "export CLINIKO_USER_AGENT='Your App (you@example.com)' (Cliniko requires it)");
  return {
    cliniko: {
      apiKey: required(`CLINIKO_API_KEY_${suffix}`, `export CLINIKO_API_KEY_${suffix}=<the Cliniko key of account '${accountId}'>`),
      userAgent,
      baseUrl: read(`CLINIKO_BASE_URL_${suffix}`) ?? config.cliniko.baseUrl,
      requestsPerMinute: config.cliniko.requestsPerMinute,
    },
    tradify: {
      apiKey: required(`TRADIFY_API_KEY_${suffix}`, `export TRADIFY_API_KEY_${suffix}=<the Tradify-contract key of account '${accountId}'>`),
      baseUrl: read(`TRADIFY_BASE_URL_${suffix}`) ?? config.tradify.baseUrl ?? required(`TRADIFY_BASE_URL_${suffix}`, `export TRADIFY_BASE_URL_${suffix} or TRADIFY_BASE_URL=https://<your Tradify-contract server>/v1`),
      requestsPerMinute: config.tradify.requestsPerMinute,
    },
  };
}

function positiveInteger(text: string | undefined, setting: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text)) throw new ConfigError(setting, `${setting} must be a positive whole number.`);
  return Number(text);
}

/** The config file's `null` turns a job off; absent keeps the worker's default. */
function cronSetting(value: string | null | undefined): string | false | undefined {
  return value === null ? false : value;
}

async function loadWorkerModule(): Promise<typeof WorkerModule> {
  try {
    return await import('../worker/worker.js');
  } catch {
    throw new ConfigError('DATABASE_URL', 'The worker needs pg and pg-boss (optional peer dependencies): run npm install pg pg-boss@10.');
  }
}

/** The `startWorker` options of this invocation. */
export function workerOptions(ctx: CommandContext, config: CliConfig, options: WorkerCliOptions): StartWorkerOptions {
  if (options.accounts === undefined) throw new ConfigError('accounts', 'cliniko-tradify worker needs --accounts <file.json>: the list of { id, timeZone, syncCron, reconcileCron }.');
  const accounts = loadAccountsFile(resolve(ctx.io.cwd, options.accounts));
  const env = ctx.io.env;
  for (const account of accounts) accountCredentialsFromEnv(account.id, env, config); // fail at start, not at 3 a.m.
  const logger = config.logger ?? ctx.logger;
  const alerter = cliAlerter({ alerts: config.alerts, alerter: config.alerter, fileLogger: config.logger }, logger, (line, alert) => ctx.alertLine(line, alert));
  return {
    connectionString: workerDatabaseUrl(env),
    accounts,
    resolveCredentials: async (accountId) => accountCredentialsFromEnv(accountId, env, config),
    concurrency: positiveInteger(options.concurrency, '--concurrency'),
    leaseTtlMs: options.leaseTtl === undefined ? undefined : parseDuration(options.leaseTtl, '--lease-ttl'),
    maxRunDurationMs: config.sync.maxRunDuration === undefined ? undefined : parseDuration(config.sync.maxRunDuration, 'sync.maxRunDuration'),
    schedule: { sync: cronSetting(config.schedule.sync), reconcile: cronSetting(config.schedule.reconcile), tick: options.tick !== false },
    engineOptions: () => ({
      mapping: config.mapping,
      alerter,
      initialSyncFrom: config.sync.initialSyncFrom,
      lookbackSeconds: config.sync.lookbackSeconds,
      rates: { cliniko: config.cliniko.requestsPerMinute, tradify: config.tradify.requestsPerMinute },
    }),
    logger,
  };
}

/** Runs the worker until SIGINT/SIGTERM. */
export async function workerAction(ctx: CommandContext, options: WorkerCliOptions): Promise<number> {
  const config = await ctx.config();
  const startOptions = workerOptions(ctx, config, options);
  await checkAlertDependencies(config.alerts);
  const { startWorker } = await loadWorkerModule();
  const worker = await startWorker(startOptions);
  const count = Array.isArray(startOptions.accounts) ? startOptions.accounts.length : 0;
  ctx.out.note(`worker ${worker.owner} started: ${count} account(s). Ctrl-C stops after the current page and hands unfinished jobs back.`);
  await new Promise<void>((done) => (ctx.signal.aborted ? done() : ctx.signal.addEventListener('abort', () => done(), { once: true })));
  await worker.stop();
  ctx.out.note(`worker ${worker.owner} stopped`);
  ctx.out.document({ command: 'worker', exitCode: EXIT.ok, owner: worker.owner, accounts: count });
  return EXIT.ok;
}

/** Registers `worker` on the program. */
export function registerWorker(program: Command, bind: Bind): void {
  program
    .command('worker')
    .description('Stay running: sync and reconcile many accounts from PostgreSQL (pg-boss); run several for failover.')
    .option('-a, --accounts <file>', 'JSON list of { id, timeZone, syncCron, reconcileCron } (no keys)')
    .option('--concurrency <n>', 'jobs run at once in this process (default 2)')
    .option('--lease-ttl <duration>', "an account's lease lifetime: how soon a dead worker's accounts move on (default '60s')")
    .option('--no-tick', 'do not register the per-minute schedule tick (jobs sent by other means only)')
    .addHelpText('after', `
Environment:
  DATABASE_URL or CLINIKO_TRADIFY_PG_URL     PostgreSQL for state and jobs (required)
  CLINIKO_API_KEY_<ACCOUNT>, TRADIFY_API_KEY_<ACCOUNT>   keys per account (ACCOUNT: id upper-cased, other characters → _)
  TRADIFY_BASE_URL[_<ACCOUNT>], CLINIKO_BASE_URL[_<ACCOUNT>], CLINIKO_USER_AGENT

Crons are read in each account's time zone (default '*/15 * * * *' sync, '0 3 * * *' reconcile;
the config file's schedule section changes the defaults). On the night clocks go forward a skipped
time runs at the first minute after the gap; when they go back a repeated time runs once.

Examples:
  $ DATABASE_URL=postgres://sync@db/cliniko cliniko-tradify worker --accounts accounts.json
  $ cliniko-tradify worker --accounts accounts.json --concurrency 4 --config mapping.mjs`)
    .action(bind('worker', workerAction));
}
