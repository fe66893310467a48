/**
 * The multi-account runner: per-account sync and reconcile jobs on pg-boss (a job queue inside
 * PostgreSQL), with the {@link PostgresStateStore} holding every account's state and lease.
 *
 * How the parts fit:
 * - one pg-boss queue of jobs `{ accountId, kind }`, worked by `concurrency` loops per process;
 * - pg-boss 10 keeps ONE cron schedule per queue, so a per-minute tick job (created once for the
 *   whole fleet by pg-boss's cron) sends the accounts whose own cron, read in their own time zone,
 *   falls in that minute — with a job id derived from (kind, account, minute), so a doubled or
 *   retried tick sends nothing twice;
 * - the store's fenced lease is what keeps two workers off one account; a job claim with a
 *   heartbeat (`worker_claims`) lets a surviving worker see a dead worker's job within half a
 *   lease TTL, cancel it and queue its replacement at once (no retry delay); the replacement waits
 *   out the dead run's lease and resumes from its last committed page;
 * - retries and dead jobs are pg-boss's (`retryLimit`, `retryDelay`, a dead-letter queue);
 * - credentials are resolved per job from the integrator's secret store and never written down.
 *
 * @module
 */

import PgBoss from 'pg-boss';
import { ClinikoClient } from '../cliniko/client.js';
import { systemClock } from '../core/clock.js';
import { ConfigError, LeaseHeldError, isAbortError, isClinikoTradifyError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { DEFAULT_TIME_ZONE, isValidTimeZone } from '../core/dates.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import { PostgresStateStore } from '../stores/postgres.js';
import { SyncEngine } from '../sync/engine.js';
import type { SyncEngineOptions } from '../sync/engine-options.js';
import { createLeaseOwner } from '../sync/ports.js';
import { HttpTradifyClient } from '../tradify/http-client.js';
import { checkCron, isDueInMinute, minuteStart, slotJobId } from './schedule.js';

/** One account the worker keeps in sync. */
export interface WorkerAccount {
  /** The account id used in the state store (1–100 letters, digits, `.`, `_`, `:`, `-`). */
  id: string;
  /** The zone the account's cron expressions are read in. @defaultValue `'Australia/Sydney'` */
  timeZone?: string | undefined;
  /** When to sync; `false` never schedules one. @defaultValue the worker's `schedule.sync` */
  syncCron?: string | false | undefined;
  /** When to reconcile; `false` never schedules one. @defaultValue the worker's `schedule.reconcile` */
  reconcileCron?: string | false | undefined;
}

/** What {@link StartWorkerOptions.resolveCredentials} returns for an account, at run time. */
export interface AccountCredentials {
  cliniko: { apiKey: string; userAgent: string; baseUrl?: string | undefined; requestsPerMinute?: number | undefined };
  tradify: { apiKey: string; baseUrl: string; requestsPerMinute?: number | undefined };
}

/** The kinds of job the worker runs. */
export type WorkerJobKind = 'sync' | 'reconcile';

/** A job's data in pg-boss: ids only, never credentials. */
export interface WorkerJobData {
  accountId: string;
  kind: WorkerJobKind;
  /** Why it was sent: `failover` replaces the job of a worker that stopped heartbeating. */
  reason: 'manual' | 'schedule' | 'continuation' | 'failover';
  /** How many dead workers this job has been failed over from (bounded by `retry.limit`). */
  failovers?: number | undefined;
}

/** What a job returns (stored by pg-boss as the job's output): counts and ids only. */
export interface WorkerJobResult {
  accountId: string;
  kind: WorkerJobKind;
  runId?: string | undefined;
  outcome: string;
  created?: number | undefined;
  updated?: number | undefined;
}

/** The slice of `SyncEngine` the worker drives (replaceable in tests and by integrators). */
export interface WorkerEngine {
  run(options: { signal?: AbortSignal | undefined }): Promise<{ runId: string; outcome: string; stoppedBecause?: string | undefined; created: number; updated: number }>;
  reconcile(options: { signal?: AbortSignal | undefined }): Promise<unknown>;
}

/** What {@link StartWorkerOptions.createEngine} receives. */
export interface WorkerEngineContext {
  account: Required<Pick<WorkerAccount, 'id' | 'timeZone'>>;
  credentials: AccountCredentials;
  store: PostgresStateStore;
  leaseTtlMs: number;
  maxRunDurationMs: number;
  logger: Logger;
}

/** Options of {@link startWorker}. */
export interface StartWorkerOptions {
  /** The PostgreSQL database holding both the state store and pg-boss's queue. */
  connectionString: string;
  /** The accounts to schedule, or a function returning them (re-read at every tick). */
  accounts: readonly WorkerAccount[] | (() => Promise<readonly WorkerAccount[]>);
  /** Fetches an account's keys from your secret store for each job. Never stored. */
  resolveCredentials: (accountId: string, options: { signal: AbortSignal }) => Promise<AccountCredentials>;
  /** Jobs run at once in this process. @defaultValue 2 */
  concurrency?: number | undefined;
  /** Default cron expressions (5 fields, read in each account's zone); `false` turns one off. */
  schedule?: {
    /** @defaultValue `'*\/15 * * * *'` */
    sync?: string | false | undefined;
    /** @defaultValue `'0 3 * * *'` */
    reconcile?: string | false | undefined;
    /** Register the per-minute tick with pg-boss's cron. @defaultValue true */
    tick?: boolean | undefined;
  } | undefined;
  /**
   * The account lease's lifetime; a dead worker's accounts move on after about this long, provided
   * a worker has a free slot (keep some `concurrency` headroom across the fleet). @defaultValue 60000
   */
  leaseTtlMs?: number | undefined;
  /** A run stops after this long, keeping its progress, and a continuation job is queued. @defaultValue 1800000 */
  maxRunDurationMs?: number | undefined;
  /**
   * pg-boss retries of a failed job before it goes to the dead-letter queue; `limit` also bounds
   * how many dead workers one job is failed over from. @defaultValue `{ limit: 3, delaySeconds: 30, backoff: true }` */
  retry?: { limit?: number | undefined; delaySeconds?: number | undefined; backoff?: boolean | undefined } | undefined;
  /** How often an idle loop polls for jobs. @defaultValue 2 */
  pollingIntervalSeconds?: number | undefined;
  /** Schemas of the state store and of pg-boss. @defaultValue `{ store: 'cliniko_tradify', boss: 'pgboss' }` */
  schemas?: { store?: string | undefined; boss?: string | undefined } | undefined;
  /** Extra engine options per account (mapping, alerter, rates…). */
  engineOptions?: ((account: WorkerAccount) => Partial<SyncEngineOptions>) | undefined;
  /** Build the engine yourself (tests, custom ports). @defaultValue a `SyncEngine` on `ClinikoClient` + `HttpTradifyClient` */
  createEngine?: ((context: WorkerEngineContext) => WorkerEngine) | undefined;
  /** Ids and counts only. @defaultValue silent */
  logger?: Logger | undefined;
}

/** A running worker. */
export interface WorkerHandle {
  /** This process's identity in job claims (`host:pid:random`). */
  readonly owner: string;
  /** Queue a job for one account now. Resolves to the job id. */
  send(accountId: string, kind?: WorkerJobKind, options?: { signal?: AbortSignal | undefined }): Promise<string | null>;
  /**
   * Send the jobs due in the minute holding `at` (what the cron tick does).
   * @returns how many jobs were newly queued (a repeated tick for the same minute queues none).
   */
  tick(at?: number, options?: { signal?: AbortSignal | undefined }): Promise<number>;
  /**
   * Graceful shutdown: stop fetching, abort running engines (each finishes its current page and
   * commits it), wait for them, hand unfinished jobs back to pg-boss for another worker, stop.
   */
  stop(options?: { timeoutMs?: number | undefined }): Promise<void>;
}

/** Queue names. */
export const WORKER_QUEUES = Object.freeze({ jobs: 'cliniko-tradify-jobs', tick: 'cliniko-tradify-tick', dead: 'cliniko-tradify-dead' });

const DEFAULTS = Object.freeze({
  concurrency: 2,
  sync: '*/15 * * * *',
  reconcile: '0 3 * * *',
  leaseTtlMs: 60_000,
  maxRunDurationMs: 30 * 60_000,
  retry: { limit: 3, delaySeconds: 30, backoff: true },
  pollingIntervalSeconds: 2,
});

interface Resolved {
  options: StartWorkerOptions;
  concurrency: number;
  leaseTtlMs: number;
  maxRunDurationMs: number;
  logger: Logger;
  owner: string;
  /** Failovers a job may have before it counts as dead (pg-boss's `retry.limit`). */
  retryLimit: number;
}

function positiveInteger(value: number | undefined, setting: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(setting, `Worker option '${setting}' must be a positive number.`);
  return value;
}

const WORKER_OPTION_SHAPE = {
  connectionString: true,
  accounts: true,
  resolveCredentials: true,
  concurrency: true,
  schedule: { sync: true, reconcile: true, tick: true },
  leaseTtlMs: true,
  maxRunDurationMs: true,
  retry: { limit: true, delaySeconds: true, backoff: true },
  pollingIntervalSeconds: true,
  schemas: { store: true, boss: true },
  engineOptions: true,
  createEngine: true,
  logger: true,
} as const satisfies OptionShape<StartWorkerOptions>;

const ACCOUNT_SHAPE = { id: true, timeZone: true, syncCron: true, reconcileCron: true } as const satisfies OptionShape<WorkerAccount>;

function resolveOptions(options: StartWorkerOptions): Resolved {
  rejectUnknownOptions(options, WORKER_OPTION_SHAPE, { owner: 'startWorker' });
  if (typeof options?.connectionString !== 'string' || options.connectionString.length === 0) {
    throw new ConfigError('connectionString', "Worker option 'connectionString' is required: the PostgreSQL database for state and jobs.");
  }
  if (typeof options.resolveCredentials !== 'function') {
    throw new ConfigError('resolveCredentials', "Worker option 'resolveCredentials' is required: (accountId) => credentials from your secret store.");
  }
  if (!Array.isArray(options.accounts) && typeof options.accounts !== 'function') {
    throw new ConfigError('accounts', "Worker option 'accounts' must be a list of { id, timeZone } or a function returning one.");
  }
  if (Array.isArray(options.accounts)) options.accounts.forEach((a, i) => checkAccount(a, options, `accounts[${i}]`));
  return {
    options,
    concurrency: Math.floor(positiveInteger(options.concurrency, 'concurrency', DEFAULTS.concurrency)),
    leaseTtlMs: positiveInteger(options.leaseTtlMs, 'leaseTtlMs', DEFAULTS.leaseTtlMs),
    maxRunDurationMs: positiveInteger(options.maxRunDurationMs, 'maxRunDurationMs', DEFAULTS.maxRunDurationMs),
    logger: options.logger ?? silentLogger,
    owner: createLeaseOwner(),
    retryLimit: options.retry?.limit ?? DEFAULTS.retry.limit,
  };
}

function checkAccount(account: WorkerAccount, options: StartWorkerOptions, where: string): void {
  rejectUnknownOptions(account, ACCOUNT_SHAPE, { owner: 'startWorker', path: where });
  if (typeof account?.id !== 'string' || !/^[A-Za-z0-9._:-]{1,100}$/.test(account.id)) {
    throw new ConfigError(`${where}.id`, `Worker option '${where}.id' must be 1–100 letters, digits, '.', '_', ':' or '-'.`);
  }
  const zone = account.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(zone)) throw new ConfigError(`${where}.timeZone`, `Worker option '${where}.timeZone' must be an IANA zone such as 'Australia/Sydney'.`);
  const sync = cronFor(account, 'sync', options);
  const reconcile = cronFor(account, 'reconcile', options);
  if (sync) checkCron(sync, zone, `${where}.syncCron`);
  if (reconcile) checkCron(reconcile, zone, `${where}.reconcileCron`);
}

