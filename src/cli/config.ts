/**
 * The CLI's configuration: environment variables plus an optional config file (`.json`, `.js`
 * or `.mjs`). Keys come from the environment (or the file's `resolveApiKeys` function), never
 * from a file: a file holding a key is a `ConfigError`. Every mistake is one `ConfigError`
 * naming the setting and the fix.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../core/errors.js';
import { DEFAULT_TIME_ZONE, isPlainDate, isValidTimeZone } from '../core/dates.js';
import type { Logger } from '../core/logger.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import { rejectUnknownMappingKeys, type MappingConfig } from '../mapping/config.js';
import type { AlertDestinations } from '../alerts/routing.js';
import { ALERT_ENV, resolveAlertsConfig, type AlertsFileConfig, type CliAlertsConfig } from './alerts.js';

/** Environment variables the CLI reads, with what each is for. */
export const CLI_ENV = Object.freeze({
  CLINIKO_API_KEY: 'the Cliniko API key (required for commands that talk to Cliniko)',
  CLINIKO_USER_AGENT: "your app's name and a contact email, e.g. 'Acme Physio Sync (it@acme.example)'",
  CLINIKO_BASE_URL: 'override the Cliniko base URL (proxies, the fake)',
  CLINIKO_REQUESTS_PER_MINUTE: 'Cliniko pace (default 190)',
  TRADIFY_API_KEY: 'the key of the Tradify-contract server',
  TRADIFY_BASE_URL: 'the Tradify-contract server, e.g. https://tradify-gateway.example/v1',
  TRADIFY_REQUESTS_PER_MINUTE: 'Tradify pace (default 95)',
  CLINIKO_TRADIFY_DB: 'the SQLite state file (default ./cliniko-tradify.db)',
  CLINIKO_TRADIFY_TIME_ZONE: 'IANA zone of local dates (default Australia/Sydney)',
  CLINIKO_TRADIFY_ACCOUNT: "the account id in the state store (default 'default')",
  CLINIKO_TRADIFY_CONFIG: 'path of the config file (same as --config)',
  CLINIKO_TRADIFY_WEBHOOK_URL: 'post alerts to this webhook (a secret: environment only)',
  ...ALERT_ENV,
});

/** The default SQLite state file, relative to the working directory. */
export const DEFAULT_DB_PATH = './cliniko-tradify.db';

/** What a config file may export (as `default` or as `config`). */
export interface CliFileConfig {
  /** The account id in the state store. @defaultValue `'default'` */
  accountId?: string | undefined;
  /** IANA zone of local dates. @defaultValue `'Australia/Sydney'` */
  timeZone?: string | undefined;
  /** The SQLite state file. @defaultValue `'./cliniko-tradify.db'` */
  db?: string | undefined;
  /** Cliniko settings other than the key. */
  cliniko?: { baseUrl?: string | undefined; userAgent?: string | undefined; requestsPerMinute?: number | undefined } | undefined;
  /** Tradify settings other than the key. */
  tradify?:
    | { baseUrl?: string | undefined; requestsPerMinute?: number | undefined; auth?: 'x-api-key' | 'bearer' | undefined; pageSize?: number | undefined }
    | undefined;
  /** Mapping callbacks, filters, tables and policies (functions need a `.js`/`.mjs` file). */
  mapping?: MappingConfig | undefined;
  /** Engine limits of a sync. */
  sync?: { maxRunDuration?: string | number | undefined; initialSyncFrom?: string | undefined; lookbackSeconds?: number | undefined } | undefined;
  /** Defaults of `cliniko-tradify reconcile`. */
  reconcile?: { out?: string | undefined; formats?: string[] | undefined; since?: string | undefined; alertThreshold?: number | undefined } | undefined;
  /** Cron patterns of `cliniko-tradify schedule` (`null` disables one). */
  schedule?: { sync?: string | null | undefined; reconcile?: string | null | undefined } | undefined;
  /**
   * Your own alerter, or a list of alerters and routes (`.js`/`.mjs` only); it replaces the
   * `alerts` destinations. @defaultValue the `alerts` destinations
   */
  alerter?: AlertDestinations | undefined;
  /**
   * Alert destinations: `email` (SMTP; the password from `CLINIKO_TRADIFY_SMTP_PASSWORD`),
   * `webhook` (its URL from `CLINIKO_TRADIFY_WEBHOOK_URL`) and `console` (`false` turns it off),
   * each with an optional `minSeverity` and `kinds`. @defaultValue the console, or the
   * destinations set in the environment
   */
  alerts?: AlertsFileConfig | undefined;
  /** Your own logger (`.js`/`.mjs` only). */
  logger?: Logger | undefined;
  /** Fetch the keys from a secret manager instead of the environment (`.js`/`.mjs` only). */
  resolveApiKeys?: (() => Promise<{ cliniko?: string | undefined; tradify?: string | undefined }>) | undefined;
}

