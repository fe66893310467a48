/**
 * A custom StateStore: everything kept in ONE JSON file, replaced atomically (write a temp
 * file, fsync, rename) after every change. It delegates the semantics to MemoryStateStore and
 * records each successful write as an operation; opening the file replays them. It passes the
 * library's conformance suite (test/examples/custom-state-store.test.ts).
 *
 * Fit for one process and small accounts (the log grows with every run and the whole file is
 * rewritten per change): it shows the shape of a store, not a production database.
 *
 *   npx tsx examples/custom-state-store.ts
 */
import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MemoryStateStore, createLeaseOwner, type StateStore } from 'cliniko-tradify';

type Group = 'deadLetters' | 'reviews' | 'audit' | 'runs' | 'incidents' | 'plans' | 'staging';

/** One recorded write: when (the store's clock), where, and its arguments. */
interface Operation {
  at: number;
  group: Group | null;
  method: string;
  args: unknown[];
}

const WRITES: Record<Group, readonly string[]> = {
  deadLetters: ['add', 'resolve', 'discard'],
  reviews: ['open', 'resolve'],
  audit: ['append', 'prune'],
  runs: ['start', 'finish'],
  incidents: ['put'],
  plans: ['save', 'delete'],
  staging: ['put', 'clear'],
};

/** Drops `signal` (not data) from option objects before they are written. */
function storable(args: unknown[]): unknown[] {
  return JSON.parse(JSON.stringify(args, (key, value: unknown) => (key === 'signal' ? undefined : value))) as unknown[];
}

/** Writes `text` to `path` atomically: a crash leaves the old file or the new one, never half. */
function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** Options of {@link JsonFileStateStore}. */
export interface JsonFileStateStoreOptions {
  /** The JSON file (created with mode 0600). */
  path: string;
  /** Epoch-ms clock. @defaultValue `Date.now` */
  clock?: (() => number) | undefined;
}

/** A StateStore in one JSON file, written with an atomic rename. */
export class JsonFileStateStore implements StateStore {
  readonly #path: string;
  readonly #clock: () => number;
  readonly #inner: MemoryStateStore;
  readonly #log: Operation[] = [];
  #replayAt: number | undefined;

  readonly cursors: StateStore['cursors'];
  readonly seen: StateStore['seen'];
  readonly links: StateStore['links'];
  readonly hashes: StateStore['hashes'];
  readonly tradifyIndex: StateStore['tradifyIndex'];
  readonly deadLetters: StateStore['deadLetters'];
  readonly reviews: StateStore['reviews'];
  readonly audit: StateStore['audit'];
  readonly runs: StateStore['runs'];
  readonly incidents: StateStore['incidents'];
  readonly plans: StateStore['plans'];
  readonly staging: StateStore['staging'];

  constructor(options: JsonFileStateStoreOptions) {
    this.#path = options.path;
    this.#clock = options.clock ?? Date.now;
    this.#inner = new MemoryStateStore({ clock: () => this.#replayAt ?? this.#clock() });
    this.cursors = this.#inner.cursors;
    this.seen = this.#inner.seen;
    this.links = this.#inner.links;
    this.hashes = this.#inner.hashes;
    this.tradifyIndex = this.#inner.tradifyIndex;
    this.deadLetters = this.#group('deadLetters');
    this.reviews = this.#group('reviews');
    this.audit = this.#group('audit');
    this.runs = this.#group('runs');
    this.incidents = this.#group('incidents');
    this.plans = this.#group('plans');
    this.staging = this.#group('staging');
  }

  /** Opens the file (replaying what it holds) or starts an empty one. */
  static async open(options: JsonFileStateStoreOptions): Promise<JsonFileStateStore> {
    const store = new JsonFileStateStore(options);
    if (existsSync(options.path)) await store.#replay(JSON.parse(readFileSync(options.path, 'utf8')) as { operations: Operation[] });
    return store;
  }

  acquireLease: StateStore['acquireLease'] = (...args) => this.#write(null, 'acquireLease', args, () => this.#inner.acquireLease(...args));
  renewLease: StateStore['renewLease'] = (...args) => this.#write(null, 'renewLease', args, () => this.#inner.renewLease(...args));
  releaseLease: StateStore['releaseLease'] = (...args) => this.#write(null, 'releaseLease', args, () => this.#inner.releaseLease(...args));
  commitPage: StateStore['commitPage'] = (...args) => this.#write(null, 'commitPage', args, () => this.#inner.commitPage(...args));
  getLease: StateStore['getLease'] = (...args) => this.#inner.getLease(...args);
  close: StateStore['close'] = () => this.#inner.close();

  /** The group with its write methods recorded and its reads passed through. */
  #group<G extends Group>(group: G): StateStore[G] {
    const inner = this.#inner[group] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const wrapped: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    for (const method of Object.keys(inner)) {
      const call = (...args: unknown[]): Promise<unknown> => inner[method]!(...args);
      wrapped[method] = WRITES[group].includes(method) ? (...args) => this.#write(group, method, args, () => call(...args)) : call;
    }
    return wrapped as unknown as StateStore[G];
  }

  async #write<T>(group: Group | null, method: string, args: unknown[], run: () => Promise<T>): Promise<T> {
    const at = this.#clock();
    const result = await run();
    this.#log.push({ at, group, method, args: storable(args) });
    writeAtomically(this.#path, JSON.stringify({ version: 1, operations: this.#log }));
    return result;
  }

  async #replay(file: { operations: Operation[] }): Promise<void> {
    for (const op of file.operations) {
      this.#replayAt = op.at;
      const target = (op.group === null ? this.#inner : this.#inner[op.group]) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      await target[op.method]!(...op.args).catch(() => undefined);
      this.#log.push(op);
    }
    this.#replayAt = undefined;
  }
}

async function main(): Promise<void> {
  const path = join(mkdtempSync(join(tmpdir(), 'json-store-')), 'state.json');
  const first = await JsonFileStateStore.open({ path });
  const lease = await first.acquireLease('default', { owner: createLeaseOwner(), ttlMs: 60_000 });
  await first.commitPage('default', lease.token, { cursors: { patients: { updatedAt: '2026-01-15T00:00:00Z', id: '1390710863102485699' } } });
  await first.releaseLease('default', lease.token);
  await first.close();

  const reopened = await JsonFileStateStore.open({ path });
  const cursor = await reopened.cursors.get('default', 'patients');
  console.log(`reopened ${path}: patients cursor ${cursor?.updatedAt} / ${cursor?.id}`);
  await reopened.close();
  if (cursor?.id !== '1390710863102485699') throw new Error('the cursor did not survive a reopen');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
