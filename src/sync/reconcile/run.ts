/**
 * `runReconciliation`: stage both sides in the store, compare, summarise, optionally repair,
 * alert — under the account's lease.
 *
 * @module
 */
import { setMaxListeners } from 'node:events';
import { systemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import { isPlainDate } from '../../core/dates.js';
import { Decimal } from '../../core/decimal.js';
import { AbortError, ConfigError } from '../../core/errors.js';
import { rejectUnknownOptions, type OptionShape } from '../../core/options.js';
import { collect } from '../../tradify/pagination.js';
import { createLeaseOwner } from '../ports.js';
import type { Lease } from '../ports.js';
import { ReconciliationReport } from '../report/report.js';
import { FINDING_KINDS } from '../report/types.js';
import type { FindingKind, ReconciliationFinding, ReconciliationSummary, RecordCounts, RepairSummary } from '../report/types.js';
import { alertOnFindings } from './alert.js';
import { compareCustomerEmails, compareCustomers, comparePatients, findDeletedPatients } from './compare-patients.js';
import { compareInvoices, compareTradifyInvoices } from './compare-invoices.js';
import type { CompareContext } from './context.js';
import { MoneyAccumulator } from './money.js';
import { repairFindings } from './repair.js';
import { createStatusJudge } from './status.js';
import type { StatusJudge } from './status.js';
import { stageClinikoInvoices, stageClinikoPatients, stageTradifyCustomers, stageTradifyInvoices } from './stage.js';
import type { StageContext } from './stage.js';
import type { ReconcileInternals, ReconcileOptions } from './types.js';

/** Keeps the lease alive between pages and stops promptly on abort. */
class Heartbeat {
  #lastRenew: number;
  constructor(
    private readonly internals: ReconcileInternals,
    private readonly clock: Clock,
    private readonly lease: Lease,
    private readonly ttlMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.#lastRenew = clock.now();
  }

  readonly beat = async (): Promise<void> => {
    if (this.signal?.aborted) throw new AbortError('Reconciliation was stopped');
    if (this.clock.now() - this.#lastRenew < this.ttlMs / 3) return;
    await this.internals.store.renewLease(this.internals.accountId, this.lease.token, this.ttlMs, { signal: this.signal });
    this.#lastRenew = this.clock.now();
  };
}

function tradifyRequests(internals: ReconcileInternals): number {
  return internals.tradifyRequestCount?.() ?? internals.tradify.stats?.requests ?? 0;
}

async function openReviewIds(internals: ReconcileInternals, signal: AbortSignal | undefined): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await internals.store.reviews.list(internals.accountId, { status: 'open', kind: 'invoice', limit: 500, cursor, signal });
    for (const review of page.items) ids.add(review.recordId);
    cursor = page.next;
  } while (cursor !== undefined);
  return ids;
}

async function knownTaxPercents(internals: ReconcileInternals, signal: AbortSignal | undefined): Promise<Decimal[]> {
  const rates = await collect(internals.tradify.taxRates.list({ signal }));
  return rates.map((r) => Decimal.tryFrom(r.rate)).filter((d): d is Decimal => d !== undefined);
}

/**
 * The status judge, judging settle windows at the start of the last successful sync (or now,
 * before any): a draft that settled since is the next sync's to approve, not a discrepancy.
 */
async function statusJudge(internals: ReconcileInternals, clock: Clock, signal: AbortSignal | undefined): Promise<StatusJudge> {
  const lastSync = await internals.store.runs.last(internals.accountId, { kind: 'sync', status: 'succeeded' }, { signal });
  return createStatusJudge(internals.mapping, { now: lastSync?.startedAt ?? clock.now(), timeZone: internals.timeZone });
}

function emptyRecords(): RecordCounts {
  return { clinikoPatients: 0, clinikoInvoices: 0, tradifyCustomers: 0, tradifyInvoices: 0, tradeCustomers: 0, tradeInvoices: 0, skippedInvoices: 0 };
}

/** Patients and customers: compared as soon as both are staged, while invoices still stage. */
async function comparePatientSide(ctx: CompareContext): Promise<void> {
  await comparePatients(ctx);
  await compareCustomers(ctx);
  await findDeletedPatients(ctx);
  await compareCustomerEmails(ctx);
}

/**
 * Reads both sides at once, so each API's own pacing sets its pace and the slower one the wall
 * time; the patient side is compared while invoices (and payments) are still being read. The
 * first failure stops everything else.
 */
async function readAndCompare(stage: StageContext, ctx: CompareContext, since: string | undefined): Promise<void> {
  const stop = new AbortController();
  const signal = stage.signal ? AbortSignal.any([stage.signal, stop.signal]) : stop.signal;
  setMaxListeners(64, signal); // every request in flight on both sides listens to it
  const inner: StageContext = { ...stage, signal };
  const innerCtx: CompareContext = { ...ctx, signal };
  const { records } = ctx;
  let first: unknown;
  const guard = <T>(task: Promise<T>): Promise<T> => task.catch((error: unknown) => ((first ??= error), stop.abort(), Promise.reject(error)));
  const percents = guard(knownTaxPercents(stage.internals, signal));
  const customers = guard(stageTradifyCustomers(inner).then((n) => void (records.tradifyCustomers = n)));
  const patients = guard(stageClinikoPatients(inner).then((n) => void (records.clinikoPatients = n)));
  const tasks = [
    guard(Promise.all([customers, patients]).then(() => comparePatientSide(innerCtx))),
    guard(stageTradifyInvoices(inner, since).then((n) => void (records.tradifyInvoices = n))),
    guard(patients.then(async () => void (records.clinikoInvoices = await stageClinikoInvoices(inner, since, await percents)))),
  ];
  await Promise.allSettled([percents, customers, patients, ...tasks]);
  if (first !== undefined) throw stage.signal?.aborted ? new AbortError('Reconciliation was stopped') : first;
  stage.internals.logger?.debug('reconciliation read both sides', { runId: stage.runId });
  await compareInvoices(ctx);
  await compareTradifyInvoices(ctx);
}

