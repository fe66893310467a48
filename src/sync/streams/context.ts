/**
 * The state of one run, shared by the streams: the lease token, counters, caches, the
 * dry-run plan, the deadline and the helpers every stream uses.
 *
 * @module
 */
import type { ResolvedEngineOptions } from '../engine-options.js';
import type { SyncEvents, SyncStream } from '../events.js';
import type { RunAlerts } from '../run-alerts.js';
import type { RunCounters } from '../summary.js';
import type { Lookups } from '../lookups.js';
import type { MappingContext } from '../../mapping/context.js';
import { withRecordRetry } from '../record-retry.js';
import { ItemsReader } from './source.js';
import type { PageWork } from './page-work.js';
import type { PlannedItem } from '../plan.js';
import { HELD_REASON, UnreadableTradifyRows } from '../unreadable.js';

/** One run's shared state. */
export class RunContext {
  readonly options: ResolvedEngineOptions;
  readonly runId: string;
  readonly token: string;
  readonly signal: AbortSignal | undefined;
  /** A dry run (`plan()`): nothing is written to Tradify or committed. */
  readonly dryRun: boolean;
  readonly counters: RunCounters;
  readonly events: SyncEvents;
  readonly alerts: RunAlerts;
  readonly lookups: Lookups;
  /** Tradify rows this run could not read, and the writes they hold back. */
  readonly unreadable: UnreadableTradifyRows;
  readonly items: ItemsReader;
  readonly startedAt: number;
  /** Planned writes of a dry run. */
  readonly planned: PlannedItem[] = [];
  /** Patient id → Tradify customer id, for links made in this run (before their commit). */
  readonly customerIds = new Map<string, string>();
  /**
   * Tradify customer id → patient id, for links this run made and has not committed yet; with
   * the store's links, what keeps two patients off one customer (committed entries are dropped).
   */
  readonly uncommittedCustomers = new Map<string, string>();
  /** Invoices this run wrote. */
  readonly writtenInvoices = new Set<string>();
  /** Patients whose customer this run wrote. */
  readonly writtenPatients = new Set<string>();
  /** Patients the filter excluded in this run. */
  readonly filteredPatients = new Set<string>();
  /** Patient id → its Tradify customer's `defaultInvoiceDueDays` (`null`: none), as learned or loaded this run. */
  readonly dueDays = new Map<string, number | null>();
  /** Patient creates in flight (one create at a time per patient id). */
  readonly patientsInFlight = new Map<string, Promise<unknown>>();
  /** `stream:id` → the unreadable Tradify row a record was held back for in this run. */
  readonly held = new Map<string, string>();
  /** `stream:id` of the records dead-lettered in this run (held ones included): one letter each per run. */
  readonly deadLettered = new Set<string>();
  /** Streams this run began reading (a stream not reached still has all its work pending). */
  readonly streamsReached = new Set<SyncStream>();
  /** Set when Tradify stayed down beyond the retry budget: no more writes this run. */
  targetDown = false;
  #lastRenewAt: number;
  #downNoted = false;

  constructor(init: {
    options: ResolvedEngineOptions;
    runId: string;
    token: string;
    signal: AbortSignal | undefined;
    dryRun: boolean;
    counters: RunCounters;
    events: SyncEvents;
    alerts: RunAlerts;
    lookups: Lookups;
    /** @defaultValue a registry of its own (the engine shares one with the lookups) */
    unreadable?: UnreadableTradifyRows | undefined;
  }) {
    this.options = init.options;
    this.runId = init.runId;
    this.token = init.token;
    this.signal = init.signal;
    this.dryRun = init.dryRun;
    this.counters = init.counters;
    this.events = init.events;
    this.alerts = init.alerts;
    this.lookups = init.lookups;
    this.unreadable =
      init.unreadable ??
      new UnreadableTradifyRows({ store: init.options.store, accountId: init.options.accountId, counters: init.counters, alerts: init.alerts, logger: init.options.logger, signal: init.signal });
    this.items = new ItemsReader(init.options.cliniko);
    this.startedAt = init.options.clock.now();
    this.#lastRenewAt = this.startedAt;
  }

  get accountId(): string {
    return this.options.accountId;
  }

  /** True once `maxRunDuration` has passed: the run saves its progress and stops. */
  get pastDeadline(): boolean {
    const max = this.options.maxRunDurationMs;
    return max !== undefined && this.options.clock.now() - this.startedAt >= max;
  }

