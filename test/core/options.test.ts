import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CallbackAlerter,
  ClinikoClient,
  ConsoleAlerter,
  DedupingAlerter,
  ExponentialBackoffRetryPolicy,
  HttpTradifyClient,
  MemoryStateStore,
  SyncEngine,
  WebhookAlerter,
  createScheduler,
  isConfigError,
  silentLogger,
  writeReportFiles,
} from 'cliniko-tradify';
import { createHttpClient } from 'cliniko-tradify/http';
import { resolveMappingConfig } from 'cliniko-tradify/mapping';
import { clinikoHandlers, tradifyHandlers } from 'cliniko-tradify/testing/msw';
import { startFakeCliniko, startFakeTradify } from 'cliniko-tradify/testing';
import { SqliteStateStore } from 'cliniko-tradify/sqlite';
import { PostgresStateStore } from 'cliniko-tradify/postgres';
import { startWorker } from 'cliniko-tradify/worker';
import { nearestName, rejectUnknownOptions } from '../../src/core/options.js';
import { fixtureReport } from '../sync/report-fixture.js';

const CLINIKO = { apiKey: 'MS0xLWFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6-au2', userAgent: 'Options tests (tests@example.com)', baseUrl: 'http://127.0.0.1:9/v1' };
const TRADIFY = { apiKey: 'tradify-key', baseUrl: 'http://127.0.0.1:9/v1' };
const STUB_ENGINE = { run: async () => undefined, reconcile: async () => undefined };

function engine(extra: Record<string, unknown> = {}): SyncEngine {
  const cliniko = new ClinikoClient(CLINIKO);
  const tradify = new HttpTradifyClient(TRADIFY);
  return new SyncEngine({ cliniko, tradify, store: new MemoryStateStore(), logger: silentLogger, alerter: new ConsoleAlerter({ write: () => undefined }), ...extra });
}