function countKinds(findings: readonly ReconciliationFinding[]): Record<FindingKind, number> {
  const counts = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const f of findings) counts[f.kind] += 1;
  return counts;
}

const RECONCILE_OPTION_SHAPE = { since: true, signal: true, repair: true, alertThreshold: true } as const satisfies OptionShape<ReconcileOptions>;

function validate(options: ReconcileOptions, internals: ReconcileInternals): void {
  rejectUnknownOptions(options, RECONCILE_OPTION_SHAPE, { owner: 'reconcile' });
  if (options.since !== undefined && !isPlainDate(options.since)) throw new ConfigError('since', 'since must be a plain date written YYYY-MM-DD.');
  if (options.repair && !internals.repairer) throw new ConfigError('repair', 'repair: true needs an engine that can re-push and re-link (no repairer was given).');
  const threshold = options.alertThreshold ?? 0;
  if (!Number.isInteger(threshold) || threshold < 0) throw new ConfigError('alertThreshold', 'alertThreshold must be a non-negative integer.');
}

/**
 * Reconciles the account: reads both sides whole (paged, paced, staged in the store — not in
 * memory), compares them, and returns a {@link ReconciliationReport}. Holds the account's lease
 * for the whole run, so it never overlaps a sync; with `repair: true`, fixable findings are
 * re-pushed or re-linked inside that same lease and the rest become reviews.
 *
 * @example
 * ```ts
 * const report = await runReconciliation(engineInternals, { since: '2026-07-01' });
 * console.log(report.summary.counts);
 * ```
 * @throws LeaseHeldError when a sync or another reconciliation holds the lease.
 * @throws ConfigError for an invalid `since`, `alertThreshold`, or `repair` without a repairer.
 * @throws AbortError when `signal` fires (staging is cleared, the lease released).
 */
export async function runReconciliation(internals: ReconcileInternals, options: ReconcileOptions = {}): Promise<ReconciliationReport> {
  validate(options, internals);
  const clock = internals.clock ?? systemClock;
  const { store, accountId } = internals;
  const { signal, since } = options;
  const ttlMs = internals.leaseTtlMs ?? 120_000;
  const lease = await store.acquireLease(accountId, { owner: createLeaseOwner(), ttlMs, signal });
  const run = await store.runs.start(accountId, { kind: 'reconcile' }).catch(async (error: unknown) => {
    await store.releaseLease(accountId, lease.token);
    throw error;
  });
  const startedAt = clock.now();
  const requestsBefore = { cliniko: internals.cliniko.requestCount(), tradify: tradifyRequests(internals) };
  const heartbeat = new Heartbeat(internals, clock, lease, ttlMs, signal);
  try {
    const records = emptyRecords();
    const ctx: CompareContext = { internals, runId: run.id, signal, since, findings: [], money: new MoneyAccumulator(), records, reviewedIds: await openReviewIds(internals, signal), judgeStatus: await statusJudge(internals, clock, signal), afterPage: heartbeat.beat };
    await readAndCompare({ internals, runId: run.id, signal, afterPage: heartbeat.beat }, ctx, since);
    internals.logger?.debug('reconciliation compared', { runId: run.id, ms: clock.now() - startedAt, findings: ctx.findings.length });
    const repairs: RepairSummary | null = options.repair ? await repairFindings(internals, ctx.findings, { leaseToken: lease.token, runId: run.id, signal }) : null;
    const summary: ReconciliationSummary = {
      runId: run.id,
      accountId,
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(clock.now()).toISOString(),
      timeZone: internals.timeZone,
      since: since ?? null,
      counts: countKinds(ctx.findings),
      totalFindings: ctx.findings.length,
      records,
      money: ctx.money.summary((clinikoId) => ctx.reviewedIds.has(clinikoId)),
      requests: { cliniko: internals.cliniko.requestCount() - requestsBefore.cliniko, tradify: tradifyRequests(internals) - requestsBefore.tradify },
      repairs,
    };
    await alertOnFindings(internals, clock, summary, ctx.findings, options.alertThreshold ?? 0, signal);
    await store.runs.finish(accountId, run.id, { status: 'succeeded', summary: { ...summary.counts, totalFindings: summary.totalFindings, ...summary.requests } });
    return new ReconciliationReport({ summary, findings: ctx.findings });
  } catch (error) {
    await store.runs.finish(accountId, run.id, { status: signal?.aborted ? 'aborted' : 'failed' }).catch(() => undefined);
    throw error;
  } finally {
    await store.staging.clear(accountId, run.id).catch(() => undefined);
    await store.releaseLease(accountId, lease.token).catch(() => undefined);
  }
}