  /** Renews the lease when a third of its lifetime has passed (heartbeat during long pages). */
  async heartbeat(): Promise<void> {
    const now = this.options.clock.now();
    if (now - this.#lastRenewAt < this.options.leaseTtlMs / 3) return;
    await this.options.store.renewLease(this.accountId, this.token, this.options.leaseTtlMs, { signal: this.signal });
    this.#lastRenewAt = now;
  }

  /** A Tradify write with the engine-level retry; counts the attempt. */
  write<T>(stream: SyncStream, fn: () => Promise<T>): Promise<T> {
    return withRecordRetry(
      { retryPolicy: this.options.retryPolicy, clock: this.options.clock, signal: this.signal, onAttempt: () => this.counters.writes++ },
      stream,
      fn,
    );
  }

  /** A Tradify read with the engine-level retry (not counted as a write). */
  read<T>(stream: SyncStream, fn: () => Promise<T>): Promise<T> {
    return withRecordRetry({ retryPolicy: this.options.retryPolicy, clock: this.options.clock, signal: this.signal }, stream, fn);
  }

  /** The mapping context for records of this run. */
  mappingContext(): Promise<MappingContext> {
    return this.lookups.context();
  }

  /** Record a skip, with its event. */
  skip(stream: SyncStream, clinikoId: string, reason: string): void {
    this.counters.skipped++;
    this.events.emit('recordSkipped', { runId: this.runId, stream, clinikoId, reason });
  }

  /** The failure that made Tradify count as down, once one did. */
  lastTargetDown: unknown;

  /** Notes that Tradify is down (no new record starts); the page loop then alerts and stops. */
  noteTargetDown(error: unknown): void {
    this.lastTargetDown ??= error;
    this.#downNoted = true;
  }

  /** True once Tradify was noted down in this run. */
  get writesStopped(): boolean {
    return this.#downNoted || this.targetDown;
  }

  /** Tradify stayed down beyond the retry budget: stop writing, alert once, keep work pending. */
  markTargetDown(error: unknown): void {
    if (this.targetDown) return;
    this.targetDown = true;
    this.alerts.add('outage', 'critical', 'tradify-unavailable');
    const code = (error as { lastError?: { code?: unknown } }).lastError?.code;
    this.options.logger.error('Tradify unavailable beyond the retry budget; writes stopped, work stays pending', { runId: this.runId, code: typeof code === 'string' ? code : null });
  }

  /** Record a record whose mapped payload had not changed. */
  unchanged(stream: SyncStream, clinikoId: string): void {
    this.counters.unchanged++;
    this.events.emit('recordSkipped', { runId: this.runId, stream, clinikoId, reason: 'unchanged' });
  }

  /** Record a dead letter on the page, with its event and alert (once per record and run, so the counter matches the store). */
  deadLetter(work: PageWork, stream: SyncStream, clinikoId: string, updatedAt: string | undefined, reasonCode: string, message: string, paths: string[] = []): void {
    if (this.deadLettered.has(`${stream}:${clinikoId}`)) return;
    this.deadLettered.add(`${stream}:${clinikoId}`);
    work.deadLetters.push({ stream, recordId: clinikoId, updatedAt, reasonCode, message, paths });
    this.counters.deadLettered++;
    this.alerts.add('dead-letters', 'warning', reasonCode, clinikoId);
    this.events.emit('deadLettered', { runId: this.runId, stream, clinikoId, reasonCode });
    this.options.logger.warn('record dead-lettered', { stream, id: clinikoId, reason: reasonCode });
  }

  /**
   * Dead-letters a record held back because a Tradify row it depends on could not be read
   * (`what`: that row, e.g. `customers:cus_1`). No alert of its own: the row's review is the alert.
   */
  hold(work: PageWork, stream: SyncStream, clinikoId: string, updatedAt: string | undefined, what: string): void {
    if (this.deadLettered.has(`${stream}:${clinikoId}`)) return;
    this.deadLettered.add(`${stream}:${clinikoId}`);
    this.held.set(`${stream}:${clinikoId}`, what);
    const message = `Cliniko ${stream} record ${clinikoId} waits for Tradify ${what}, which could not be read`;
    work.deadLetters.push({ stream, recordId: clinikoId, updatedAt, reasonCode: HELD_REASON, message, paths: [what] });
    this.counters.deadLettered++;
    this.events.emit('deadLettered', { runId: this.runId, stream, clinikoId, reasonCode: HELD_REASON });
    this.options.logger.warn('record held: a Tradify row it depends on could not be read', { stream, id: clinikoId, waitsFor: what });
  }

  /** Open a review on the page, with its event and alert. */
  review(work: PageWork, stream: SyncStream, kind: string, clinikoId: string, reasonCode: string, detail: Record<string, string | number | boolean | null | string[]> = {}): void {
    work.reviews.push({ kind, recordId: clinikoId, reasonCode, detail });
    this.counters.reviews++;
    this.alerts.add('reviews', 'info', reasonCode, clinikoId);
    this.events.emit('reviewOpened', { runId: this.runId, stream, clinikoId, reasonCode });
  }
}