function cronFor(account: WorkerAccount, kind: WorkerJobKind, options: StartWorkerOptions): string | false {
  const own = kind === 'sync' ? account.syncCron : account.reconcileCron;
  if (own !== undefined) return own;
  const fallback = kind === 'sync' ? options.schedule?.sync : options.schedule?.reconcile;
  return fallback ?? (kind === 'sync' ? DEFAULTS.sync : DEFAULTS.reconcile);
}

/** An error safe to hand to pg-boss (which stores it): name, code and message, no stack, no cause. */
function storableError(error: unknown): Error {
  const name = error instanceof Error ? error.name : 'Error';
  const message = isClinikoTradifyError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : 'job failed';
  const safe = new Error(message);
  safe.name = name;
  safe.stack = `${name}: ${message}`;
  return safe;
}

function defaultEngine(context: WorkerEngineContext, extra: Partial<SyncEngineOptions>): WorkerEngine {
  const { credentials: c } = context;
  const cliniko = new ClinikoClient({ apiKey: c.cliniko.apiKey, userAgent: c.cliniko.userAgent, baseUrl: c.cliniko.baseUrl, requestsPerMinute: c.cliniko.requestsPerMinute });
  const tradify = new HttpTradifyClient({ apiKey: c.tradify.apiKey, baseUrl: c.tradify.baseUrl, requestsPerMinute: c.tradify.requestsPerMinute });
  return new SyncEngine({
    logger: context.logger,
    ...extra,
    cliniko,
    tradify,
    store: context.store,
    accountId: context.account.id,
    timeZone: extra.timeZone ?? context.account.timeZone,
    leaseTtlMs: context.leaseTtlMs,
    maxRunDuration: context.maxRunDurationMs,
  });
}

