/**
 * An in-process {@link StateStore}: fast, dependency-free, gone when the process exits.
 * For tests, demos and one-off runs; use `SqliteStateStore` to keep state across runs.
 *
 * @module
 */

import { ClinikoTradifyError } from '../core/errors.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import type {
  AcquireLeaseOptions,
  AlertIncident,
  IncidentListFilter,
  AuditEntry,
  AuditListOptions,
  DeadLetter,
  DeadLetterClose,
  DeadLetterListOptions,
  JsonValue,
  Lease,
  LinkKind,
  LinkListOptions,
  LinkRecord,
  LinkRemoval,
  LinkUpsert,
  NewAuditEntry,
  NewDeadLetter,
  NewReview,
  PageCommit,
  PageOptions,
  Review,
  ReviewListOptions,
  RunListOptions,
  RunRecord,
  RunStatus,
  SavedPlan,
  SeenEntry,
  StagingRow,
  StagingSelector,
  StateStore,
  StoreCallOptions,
  StorePage,
  StreamCursor,
  TradifyIndexEntry,
} from '../sync/ports.js';
import { compareIdsShorterFirst } from '../core/ids.js';
import {
  acquireLeaseState,
  assertLeaseLive,
  decodeCursor,
  encodeCursor,
  isLive,
  pageLimit,
  releaseLeaseState,
  renewLeaseState,
  takeoverReason,
  throwIfAborted,
  timestampMs,
  toLease,
  validatePageCommit,
  isUndelivered,
  type LeaseState,
} from './common.js';

/** Options of {@link MemoryStateStore}. */
export interface MemoryStateStoreOptions {
  /**
   * Epoch-ms clock for lease expiry and store timestamps.
   * @defaultValue `Date.now`
   */
  clock?: (() => number) | undefined;
}

/** Keys of {@link MemoryStateStoreOptions}. */
const MEMORY_STORE_OPTION_SHAPE = { clock: true } as const satisfies OptionShape<MemoryStateStoreOptions>;

interface AccountData {
  lease: LeaseState;
  cursors: Map<string, StreamCursor>;
  seen: Map<string, Map<string, number>>; // stream → `${id}\n${updatedAt}` → updatedAt ms
  links: LinkRecord[];
  linkSeq: WeakMap<LinkRecord, number>; // insertion order, for stable paging
  hashes: Map<string, string>; // `${kind}\n${clinikoId}`
  deadLetters: Map<string, DeadLetter>;
  reviews: Map<string, Review>;
  audit: AuditEntry[];
  runs: Map<string, { seq: number; run: RunRecord }>;
  incidents: Map<string, AlertIncident>;
  plans: Map<string, SavedPlan>;
  staging: Map<string, Map<string, StagingRow>>; // `${runId}\n${side}\n${kind}` → id → row
  tradifyIndex: Map<string, TradifyIndexEntry>; // `${kind}\n${tradifyId}`
}

const clone = <T>(value: T): T => structuredClone(value);

/** Page a sorted array; `after(item, cursor)` says whether an item comes after the cursor. */
function paginate<T>(
  sorted: T[],
  cursorOf: (item: T) => string,
  after: (item: T, cursor: string) => boolean,
  options: PageOptions | undefined,
): StorePage<T> {
  const limit = pageLimit(options);
  const start = options?.cursor === undefined ? 0 : sorted.findIndex((item) => after(item, options.cursor!));
  if (start < 0) return { items: [], next: undefined };
  const items = sorted.slice(start, start + limit);
  const hasMore = start + limit < sorted.length;
  return { items: items.map(clone), next: hasMore && items.length > 0 ? cursorOf(items[items.length - 1]!) : undefined };
}

/** Paging by an id in {@link compareIdsShorterFirst} order. */
const byId = <T>(idOf: (item: T) => string) => [idOf, (item: T, cursor: string) => compareIdsShorterFirst(idOf(item), cursor) > 0] as const;