/** The configuration after env, file and defaults were merged and checked. */
export interface CliConfig {
  accountId: string;
  timeZone: string;
  dbPath: string;
  /** Path of the config file, when one was read. */
  file: string | undefined;
  cliniko: { apiKey: string | undefined; userAgent: string | undefined; baseUrl: string | undefined; requestsPerMinute: number };
  tradify: { apiKey: string | undefined; baseUrl: string | undefined; requestsPerMinute: number; auth: 'x-api-key' | 'bearer' | undefined; pageSize: number | undefined };
  mapping: MappingConfig;
  sync: { maxRunDuration: string | number | undefined; initialSyncFrom: string | undefined; lookbackSeconds: number | undefined };
  reconcile: { out: string | undefined; formats: string[] | undefined; since: string | undefined; alertThreshold: number | undefined };
  schedule: { sync: string | null | undefined; reconcile: string | null | undefined };
  alerter: AlertDestinations | undefined;
  logger: Logger | undefined;
  webhookUrl: string | undefined;
  /** Email, webhook and console alert destinations from the file and the environment. */
  alerts: CliAlertsConfig;
}

/** Where {@link loadCliConfig} reads from. */
export interface LoadCliConfigInput {
  /** The environment. @defaultValue `process.env` */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** `--config`; falls back to `CLINIKO_TRADIFY_CONFIG`. */
  configPath?: string | undefined;
  /** Relative paths resolve from here. @defaultValue `process.cwd()` */
  cwd?: string | undefined;
}

/** The config file's keys; `mapping` is checked against the `MappingConfig` keys, `alerts` by `resolveAlertsConfig`. */
const FILE_SHAPE = {
  accountId: true,
  timeZone: true,
  db: true,
  cliniko: { baseUrl: true, userAgent: true, requestsPerMinute: true },
  tradify: { baseUrl: true, requestsPerMinute: true, auth: true, pageSize: true },
  mapping: true,
  sync: { maxRunDuration: true, initialSyncFrom: true, lookbackSeconds: true },
  reconcile: { out: true, formats: true, since: true, alertThreshold: true },
  schedule: { sync: true, reconcile: true },
  alerter: true,
  alerts: true,
  logger: true,
  resolveApiKeys: true,
} as const satisfies OptionShape<CliFileConfig>;
const SECTIONS = ['cliniko', 'tradify', 'mapping', 'sync', 'reconcile', 'schedule'] as const;
/** Property names that hold secrets; a config file must not carry them. */
const SECRET_KEY = /(api[-_]?key|secret|token|password|passwd|credential|webhook[-_]?url)$/i;
const SECRET_HINT: Record<string, string> = { cliniko: 'CLINIKO_API_KEY', tradify: 'TRADIFY_API_KEY', alerts: 'CLINIKO_TRADIFY_WEBHOOK_URL' };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** Finds a secret-looking property anywhere in plain data (functions and class instances are not walked). */
function findSecretPath(value: unknown, path: string[] = [], seen = new Set<unknown>()): string[] | undefined {
  if (!isPlainObject(value) && !Array.isArray(value)) return undefined;
  if (seen.has(value)) return undefined;
  seen.add(value);
  for (const [key, child] of Object.entries(value)) {
    if (SECRET_KEY.test(key) && (typeof child === 'string' || typeof child === 'number')) return [...path, key];
    const found = findSecretPath(child, [...path, key], seen);
    if (found) return found;
  }
  return undefined;
}