/**
 * Start a worker process for many accounts. Start one or more per machine, on as many machines as
 * you like, all pointing at one database: pg-boss hands each job to one of them, and the state
 * store's lease keeps any account to one sync at a time.
 *
 * @throws ConfigError for invalid options (before connecting).
 * @example
 * ```ts
 * import { startWorker } from 'cliniko-tradify/worker';
 * const worker = await startWorker({
 *   connectionString: process.env.DATABASE_URL!,
 *   accounts: [{ id: 'clinic-42', timeZone: 'Australia/Perth' }],
 *   resolveCredentials: async (id) => secrets.get(`cliniko-tradify/${id}`),
 *   schedule: { sync: '*\/10 * * * *', reconcile: '0 2 * * *' },
 * });
 * process.on('SIGTERM', () => void worker.stop());
 * ```
 */
export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const r = resolveOptions(options);
  const store = new PostgresStateStore({ connectionString: options.connectionString, schema: options.schemas?.store, maxConnections: r.concurrency + 2 });
  await store.migrate();
  const boss = await startBoss(r);
  const runtime = new WorkerRuntime(r, store, boss);
  await runtime.start();
  return runtime.handle();
}

async function startBoss(r: Resolved): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: r.options.connectionString,
    schema: r.options.schemas?.boss ?? 'pgboss',
    max: r.concurrency + 2,
    cronWorkerIntervalSeconds: 5,
  });
  boss.on('error', (error) => r.logger.error('pg-boss error', { message: error.message }));
  await boss.start();
  const retry = { ...DEFAULTS.retry, ...stripUndefined(r.options.retry ?? {}) };
  const expireInSeconds = Math.ceil((r.maxRunDurationMs + 2 * r.leaseTtlMs) / 1000) + 60;
  await ensureQueue(boss, WORKER_QUEUES.dead, {});
  await ensureQueue(boss, WORKER_QUEUES.jobs, {
    retryLimit: retry.limit,
    retryDelay: retry.delaySeconds,
    retryBackoff: retry.backoff,
    expireInSeconds,
    deadLetter: WORKER_QUEUES.dead,
  });
  await ensureQueue(boss, WORKER_QUEUES.tick, { retryLimit: 1, retryDelay: 5, expireInSeconds: 120 });
  return boss;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function ensureQueue(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, 'name'>): Promise<void> {
  // Several workers start at once: pg-boss's createQueue can deadlock with another's; try again.
  for (let attempt = 1; ; attempt++) {
    try {
      if (await boss.getQueue(name)) await boss.updateQueue(name, { name, ...options });
      else await boss.createQueue(name, { name, ...options });
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await systemClock.sleep(100 * attempt + Math.floor(Math.random() * 100));
    }
  }
}

