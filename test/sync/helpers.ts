/**
 * Shared set-up for the engine tests: the loopback fakes, real clients, a memory store and an
 * injected engine clock (the HTTP layers keep real time but are paced at loopback speed).
 */
import {
  ClinikoClient,
  HttpTradifyClient,
  MemoryStateStore,
  SyncEngine,
  type SyncEngineOptions,
  type Alert,
  type Alerter,
  type StateStore,
  silentLogger,
  type Logger,
  type LogFields,
  type Clock,
} from 'cliniko-tradify';
import {
  startFakeCliniko,
  startFakeTradify,
  type FakeCliniko,
  type FakeTradify,
  type FakeClinikoOptions,
  type FakeTradifyOptions,
} from 'cliniko-tradify/testing';

/** A clock the test moves by hand; `sleep` advances it instead of waiting. */
export class ManualClock implements Clock {
  ms: number;
  constructor(start = Date.UTC(2026, 5, 1)) {
    this.ms = start;
  }
  now(): number {
    return this.ms;
  }
  sleep(ms: number): Promise<void> {
    this.ms += Math.max(0, ms);
    return Promise.resolve();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Collects alerts. */
export class RecordingAlerter implements Alerter {
  readonly alerts: Alert[] = [];
  notify(alert: Alert): Promise<void> {
    this.alerts.push(alert);
    return Promise.resolve();
  }
}

/** Collects log lines (message + fields) for privacy checks. */
export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  #push(level: string, message: string, fields?: LogFields): void {
    this.lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  }
  debug(m: string, f?: LogFields): void {
    this.#push('debug', m, f);
  }
  info(m: string, f?: LogFields): void {
    this.#push('info', m, f);
  }
  warn(m: string, f?: LogFields): void {
    this.#push('warn', m, f);
  }
  error(m: string, f?: LogFields): void {
    this.#push('error', m, f);
  }
}

/** Everything a test needs. */
export interface Harness {
  fc: FakeCliniko;
  ft: FakeTradify;
  cliniko: ClinikoClient;
  tradify: HttpTradifyClient;
  store: StateStore;
  clock: ManualClock;
  alerter: RecordingAlerter;
  logger: RecordingLogger;
  engine: SyncEngine;
  /** A new engine on the same store and fakes (e.g. after a "restart"). */
  newEngine(extra?: Partial<SyncEngineOptions>): SyncEngine;
  close(): Promise<void>;
}

/** Fast retries with no real waiting for the HTTP layers. */
const FAST_RETRY = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 };

/** Starts both fakes and an engine over them. */
export async function startHarness(
  options: { cliniko?: FakeClinikoOptions; tradify?: FakeTradifyOptions; engine?: Partial<SyncEngineOptions>; store?: StateStore; httpClock?: Clock } = {},
): Promise<Harness> {
  const fc = await startFakeCliniko({ patients: 6, invoices: 6, seed: 11, rateLimit: false, ...options.cliniko });
  const ft = await startFakeTradify({ seed: 11, rateLimit: false, ...options.tradify });
  const cliniko = new ClinikoClient({ apiKey: fc.apiKey, userAgent: 'Engine tests (tests@example.com)', baseUrl: fc.url, requestsPerMinute: 600_000, retry: FAST_RETRY, logger: silentLogger, clock: options.httpClock });
  const tradify = new HttpTradifyClient({ apiKey: ft.apiKey, baseUrl: ft.url, requestsPerMinute: 600_000, retry: FAST_RETRY, logger: silentLogger, clock: options.httpClock });
  const store = options.store ?? new MemoryStateStore();
  const clock = new ManualClock(fc.db.clock.now());
  const alerter = new RecordingAlerter();
  const logger = new RecordingLogger();
  const newEngine = (extra: Partial<SyncEngineOptions> = {}): SyncEngine =>
    new SyncEngine({ cliniko, tradify, store, clock, alerter, logger, lookbackSeconds: 120, ...options.engine, ...extra });
  return {
    fc,
    ft,
    cliniko,
    tradify,
    store,
    clock,
    alerter,
    logger,
    engine: newEngine(),
    newEngine,
    close: async () => {
      await Promise.all([fc.close(), ft.close()]);
      await store.close();
    },
  };
}

/** Tradify writes (POST/PATCH/DELETE) logged by the fake since index `from`. */
export function tradifyWrites(ft: FakeTradify, from = 0): number {
  return ft.requests.slice(from).filter((r) => r.method !== 'GET').length;
}

/** Customers by externalReference; a duplicate shows up as a count above 1. */
export function countBy<T>(items: readonly T[], key: (t: T) => string | null | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k) out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}