/**
 * A {@link StateStore} held in memory. Passes the same conformance suite as the durable stores.
 *
 * @example
 * ```ts
 * import { MemoryStateStore, SyncEngine } from 'cliniko-tradify';
 * const engine = new SyncEngine({ cliniko, tradify, store: new MemoryStateStore() });
 * ```
 */
export class MemoryStateStore implements StateStore {
  readonly #clock: () => number;
  readonly #accounts = new Map<string, AccountData>();
  #seq = 0;
  #closed = false;

  /** @throws ConfigError for an unknown option, naming the nearest valid one. */
  constructor(options: MemoryStateStoreOptions = {}) {
    rejectUnknownOptions(options, MEMORY_STORE_OPTION_SHAPE, { owner: 'MemoryStateStore' });
    this.#clock = options.clock ?? Date.now;
  }

  #nextId(): string {
    this.#seq += 1;
    return String(this.#seq);
  }

  #account(accountId: string, signal?: AbortSignal): AccountData {
    if (this.#closed) throw new ClinikoTradifyError('state_conflict', 'State store: the store is closed');
    throwIfAborted(signal);
    let data = this.#accounts.get(accountId);
    if (!data) {
      data = {
        lease: { fence: 0n, holder: undefined },
        cursors: new Map(),
        seen: new Map(),
        links: [],
        linkSeq: new WeakMap(),
        hashes: new Map(),
        deadLetters: new Map(),
        reviews: new Map(),
        audit: [],
        runs: new Map(),
        incidents: new Map(),
        plans: new Map(),
        staging: new Map(),
        tradifyIndex: new Map(),
      };
      this.#accounts.set(accountId, data);
    }
    return data;
  }

  // --- lease ---------------------------------------------------------------------------------

  async acquireLease(accountId: string, options: AcquireLeaseOptions): Promise<Lease> {
    const data = this.#account(accountId, options.signal);
    const now = this.#clock();
    const previous = data.lease;
    data.lease = acquireLeaseState(accountId, previous, options, now);
    const reason = options.reentrantToken === undefined ? takeoverReason(previous, now, false) : undefined;
    if (reason) {
      // Only a lease holder runs, so the runs still `running` are the expired holder's.
      for (const { run } of data.runs.values()) {
        if (run.status === 'running') Object.assign(run, { status: 'aborted', finishedAt: now, endReason: reason });
      }
    }
    return toLease(accountId, data.lease);
  }

