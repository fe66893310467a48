/**
 * The SyncEngine (`docs/architecture.md#one-sync-run`): incremental, crash-safe, idempotent sync of Cliniko patients
 * and invoices into Tradify.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { ConsoleAlerter } from '../alerts/console.js';
import { ConfigError, isAbortError } from '../core/errors.js';
import type { ClinikoTradifyError } from '../core/errors.js';
import { resolveEngineOptions, type ResolvedEngineOptions, type SyncEngineOptions } from './engine-options.js';
import { SyncEvents, type SyncEventListener, type SyncEventName } from './events.js';
import { runEta } from './eta.js';
import { countPendingRecords, countPendingWork, type SyncEstimate } from './estimate.js';
import { Lookups } from './lookups.js';
import { createLeaseOwner, type JsonValue, type RunStatus } from './ports.js';
import { RunAlerts } from './run-alerts.js';
import { UnreadableTradifyRows } from './unreadable.js';
import { RunContext } from './streams/context.js';
import { patientsHandler } from './streams/patients.js';
import { invoicesHandler } from './streams/invoices.js';
import { PAGE_CONCURRENCY, runStream, type StopReason } from './streams/runner.js';
import { emptyCounters, type PendingWork, type StreamCursorView, type SyncSummary } from './summary.js';
import { DeadLetterApi } from './dead-letters.js';
import { ReviewApi } from './reviews.js';
import { AuditApi } from './audit.js';
import { refreshTradifyIndex, resolveConflicts } from './conflicts.js';
import { countByAction, planFromJson, planToJson, type ApplyResult, type SyncPlan } from './plan.js';
import { applyPlanItems } from './apply.js';
import type { RunBody } from './streams/run-body.js';
import { runReconciliation, clinikoSourceFromClient } from './reconcile/index.js';
import type { ReconcileInternals, ReconcileOptions, RepairContext } from './reconcile/types.js';
import type { ReconciliationReport } from './report/index.js';
import { PageWork } from './streams/page-work.js';
import { commit } from './streams/commit.js';
import { syncInvoicesByIds, syncPatientsByIds } from './targeted.js';
import { settleSweep } from './settle.js';
import { expectedCustomer } from './expected.js';

/** Options of every public engine call. */
export interface EngineCallOptions {
  /** Stops the run after the current record; progress up to the last page is kept. */
  signal?: AbortSignal | undefined;
}


/**
 * Keeps Tradify in step with Cliniko.
 *
 * @example
 * ```ts
 * const engine = new SyncEngine({ cliniko, tradify, store: new MemoryStateStore() });
 * engine.on('recordWritten', (e) => console.log(e.stream, e.clinikoId, e.action));
 * const summary = await engine.run();
 * console.log(summary.created, summary.updated, summary.deadLettered);
 * ```
 */
export class SyncEngine {
  readonly #options: ResolvedEngineOptions;
  readonly #events = new SyncEvents();
  /** The dead-letter list: `list`, `replay`, `discard`. */
  readonly deadLetters: DeadLetterApi;
  /** The review queue: `list`, `resolve`. */
  readonly reviews: ReviewApi;
  /** The audit log: `list`. */
  readonly audit: AuditApi;

