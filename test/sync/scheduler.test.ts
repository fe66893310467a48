import { afterEach, describe, expect, it } from 'vitest';
import {
  AbortError,
  LeaseHeldError,
  type Clock,
  type LogFields,
  type Logger,
  createScheduler,
  type Scheduler,
  type SchedulableEngine,
} from 'cliniko-tradify';

/** A clock the test moves by hand; sleeps wake when it passes their deadline. */
class ManualClock implements Clock {
  #now: number;
  #sleepers: Array<{ at: number; resolve: () => void }> = [];
  constructor(iso: string) {
    this.#now = Date.parse(iso);
  }
  now(): number {
    return this.#now;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortError());
      const sleeper = { at: this.#now + ms, resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(new AbortError());
      });
    });
  }
  async advanceTo(iso: string): Promise<void> {
    this.#now = Date.parse(iso);
    const due = this.#sleepers.filter((s) => s.at <= this.#now);
    this.#sleepers = this.#sleepers.filter((s) => s.at > this.#now);
    for (const s of due) s.resolve();
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (m: string, f?: LogFields) => void lines.push(`${level} ${m} ${JSON.stringify(f ?? {})}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** An engine whose runs the test finishes by hand; each run honours its signal. */
function engine() {
  const calls: Array<{ job: 'sync' | 'reconcile'; signal: AbortSignal | undefined; finish: () => void }> = [];
  const start = (job: 'sync' | 'reconcile') => (options: { signal?: AbortSignal | undefined }) =>
    new Promise<unknown>((resolve, reject) => {
      calls.push({ job, signal: options.signal, finish: () => resolve({ job }) });
      options.signal?.addEventListener('abort', () => reject(new AbortError('stopped after the current page')));
    });
  const e: SchedulableEngine & { calls: typeof calls; failWith?: unknown } = {
    calls,
    run: (o) => (e.failWith ? Promise.reject(e.failWith) : start('sync')(o)),
    reconcile: start('reconcile'),
  };
  return e;
}

let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
});

describe('createScheduler', () => {
  it('reads the patterns in the configured zone', () => {
    // 15:40Z is 01:40 on 2 July in Sydney (AEST, +10)
    const clock = new ManualClock('2026-07-01T15:40:00Z');
    scheduler = createScheduler({ engine: engine(), clock, timeZone: 'Australia/Sydney', handleSignals: false, autoStart: false });
    const next = scheduler.nextRuns();
    expect(next.sync?.toISOString()).toBe('2026-07-01T15:45:00.000Z');
    expect(next.reconcile?.toISOString()).toBe('2026-07-01T16:00:00.000Z');
    const perth = createScheduler({ engine: engine(), clock, timeZone: 'Australia/Perth', handleSignals: false, autoStart: false, sync: null });
    // 02:00 in Perth (+8) is 18:00Z
    expect(perth.nextRuns()).toEqual({ reconcile: new Date('2026-07-01T18:00:00.000Z') });
  });

  it('runs each job when its time comes, and skips a tick while a run is in progress', async () => {
    const clock = new ManualClock('2026-07-01T15:40:00Z');
    const e = engine();
    const log = logger();
    scheduler = createScheduler({ engine: e, clock, logger: log, handleSignals: false });
    await settle();
    await clock.advanceTo('2026-07-01T15:44:59Z');
    expect(e.calls).toHaveLength(0);
    await clock.advanceTo('2026-07-01T15:45:00Z');
    expect(e.calls.map((c) => c.job)).toEqual(['sync']);
    expect(scheduler.running).toBe('sync');
    // the 16:00 reconcile tick arrives while the 15:45 sync is still running (the sync job
    // itself waits for its run, so it piles up no backlog of ticks)
    await clock.advanceTo('2026-07-01T16:00:00Z');
    expect(e.calls).toHaveLength(1);
    expect(scheduler.history).toEqual([{ job: 'reconcile', status: 'skipped' }]);
    expect(log.lines.filter((l) => l.includes('skipped: a run is in progress'))).toHaveLength(1);
    expect(await scheduler.runNow('reconcile')).toEqual({ job: 'reconcile', status: 'skipped' });
    e.calls[0]!.finish();
    await settle();
    expect(scheduler.history.at(-1)).toMatchObject({ job: 'sync', status: 'completed', result: { job: 'sync' } });
    await clock.advanceTo('2026-07-01T16:15:00Z');
    expect(e.calls.map((c) => c.job)).toEqual(['sync', 'sync']);
  });

  it('logs and skips a tick when another process holds the lease', async () => {
    const clock = new ManualClock('2026-07-01T15:40:00Z');
    const e = engine();
    e.failWith = new LeaseHeldError('default', 'other-host:1:ab');
    const log = logger();
    scheduler = createScheduler({ engine: e, clock, logger: log, handleSignals: false, reconcile: null });
    await settle();
    await clock.advanceTo('2026-07-01T15:45:00Z');
    expect(scheduler.history).toEqual([{ job: 'sync', status: 'skipped' }]);
    expect(log.lines).toEqual(['info scheduled tick skipped: the lease is held by another run {"job":"sync"}']);
  });

  it('stop() aborts the current run (which keeps its checkpoint) and no tick follows', async () => {
    const clock = new ManualClock('2026-07-01T15:40:00Z');
    const e = engine();
    scheduler = createScheduler({ engine: e, clock, handleSignals: false });
    await settle();
    await clock.advanceTo('2026-07-01T15:45:00Z');
    const running = e.calls[0]!;
    await scheduler.stop();
    expect(running.signal?.aborted).toBe(true);
    expect(scheduler.history).toEqual([{ job: 'sync', status: 'stopped' }]);
    await clock.advanceTo('2026-07-02T03:00:00Z');
    expect(e.calls).toHaveLength(1);
  });

  it('stops on SIGTERM, and installs no handler with handleSignals: false', async () => {
    const before = process.listenerCount('SIGTERM');
    const quiet = createScheduler({ engine: engine(), clock: new ManualClock('2026-07-01T15:40:00Z'), handleSignals: false, autoStart: false });
    expect(process.listenerCount('SIGTERM')).toBe(before);
    await quiet.stop();

    const clock = new ManualClock('2026-07-01T15:40:00Z');
    const e = engine();
    scheduler = createScheduler({ engine: e, clock, logger: logger() });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    await settle();
    await clock.advanceTo('2026-07-01T15:45:00Z');
    process.emit('SIGTERM');
    await settle();
    expect(e.calls[0]!.signal?.aborted).toBe(true);
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(scheduler.history.at(-1)).toEqual({ job: 'sync', status: 'stopped' });
  });

  it('rejects a bad pattern or zone with a ConfigError', () => {
    expect(() => createScheduler({ engine: engine(), sync: 'every day', handleSignals: false, autoStart: false })).toThrow(expect.objectContaining({ code: 'config_invalid', setting: 'sync' }));
    expect(() => createScheduler({ engine: engine(), timeZone: 'Mars/Olympus', handleSignals: false, autoStart: false })).toThrow(expect.objectContaining({ setting: 'timeZone' }));
  });
});

/** A manual clock that, like `setTimeout`, fires at once when asked to wait longer than 2^31 − 1 ms. */
class TimerLimitClock extends ManualClock {
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return ms > 2_147_483_647 ? Promise.resolve() : super.sleep(ms, signal);
  }
}

describe('createScheduler: patterns far apart or never due', () => {
  it('waits for a job more than 24.8 days away instead of running it at once, over and over', async () => {
    const clock = new TimerLimitClock('2026-07-01T00:00:00Z');
    const e = engine();
    // 02:00 on 1 January in Sydney (AEDT, +11) is 15:00Z on 31 December
    scheduler = createScheduler({ engine: e, clock, timeZone: 'Australia/Sydney', sync: '0 2 1 1 *', reconcile: null, handleSignals: false });
    await settle();
    expect(e.calls).toHaveLength(0);
    await clock.advanceTo('2026-08-15T00:00:00Z');
    await clock.advanceTo('2026-12-31T14:59:00Z');
    expect(e.calls).toHaveLength(0);
    await clock.advanceTo('2026-12-31T15:00:00Z');
    expect(e.calls.map((c) => c.job)).toEqual(['sync']);
  });

  it('refuses a pattern that never fires, naming the job', () => {
    const clock = new ManualClock('2026-07-01T00:00:00Z');
    for (const [job, pattern] of [['sync', '0 0 31 2 *'], ['reconcile', '0 0 31 4 *']] as const) {
      expect(() => createScheduler({ engine: engine(), clock, [job]: pattern, handleSignals: false, autoStart: false })).toThrow(
        expect.objectContaining({ code: 'config_invalid', setting: job, message: `${job} '${pattern}' never fires (no such date): fix the day and month fields.` }),
      );
    }
  });
});