  async renewLease(accountId: string, token: string, ttlMs: number, options?: StoreCallOptions): Promise<Lease> {
    const data = this.#account(accountId, options?.signal);
    data.lease = renewLeaseState(accountId, data.lease, token, ttlMs, this.#clock());
    return toLease(accountId, data.lease);
  }

  async releaseLease(accountId: string, token: string, options?: StoreCallOptions): Promise<boolean> {
    const data = this.#account(accountId, options?.signal);
    const result = releaseLeaseState(data.lease, token, this.#clock());
    data.lease = result.state;
    return result.released;
  }

  async getLease(accountId: string, options?: StoreCallOptions): Promise<Lease | undefined> {
    const data = this.#account(accountId, options?.signal);
    return isLive(data.lease, this.#clock()) ? toLease(accountId, data.lease) : undefined;
  }

  // --- commitPage ------------------------------------------------------------------------------

  async commitPage(accountId: string, token: string, page: PageCommit, options?: StoreCallOptions): Promise<void> {
    const data = this.#account(accountId, options?.signal);
    const now = this.#clock();
    assertLeaseLive(accountId, data.lease, token, now);
    validatePageCommit(page);
    // Validated above, so nothing below can fail half-way: the page lands whole.
    for (const [stream, cursor] of Object.entries(page.cursors ?? {})) data.cursors.set(stream, clone(cursor));
    for (const [stream, rows] of Object.entries(page.seen ?? {})) this.#addSeen(data, stream, rows);
    for (const [stream, before] of Object.entries(page.seenPruneBefore ?? {})) this.#pruneSeen(data, stream, timestampMs(before));
    for (const link of page.links ?? []) this.#upsertLink(data, link, now);
    for (const removal of page.unlinks ?? []) this.#removeLink(data, removal, now);
    for (const h of page.hashes ?? []) {
      const key = `${h.kind}\n${h.clinikoId}`;
      if (h.hash === null) data.hashes.delete(key);
      else data.hashes.set(key, h.hash);
    }
    for (const letter of page.deadLetters?.add ?? []) this.#addDeadLetter(accountId, data, letter, now);
    for (const close of page.deadLetters?.close ?? []) this.#closeDeadLetterFor(data, close, now);
    for (const review of page.reviews ?? []) this.#openReview(accountId, data, review, now);
    this.#appendAudit(accountId, data, page.audit ?? [], now);
    for (const entry of page.tradifyIndex ?? []) data.tradifyIndex.set(`${entry.kind}\n${entry.tradifyId}`, clone(entry));
  }

  // --- cursors and seen ------------------------------------------------------------------------

  readonly cursors = {
    get: async (accountId: string, stream: string, options?: StoreCallOptions): Promise<StreamCursor | undefined> => {
      const cursor = this.#account(accountId, options?.signal).cursors.get(stream);
      return cursor && clone(cursor);
    },
    list: async (accountId: string, options?: StoreCallOptions): Promise<Record<string, StreamCursor>> =>
      Object.fromEntries([...this.#account(accountId, options?.signal).cursors].map(([k, v]) => [k, clone(v)])),
  };

  readonly seen = {
    has: async (accountId: string, stream: string, entries: readonly SeenEntry[], options?: StoreCallOptions): Promise<boolean[]> => {
      const rows = this.#account(accountId, options?.signal).seen.get(stream);
      return entries.map((e) => rows?.has(`${e.id}\n${e.updatedAt}`) ?? false);
    },
    count: async (accountId: string, stream: string, options?: StoreCallOptions): Promise<number> =>
      this.#account(accountId, options?.signal).seen.get(stream)?.size ?? 0,
  };

  #addSeen(data: AccountData, stream: string, rows: readonly SeenEntry[]): void {
    let map = data.seen.get(stream);
    if (!map) data.seen.set(stream, (map = new Map()));
    for (const row of rows) map.set(`${row.id}\n${row.updatedAt}`, timestampMs(row.updatedAt));
  }

  #pruneSeen(data: AccountData, stream: string, beforeMs: number): void {
    const map = data.seen.get(stream);
    for (const [key, ms] of map ?? []) if (ms < beforeMs) map!.delete(key);
  }

  // --- links and hashes ------------------------------------------------------------------------

  #currentLink(data: AccountData, kind: LinkKind, clinikoId: string): LinkRecord | undefined {
    return data.links.find((l) => l.kind === kind && l.clinikoId === clinikoId && l.status === 'current');
  }

  #upsertLink(data: AccountData, input: LinkUpsert, now: number): void {
    const current = this.#currentLink(data, input.kind, input.clinikoId);
    const revision = input.revision ?? current?.revision ?? 0;
    if (current && current.tradifyId === input.tradifyId) {
      current.revision = revision;
      current.externalReference = input.externalReference ?? current.externalReference;
      current.tradifyUpdatedAt = input.tradifyUpdatedAt ?? current.tradifyUpdatedAt;
      current.mergedIntoClinikoId = input.mergedIntoClinikoId ?? current.mergedIntoClinikoId;
      current.updatedAt = now;
      return;
    }
    if (current) {
      current.status = 'superseded';
      current.supersededAt = now;
      current.supersededReason = input.supersededReason ?? (revision > current.revision ? 'reissue' : 'relink');
      current.updatedAt = now;
    }
    const link: LinkRecord = {
      kind: input.kind,
      clinikoId: input.clinikoId,
      tradifyId: input.tradifyId,
      status: 'current',
      revision,
      externalReference: input.externalReference,
      tradifyUpdatedAt: input.tradifyUpdatedAt,
      mergedIntoClinikoId: input.mergedIntoClinikoId,
      createdAt: now,
      updatedAt: now,
      supersededAt: undefined,
      supersededReason: undefined,
    };
    this.#seq += 1;
    data.linkSeq.set(link, this.#seq);
    data.links.push(link);
  }

  #removeLink(data: AccountData, removal: LinkRemoval, now: number): void {
    const current = this.#currentLink(data, removal.kind, removal.clinikoId);
    if (!current) return;
    current.status = 'superseded';
    current.supersededAt = now;
    current.supersededReason = removal.reason ?? 'unlinked';
    current.updatedAt = now;
  }

  readonly links = {
    getMany: async (accountId: string, kind: LinkKind, clinikoIds: readonly string[], options?: StoreCallOptions): Promise<Map<string, LinkRecord>> => {
      const data = this.#account(accountId, options?.signal);
      const wanted = new Set(clinikoIds);
      const out = new Map<string, LinkRecord>();
      for (const l of data.links) if (l.kind === kind && l.status === 'current' && wanted.has(l.clinikoId)) out.set(l.clinikoId, clone(l));
      return out;
    },
    getByTradifyId: async (accountId: string, kind: LinkKind, tradifyId: string, options?: StoreCallOptions): Promise<LinkRecord | undefined> => {
      const matches = this.#account(accountId, options?.signal).links.filter((l) => l.kind === kind && l.tradifyId === tradifyId);
      const best = matches.find((l) => l.status === 'current') ?? matches.sort((a, b) => (b.supersededAt ?? 0) - (a.supersededAt ?? 0))[0];
      return best && clone(best);
    },
    history: async (accountId: string, kind: LinkKind, clinikoId: string, options?: StoreCallOptions): Promise<LinkRecord[]> =>
      this.#account(accountId, options?.signal)
        .links.filter((l) => l.kind === kind && l.clinikoId === clinikoId)
        .map(clone),
    list: async (accountId: string, options: LinkListOptions): Promise<StorePage<LinkRecord>> => {
      const status = options.status ?? 'current';
      const data = this.#account(accountId, options.signal);
      const rows = data.links.filter(
        (l) => l.kind === options.kind && (status === 'all' || l.status === status),
      );
      const keyed = rows.map((l) => ({ l, seq: data.linkSeq.get(l)! }));
      keyed.sort((a, b) => compareIdsShorterFirst(a.l.clinikoId, b.l.clinikoId) || a.seq - b.seq);
      const page = paginate(
        keyed,
        (k) => encodeCursor([k.l.clinikoId, String(k.seq)]),
        (k, cursor) => {
          const [id, seq] = decodeCursor(cursor);
          return (compareIdsShorterFirst(k.l.clinikoId, id ?? '') || k.seq - Number(seq)) > 0;
        },
        options,
      );
      return { items: page.items.map((k) => k.l), next: page.next };
    },
  };

  readonly hashes = {
    getMany: async (accountId: string, kind: string, clinikoIds: readonly string[], options?: StoreCallOptions): Promise<Map<string, string>> => {
      const data = this.#account(accountId, options?.signal);
      const out = new Map<string, string>();
      for (const id of clinikoIds) {
        const hash = data.hashes.get(`${kind}\n${id}`);
        if (hash !== undefined) out.set(id, hash);
      }
      return out;
    },
  };

  // --- dead letters ----------------------------------------------------------------------------

  #addDeadLetter(accountId: string, data: AccountData, input: NewDeadLetter, now: number): DeadLetter {
    const open = [...data.deadLetters.values()].find((d) => d.status === 'open' && d.stream === input.stream && d.recordId === input.recordId);
    if (open) {
      open.attempts += 1;
      open.lastAttemptAt = now;
      open.reasonCode = input.reasonCode;
      open.message = input.message;
      open.paths = [...(input.paths ?? [])];
      open.updatedAt = input.updatedAt ?? open.updatedAt;
      return open;
    }
    const letter: DeadLetter = {
      id: this.#nextId(),
      accountId,
      stream: input.stream,
      recordId: input.recordId,
      updatedAt: input.updatedAt,
      reasonCode: input.reasonCode,
      message: input.message,
      paths: [...(input.paths ?? [])],
      attempts: 1,
      createdAt: now,
      lastAttemptAt: now,
      status: 'open',
      closedAt: undefined,
      resolution: undefined,
    };
    data.deadLetters.set(letter.id, letter);
    return letter;
  }