async function readConfigFile(path: string): Promise<unknown> {
  const ext = extname(path).toLowerCase();
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') {
    throw new ConfigError('config', `Config file ${path}: Node 20 cannot import TypeScript; compile it, or write it as .mjs or .json.`);
  }
  if (ext === '.json') return readJsonFile(path, `Config file ${path}`, 'config');
  if (ext !== '.js' && ext !== '.mjs') throw new ConfigError('config', `Config file ${path}: use a .json, .js or .mjs file.`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    // The error's message may quote a secret from the module: show only its class.
    throw new ConfigError('config', `could not load config file ${path}: ${errorClassName(error)}`);
  }
  return module.default ?? module.config;
}

/**
 * Parses a JSON file. A syntax error is reported by position only: the parser's own message
 * quotes the text around the error, which may be a secret.
 *
 * @throws ConfigError naming `setting` for a missing or unreadable file, or malformed JSON.
 */
export function readJsonFile(path: string, what: string, setting: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(setting, `${what} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? errorClassName(error)})`}.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ConfigError(setting, `${what} is not valid JSON${position === undefined ? '' : ` (near character ${position})`}: fix the syntax.`);
  }
}

/** An error's class name, and nothing of its message. */
function errorClassName(error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  return /^[A-Za-z_$][\w$]{0,60}$/.test(name) ? name : 'Error';
}

function checkKnownKeys(file: Record<string, unknown>, where: string): void {
  const owner = `Config file ${where}`;
  rejectUnknownOptions(file, FILE_SHAPE, { owner });
  for (const section of SECTIONS) {
    const value = file[section];
    if (value !== undefined && !isPlainObject(value)) throw new ConfigError(section, `${owner}: '${section}' must be an object.`);
  }
  rejectUnknownMappingKeys(file.mapping, owner);
}

function rejectSecrets(file: Record<string, unknown>, where: string): void {
  const secret = findSecretPath(file);
  if (!secret) return;
  const setting = secret.join('.');
  const smtp = secret[0] === 'alerts' && secret[1] === 'email' ? 'CLINIKO_TRADIFY_SMTP_PASSWORD' : undefined;
  const envName = smtp ?? SECRET_HINT[secret[0] ?? ''] ?? (secret.some((p) => /webhook/i.test(p)) ? 'CLINIKO_TRADIFY_WEBHOOK_URL' : 'the environment');
  throw new ConfigError(setting, `Config file ${where} holds a secret at '${setting}': remove it and set ${envName} instead (keys never go in config files).`);
}

/**
 * Reads and checks the config file: a plain object, known keys only, no secrets.
 *
 * @throws ConfigError for a missing, unreadable or malformed file, an unknown key, or a key.
 */
export async function loadConfigFile(path: string): Promise<CliFileConfig> {
  if (!existsSync(path)) throw new ConfigError('config', `Config file ${path} does not exist: check --config or CLINIKO_TRADIFY_CONFIG.`);
  const data = await readConfigFile(path);
  if (!isPlainObject(data)) throw new ConfigError('config', `Config file ${path} must export an object (export default { ... }, or a JSON object).`);
  rejectSecrets(data, path);
  checkKnownKeys(data, path);
  return data as CliFileConfig;
}