/** Each public options object with one misspelt key: the setting named and the key suggested. */
const TYPOS: Array<[name: string, make: () => unknown, setting: string, suggestion: string]> = [
  ['ClinikoClient', () => new ClinikoClient({ ...CLINIKO, timout: 5 } as never), 'timout', 'timeout'],
  ['ClinikoClient retry', () => new ClinikoClient({ ...CLINIKO, retry: { maxRetrys: 1 } } as never), 'retry.maxRetrys', 'maxRetries'],
  ['HttpTradifyClient', () => new HttpTradifyClient({ ...TRADIFY, pagesize: 10 } as never), 'pagesize', 'pageSize'],
  ['HttpTradifyClient capabilities', () => new HttpTradifyClient({ ...TRADIFY, capabilities: { ownerStafId: false } } as never), 'capabilities.ownerStafId', 'ownerStaffId'],
  ['createHttpClient', () => createHttpClient({ api: 'tradify', baseUrl: TRADIFY.baseUrl, headers: {}, limiterKey: 'k', requestsPerMinute: 60, loger: silentLogger } as never), 'loger', 'logger'],
  ['SyncEngine', () => engine({ lookbackSecond: 5 }), 'lookbackSecond', 'lookbackSeconds'],
  ['SyncEngine rates', () => engine({ rates: { clinko: 100 } }), 'rates.clinko', 'cliniko'],
  ['SyncEngine mapping', () => engine({ mapping: { aproval: { when: 'never' } } }), 'mapping.aproval', 'approval'],
  ['mapping.approval', () => resolveMappingConfig({ approval: { whne: 'manual' } } as never), 'mapping.approval.whne', 'when'],
  ['mapping.rounding', () => resolveMappingConfig({ rounding: { maxAmout: '1' } } as never), 'mapping.rounding.maxAmout', 'maxAmount'],
  ['mapping.paymentTerms', () => resolveMappingConfig({ paymentTerms: { defaultDueDay: 7 } } as never), 'mapping.paymentTerms.defaultDueDay', 'defaultDueDays'],
  ['mapping', () => resolveMappingConfig({ statusTabel: { '40': 'open' } } as never), 'mapping.statusTabel', 'statusTable'],
  ['engine.reconcile', () => engine().reconcile({ reapir: true } as never), 'reapir', 'repair'],
  ['createScheduler', () => createScheduler({ engine: STUB_ENGINE, autoStart: false, handleSignals: false, timezone: 'Australia/Perth' } as never), 'timezone', 'timeZone'],
  ['ConsoleAlerter', () => new ConsoleAlerter({ prefx: 'x' } as never), 'prefx', 'prefix'],
  ['CallbackAlerter', () => new CallbackAlerter(() => undefined, { throwOnFailur: true } as never), 'throwOnFailur', 'throwOnFailure'],
  ['WebhookAlerter', () => new WebhookAlerter({ url: 'https://hooks.example/x', retires: 1 } as never), 'retires', 'retries'],
  ['DedupingAlerter', () => new DedupingAlerter({ alerter: new ConsoleAlerter(), store: new MemoryStateStore(), renotifyAfter: 1 } as never), 'renotifyAfter', 'renotifyAfterMs'],
  ['ExponentialBackoffRetryPolicy', () => new ExponentialBackoffRetryPolicy({ maxAttempt: 2 } as never), 'maxAttempt', 'maxAttempts'],
  ['MemoryStateStore', () => new MemoryStateStore({ clok: () => 0 } as never), 'clok', 'clock'],
  ['SqliteStateStore', () => new SqliteStateStore({ path: ':memory:', busyTimeout: 10 } as never), 'busyTimeout', 'busyTimeoutMs'],
  ['PostgresStateStore', () => new PostgresStateStore({ connectionString: 'postgres://127.0.0.1:9/x', schma: 's' } as never), 'schma', 'schema'],
  ['startWorker', () => startWorker({ connectionString: 'postgres://127.0.0.1:9/x', accounts: [], resolveCredentials: async () => ({}) as never, concurency: 2 } as never), 'concurency', 'concurrency'],
  ['startWorker schedule', () => startWorker({ connectionString: 'postgres://127.0.0.1:9/x', accounts: [], resolveCredentials: async () => ({}) as never, schedule: { sinc: false } } as never), 'schedule.sinc', 'sync'],
  ['startWorker account', () => startWorker({ connectionString: 'postgres://127.0.0.1:9/x', accounts: [{ id: 'a', timezone: 'Australia/Perth' }], resolveCredentials: async () => ({}) as never } as never), 'accounts[0].timezone', 'timeZone'],
  ['writeReportFiles', () => writeReportFiles(fixtureReport(), { dir: join(tmpdir(), 'ct-never-created'), format: ['csv'] } as never), 'format', 'formats'],
  ['startFakeCliniko', () => startFakeCliniko({ patient: 3 } as never), 'patient', 'patients'],
  ['startFakeCliniko rateLimit', () => startFakeCliniko({ rateLimit: { perMinut: 5 } } as never), 'rateLimit.perMinut', 'perMinute'],
  ['clinikoHandlers', () => clinikoHandlers({ baseURL: 'https://x.example/v1' } as never), 'baseURL', 'baseUrl'],
  ['startFakeTradify', () => startFakeTradify({ emailMatching: 'exact' } as never), 'emailMatching', 'emailMatch'],
  ['tradifyHandlers faults', () => tradifyHandlers({ faults: { dropEvery: { evry: 2 } } } as never), 'faults.dropEvery.evry', 'every'],
  ['tradify faults.set', () => tradifyHandlers().faults.set({ latency: 5 } as never), 'latency', 'latencyMs'],
];