  #closeDeadLetterFor(data: AccountData, close: DeadLetterClose, now: number): void {
    for (const d of data.deadLetters.values()) {
      if (d.status === 'open' && d.stream === close.stream && d.recordId === close.recordId) {
        this.#closeDeadLetter(d, close.status, close.resolution, now);
      }
    }
  }

  #closeDeadLetter(letter: DeadLetter, status: 'resolved' | 'discarded', resolution: string | undefined, now: number): void {
    letter.status = status;
    letter.closedAt = now;
    letter.resolution = resolution ?? status;
  }

  #closeById(accountId: string, id: string, status: 'resolved' | 'discarded', resolution: string | undefined, options?: StoreCallOptions): DeadLetter | undefined {
    const letter = this.#account(accountId, options?.signal).deadLetters.get(id);
    if (!letter) return undefined;
    if (letter.status === 'open') this.#closeDeadLetter(letter, status, resolution, this.#clock());
    return clone(letter);
  }

  readonly deadLetters = {
    add: async (accountId: string, letter: NewDeadLetter, options?: StoreCallOptions): Promise<DeadLetter> => {
      const data = this.#account(accountId, options?.signal);
      validatePageCommit({ deadLetters: { add: [letter] } });
      return clone(this.#addDeadLetter(accountId, data, letter, this.#clock()));
    },
    get: async (accountId: string, id: string, options?: StoreCallOptions): Promise<DeadLetter | undefined> => {
      const letter = this.#account(accountId, options?.signal).deadLetters.get(id);
      return letter && clone(letter);
    },
    list: async (accountId: string, options?: DeadLetterListOptions): Promise<StorePage<DeadLetter>> => {
      const rows = [...this.#account(accountId, options?.signal).deadLetters.values()].filter(
        (d) =>
          (options?.status === undefined || d.status === options.status) &&
          (options?.stream === undefined || d.stream === options.stream) &&
          (options?.reasonCode === undefined || d.reasonCode === options.reasonCode),
      );
      rows.sort((a, b) => compareIdsShorterFirst(a.id, b.id));
      return paginate(rows, ...byId((d: DeadLetter) => d.id), options);
    },
    resolve: async (accountId: string, id: string, resolution?: string, options?: StoreCallOptions) =>
      this.#closeById(accountId, id, 'resolved', resolution, options),
    discard: async (accountId: string, id: string, resolution?: string, options?: StoreCallOptions) =>
      this.#closeById(accountId, id, 'discarded', resolution, options),
  };

  // --- reviews ---------------------------------------------------------------------------------

  #openReview(accountId: string, data: AccountData, input: NewReview, now: number): { review: Review; created: boolean } {
    const open = [...data.reviews.values()].find(
      (r) => r.status === 'open' && r.kind === input.kind && r.recordId === input.recordId && r.reasonCode === input.reasonCode,
    );
    if (open) return { review: open, created: false };
    const review: Review = {
      id: this.#nextId(),
      accountId,
      kind: input.kind,
      recordId: input.recordId,
      reasonCode: input.reasonCode,
      detail: clone(input.detail ?? {}),
      status: 'open',
      resolution: undefined,
      createdAt: now,
      resolvedAt: undefined,
    };
    data.reviews.set(review.id, review);
    return { review, created: true };
  }

  readonly reviews = {
    open: async (accountId: string, review: NewReview, options?: StoreCallOptions): Promise<{ review: Review; created: boolean }> => {
      const data = this.#account(accountId, options?.signal);
      validatePageCommit({ reviews: [review] });
      const result = this.#openReview(accountId, data, review, this.#clock());
      return { review: clone(result.review), created: result.created };
    },
    get: async (accountId: string, id: string, options?: StoreCallOptions): Promise<Review | undefined> => {
      const review = this.#account(accountId, options?.signal).reviews.get(id);
      return review && clone(review);
    },
    list: async (accountId: string, options?: ReviewListOptions): Promise<StorePage<Review>> => {
      const rows = [...this.#account(accountId, options?.signal).reviews.values()].filter(
        (r) =>
          (options?.status === undefined || r.status === options.status) &&
          (options?.kind === undefined || r.kind === options.kind) &&
          (options?.recordId === undefined || r.recordId === options.recordId),
      );
      rows.sort((a, b) => compareIdsShorterFirst(a.id, b.id));
      return paginate(rows, ...byId((r: Review) => r.id), options);
    },
    resolve: async (accountId: string, id: string, resolution: string, options?: StoreCallOptions): Promise<Review | undefined> => {
      const review = this.#account(accountId, options?.signal).reviews.get(id);
      if (!review) return undefined;
      if (review.status === 'open') {
        review.status = 'resolved';
        review.resolution = resolution;
        review.resolvedAt = this.#clock();
      }
      return clone(review);
    },
  };

  // --- audit -----------------------------------------------------------------------------------

  #appendAudit(accountId: string, data: AccountData, entries: readonly NewAuditEntry[], now: number): void {
    for (const e of entries) {
      data.audit.push({ ...clone(e), id: this.#nextId(), accountId, at: e.at ?? now, changedFields: [...(e.changedFields ?? [])] });
    }
  }

  readonly audit = {
    append: async (accountId: string, entries: readonly NewAuditEntry[], options?: StoreCallOptions): Promise<void> => {
      const data = this.#account(accountId, options?.signal);
      validatePageCommit({ audit: [...entries] });
      this.#appendAudit(accountId, data, entries, this.#clock());
    },
    list: async (accountId: string, options?: AuditListOptions): Promise<StorePage<AuditEntry>> => {
      const o = options ?? {};
      const rows = this.#account(accountId, o.signal).audit.filter(
        (e) =>
          (o.runId === undefined || e.runId === o.runId) &&
          (o.stream === undefined || e.stream === o.stream) &&
          (o.action === undefined || e.action === o.action) &&
          (o.clinikoId === undefined || e.clinikoId === o.clinikoId) &&
          (o.tradifyId === undefined || e.tradifyId === o.tradifyId) &&
          (o.since === undefined || e.at >= o.since) &&
          (o.until === undefined || e.at < o.until),
      );
      return paginate(rows, ...byId((e: AuditEntry) => e.id), o);
    },
    prune: async (accountId: string, before: number, options?: StoreCallOptions): Promise<number> => {
      const data = this.#account(accountId, options?.signal);
      const kept = data.audit.filter((e) => e.at >= before);
      const removed = data.audit.length - kept.length;
      data.audit = kept;
      return removed;
    },
  };

  // --- runs ------------------------------------------------------------------------------------

  readonly runs = {
    start: async (accountId: string, run: { kind: string; id?: string | undefined }, options?: StoreCallOptions): Promise<RunRecord> => {
      const data = this.#account(accountId, options?.signal);
      const id = run.id ?? this.#nextId();
      if (data.runs.has(id)) throw new ClinikoTradifyError('state_conflict', `State store: run '${id}' already exists`);
      const record: RunRecord = { id, accountId, kind: run.kind, status: 'running', startedAt: this.#clock(), finishedAt: undefined, summary: undefined };
      this.#seq += 1;
      data.runs.set(id, { seq: this.#seq, run: record });
      return clone(record);
    },
    finish: async (
      accountId: string,
      runId: string,
      result: { status: Exclude<RunStatus, 'running'>; summary?: Record<string, JsonValue> | undefined },
      options?: StoreCallOptions,
    ): Promise<RunRecord | undefined> => {
      const entry = this.#account(accountId, options?.signal).runs.get(runId);
      if (!entry) return undefined;
      entry.run.status = result.status;
      entry.run.finishedAt = this.#clock();
      entry.run.summary = clone(result.summary);
      entry.run.endReason = undefined;
      return clone(entry.run);
    },
    get: async (accountId: string, runId: string, options?: StoreCallOptions): Promise<RunRecord | undefined> => {
      const entry = this.#account(accountId, options?.signal).runs.get(runId);
      return entry && clone(entry.run);
    },
    last: async (accountId: string, filter?: { kind?: string | undefined; status?: RunStatus | undefined }, options?: StoreCallOptions) =>
      (await this.runs.list(accountId, { ...filter, limit: 1, signal: options?.signal })).items[0],
    list: async (accountId: string, options?: RunListOptions): Promise<StorePage<RunRecord>> => {
      const rows = [...this.#account(accountId, options?.signal).runs.values()].filter(
        ({ run }) => (options?.kind === undefined || run.kind === options.kind) && (options?.status === undefined || run.status === options.status),
      );
      rows.sort((a, b) => b.seq - a.seq); // newest first
      const page = paginate(rows, (r) => String(r.seq), (r, cursor) => r.seq < Number(cursor), options);
      return { items: page.items.map((r) => r.run), next: page.next };
    },
  };

  // --- incidents, plans ------------------------------------------------------------------------

  readonly incidents = {
    get: async (accountId: string, fingerprint: string, options?: StoreCallOptions): Promise<AlertIncident | undefined> => {
      const incident = this.#account(accountId, options?.signal).incidents.get(fingerprint);
      return incident && clone(incident);
    },
    put: async (accountId: string, incident: AlertIncident, options?: StoreCallOptions): Promise<void> => {
      this.#account(accountId, options?.signal).incidents.set(incident.fingerprint, clone(incident));
    },
    list: async (accountId: string, filter?: IncidentListFilter, options?: StoreCallOptions): Promise<AlertIncident[]> =>
      [...this.#account(accountId, options?.signal).incidents.values()]
        .filter((i) => filter?.state === undefined || i.state === filter.state)
        .filter((i) => !filter?.undelivered || isUndelivered(i))
        .sort((a, b) => a.firstSeenAt - b.firstSeenAt)
        .map(clone),
  };

  readonly plans = {
    save: async (accountId: string, plan: SavedPlan, options?: StoreCallOptions): Promise<void> => {
      this.#account(accountId, options?.signal).plans.set(plan.id, clone(plan));
    },
    get: async (accountId: string, id: string, options?: StoreCallOptions): Promise<SavedPlan | undefined> => {
      const plan = this.#account(accountId, options?.signal).plans.get(id);
      return plan && clone(plan);
    },
    delete: async (accountId: string, id: string, options?: StoreCallOptions): Promise<boolean> =>
      this.#account(accountId, options?.signal).plans.delete(id),
  };

  // --- staging ---------------------------------------------------------------------------------

  #stagingBucket(data: AccountData, s: StagingSelector, create: boolean): Map<string, StagingRow> | undefined {
    const key = `${s.runId}\n${s.side}\n${s.kind}`;
    let bucket = data.staging.get(key);
    if (!bucket && create) data.staging.set(key, (bucket = new Map()));
    return bucket;
  }

  readonly staging = {
    put: async (accountId: string, rows: readonly StagingRow[], options?: StoreCallOptions): Promise<void> => {
      const data = this.#account(accountId, options?.signal);
      for (const row of rows) this.#stagingBucket(data, row, true)!.set(row.id, clone(row));
    },
    list: async (accountId: string, selector: StagingSelector, options?: PageOptions): Promise<StorePage<StagingRow>> => {
      const bucket = this.#stagingBucket(this.#account(accountId, options?.signal), selector, false);
      const rows = [...(bucket?.values() ?? [])].sort((a, b) => compareIdsShorterFirst(a.id, b.id));
      return paginate(rows, ...byId((r: StagingRow) => r.id), options);
    },
    getMany: async (accountId: string, selector: StagingSelector, ids: readonly string[], options?: StoreCallOptions): Promise<Map<string, StagingRow>> => {
      const bucket = this.#stagingBucket(this.#account(accountId, options?.signal), selector, false);
      const out = new Map<string, StagingRow>();
      for (const id of ids) {
        const row = bucket?.get(id);
        if (row) out.set(id, clone(row));
      }
      return out;
    },
    findByKey: async (accountId: string, selector: StagingSelector, key: string, options?: StoreCallOptions): Promise<StagingRow[]> => {
      const bucket = this.#stagingBucket(this.#account(accountId, options?.signal), selector, false);
      return [...(bucket?.values() ?? [])].filter((r) => r.key === key).sort((a, b) => compareIdsShorterFirst(a.id, b.id)).map(clone);
    },
    count: async (accountId: string, selector: StagingSelector, options?: StoreCallOptions): Promise<number> =>
      this.#stagingBucket(this.#account(accountId, options?.signal), selector, false)?.size ?? 0,
    clear: async (accountId: string, runId: string, options?: StoreCallOptions): Promise<number> => {
      const data = this.#account(accountId, options?.signal);
      let removed = 0;
      for (const [key, bucket] of data.staging) {
        if (key.startsWith(`${runId}\n`)) {
          removed += bucket.size;
          data.staging.delete(key);
        }
      }
      return removed;
    },
  };

  // --- tradify index ---------------------------------------------------------------------------

  #indexEntries(accountId: string, kind: TradifyIndexEntry['kind'], signal?: AbortSignal): TradifyIndexEntry[] {
    return [...this.#account(accountId, signal).tradifyIndex.values()].filter((e) => e.kind === kind);
  }

  readonly tradifyIndex = {
    get: async (accountId: string, kind: TradifyIndexEntry['kind'], tradifyId: string, options?: StoreCallOptions) => {
      const entry = this.#account(accountId, options?.signal).tradifyIndex.get(`${kind}\n${tradifyId}`);
      return entry && clone(entry);
    },
    findByExternalReference: async (accountId: string, kind: TradifyIndexEntry['kind'], ref: string, options?: StoreCallOptions) =>
      this.#indexEntries(accountId, kind, options?.signal)
        .filter((e) => e.externalReference === ref)
        .sort((a, b) => compareIdsShorterFirst(a.tradifyId, b.tradifyId))
        .map(clone),
    findByEmailHash: async (accountId: string, kind: TradifyIndexEntry['kind'], hash: string, options?: StoreCallOptions) =>
      this.#indexEntries(accountId, kind, options?.signal)
        .filter((e) => e.emailHash === hash)
        .sort((a, b) => compareIdsShorterFirst(a.tradifyId, b.tradifyId))
        .map(clone),
    count: async (accountId: string, kind: TradifyIndexEntry['kind'], options?: StoreCallOptions) =>
      this.#indexEntries(accountId, kind, options?.signal).length,
  };

  /** Drop everything; the store refuses calls afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#accounts.clear();
  }
}
