/**
 * The scheduler: sync and reconcile on cron patterns in a time zone (croner computes the
 * times; an injectable clock does the waiting, so tests never wait for real).
 *
 * @module
 */
import { Cron } from 'croner';
import { systemClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { ConfigError, isAbortError, isClinikoTradifyError } from '../core/errors.js';
import { defaultLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import { DEFAULT_TIME_ZONE, isValidTimeZone } from '../core/dates.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';

/** What the scheduler needs of a `SyncEngine`. */
export interface SchedulableEngine {
  run(options: { signal?: AbortSignal | undefined }): Promise<unknown>;
  reconcile(options: { signal?: AbortSignal | undefined }): Promise<unknown>;
}

/** A job the scheduler runs. */
export type ScheduledJob = 'sync' | 'reconcile';

/** Options of {@link createScheduler}. */
export interface SchedulerOptions {
  engine: SchedulableEngine;
  /** Cron pattern of the sync; `null` disables it. @defaultValue `'*\/15 * * * *'` */
  sync?: string | null | undefined;
  /** Cron pattern of the reconciliation; `null` disables it. @defaultValue `'0 2 * * *'` */
  reconcile?: string | null | undefined;
  /** IANA zone the patterns are read in. @defaultValue `'Australia/Sydney'` */
  timeZone?: string | undefined;
  /** Time source and sleeper. @defaultValue the system clock */
  clock?: Clock | undefined;
  /** @defaultValue the library's default logger */
  logger?: Logger | undefined;
  /** Stop gracefully on SIGTERM and SIGINT. @defaultValue `true` */
  handleSignals?: boolean | undefined;
  /** Begin waiting for ticks at once. @defaultValue `true` */
  autoStart?: boolean | undefined;
}

/** How one tick ended. */
export interface TickOutcome {
  job: ScheduledJob;
  /** `'skipped'`: another run (here or in another process) held the lease. */
  status: 'completed' | 'skipped' | 'failed' | 'stopped';
  /** The engine's result when completed. */
  result?: unknown;
  /** The error's code when failed. */
  errorCode?: string | undefined;
}

/** A running schedule. */
export interface Scheduler {
  /** Starts waiting for ticks (no-op when started). */
  start(): void;
  /**
   * Stops: no new ticks; the current run's signal is aborted, so it finishes its current page,
   * keeps its checkpoint and releases the lease. Resolves when it has.
   */
  stop(): Promise<void>;
  /** Runs a job now, as a tick would (skipped when a run is in progress). */
  runNow(job: ScheduledJob): Promise<TickOutcome>;
  /** The next tick time of each enabled job, from the clock's now. */
  nextRuns(): Partial<Record<ScheduledJob, Date>>;
  /** The job running now, if any. */
  readonly running: ScheduledJob | undefined;
  /** Every tick's outcome, newest last (at most 100). */
  readonly history: readonly TickOutcome[];
}

/** The longest delay `setTimeout` honours (2^31 − 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

const SCHEDULER_OPTION_SHAPE = {
  engine: true,
  sync: true,
  reconcile: true,
  timeZone: true,
  clock: true,
  logger: true,
  handleSignals: true,
  autoStart: true,
} as const satisfies OptionShape<SchedulerOptions>;

/**
 * Parses a cron pattern read in `timeZone`, `undefined` for `null` (the job is off).
 *
 * @throws ConfigError naming `setting` for a pattern that is invalid or never fires (`0 0 31 2 *`).
 */
export function parseCronPattern(pattern: string | null | undefined, setting: string, timeZone: string, now: number = Date.now()): Cron | undefined {
  if (pattern === null || pattern === undefined) return undefined;
  let cron: Cron;
  try {
    cron = new Cron(pattern, { timezone: timeZone, paused: true });
  } catch {
    throw new ConfigError(setting, `${setting} is not a valid cron pattern (e.g. '*/15 * * * *').`);
  }
  if (cron.nextRun(new Date(now)) === null) throw new ConfigError(setting, `${setting} '${pattern}' never fires (no such date): fix the day and month fields.`);
  return cron;
}

function isLeaseHeld(error: unknown): boolean {
  return isClinikoTradifyError(error) && error.code === 'lease_held';
}

/**
 * Schedules `engine.run()` and `engine.reconcile()` on cron patterns read in `timeZone`.
 * Ticks never overlap: a tick that finds a run in progress, or the lease held by another
 * process, is skipped and logged. SIGTERM/SIGINT stop gracefully unless `handleSignals: false`.
 *
 * @example
 * ```ts
 * const scheduler = createScheduler({ engine, sync: '*\/15 * * * *', reconcile: '0 2 * * *', timeZone: 'Australia/Sydney' });
 * // later
 * await scheduler.stop();
 * ```
 * @throws ConfigError for an invalid pattern or zone, a pattern that never fires, or an unknown
 *   option (naming the nearest valid one).
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  rejectUnknownOptions(options, SCHEDULER_OPTION_SHAPE, { owner: 'createScheduler' });
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(timeZone)) throw new ConfigError('timeZone', 'timeZone must be an IANA zone such as Australia/Sydney.');
  const crons: Partial<Record<ScheduledJob, Cron>> = {};
  const now = (options.clock ?? systemClock).now();
  const syncCron = parseCronPattern(options.sync === undefined ? '*/15 * * * *' : options.sync, 'sync', timeZone, now);
  const reconcileCron = parseCronPattern(options.reconcile === undefined ? '0 2 * * *' : options.reconcile, 'reconcile', timeZone, now);
  if (syncCron) crons.sync = syncCron;
  if (reconcileCron) crons.reconcile = reconcileCron;
  return new CronScheduler(options, crons);
}

class CronScheduler implements Scheduler {
  readonly #engine: SchedulableEngine;
  readonly #crons: Partial<Record<ScheduledJob, Cron>>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #history: TickOutcome[] = [];
  #loops: Promise<void>[] = [];
  #stopper: AbortController | undefined;
  #current: { job: ScheduledJob; controller: AbortController; done: Promise<TickOutcome> } | undefined;
  #signalHandler: (() => void) | undefined;

  constructor(options: SchedulerOptions, crons: Partial<Record<ScheduledJob, Cron>>) {
    this.#engine = options.engine;
    this.#crons = crons;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? defaultLogger;
    if (options.handleSignals ?? true) this.#installSignalHandlers();
    if (options.autoStart ?? true) this.start();
  }

  get running(): ScheduledJob | undefined {
    return this.#current?.job;
  }

  get history(): readonly TickOutcome[] {
    return this.#history;
  }

  start(): void {
    if (this.#stopper && !this.#stopper.signal.aborted) return;
    this.#stopper = new AbortController();
    const signal = this.#stopper.signal;
    this.#loops = (Object.keys(this.#crons) as ScheduledJob[]).map((job) => this.#loop(job, signal));
  }

  nextRuns(): Partial<Record<ScheduledJob, Date>> {
    const now = new Date(this.#clock.now());
    const out: Partial<Record<ScheduledJob, Date>> = {};
    for (const [job, cron] of Object.entries(this.#crons) as [ScheduledJob, Cron][]) {
      const next = cron.nextRun(now);
      if (next) out[job] = next;
    }
    return out;
  }

  async stop(): Promise<void> {
    this.#stopper?.abort();
    this.#current?.controller.abort();
    this.#removeSignalHandlers();
    await this.#current?.done;
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  async runNow(job: ScheduledJob): Promise<TickOutcome> {
    if (this.#current) {
      this.#logger.info('scheduled tick skipped: a run is in progress', { job, running: this.#current.job });
      return this.#record({ job, status: 'skipped' });
    }
    const controller = new AbortController();
    const done = this.#execute(job, controller.signal);
    this.#current = { job, controller, done };
    try {
      return await done;
    } finally {
      this.#current = undefined;
    }
  }

  async #loop(job: ScheduledJob, signal: AbortSignal): Promise<void> {
    const cron = this.#crons[job]!;
    while (!signal.aborted) {
      const next = cron.nextRun(new Date(this.#clock.now()));
      if (!next || !(await this.#waitUntil(next.getTime(), signal))) return;
      await this.runNow(job);
    }
  }

  /**
   * Sleeps until `at` in steps a timer can hold (a longer `setTimeout` fires at once, which would
   * run a monthly or yearly job over and over). False when stopped first.
   */
  async #waitUntil(at: number, signal: AbortSignal): Promise<boolean> {
    for (let left = at - this.#clock.now(); left > 0 && !signal.aborted; left = at - this.#clock.now()) {
      try {
        await this.#clock.sleep(Math.min(left, MAX_TIMER_MS), signal);
      } catch {
        return false;
      }
    }
    return !signal.aborted;
  }

  async #execute(job: ScheduledJob, signal: AbortSignal): Promise<TickOutcome> {
    try {
      const result = job === 'sync' ? await this.#engine.run({ signal }) : await this.#engine.reconcile({ signal });
      return this.#record({ job, status: 'completed', result });
    } catch (error) {
      if (isLeaseHeld(error)) {
        this.#logger.info('scheduled tick skipped: the lease is held by another run', { job });
        return this.#record({ job, status: 'skipped' });
      }
      if (signal.aborted || isAbortError(error)) {
        this.#logger.info('scheduled run stopped; its checkpoint is kept', { job });
        return this.#record({ job, status: 'stopped' });
      }
      const errorCode = isClinikoTradifyError(error) ? error.code : 'unexpected';
      this.#logger.error('scheduled run failed', { job, code: errorCode });
      return this.#record({ job, status: 'failed', errorCode });
    }
  }

  #record(outcome: TickOutcome): TickOutcome {
    this.#history.push(outcome);
    if (this.#history.length > 100) this.#history.shift();
    return outcome;
  }

  #installSignalHandlers(): void {
    this.#signalHandler = () => {
      this.#logger.info('signal received: stopping the scheduler after the current page');
      void this.stop();
    };
    process.once('SIGTERM', this.#signalHandler);
    process.once('SIGINT', this.#signalHandler);
  }

  #removeSignalHandlers(): void {
    if (!this.#signalHandler) return;
    process.removeListener('SIGTERM', this.#signalHandler);
    process.removeListener('SIGINT', this.#signalHandler);
    this.#signalHandler = undefined;
  }
}