function envText(env: LoadCliConfigInput['env'], name: string): string | undefined {
  const value = env?.[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function positiveRate(text: string | undefined, fileValue: number | undefined, setting: string, fallback: number): number {
  if (text === undefined) {
    if (fileValue === undefined) return fallback;
    if (typeof fileValue !== 'number' || !(fileValue > 0) || !Number.isFinite(fileValue)) {
      throw new ConfigError(setting, `${setting} in the config file must be a positive number of requests per minute.`);
    }
    return fileValue;
  }
  const rate = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(rate > 0)) throw new ConfigError(setting, `${setting} must be a positive number of requests per minute, e.g. ${setting}=190.`);
  return rate;
}

function checkTimeZone(timeZone: string, fromEnv: boolean): string {
  if (isValidTimeZone(timeZone)) return timeZone;
  const setting = fromEnv ? 'CLINIKO_TRADIFY_TIME_ZONE' : 'timeZone';
  throw new ConfigError(setting, `${setting} must be an IANA zone such as Australia/Sydney or Australia/Perth.`);
}

function checkAccountId(accountId: string, fromEnv: boolean): string {
  if (/^[A-Za-z0-9._:-]{1,100}$/.test(accountId)) return accountId;
  const setting = fromEnv ? 'CLINIKO_TRADIFY_ACCOUNT' : 'accountId';
  throw new ConfigError(setting, `${setting} must be 1–100 letters, digits, '.', '_', ':' or '-'.`);
}

function checkReconcile(section: CliFileConfig['reconcile']): CliConfig['reconcile'] {
  const since = section?.since;
  if (since !== undefined && !isPlainDate(since)) throw new ConfigError('reconcile.since', 'reconcile.since in the config file must be a date written YYYY-MM-DD.');
  return { out: section?.out, formats: section?.formats, since, alertThreshold: section?.alertThreshold };
}

/**
 * Merges the environment, the optional config file and the defaults. The environment wins over
 * the file; keys only ever come from the environment or the file's `resolveApiKeys()`.
 * Presence of keys is checked later, by the commands that need them ({@link requireApiSettings}).
 *
 * @example
 * ```ts
 * const config = await loadCliConfig({ env: process.env, configPath: './cliniko-tradify.config.mjs' });
 * ```
 * @throws ConfigError naming the setting and the fix.
 */
export async function loadCliConfig(input: LoadCliConfigInput = {}): Promise<CliConfig> {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  const configPath = input.configPath ?? envText(env, 'CLINIKO_TRADIFY_CONFIG');
  const filePath = configPath === undefined ? undefined : resolve(cwd, configPath);
  const file: CliFileConfig = filePath === undefined ? {} : await loadConfigFile(filePath);
  const keys = file.resolveApiKeys ? await resolveKeys(file.resolveApiKeys) : {};
  const envZone = envText(env, 'CLINIKO_TRADIFY_TIME_ZONE');
  const envAccount = envText(env, 'CLINIKO_TRADIFY_ACCOUNT');
  return {
    accountId: checkAccountId(envAccount ?? file.accountId ?? 'default', envAccount !== undefined),
    timeZone: checkTimeZone(envZone ?? file.timeZone ?? DEFAULT_TIME_ZONE, envZone !== undefined),
    dbPath: resolve(cwd, envText(env, 'CLINIKO_TRADIFY_DB') ?? file.db ?? DEFAULT_DB_PATH),
    file: filePath,
    cliniko: {
      apiKey: envText(env, 'CLINIKO_API_KEY') ?? keys.cliniko,
      userAgent: envText(env, 'CLINIKO_USER_AGENT') ?? file.cliniko?.userAgent,
      baseUrl: envText(env, 'CLINIKO_BASE_URL') ?? file.cliniko?.baseUrl,
      requestsPerMinute: positiveRate(envText(env, 'CLINIKO_REQUESTS_PER_MINUTE'), file.cliniko?.requestsPerMinute, 'CLINIKO_REQUESTS_PER_MINUTE', 190),
    },
    tradify: {
      apiKey: envText(env, 'TRADIFY_API_KEY') ?? keys.tradify,
      baseUrl: envText(env, 'TRADIFY_BASE_URL') ?? file.tradify?.baseUrl,
      requestsPerMinute: positiveRate(envText(env, 'TRADIFY_REQUESTS_PER_MINUTE'), file.tradify?.requestsPerMinute, 'TRADIFY_REQUESTS_PER_MINUTE', 95),
      auth: file.tradify?.auth,
      pageSize: file.tradify?.pageSize,
    },
    mapping: file.mapping ?? {},
    sync: { maxRunDuration: file.sync?.maxRunDuration, initialSyncFrom: file.sync?.initialSyncFrom, lookbackSeconds: file.sync?.lookbackSeconds },
    reconcile: checkReconcile(file.reconcile),
    schedule: { sync: file.schedule?.sync, reconcile: file.schedule?.reconcile },
    alerter: file.alerter,
    logger: file.logger,
    webhookUrl: envText(env, 'CLINIKO_TRADIFY_WEBHOOK_URL'),
    alerts: checkAlerts(file, env, cwd, filePath),
  };
}

function checkAlerts(file: CliFileConfig, env: LoadCliConfigInput['env'], cwd: string, filePath: string | undefined): CliAlertsConfig {
  if (file.alerter !== undefined && file.alerts !== undefined) {
    throw new ConfigError('alerts', `Config file ${filePath}: give either alerter (your own) or alerts (the built-in destinations), not both.`);
  }
  return resolveAlertsConfig(file.alerts, env ?? {}, cwd, filePath ?? '(none)');
}

async function resolveKeys(resolver: unknown): Promise<{ cliniko?: string | undefined; tradify?: string | undefined }> {
  if (typeof resolver !== 'function') throw new ConfigError('resolveApiKeys', 'resolveApiKeys in the config file must be a function returning { cliniko, tradify }.');
  try {
    const keys = (await (resolver as () => Promise<unknown>)()) as { cliniko?: unknown; tradify?: unknown } | undefined;
    return { cliniko: typeof keys?.cliniko === 'string' ? keys.cliniko : undefined, tradify: typeof keys?.tradify === 'string' ? keys.tradify : undefined };
  } catch {
    throw new ConfigError('resolveApiKeys', 'resolveApiKeys() in the config file failed: check your secret store (the error is not shown, it may hold a secret).');
  }
}

/** The settings every command that talks to both APIs needs, present and non-empty. */
export interface ApiSettings {
  cliniko: { apiKey: string; userAgent: string; baseUrl: string | undefined; requestsPerMinute: number };
  tradify: { apiKey: string; baseUrl: string; requestsPerMinute: number; auth: 'x-api-key' | 'bearer' | undefined; pageSize: number | undefined };
}

/**
 * Checks that the keys, the User-Agent and the Tradify URL are set.
 *
 * @throws ConfigError naming the first missing variable and how to set it.
 */
export function requireApiSettings(config: CliConfig): ApiSettings {
  const { cliniko, tradify } = config;
  if (!cliniko.apiKey) throw missing('CLINIKO_API_KEY', 'export CLINIKO_API_KEY=<key> (Cliniko: My Info → Manage API keys)');
  if (!cliniko.userAgent) throw missing('CLINIKO_USER_AGENT', "export CLINIKO_USER_AGENT='Your App (you@example.com)' (Cliniko requires it)");
  if (!tradify.apiKey) throw missing('TRADIFY_API_KEY', 'export TRADIFY_API_KEY=<key of your Tradify-contract server>');
  if (!tradify.baseUrl) throw missing('TRADIFY_BASE_URL', 'export TRADIFY_BASE_URL=https://<your Tradify-contract server>/v1 (see docs/tradify-contract.md)');
  return {
    cliniko: { ...cliniko, apiKey: cliniko.apiKey, userAgent: cliniko.userAgent },
    tradify: { ...tradify, apiKey: tradify.apiKey, baseUrl: tradify.baseUrl },
  };
}

function missing(name: string, fix: string): ConfigError {
  return new ConfigError(name, `${name} is not set: ${fix}.`);
}