async function configErrorOf(make: () => unknown): Promise<{ setting: string; message: string }> {
  let error: unknown;
  try {
    await make();
  } catch (e) {
    error = e;
  }
  if (!isConfigError(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return { setting: error.setting, message: error.message };
}

describe('unknown keys in options objects', () => {
  it.each(TYPOS)('%s refuses a misspelt key, naming it and the nearest valid one', async (_name, make, setting, suggestion) => {
    const error = await configErrorOf(make);
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(`unknown option \`${setting}\`; did you mean \`${suggestion}\`?`);
    expect(error.message).not.toContain('\n');
  });

  it('gives the exact message the configuration guide promises for a mapping typo', async () => {
    const error = await configErrorOf(() => resolveMappingConfig({ aproval: { when: 'never' } } as never));
    expect(error).toEqual({ setting: 'mapping.aproval', message: 'unknown option `mapping.aproval`; did you mean `approval`?' });
  });

  it('lists the valid keys when no key is near the unknown one', async () => {
    const error = await configErrorOf(() => new ExponentialBackoffRetryPolicy({ zzzzzzzz: 1 } as never));
    expect(error.message).toContain('unknown option `zzzzzzzz`; valid options: `maxAttempts`, `baseDelayMs`');
  });

  it('still accepts every valid key, and leaves data tables, headers and instances alone', () => {
    const mapping = resolveMappingConfig({
      statusTable: { '40': 'skip' },
      taxTable: [{ clinikoName: 'GST', tradifyTaxRateId: 'tax_gst' }],
      customFields: { custom2: { section: 'Medicare', field: 'Card number' } },
      approval: { when: 'manual', settleAfter: '1h', onChangeAfterApproval: 'reissue' },
      rounding: { allowRoundingLine: true, maxAmount: '0.02', description: 'Rounding' },
      paymentTerms: { defaultDueDays: 7 },
    });
    expect(mapping.statusTable['40']).toBe('skip');
    expect(mapping.approval.when).toBe('manual');
    expect(() => new WebhookAlerter({ url: 'https://hooks.example/x', headers: { 'X-Anything-Goes': 'yes' } })).not.toThrow();
    const logger = Object.assign(Object.create(silentLogger) as typeof silentLogger, { extra: true });
    expect(() => new ClinikoClient({ ...CLINIKO, logger, retry: { maxRetries: 1 } })).not.toThrow();
    expect(() => engine({ rates: { cliniko: 10, tradify: 10 }, mapping: { approval: { when: 'immediately' } } })).not.toThrow();
  });

  it('refuses an unknown key without creating anything first', async () => {
    const dir = join(tmpdir(), `ct-never-created-${process.pid}`);
    await expect(writeReportFiles(fixtureReport(), { dir, formts: ['csv'] } as never)).rejects.toMatchObject({ code: 'config_invalid', setting: 'formts' });
    expect(existsSync(dir)).toBe(false);
  });

  it('walks nested options objects but not arrays, and ignores keys inherited from the prototype', () => {
    const shape = { outer: { inner: true }, list: true } as const;
    expect(() => rejectUnknownOptions({ outer: { inner: 1 }, list: [{ anything: 1 }] }, shape)).not.toThrow();
    expect(() => rejectUnknownOptions(Object.create({ inherited: 1 }) as object, shape)).not.toThrow();
    expect(() => rejectUnknownOptions(JSON.parse('{"__proto__": {"x": 1}}'), shape)).toThrow(/unknown option `__proto__`/);
    expect(() => rejectUnknownOptions({ outer: { inner: 1, innr: 2 } }, shape, { path: 'root', owner: 'Thing' })).toThrow('Thing: unknown option `root.outer.innr`; did you mean `inner`?');
  });
});

describe('nearestName', () => {
  it.each([
    ['aproval', 'approval'],
    ['timezone', 'timeZone'],
    ['reapir', 'repair'],
    ['retyr', 'retry'],
    ['mapping', 'mapping'],
  ])('%s → %s', (name, expected) => {
    expect(nearestName(name, ['approval', 'timeZone', 'repair', 'retry', 'mapping', 'schedule'])).toBe(expected);
  });

  it('suggests nothing for a name far from every candidate, or absurdly long', () => {
    expect(nearestName('colour', ['approval', 'timeZone', 'repair'])).toBeUndefined();
    expect(nearestName('a'.repeat(10_000), ['a'.repeat(10_000)])).toBeUndefined();
  });
});
