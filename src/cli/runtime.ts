/**
 * Builds what a command needs from the configuration: the state store, the two clients and the
 * engine. A client's `ConfigError` is re-raised naming the environment variable to fix.
 *
 * @module
 */
import { ClinikoClient } from '../cliniko/client.js';
import { ConfigError, isConfigError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { SyncEngine } from '../sync/engine.js';
import type { Alert, StateStore } from '../sync/ports.js';
import { HttpTradifyClient } from '../tradify/http-client.js';
import type * as SqliteModuleNamespace from '../stores/sqlite.js';
import { checkAlertDependencies, cliAlerter } from './alerts.js';
import { requireApiSettings, type CliConfig } from './config.js';

type SqliteModule = typeof SqliteModuleNamespace;

/** The clients, store and engine of one command. */
export interface CliRuntime {
  readonly config: CliConfig;
  readonly store: StateStore;
  readonly cliniko: ClinikoClient;
  readonly tradify: HttpTradifyClient;
  readonly engine: SyncEngine;
  /** Closes the store. */
  close(): Promise<void>;
}

const ENV_OF: Record<string, Record<string, string>> = {
  cliniko: { apiKey: 'CLINIKO_API_KEY', userAgent: 'CLINIKO_USER_AGENT', baseUrl: 'CLINIKO_BASE_URL', requestsPerMinute: 'CLINIKO_REQUESTS_PER_MINUTE' },
  tradify: { apiKey: 'TRADIFY_API_KEY', baseUrl: 'TRADIFY_BASE_URL', requestsPerMinute: 'TRADIFY_REQUESTS_PER_MINUTE' },
};

/** Runs `make`, renaming a `ConfigError`'s setting to the variable that sets it. */
function naming<T>(api: keyof typeof ENV_OF, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (!isConfigError(error)) throw error;
    const envName = ENV_OF[api]?.[error.setting];
    if (envName === undefined) throw error;
    throw new ConfigError(envName, `${envName}: ${error.message}`);
  }
}

/**
 * Opens the SQLite state store (better-sqlite3 is an optional dependency).
 *
 * @throws ConfigError when better-sqlite3 is not installed, or the file cannot be opened or is refused
 * (not a regular file, a symbolic link, or written by a newer release).
 */
export async function openStore(config: CliConfig): Promise<StateStore> {
  let module: SqliteModule;
  try {
    module = await import('../stores/sqlite.js');
  } catch {
    throw new ConfigError('CLINIKO_TRADIFY_DB', 'The SQLite store needs better-sqlite3: run npm install better-sqlite3 (an optional dependency).');
  }
  try {
    return new module.SqliteStateStore({ path: config.dbPath });
  } catch (error) {
    if (isConfigError(error)) throw new ConfigError('CLINIKO_TRADIFY_DB', `CLINIKO_TRADIFY_DB: ${error.message}`);
    throw new ConfigError('CLINIKO_TRADIFY_DB', `CLINIKO_TRADIFY_DB: cannot open the state file ${config.dbPath} (${(error as Error).message}): check the path and its permissions.`);
  }
}

/** Where the console alerter's lines go. */
export type ConsoleLine = (line: string, alert: Alert) => void;

/**
 * Builds the store, both clients and the engine.
 *
 * @param logger - the library's log lines (the CLI's `--log-level` and `--log-format`).
 * @param consoleLine - where the console alerter writes. @defaultValue the console
 * @throws ConfigError naming the environment variable or config-file setting to fix.
 */
export async function openRuntime(config: CliConfig, logger: Logger = silentLogger, consoleLine?: ConsoleLine): Promise<CliRuntime> {
  const api = requireApiSettings(config);
  const cliniko = naming('cliniko', () => new ClinikoClient({ ...api.cliniko, logger: config.logger ?? logger }));
  const tradify = naming('tradify', () => new HttpTradifyClient({ ...api.tradify, logger: config.logger ?? logger }));
  const store = await openStore(config);
  try {
    // the engine itself keeps an unchanged problem from being re-sent on every cron run
    const alerter = cliAlerter({ alerts: config.alerts, alerter: config.alerter, fileLogger: config.logger }, logger, consoleLine);
    await checkAlertDependencies(config.alerts);
    const engine = new SyncEngine({
      cliniko,
      tradify,
      store,
      mapping: config.mapping,
      alerter,
      logger: config.logger ?? logger,
      timeZone: config.timeZone,
      accountId: config.accountId,
      maxRunDuration: config.sync.maxRunDuration,
      initialSyncFrom: config.sync.initialSyncFrom,
      lookbackSeconds: config.sync.lookbackSeconds,
      rates: { cliniko: api.cliniko.requestsPerMinute, tradify: api.tradify.requestsPerMinute },
    });
    return { config, store, cliniko, tradify, engine, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}