  /**
   * @throws ConfigError naming the option and the fix, for any invalid option.
   */
  constructor(options: SyncEngineOptions) {
    this.#options = resolveEngineOptions(options, () => new ConsoleAlerter());
    this.deadLetters = new DeadLetterApi(this.#options, (kind, body, signal) => this.#withRun(kind, false, signal, body));
    this.reviews = new ReviewApi(this.#options, (kind, body, signal) => this.#withRun(kind, false, signal, body));
    this.audit = new AuditApi(this.#options);
  }

  /** The account this engine syncs. */
  get accountId(): string {
    return this.#options.accountId;
  }

  /**
   * Listens to an event; payloads carry ids and counts only.
   *
   * @returns a function that removes the listener.
   */
  on<K extends SyncEventName>(name: K, listener: SyncEventListener<K>): () => void {
    return this.#events.on(name, listener);
  }

  /**
   * What the next sync will read and how long it will take at the engine's `rates`: one
   * one-row Cliniko request per stream (no lease, nothing written). `cliniko-tradify status`
   * shows the same figures.
   *
   * @example
   * ```ts
   * const { pending, eta } = await engine.estimate();
   * console.log(`${pending.invoices} invoices, about ${Math.round(eta.ms / 60_000)} min (${eta.bottleneck} decides)`);
   * ```
   */
  async estimate(options: EngineCallOptions = {}): Promise<SyncEstimate> {
    const o = this.#options;
    const cursors = await o.store.cursors.list(o.accountId, { signal: options.signal });
    const pending = await countPendingWork(o.cliniko, cursors, { ...o, signal: options.signal });
    return { pending, eta: runEta(pending, o.rates, o.tradify.capabilities) };
  }

  /**
   * One incremental sync: patients, then invoices, then Tradify-side edits (conflict policy).
   *
   * @throws LeaseHeldError when another run (even on this engine) holds the account's lease.
   * @throws ConfigError when the tax table is ambiguous against Tradify's rates.
   * @throws AbortError when `signal` fires (progress up to the last committed page is kept).
   */
  async run(options: EngineCallOptions = {}): Promise<SyncSummary> {
    return this.#withRun('sync', false, options.signal, (run) => this.#syncAll(run));
  }

  /**
   * A dry run: what `run()` would write, saved in the store with an id (ids, hashes and reason
   * codes only). Nothing is written to Tradify and no cursor moves.
   */
  async plan(options: EngineCallOptions = {}): Promise<SyncPlan> {
    let plan: SyncPlan | undefined;
    await this.#withRun('plan', true, options.signal, async (run) => {
      const stopped = await this.#syncAll(run);
      plan = { id: randomUUID(), createdAt: new Date(this.#options.clock.now()).toISOString(), items: run.planned, counts: countByAction(run.planned) };
      await this.#options.store.plans.save(this.accountId, { id: plan.id, createdAt: this.#options.clock.now(), data: planToJson(plan) }, { signal: options.signal });
      return stopped;
    });
    return plan!;
  }

  /**
   * Applies a saved plan: each item is re-read from Cliniko and written only when its mapped
   * payload still has the planned hash; changed items are refused (and left to the next run).
   */
  async apply(planId: string, options: EngineCallOptions = {}): Promise<ApplyResult> {
    const saved = await this.#options.store.plans.get(this.accountId, planId, { signal: options.signal });
    if (!saved) throw new ConfigError('planId', `No saved plan '${planId}' for account '${this.accountId}'; run engine.plan() first.`);
    const plan = planFromJson(saved.data);
    let result: ApplyResult = { planId, applied: 0, refused: [] };
    await this.#withRun('apply', false, options.signal, async (run) => {
      result = await applyPlanItems(run, plan);
      return undefined;
    });
    return result;
  }

  /**
   * Reconciliation (`docs/architecture.md#reconciliation`): reads both sides, compares, and reports; with
   * `repair: true`, fixable findings are re-pushed or re-linked inside the same lease.
   *
   * @throws LeaseHeldError when a run holds the account's lease.
   */
  async reconcile(options: ReconcileOptions = {}): Promise<ReconciliationReport> {
    return runReconciliation(this.#reconcileInternals(), options);
  }

  /** What `runReconciliation` needs from this engine. */
  #reconcileInternals(): ReconcileInternals {
    const o = this.#options;
    return {
      accountId: o.accountId,
      timeZone: o.timeZone,
      store: o.store,
      cliniko: clinikoSourceFromClient(o.cliniko),
      tradify: o.tradify,
      clock: o.clock,
      logger: o.logger,
      alerter: o.alerter,
      mapping: o.mapping,
      leaseTtlMs: o.leaseTtlMs,
      expectedCustomer: (patient) => expectedCustomer(patient, o),
      repairer: {
        repushPatient: (id, ctx) => this.#repair(ctx, (run, work) => syncPatientsByIds(run, [id], work, () => ({ force: true, action: 'repair' }))),
        repushInvoice: (id, ctx) => this.#repair(ctx, (run, work) => syncInvoicesByIds(run, [id], work, () => ({ force: true, action: 'repair' }))),
        relink: (kind, clinikoId, tradifyId, ctx) =>
          this.#repair(ctx, async (run, work) => {
            work.links.push({ kind, clinikoId, tradifyId, supersededReason: 'relink' });
            work.hashes.push({ kind, clinikoId, hash: null });
            work.audit.push({ runId: run.runId, stream: kind === 'patient' ? 'patients' : 'invoices', action: 'relink', clinikoId, tradifyId });
            if (kind === 'patient') await syncPatientsByIds(run, [clinikoId], work, () => ({ force: true, action: 'repair' }));
            else await syncInvoicesByIds(run, [clinikoId], work, () => ({ force: true, action: 'repair' }));
          }),
      },
    };
  }

  /** Repair work nested in reconciliation's lease (re-entrant with its token). */
  async #repair(ctx: RepairContext, body: (run: RunContext, work: PageWork) => Promise<unknown>): Promise<void> {
    await this.#withRun('repair', false, ctx.signal, async (run) => {
      const work = new PageWork();
      await body(run, work);
      await commit(run, work);
      return run.targetDown ? 'target-down' : undefined;
    }, { reentrantToken: ctx.leaseToken, runId: ctx.runId });
  }

  async #syncAll(run: RunContext): Promise<StopReason | undefined> {
    const stopped =
      (await refreshTradifyIndex(run)) ??
      (await runStream(run, patientsHandler())) ??
      (await runStream(run, invoicesHandler())) ??
      (await settleSweep(run)) ??
      (await resolveConflicts(run));
    await commit(run, new PageWork()); // the reviews of Tradify rows read after the last commit
    return stopped;
  }

  async #withRun(kind: string, dryRun: boolean, outerSignal: AbortSignal | undefined, body: RunBody, nested?: { reentrantToken: string; runId: string }): Promise<SyncSummary> {
    const { store, clock, accountId, leaseTtlMs } = this.#options;
    const signal = runSignal(outerSignal);
    const lease = await store.acquireLease(accountId, { owner: createLeaseOwner(), ttlMs: leaseTtlMs, reentrantToken: nested?.reentrantToken, signal });
    const record = nested
      ? { id: nested.runId }
      : await store.runs.start(accountId, { kind }, { signal }).catch(async (error: unknown) => {
          await store.releaseLease(accountId, lease.token).catch(() => false);
          throw error;
        });
    const requestsBefore = this.#requestCounts();
    const alerts = new RunAlerts();
    const counters = emptyCounters();
    const heartbeat = this.#heartbeat(lease.token);
    const unreadable = new UnreadableTradifyRows({ store, accountId, counters, alerts, logger: this.#options.logger, signal });
    const run = new RunContext({
      options: this.#options,
      runId: record.id,
      token: lease.token,
      signal,
      dryRun,
      counters,
      events: this.#events,
      alerts,
      lookups: new Lookups({ ...this.#options, signal, onUnreadable: unreadable.report }),
      unreadable,
    });
    this.#events.emit('runStarted', { runId: record.id, accountId, startedAt: new Date(run.startedAt).toISOString(), dryRun });
    let status: Exclude<RunStatus, 'running'> = 'failed';
    let stopped: StopReason | undefined;
    try {
      stopped = await body(run);
      status = stopped ? 'partial' : 'succeeded';
      const summary = await this.#summary(run, stopped, requestsBefore);
      if (!nested) await store.runs.finish(accountId, record.id, { status, summary: summaryJson(summary) }, { signal }).catch(() => undefined);
      return summary;
    } catch (error) {
      status = isAbortError(error) ? 'aborted' : 'failed';
      if (status === 'failed') alerts.add('run-failed', 'critical', (error as ClinikoTradifyError).code ?? 'error');
      if (!nested) await store.runs.finish(accountId, record.id, { status }).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(heartbeat);
      await store.releaseLease(accountId, lease.token).catch(() => false);
      await alerts.flush(this.#options.alerter, store, this.#options.logger, accountId, record.id, new Date(clock.now()).toISOString());
      this.#events.emit('runFinished', {
        runId: record.id,
        accountId,
        outcome: status === 'succeeded' ? 'completed' : status === 'partial' ? 'partial' : 'failed',
        durationMs: clock.now() - run.startedAt,
      });
    }
  }

  /**
   * Renews the lease every third of its lifetime while a run holds it, so one slow record (a
   * Tradify outage being ridden out, a long 429 pause) cannot let it expire under the run.
   * A renewal that fails is logged; the fenced commit is what stops a run that lost its lease.
   */
  #heartbeat(token: string): ReturnType<typeof setInterval> {
    const { store, accountId, leaseTtlMs, logger } = this.#options;
    const timer = setInterval(() => {
      store.renewLease(accountId, token, leaseTtlMs).catch((error: unknown) => {
        logger.warn('lease heartbeat failed', { accountId, code: (error as ClinikoTradifyError).code ?? 'error' });
      });
    }, Math.max(1_000, leaseTtlMs / 3));
    timer.unref();
    return timer;
  }

  #requestCounts(): { cliniko: number; tradify: number } {
    return { cliniko: this.#options.cliniko.stats.requests, tradify: this.#options.tradify.stats?.requests ?? 0 };
  }

  async #summary(run: RunContext, stopped: StopReason | undefined, before: { cliniko: number; tradify: number }): Promise<SyncSummary> {
    const after = this.#requestCounts();
    const cursors = await this.#options.store.cursors.list(this.accountId, { signal: run.signal });
    const view = (stream: string): StreamCursorView => ({ updatedAt: cursors[stream]?.updatedAt ?? null, id: cursors[stream]?.id ?? null });
    const c = run.counters;
    const pending = await this.#pendingAfter(run, stopped);
    return {
      runId: run.runId,
      outcome: stopped ? 'partial' : 'completed',
      stoppedBecause: stopped,
      created: c.created,
      updated: c.updated,
      unchanged: c.unchanged,
      skipped: c.skipped,
      deadLettered: c.deadLettered,
      reviews: c.reviews,
      read: { ...c.read },
      requests: { cliniko: after.cliniko - before.cliniko, tradify: after.tradify - before.tradify },
      writes: c.writes,
      durationMs: this.#options.clock.now() - run.startedAt,
      cursors: { patients: view('patients'), invoices: view('invoices') },
      eta: runEta(pending, this.#options.rates, this.#options.tradify.capabilities),
      pending,
    };
  }

  /**
   * Records still to read: from the last page handled in streams the run reached, and counted
   * (one request each) for streams a stopped run never reached.
   */
  async #pendingAfter(run: RunContext, stopped: StopReason | undefined): Promise<PendingWork> {
    const pending = { ...run.counters.pending };
    if (!stopped) return pending;
    const cursors = await this.#options.store.cursors.list(this.accountId, { signal: run.signal });
    for (const stream of ['patients', 'invoices'] as const) {
      if (run.streamsReached.has(stream)) continue;
      pending[stream] = await countPendingRecords(this.#options.cliniko, stream, cursors[stream], { ...this.#options, signal: run.signal }).catch(() => 0);
    }
    return pending;
  }
}

function summaryJson(summary: SyncSummary): Record<string, JsonValue> {
  return JSON.parse(JSON.stringify(summary)) as Record<string, JsonValue>;
}

/**
 * The run's own view of the caller's signal: every record in flight (up to
 * {@link PAGE_CONCURRENCY}) waits on it for pacing, fetch and retry sleeps, which would trip
 * Node's 10-listener leak warning on the caller's signal.
 */
function runSignal(signal: AbortSignal | undefined): AbortSignal | undefined {
  if (!signal) return undefined;
  const own = AbortSignal.any([signal]);
  setMaxListeners(8 * PAGE_CONCURRENCY, own);
  return own;
}
