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
import { alertOnDiscrepancies } from './alert.js';
import { classify, isKnownInvoice, summariseKnown } from './classify.js';
import { compareCustomerEmails, compareCustomers, comparePatients, findDeletedPatients } from './compare-patients.js';
import { compareInvoices, compareTradifyInvoices } from './compare-invoices.js';
import type { CompareContext } from './context.js';
import { createInvoiceExpectation } from './expectation.js';
import { loadRecordedReasons } from './known.js';
import { MoneyAccumulator } from './money.js';
import { repairFindings } from './repair.js';
import { createStatusJudge } from './status.js';
import type { StatusJudge } from './status.js';
import { stageClinikoInvoices, stageClinikoPatients, stageTradifyCustomers, stageTradifyInvoices } from './stage.js';
import type { InvoiceStaging, StageContext } from './stage.js';
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

/** Tradify's tax rates: their percents read a Cliniko line's rate; the engine's mapping judges drafts with them. */
async function invoiceStaging(internals: ReconcileInternals, now: number, signal: AbortSignal | undefined): Promise<InvoiceStaging> {
  const rates = await collect(internals.tradify.taxRates.list({ signal }));
  const knownPercents = rates.map((r) => Decimal.tryFrom(r.rate)).filter((d): d is Decimal => d !== undefined);
  return { knownPercents, expect: createInvoiceExpectation(internals, rates, now) };
}

/**
 * The status judge, judging settle windows at the start of the last successful sync (or now,
 * before any): a draft that settled since is the next sync's to approve, not a discrepancy.
 */
async function statusJudge(internals: ReconcileInternals, clock: Clock, signal: AbortSignal | undefined): Promise<StatusJudge> {
  const lastSync = await internals.store.runs.last(internals.accountId, { kind: 'sync', status: 'succeeded' }, { signal });
  return createStatusJudge(internals.mapping, { now: lastSync?.startedAt ?? clock.now(), timeZone: internals.timeZone });
}

function newCompareContext(internals: ReconcileInternals, runId: string, options: ReconcileOptions, startedAt: number, parts: Pick<CompareContext, 'reviewedIds' | 'judgeStatus' | 'afterPage'>): CompareContext {
  return { internals, runId, signal: options.signal, since: options.since, startedAt, findings: [], money: new MoneyAccumulator(), records: emptyRecords(), skipped: [], draftsExplained: new Map(), ...parts };
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
  const staging = guard(invoiceStaging(stage.internals, ctx.startedAt, signal));
  const customers = guard(stageTradifyCustomers(inner).then((n) => void (records.tradifyCustomers = n)));
  const patients = guard(stageClinikoPatients(inner).then((n) => void (records.clinikoPatients = n)));
  const tasks = [
    guard(Promise.all([customers, patients]).then(() => comparePatientSide(innerCtx))),
    guard(stageTradifyInvoices(inner, since).then((n) => void (records.tradifyInvoices = n))),
    guard(patients.then(async () => void (records.clinikoInvoices = await stageClinikoInvoices(inner, since, await staging)))),
  ];
  await Promise.allSettled([staging, customers, patients, ...tasks]);
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

type SummaryParts = Pick<ReconciliationSummary, 'runId' | 'requests' | 'repairs' | 'discrepancies' | 'known'> & {
  finishedAt: number;
  /** Which differing invoices the money tables count as known (see `isKnownInvoice`). */
  knownInvoice: (clinikoId: string) => boolean;
};

function summaryOf(internals: ReconcileInternals, ctx: CompareContext, parts: SummaryParts): ReconciliationSummary {
  return {
    runId: parts.runId,
    accountId: internals.accountId,
    startedAt: new Date(ctx.startedAt).toISOString(),
    finishedAt: new Date(parts.finishedAt).toISOString(),
    timeZone: internals.timeZone,
    since: ctx.since ?? null,
    counts: countKinds(ctx.findings),
    totalFindings: ctx.findings.length,
    discrepancies: parts.discrepancies,
    known: parts.known,
    records: ctx.records,
    money: ctx.money.summary(parts.knownInvoice),
    requests: parts.requests,
    repairs: parts.repairs,
  };
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
    const recorded = await loadRecordedReasons(internals, signal);
    const ctx = newCompareContext(internals, run.id, options, startedAt, { reviewedIds: recorded.reviewedInvoiceIds, judgeStatus: await statusJudge(internals, clock, signal), afterPage: heartbeat.beat });
    const unreadable = (finding: ReconciliationFinding) => void ctx.findings.push(finding);
    await readAndCompare({ internals, runId: run.id, signal, afterPage: heartbeat.beat, unreadable }, ctx, since);
    internals.logger?.debug('reconciliation compared', { runId: run.id, ms: clock.now() - startedAt, findings: ctx.findings.length });
    const classified = classify(ctx.findings, ctx.skipped, { ...recorded, drafts: ctx.draftsExplained });
    const { discrepancies, knownItems } = classified;
    // known items already have their reason (a review, a dead letter, a deliberate draft): only discrepancies are repaired
    const toRepair = discrepancies.flatMap((d) => d.findings);
    const repairs: RepairSummary | null = options.repair ? await repairFindings(internals, toRepair, { leaseToken: lease.token, runId: run.id, signal }) : null;
    const requests = { cliniko: internals.cliniko.requestCount() - requestsBefore.cliniko, tradify: tradifyRequests(internals) - requestsBefore.tradify };
    const summary = summaryOf(internals, ctx, { runId: run.id, finishedAt: clock.now(), requests, repairs, discrepancies: discrepancies.length, known: summariseKnown(knownItems), knownInvoice: isKnownInvoice(classified) });
    await alertOnDiscrepancies(internals, clock, summary, discrepancies, options.alertThreshold ?? 0, signal);
    const stored = { ...summary.counts, totalFindings: summary.totalFindings, discrepancies: summary.discrepancies, known: summary.known.total, ...summary.requests };
    await store.runs.finish(accountId, run.id, { status: 'succeeded', summary: stored });
    return new ReconciliationReport({ summary, findings: ctx.findings, discrepancies, knownItems });
  } catch (error) {
    await store.runs.finish(accountId, run.id, { status: signal?.aborted ? 'aborted' : 'failed' }).catch(() => undefined);
    throw error;
  } finally {
    await store.staging.clear(accountId, run.id).catch(() => undefined);
    await store.releaseLease(accountId, lease.token).catch(() => undefined);
  }
}