/** The running parts of one worker process. */
class WorkerRuntime {
  readonly #r: Resolved;
  readonly #store: PostgresStateStore;
  readonly #boss: PgBoss;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<unknown> }>();
  #watchdog: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;

  constructor(r: Resolved, store: PostgresStateStore, boss: PgBoss) {
    this.#r = r;
    this.#store = store;
    this.#boss = boss;
  }

  async start(): Promise<void> {
    const polling = this.#r.options.pollingIntervalSeconds ?? DEFAULTS.pollingIntervalSeconds;
    for (let i = 0; i < this.#r.concurrency; i++) {
      await this.#boss.work<WorkerJobData>(WORKER_QUEUES.jobs, { batchSize: 1, pollingIntervalSeconds: polling }, ([job]) => this.#track(job!));
    }
    await this.#boss.work(WORKER_QUEUES.tick, { batchSize: 1, pollingIntervalSeconds: polling, includeMetadata: true }, async ([job]) => ({
      sent: await this.tick(job!.createdOn.getTime()),
    }));
    if (this.#r.options.schedule?.tick !== false) await this.#boss.schedule(WORKER_QUEUES.tick, '* * * * *', {}, { tz: 'UTC' });
    // Look often: a dead worker's claim is noticed within a tenth of a lease TTL of going stale.
    const every = Math.max(100, Math.floor(this.#r.leaseTtlMs / 10));
    this.#watchdog = setInterval(() => void this.#failOverDeadClaims().catch((e: unknown) => this.#r.logger.warn('worker watchdog failed', { message: (e as Error).message })), every);
    this.#watchdog.unref();
  }

  handle(): WorkerHandle {
    return {
      owner: this.#r.owner,
      send: (accountId, kind = 'sync', options) => this.send({ accountId, kind, reason: 'manual' }, undefined, options?.signal),
      tick: (at, options) => this.tick(at ?? Date.now(), options?.signal),
      stop: (options) => this.stop(options?.timeoutMs),
    };
  }

  async send(data: WorkerJobData, id?: string, signal?: AbortSignal): Promise<string | null> {
    signal?.throwIfAborted();
    return this.#boss.send(WORKER_QUEUES.jobs, data, id === undefined ? {} : { id });
  }

  async tick(at: number, signal?: AbortSignal): Promise<number> {
    const slot = minuteStart(at);
    const accounts = await this.#accounts();
    let sent = 0;
    for (const account of accounts) {
      for (const kind of ['sync', 'reconcile'] as const) {
        const cron = cronFor(account, kind, this.#r.options);
        if (!cron || !isDueInMinute(cron, account.timeZone ?? DEFAULT_TIME_ZONE, slot)) continue;
        if ((await this.send({ accountId: account.id, kind, reason: 'schedule' }, slotJobId(kind, account.id, slot, account.timeZone ?? DEFAULT_TIME_ZONE), signal)) !== null) sent++;
      }
    }
    this.#r.logger.debug('worker tick', { slot: new Date(slot).toISOString(), sent });
    return sent;
  }

  async #accounts(): Promise<readonly WorkerAccount[]> {
    const source = this.#r.options.accounts;
    const list = typeof source === 'function' ? await source() : source;
    list.forEach((a, i) => checkAccount(a, this.#r.options, `accounts[${i}]`));
    return list;
  }

  #track(job: PgBoss.Job<WorkerJobData>): Promise<WorkerJobResult> {
    const controller = new AbortController();
    const done = this.#runJob(job, controller.signal);
    this.#running.set(job.id, { controller, done: done.catch(() => undefined) });
    return done.finally(() => this.#running.delete(job.id));
  }

  async #runJob(job: PgBoss.Job<WorkerJobData>, signal: AbortSignal): Promise<WorkerJobResult> {
    const { accountId, kind } = job.data;
    if (this.#stopping) throw storableError(new Error('worker is stopping; the job goes back to the queue'));
    const account = (await this.#accounts()).find((a) => a.id === accountId);
    if (!account) throw storableError(new ConfigError('accounts', `No account '${accountId}' is configured on this worker.`));
    const claim = await this.#claim(job, accountId);
    const heartbeat = this.#heartbeat(job.id, claim);
    try {
      this.#r.logger.info('worker job started', { jobId: job.id, accountId, kind });
      const result = await this.#runWithEngine(account, kind, claim.signal(signal));
      this.#r.logger.info('worker job finished', { jobId: job.id, accountId, kind, outcome: result.outcome });
      return result;
    } catch (error) {
      if (this.#stopping && (isAbortError(error) || signal.aborted)) return this.#handBack(job.data);
      this.#r.logger.warn('worker job failed', { jobId: job.id, accountId, kind, error: error instanceof Error ? error.name : 'Error' });
      throw storableError(error);
    } finally {
      clearInterval(heartbeat);
      await this.#store.rawQuery('DELETE FROM {s}.worker_claims WHERE job_id = $1 AND owner = $2', [job.id, this.#r.owner]).catch(() => undefined);
    }
  }

  /** Shutdown stopped this job after a committed page: queue its continuation for another worker. */
  async #handBack(data: WorkerJobData): Promise<WorkerJobResult> {
    await this.send({ accountId: data.accountId, kind: data.kind, reason: 'continuation' });
    return { accountId: data.accountId, kind: data.kind, outcome: 'handed-back' };
  }

  async #runWithEngine(account: WorkerAccount, kind: WorkerJobKind, signal: AbortSignal): Promise<WorkerJobResult> {
    const credentials = await this.#r.options.resolveCredentials(account.id, { signal });
    const context: WorkerEngineContext = {
      account: { id: account.id, timeZone: account.timeZone ?? DEFAULT_TIME_ZONE },
      credentials,
      store: this.#store,
      leaseTtlMs: this.#r.leaseTtlMs,
      maxRunDurationMs: this.#r.maxRunDurationMs,
      logger: this.#r.logger,
    };
    const engine = this.#r.options.createEngine?.(context) ?? defaultEngine(context, this.#r.options.engineOptions?.(account) ?? {});
    return this.#waitOutLease(account.id, signal, async () => {
      if (kind === 'reconcile') {
        await engine.reconcile({ signal });
        return { accountId: account.id, kind, outcome: 'completed' };
      }
      const summary = await engine.run({ signal });
      if (summary.stoppedBecause === 'aborted' && this.#stopping) return this.#handBack({ accountId: account.id, kind, reason: 'continuation' });
      if (summary.stoppedBecause === 'max-run-duration') await this.send({ accountId: account.id, kind, reason: 'continuation' });
      return { accountId: account.id, kind, runId: summary.runId, outcome: summary.stoppedBecause ?? summary.outcome, created: summary.created, updated: summary.updated };
    });
  }

  /**
   * A lease held elsewhere that expires soon (a dead worker's, or a run just finishing) is waited
   * out, so failover takes about one lease TTL instead of a pg-boss retry delay.
   */
  async #waitOutLease<T>(accountId: string, signal: AbortSignal, body: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await body();
      } catch (error) {
        const wait = error instanceof LeaseHeldError && error.expiresAt ? Date.parse(error.expiresAt) - Date.now() + 100 : Number.NaN;
        if (attempt >= 2 || !(wait <= 2 * this.#r.leaseTtlMs)) throw error;
        this.#r.logger.info('worker waits for a lease', { accountId, waitMs: Math.max(0, wait) });
        await systemClock.sleep(Math.max(0, wait), signal);
      }
    }
  }

  async #claim(job: PgBoss.Job<WorkerJobData>, accountId: string): Promise<{ lost: AbortController; signal(outer: AbortSignal): AbortSignal }> {
    await this.#store.rawQuery(
      `INSERT INTO {s}.worker_claims (job_id, queue, account_id, owner, claimed_at, heartbeat_at)
       VALUES ($1, $2, $3, $4, (extract(epoch from clock_timestamp()) * 1000)::bigint, (extract(epoch from clock_timestamp()) * 1000)::bigint)
       ON CONFLICT (job_id) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at, heartbeat_at = excluded.heartbeat_at`,
      [job.id, WORKER_QUEUES.jobs, accountId, this.#r.owner],
    );
    const lost = new AbortController();
    return { lost, signal: (outer) => AbortSignal.any([outer, lost.signal]) };
  }

  /** Keep the claim fresh; if another worker took it (we looked dead), stop this run. */
  #heartbeat(jobId: string, claim: { lost: AbortController }): NodeJS.Timeout {
    const timer = setInterval(() => {
      this.#store
        .rawQuery(`UPDATE {s}.worker_claims SET heartbeat_at = (extract(epoch from clock_timestamp()) * 1000)::bigint WHERE job_id = $1 AND owner = $2 RETURNING 1`, [jobId, this.#r.owner])
        .then((rows) => {
          if (rows.length === 0) claim.lost.abort();
        })
        .catch(() => undefined);
    }, claimHeartbeatMs(this.#r.leaseTtlMs));
    timer.unref();
    return timer;
  }

  /**
   * Claims whose worker stopped heartbeating (five beats missed): cancel the dead job and queue
   * its replacement now, so failover takes the rest of the dead run's lease, not a retry delay.
   * A job that has already killed `retry.limit` workers goes to the dead-letter queue instead.
   */
  async #failOverDeadClaims(): Promise<void> {
    if (this.#stopping) return;
    const dead = await this.#store.rawQuery(
      `DELETE FROM {s}.worker_claims WHERE heartbeat_at < (extract(epoch from clock_timestamp()) * 1000)::bigint - $1::bigint RETURNING job_id, queue, account_id`,
      [claimDeadAfterMs(this.#r.leaseTtlMs)],
    );
    for (const claim of dead) await this.#failOver(String(claim.queue), String(claim.job_id), String(claim.account_id));
  }

  async #failOver(queue: string, jobId: string, accountId: string): Promise<void> {
    const job = await this.#boss.getJobById<WorkerJobData>(queue, jobId);
    if (job?.state !== 'active') return; // finished, failed or already handled meanwhile
    await this.#boss.cancel(queue, jobId);
    const failovers = (job.data.failovers ?? 0) + 1;
    const data: WorkerJobData = { accountId: job.data.accountId, kind: job.data.kind, reason: 'failover', failovers };
    if (failovers > this.#r.retryLimit) {
      this.#r.logger.error('worker job dead: its workers kept dying', { jobId, accountId, failovers: failovers - 1 });
      await this.#boss.send(WORKER_QUEUES.dead, data);
      return;
    }
    const replacement = await this.send(data);
    this.#r.logger.warn('worker failing over a dead worker job', { jobId, accountId, replacement });
  }

  stop(timeoutMs = 60_000): Promise<void> {
    this.#stopping ??= this.#stop(timeoutMs);
    return this.#stopping;
  }

  async #stop(timeoutMs: number): Promise<void> {
    clearInterval(this.#watchdog);
    await this.#boss.offWork(WORKER_QUEUES.jobs);
    await this.#boss.offWork(WORKER_QUEUES.tick);
    for (const { controller } of this.#running.values()) controller.abort();
    const timeout = new AbortController();
    const waited = systemClock.sleep(timeoutMs, timeout.signal).catch(() => undefined);
    await Promise.race([Promise.all([...this.#running.values()].map((r) => r.done)), waited]);
    timeout.abort(); // no timer left behind to keep the process alive
    await this.#boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
    await this.#store.close();
  }
}

/** How often a running job's claim is renewed: a tenth of the lease TTL. */
function claimHeartbeatMs(leaseTtlMs: number): number {
  return Math.max(50, Math.floor(leaseTtlMs / 10));
}

/**
 * A claim is dead after half a lease TTL without a heartbeat (five missed beats): before the dead
 * run's lease (renewed every third of a TTL) can expire, so the replacement is already waiting.
 */
function claimDeadAfterMs(leaseTtlMs: number): number {
  return 5 * claimHeartbeatMs(leaseTtlMs);
}
