/**
 * The conformance suite every {@link StateStore} must pass, runner-agnostic: pass your test
 * runner's `describe`, `it` and `expect` (vitest, jest, …) and a factory for fresh stores.
 * Importing this module loads no test runner.
 *
 * @module
 */

import type { PageCommit, StateStore } from '../sync/ports.js';

/** The matchers the suite uses; vitest's and jest's `expect` provide them. */
export interface ConformanceMatchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeUndefined(): void;
  toBeGreaterThan(expected: number | bigint): void;
  toHaveLength(expected: number): void;
}

/** The parts of a test runner the suite needs. */
export interface ConformanceRunner {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
  expect(actual: unknown): ConformanceMatchers;
}

/** What the suite hands the factory: a controllable clock the store MUST use for every time it reads. */
export interface StateStoreFactoryContext {
  /** Epoch ms, advanced by the tests to expire leases without waiting. */
  clock: () => number;
}

/** Makes a fresh, empty store for one test. */
export type StateStoreFactory = (context: StateStoreFactoryContext) => StateStore | Promise<StateStore>;

/** Options of {@link runStateStoreConformance}. */
export interface StateStoreConformanceOptions {
  /**
   * The name of the enclosing `describe`.
   * @defaultValue `'StateStore conformance'`
   */
  name?: string | undefined;
}

const ACCOUNT = 'acct-a';
const OTHER = 'acct-b';
const TTL = 30_000;
const START = Date.UTC(2026, 0, 15, 0, 0, 0);

interface Harness {
  store: StateStore;
  advance(ms: number): void;
  now(): number;
}

/**
 * Register the state-store conformance tests with a test runner.
 *
 * @param runner - `{ describe, it, expect }` from your test runner.
 * @param makeStore - returns a fresh, empty store using `context.clock` for all its times.
 * @example
 * ```ts
 * import { describe, it, expect } from 'vitest';
 * import { runStateStoreConformance } from 'cliniko-tradify/testing';
 * import { MemoryStateStore } from 'cliniko-tradify';
 * runStateStoreConformance({ describe, it, expect }, ({ clock }) => new MemoryStateStore({ clock }));
 * ```
 */
export function runStateStoreConformance(runner: ConformanceRunner, makeStore: StateStoreFactory, options: StateStoreConformanceOptions = {}): void {
  const { describe, it, expect } = runner;

  /** Run a test body on a fresh store, closing it afterwards. */
  const test = (name: string, body: (h: Harness) => Promise<void>): void => {
    it(name, async () => {
      let time = START;
      const store = await makeStore({ clock: () => time });
      try {
        await body({ store, advance: (ms) => (time += ms), now: () => time });
      } finally {
        await store.close();
      }
    });
  };

  const failure = async (promise: Promise<unknown>): Promise<Error | undefined> => {
    try {
      await promise;
      return undefined;
    } catch (error) {
      return error as Error;
    }
  };
  const expectRejects = async (promise: Promise<unknown>, name: string): Promise<void> => {
    expect((await failure(promise))?.name).toBe(name);
  };
  const acquire = (store: StateStore, accountId = ACCOUNT, owner = 'host:1:a') => store.acquireLease(accountId, { owner, ttlMs: TTL });

  describe(options.name ?? 'StateStore conformance', () => {
    describe('lease', () => {
      test('acquires a lease and refuses a second top-level acquisition, even by the same owner', async ({ store }) => {
        const lease = await acquire(store);
        expect(lease.owner).toBe('host:1:a');
        expect(lease.expiresAt).toBe(START + TTL);
        expect(lease.depth).toBe(0);
        expect((await store.getLease(ACCOUNT))?.token).toBe(lease.token);
        await expectRejects(acquire(store, ACCOUNT, 'host:1:a'), 'LeaseHeldError');
        await expectRejects(acquire(store, ACCOUNT, 'host:2:b'), 'LeaseHeldError');
      });

      test('an expired lease is free and is taken over with a greater fencing token', async ({ store, advance }) => {
        const first = await acquire(store);
        advance(TTL + 1);
        expect(await store.getLease(ACCOUNT)).toBeUndefined();
        const second = await acquire(store, ACCOUNT, 'host:2:b');
        expect(BigInt(second.token)).toBeGreaterThan(BigInt(first.token));
        expect(second.owner).toBe('host:2:b');
      });

      test('tokens keep growing after a release (never reused)', async ({ store }) => {
        const first = await acquire(store);
        expect(await store.releaseLease(ACCOUNT, first.token)).toBe(true);
        expect(await store.getLease(ACCOUNT)).toBeUndefined();
        const second = await acquire(store);
        expect(BigInt(second.token)).toBeGreaterThan(BigInt(first.token));
      });

      test('a lost lease cannot commit, renew or release, and its commit writes nothing', async ({ store, advance }) => {
        const stale = await acquire(store);
        advance(TTL + 1);
        const fresh = await acquire(store, ACCOUNT, 'host:2:b');
        const page: PageCommit = {
          cursors: { patients: { updatedAt: '2026-01-15T00:00:00Z', id: '5' } },
          links: [{ kind: 'patient', clinikoId: '5', tradifyId: 't5' }],
          audit: [{ stream: 'patients', action: 'create', clinikoId: '5' }],
        };
        await expectRejects(store.commitPage(ACCOUNT, stale.token, page), 'LeaseLostError');
        await expectRejects(store.renewLease(ACCOUNT, stale.token, TTL), 'LeaseLostError');
        expect(await store.releaseLease(ACCOUNT, stale.token)).toBe(false);
        expect(await store.cursors.get(ACCOUNT, 'patients')).toBeUndefined();
        expect((await store.links.getMany(ACCOUNT, 'patient', ['5'])).size).toBe(0);
        expect((await store.audit.list(ACCOUNT)).items).toHaveLength(0);
        expect((await store.getLease(ACCOUNT))?.token).toBe(fresh.token);
      });

      test('an expired lease cannot commit even before anyone takes it over', async ({ store, advance }) => {
        const lease = await acquire(store);
        advance(TTL + 1);
        await expectRejects(store.commitPage(ACCOUNT, lease.token, { cursors: { patients: { updatedAt: '2026-01-15T00:00:00Z', id: '1' } } }), 'LeaseLostError');
        expect(await store.cursors.get(ACCOUNT, 'patients')).toBeUndefined();
      });

      test('a heartbeat keeps the lease alive past its first expiry', async ({ store, advance, now }) => {
        const lease = await acquire(store);
        advance(TTL - 1_000);
        const renewed = await store.renewLease(ACCOUNT, lease.token, TTL);
        expect(renewed.token).toBe(lease.token);
        expect(renewed.expiresAt).toBe(now() + TTL);
        advance(TTL - 1_000);
        await store.commitPage(ACCOUNT, lease.token, { cursors: { patients: { updatedAt: '2026-01-15T00:00:00Z', id: '1' } } });
        expect((await store.cursors.get(ACCOUNT, 'patients'))?.id).toBe('1');
        await expectRejects(acquire(store, ACCOUNT, 'host:2:b'), 'LeaseHeldError');
      });

      test('re-entry is allowed only with the live token, and nested releases keep the outer hold', async ({ store }) => {
        const outer = await acquire(store);
        const nested = await store.acquireLease(ACCOUNT, { owner: 'host:1:a', ttlMs: TTL, reentrantToken: outer.token });
        expect(nested.token).toBe(outer.token);
        expect(nested.depth).toBe(1);
        await expectRejects(store.acquireLease(ACCOUNT, { owner: 'host:1:a', ttlMs: TTL, reentrantToken: `${outer.token}9` }), 'LeaseLostError');
        expect(await store.releaseLease(ACCOUNT, outer.token)).toBe(true);
        expect((await store.getLease(ACCOUNT))?.depth).toBe(0);
        await expectRejects(acquire(store), 'LeaseHeldError');
        expect(await store.releaseLease(ACCOUNT, outer.token)).toBe(true);
        expect(await store.getLease(ACCOUNT)).toBeUndefined();
        await expectRejects(store.acquireLease(ACCOUNT, { owner: 'host:1:a', ttlMs: TTL, reentrantToken: outer.token }), 'LeaseLostError');
      });

      test('a non-positive TTL is refused', async ({ store }) => {
        const error = await failure(store.acquireLease(ACCOUNT, { owner: 'host:1:a', ttlMs: 0 }));
        expect(error === undefined).toBe(false);
        expect(await store.getLease(ACCOUNT)).toBeUndefined();
      });
    });

    describe('runs of a dead lease holder', () => {
      test('taking over an expired lease ends the running runs as aborted, with when and why', async ({ store, advance, now }) => {
        await acquire(store);
        const done = await store.runs.start(ACCOUNT, { kind: 'sync', id: 'done' });
        await store.runs.finish(ACCOUNT, done.id, { status: 'succeeded' });
        const dead = await store.runs.start(ACCOUNT, { kind: 'sync', id: 'dead' });
        const elsewhere = await store.runs.start(OTHER, { kind: 'sync', id: 'elsewhere' });
        advance(TTL + 1);
        await acquire(store, ACCOUNT, 'host:2:b');
        const aborted = await store.runs.get(ACCOUNT, dead.id);
        expect(aborted?.status).toBe('aborted');
        expect(aborted?.finishedAt).toBe(now());
        expect(aborted?.endReason).toBe('lease-expired');
        expect((await store.runs.list(ACCOUNT, { status: 'running' })).items).toHaveLength(0);
        expect((await store.runs.get(ACCOUNT, done.id))?.status).toBe('succeeded');
        expect((await store.runs.get(ACCOUNT, done.id))?.endReason).toBeUndefined();
        expect((await store.runs.get(OTHER, elsewhere.id))?.status).toBe('running');
      });

      test('a refused acquisition, a re-entry and a nested release leave the holder’s run running', async ({ store, advance }) => {
        const lease = await acquire(store);
        const run = await store.runs.start(ACCOUNT, { kind: 'sync' });
        await expectRejects(acquire(store, ACCOUNT, 'host:2:b'), 'LeaseHeldError');
        await store.acquireLease(ACCOUNT, { owner: 'host:1:a', ttlMs: TTL, reentrantToken: lease.token });
        await store.releaseLease(ACCOUNT, lease.token);
        advance(TTL - 1);
        await store.renewLease(ACCOUNT, lease.token, TTL);
        expect((await store.runs.get(ACCOUNT, run.id))?.status).toBe('running');
        expect((await store.runs.get(ACCOUNT, run.id))?.endReason).toBeUndefined();
      });
    });

    describe('commitPage', () => {
      test('is all or nothing: one bad element leaves the store untouched', async ({ store }) => {
        const { token } = await acquire(store);
        const bad: PageCommit = {
          cursors: { patients: { updatedAt: '2026-01-15T00:00:00Z', id: '7' } },
          seen: { patients: [{ id: '7', updatedAt: '2026-01-15T00:00:00Z' }] },
          hashes: [{ kind: 'patient', clinikoId: '7', hash: 'h7' }],
          reviews: [{ kind: 'patient', recordId: '7', reasonCode: 'r' }],
          deadLetters: { add: [{ stream: 'patients', recordId: '8', reasonCode: 'schema', message: 'bad' }] },
          links: [{ kind: 'patient', clinikoId: '7', tradifyId: '' }],
        };
        expect((await failure(store.commitPage(ACCOUNT, token, bad))) === undefined).toBe(false);
        expect(await store.cursors.get(ACCOUNT, 'patients')).toBeUndefined();
        expect(await store.seen.has(ACCOUNT, 'patients', [{ id: '7', updatedAt: '2026-01-15T00:00:00Z' }])).toEqual([false]);
        expect((await store.hashes.getMany(ACCOUNT, 'patient', ['7'])).size).toBe(0);
        expect((await store.reviews.list(ACCOUNT)).items).toHaveLength(0);
        expect((await store.deadLetters.list(ACCOUNT)).items).toHaveLength(0);
      });

      test('writes every section of a page together', async ({ store }) => {
        const { token } = await acquire(store);
        await store.commitPage(ACCOUNT, token, {
          cursors: { invoices: { updatedAt: '2026-01-15T01:00:00Z', id: '42', extra: { drain: true } } },
          seen: { invoices: [{ id: '42', updatedAt: '2026-01-15T01:00:00Z' }] },
          links: [{ kind: 'invoice', clinikoId: '42', tradifyId: 'inv-1', externalReference: 'cliniko:invoice:42', tradifyUpdatedAt: '2026-01-15T01:00:05Z' }],
          hashes: [{ kind: 'invoice', clinikoId: '42', hash: 'abc' }],
          deadLetters: { add: [{ stream: 'invoices', recordId: '43', reasonCode: 'schema', message: 'invoice 43 failed', paths: ['total_amount'] }] },
          reviews: [{ kind: 'invoice', recordId: '44', reasonCode: 'paid-to-closed', detail: { fields: ['status'] } }],
          audit: [{ stream: 'invoices', action: 'create', clinikoId: '42', tradifyId: 'inv-1', changedFields: ['lines'], requestId: 'req-1' }],
          tradifyIndex: [{ kind: 'invoice', tradifyId: 'inv-1', externalReference: 'cliniko:invoice:42' }],
        });
        expect(await store.cursors.get(ACCOUNT, 'invoices')).toEqual({ updatedAt: '2026-01-15T01:00:00Z', id: '42', extra: { drain: true } });
        expect(await store.seen.has(ACCOUNT, 'invoices', [{ id: '42', updatedAt: '2026-01-15T01:00:00Z' }])).toEqual([true]);
        expect((await store.links.getMany(ACCOUNT, 'invoice', ['42'])).get('42')?.tradifyUpdatedAt).toBe('2026-01-15T01:00:05Z');
        expect((await store.hashes.getMany(ACCOUNT, 'invoice', ['42'])).get('42')).toBe('abc');
        expect((await store.deadLetters.list(ACCOUNT)).items[0]?.paths).toEqual(['total_amount']);
        expect((await store.reviews.list(ACCOUNT)).items[0]?.detail).toEqual({ fields: ['status'] });
        expect((await store.audit.list(ACCOUNT)).items[0]?.requestId).toBe('req-1');
        expect((await store.tradifyIndex.findByExternalReference(ACCOUNT, 'invoice', 'cliniko:invoice:42'))[0]?.tradifyId).toBe('inv-1');
      });

      test('an aborted signal stops the call with AbortError and writes nothing', async ({ store }) => {
        const { token } = await acquire(store);
        const controller = new AbortController();
        controller.abort();
        await expectRejects(
          store.commitPage(ACCOUNT, token, { cursors: { patients: { updatedAt: '2026-01-15T00:00:00Z', id: '1' } } }, { signal: controller.signal }),
          'AbortError',
        );
        expect(await store.cursors.get(ACCOUNT, 'patients')).toBeUndefined();
      });
    });

    describe('cursors and seen window', () => {
      test('cursors are per stream and replaced by later commits', async ({ store }) => {
        const { token } = await acquire(store);
        await store.commitPage(ACCOUNT, token, { cursors: { patients: { updatedAt: '2026-01-15T00:00:00Z', id: '1' }, invoices: { updatedAt: '2026-01-14T00:00:00Z', id: '9' } } });
        await store.commitPage(ACCOUNT, token, { cursors: { patients: { updatedAt: '2026-01-15T00:00:01Z', id: '2' } } });
        expect(await store.cursors.list(ACCOUNT)).toEqual({
          patients: { updatedAt: '2026-01-15T00:00:01Z', id: '2' },
          invoices: { updatedAt: '2026-01-14T00:00:00Z', id: '9' },
        });
      });

      test('seen rows match exact (id, updated_at) pairs and prune by time', async ({ store }) => {
        const { token } = await acquire(store);
        await store.commitPage(ACCOUNT, token, {
          seen: {
            patients: [
              { id: '1', updatedAt: '2026-01-15T00:00:00Z' },
              { id: '2', updatedAt: '2026-01-15T00:02:00Z' },
              { id: '3', updatedAt: '2026-01-15T00:04:00.500Z' },
            ],
          },
        });
        expect(
          await store.seen.has(ACCOUNT, 'patients', [
            { id: '1', updatedAt: '2026-01-15T00:00:00Z' },
            { id: '1', updatedAt: '2026-01-15T00:00:01Z' },
            { id: '3', updatedAt: '2026-01-15T00:04:00.500Z' },
          ]),
        ).toEqual([true, false, true]);
        expect(await store.seen.has(ACCOUNT, 'invoices', [{ id: '1', updatedAt: '2026-01-15T00:00:00Z' }])).toEqual([false]);
        await store.commitPage(ACCOUNT, token, { seenPruneBefore: { patients: '2026-01-15T00:02:00Z' } });
        expect(await store.seen.count(ACCOUNT, 'patients')).toBe(2);
        expect(await store.seen.has(ACCOUNT, 'patients', [{ id: '1', updatedAt: '2026-01-15T00:00:00Z' }, { id: '2', updatedAt: '2026-01-15T00:02:00Z' }])).toEqual([false, true]);
      });
    });

    describe('links and hashes', () => {
      test('links are batched by Cliniko id, found by Tradify id, and superseded on reissue', async ({ store }) => {
        const { token } = await acquire(store);
        await store.commitPage(ACCOUNT, token, {
          links: [
            { kind: 'invoice', clinikoId: '1390710863102485699', tradifyId: 'inv-a', externalReference: 'cliniko:invoice:1390710863102485699' },
            { kind: 'patient', clinikoId: '1390710863102485699', tradifyId: 'cus-a' },
          ],
        });
        await store.commitPage(ACCOUNT, token, {
          links: [{ kind: 'invoice', clinikoId: '1390710863102485699', tradifyId: 'inv-b', revision: 1, externalReference: 'cliniko:invoice:1390710863102485699:r1' }],
        });
        const current = (await store.links.getMany(ACCOUNT, 'invoice', ['1390710863102485699', '404'])).get('1390710863102485699');
        expect(current?.tradifyId).toBe('inv-b');
        expect(current?.revision).toBe(1);
        const old = await store.links.getByTradifyId(ACCOUNT, 'invoice', 'inv-a');
        expect(old?.status).toBe('superseded');
        expect(old?.supersededReason).toBe('reissue');
        expect((await store.links.history(ACCOUNT, 'invoice', '1390710863102485699')).map((l) => l.tradifyId)).toEqual(['inv-a', 'inv-b']);
        expect((await store.links.getByTradifyId(ACCOUNT, 'patient', 'cus-a'))?.status).toBe('current');
        expect(await store.links.getByTradifyId(ACCOUNT, 'patient', 'inv-b')).toBeUndefined();
      });

      test('rewriting the same link updates it in place; unlink and merge keep history', async ({ store }) => {
        const { token } = await acquire(store);
        await store.commitPage(ACCOUNT, token, { links: [{ kind: 'patient', clinikoId: '7', tradifyId: 'c7' }] });
        await store.commitPage(ACCOUNT, token, { links: [{ kind: 'patient', clinikoId: '7', tradifyId: 'c7', tradifyUpdatedAt: '2026-01-15T02:00:00Z', mergedIntoClinikoId: '8' }] });
        const history = await store.links.history(ACCOUNT, 'patient', '7');
        expect(history).toHaveLength(1);
        expect(history[0]?.mergedIntoClinikoId).toBe('8');
        expect(history[0]?.tradifyUpdatedAt).toBe('2026-01-15T02:00:00Z');
        await store.commitPage(ACCOUNT, token, { unlinks: [{ kind: 'patient', clinikoId: '7', reason: 'merged' }] });
        expect((await store.links.getMany(ACCOUNT, 'patient', ['7'])).size).toBe(0);
        expect((await store.links.getByTradifyId(ACCOUNT, 'patient', 'c7'))?.supersededReason).toBe('merged');
      });

      test('lists links in numeric id order across pages', async ({ store }) => {
        const { token } = await acquire(store);
        const ids = ['100', '9', '1390710863102485699', '10', '999999999999999999', '2'];
        await store.commitPage(ACCOUNT, token, { links: ids.map((id) => ({ kind: 'patient' as const, clinikoId: id, tradifyId: `c${id}` })) });
        await store.commitPage(ACCOUNT, token, { links: [{ kind: 'patient', clinikoId: '10', tradifyId: 'c10-new' }] });
        const seenIds: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.links.list(ACCOUNT, { kind: 'patient', limit: 4, cursor });
          seenIds.push(...page.items.map((l) => l.clinikoId));
          cursor = page.next;
        } while (cursor !== undefined);
        expect(seenIds).toEqual(['2', '9', '10', '100', '999999999999999999', '1390710863102485699']);
        const all = await store.links.list(ACCOUNT, { kind: 'patient', status: 'all', limit: 1000 });
        expect(all.items.map((l) => `${l.clinikoId}:${l.status}`).slice(2, 4)).toEqual(['10:superseded', '10:current']);
        expect((await store.links.list(ACCOUNT, { kind: 'patient', status: 'superseded' })).items.map((l) => l.tradifyId)).toEqual(['c10']);
      });

      test('hashes are per kind and id, and a null hash forgets', async ({ store }) => {
        const { token } = await acquire(store);
        await store.commitPage(ACCOUNT, token, { hashes: [{ kind: 'patient', clinikoId: '1', hash: 'a' }, { kind: 'invoice', clinikoId: '1', hash: 'b' }] });
        expect([...(await store.hashes.getMany(ACCOUNT, 'patient', ['1', '2']))]).toEqual([['1', 'a']]);
        await store.commitPage(ACCOUNT, token, { hashes: [{ kind: 'patient', clinikoId: '1', hash: null }] });
        expect((await store.hashes.getMany(ACCOUNT, 'patient', ['1'])).size).toBe(0);
        expect((await store.hashes.getMany(ACCOUNT, 'invoice', ['1'])).get('1')).toBe('b');
      });
    });

    describe('dead letters', () => {
      test('one open letter per record, counting attempts; resolve, discard and close by record', async ({ store, advance }) => {
        const first = await store.deadLetters.add(ACCOUNT, { stream: 'patients', recordId: '5', reasonCode: 'schema', message: 'patient 5: email invalid', paths: ['email'], updatedAt: '2026-01-15T00:00:00Z' });
        advance(1_000);
        const again = await store.deadLetters.add(ACCOUNT, { stream: 'patients', recordId: '5', reasonCode: 'unprocessable', message: 'patient 5 rejected' });
        expect(again.id).toBe(first.id);
        expect(again.attempts).toBe(2);
        expect(again.reasonCode).toBe('unprocessable');
        expect(again.lastAttemptAt).toBe(first.createdAt + 1_000);
        expect(again.updatedAt).toBe('2026-01-15T00:00:00Z');
        await store.deadLetters.add(ACCOUNT, { stream: 'invoices', recordId: '6', reasonCode: 'schema', message: 'invoice 6' });
        await store.deadLetters.add(ACCOUNT, { stream: 'invoices', recordId: '7', reasonCode: 'mapping-refused', message: 'invoice 7' });
        expect((await store.deadLetters.list(ACCOUNT, { stream: 'invoices' })).items.map((d) => d.recordId)).toEqual(['6', '7']);
        expect((await store.deadLetters.list(ACCOUNT, { reasonCode: 'schema' })).items.map((d) => d.recordId)).toEqual(['6']);
        const resolved = await store.deadLetters.resolve(ACCOUNT, first.id, 'replayed');
        expect(resolved?.status).toBe('resolved');
        expect(resolved?.resolution).toBe('replayed');
        const { token } = await acquire(store);
        await store.commitPage(ACCOUNT, token, { deadLetters: { close: [{ stream: 'invoices', recordId: '6', status: 'resolved', resolution: 'newer-version-synced' }] } });
        const seven = (await store.deadLetters.list(ACCOUNT, { status: 'open' })).items;
        expect(seven.map((d) => d.recordId)).toEqual(['7']);
        expect((await store.deadLetters.discard(ACCOUNT, seven[0]!.id))?.status).toBe('discarded');
        expect(await store.deadLetters.resolve(ACCOUNT, '999999')).toBeUndefined();
        const fresh = await store.deadLetters.add(ACCOUNT, { stream: 'patients', recordId: '5', reasonCode: 'schema', message: 'again' });
        expect(fresh.id === first.id).toBe(false);
        expect(fresh.attempts).toBe(1);
        expect((await store.deadLetters.get(ACCOUNT, first.id))?.status).toBe('resolved');
      });

      test('lists page through many letters', async ({ store }) => {
        for (let i = 0; i < 7; i++) await store.deadLetters.add(ACCOUNT, { stream: 'patients', recordId: String(i), reasonCode: 'schema', message: `patient ${i}` });
        const first = await store.deadLetters.list(ACCOUNT, { limit: 3 });
        const second = await store.deadLetters.list(ACCOUNT, { limit: 3, cursor: first.next });
        const third = await store.deadLetters.list(ACCOUNT, { limit: 3, cursor: second.next });
        expect([...first.items, ...second.items, ...third.items].map((d) => d.recordId)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
        expect(third.next).toBeUndefined();
      });
    });

    describe('reviews', () => {
      test('deduplicate on kind, record and reason while open; a resolved one allows a new one', async ({ store }) => {
        const a = await store.reviews.open(ACCOUNT, { kind: 'invoice', recordId: '9', reasonCode: 'paid-to-closed' });
        const b = await store.reviews.open(ACCOUNT, { kind: 'invoice', recordId: '9', reasonCode: 'paid-to-closed' });
        expect(a.created).toBe(true);
        expect(b.created).toBe(false);
        expect(b.review.id).toBe(a.review.id);
        const { token } = await acquire(store);
        await store.commitPage(ACCOUNT, token, {
          reviews: [
            { kind: 'invoice', recordId: '9', reasonCode: 'paid-to-closed' },
            { kind: 'invoice', recordId: '9', reasonCode: 'approved-invoice-changed' },
          ],
        });
        expect((await store.reviews.list(ACCOUNT, { status: 'open' })).items).toHaveLength(2);
        const resolved = await store.reviews.resolve(ACCOUNT, a.review.id, 'dismiss');
        expect(resolved?.status).toBe('resolved');
        expect(resolved?.resolution).toBe('dismiss');
        const c = await store.reviews.open(ACCOUNT, { kind: 'invoice', recordId: '9', reasonCode: 'paid-to-closed' });
        expect(c.created).toBe(true);
        expect((await store.reviews.list(ACCOUNT, { recordId: '9' })).items).toHaveLength(3);
        expect((await store.reviews.get(ACCOUNT, a.review.id))?.status).toBe('resolved');
        expect(await store.reviews.resolve(ACCOUNT, '424242', 'x')).toBeUndefined();
      });
    });

    describe('audit log', () => {
      test('filters, pages oldest first and prunes by age', async ({ store, advance, now }) => {
        await store.audit.append(ACCOUNT, [
          { runId: 'r1', stream: 'patients', action: 'create', clinikoId: '1', tradifyId: 'c1', changedFields: ['name'] },
          { runId: 'r1', stream: 'invoices', action: 'create', clinikoId: '2', tradifyId: 'i2' },
        ]);
        const cut = now() + 60_000;
        advance(120_000);
        await store.audit.append(ACCOUNT, [
          { runId: 'r2', stream: 'patients', action: 'update', clinikoId: '1', tradifyId: 'c1', changedFields: ['email', 'phone'], clinikoUpdatedAt: '2026-01-15T00:02:00Z' },
          { runId: 'r2', stream: 'invoices', action: 'approve', clinikoId: '2', tradifyId: 'i2' },
        ]);
        expect((await store.audit.list(ACCOUNT, { clinikoId: '1' })).items.map((e) => e.action)).toEqual(['create', 'update']);
        expect((await store.audit.list(ACCOUNT, { runId: 'r2', stream: 'invoices' })).items.map((e) => e.action)).toEqual(['approve']);
        expect((await store.audit.list(ACCOUNT, { since: cut })).items).toHaveLength(2);
        expect((await store.audit.list(ACCOUNT, { until: cut })).items).toHaveLength(2);
        expect((await store.audit.list(ACCOUNT, { action: 'update' })).items[0]?.changedFields).toEqual(['email', 'phone']);
        const p1 = await store.audit.list(ACCOUNT, { limit: 3 });
        const p2 = await store.audit.list(ACCOUNT, { limit: 3, cursor: p1.next });
        expect([...p1.items, ...p2.items].map((e) => e.action)).toEqual(['create', 'create', 'update', 'approve']);
        expect(p2.next).toBeUndefined();
        expect(await store.audit.prune(ACCOUNT, cut)).toBe(2);
        expect((await store.audit.list(ACCOUNT)).items.map((e) => e.runId)).toEqual(['r2', 'r2']);
      });
    });

    describe('runs, incidents and plans', () => {
      test('runs start, finish, and list newest first', async ({ store, advance }) => {
        const a = await store.runs.start(ACCOUNT, { kind: 'sync' });
        advance(10);
        const b = await store.runs.start(ACCOUNT, { kind: 'reconcile', id: 'rec-1' });
        advance(10);
        const c = await store.runs.start(ACCOUNT, { kind: 'sync' });
        expect(b.id).toBe('rec-1');
        expect(c.status).toBe('running');
        const finished = await store.runs.finish(ACCOUNT, a.id, { status: 'succeeded', summary: { created: 3, requests: { cliniko: 4 } } });
        expect(finished?.summary).toEqual({ created: 3, requests: { cliniko: 4 } });
        expect(finished?.finishedAt).toBe(a.startedAt + 20);
        expect((await store.runs.last(ACCOUNT))?.id).toBe(c.id);
        expect((await store.runs.last(ACCOUNT, { kind: 'sync', status: 'succeeded' }))?.id).toBe(a.id);
        const p1 = await store.runs.list(ACCOUNT, { limit: 2 });
        const p2 = await store.runs.list(ACCOUNT, { limit: 2, cursor: p1.next });
        expect([...p1.items, ...p2.items].map((r) => r.id)).toEqual([c.id, 'rec-1', a.id]);
        expect(await store.runs.finish(ACCOUNT, 'nope', { status: 'failed' })).toBeUndefined();
        expect((await failure(store.runs.start(ACCOUNT, { kind: 'sync', id: 'rec-1' }))) === undefined).toBe(false);
      });

      test('incidents are kept per fingerprint', async ({ store }) => {
        await store.incidents.put(ACCOUNT, { fingerprint: 'dl:schema', firstSeenAt: 1, lastSeenAt: 2, lastAlertedAt: 2, count: 1, state: 'open' });
        await store.incidents.put(ACCOUNT, { fingerprint: 'dl:schema', firstSeenAt: 1, lastSeenAt: 5, lastAlertedAt: 2, count: 2, state: 'open' });
        await store.incidents.put(ACCOUNT, { fingerprint: 'outage', firstSeenAt: 3, lastSeenAt: 3, lastAlertedAt: undefined, count: 1, state: 'resolved' });
        expect(await store.incidents.get(ACCOUNT, 'dl:schema')).toEqual({ fingerprint: 'dl:schema', firstSeenAt: 1, lastSeenAt: 5, lastAlertedAt: 2, count: 2, state: 'open' });
        expect((await store.incidents.list(ACCOUNT, { state: 'open' })).map((i) => i.fingerprint)).toEqual(['dl:schema']);
        expect((await store.incidents.get(ACCOUNT, 'outage'))?.lastAlertedAt).toBeUndefined();
        expect(await store.incidents.list(ACCOUNT)).toHaveLength(2);
      });

      test('incidents keep their alert and per-destination delivery, and list the undelivered ones', async ({ store }) => {
        const alert = {
          kind: 'outage' as const,
          severity: 'critical' as const,
          accountId: ACCOUNT,
          summary: '1 outage problem in this run (target-down: 1)',
          counts: { total: 1, 'target-down': 1 },
          recordIds: ['1390710863102485699'],
          fingerprint: 'outage:1',
          runId: 'r1',
          at: '2026-01-15T00:00:00.000Z',
        };
        const failed = { status: 'failed' as const, failures: 2, lastAttemptAt: 9, deliveredAt: undefined, errorCode: 'server_error' };
        const delivered = { status: 'delivered' as const, failures: 0, lastAttemptAt: 8, deliveredAt: 8, errorCode: undefined };
        const base = { firstSeenAt: 1, lastSeenAt: 9, lastAlertedAt: 8, count: 2, state: 'open' as const };
        await store.incidents.put(ACCOUNT, { ...base, fingerprint: 'outage:1', alert, deliveries: { webhook: failed, console: delivered } });
        await store.incidents.put(ACCOUNT, { ...base, fingerprint: 'reviews:1', firstSeenAt: 2, alert: { ...alert, kind: 'reviews', fingerprint: 'reviews:1' }, deliveries: { webhook: delivered } });
        await store.incidents.put(ACCOUNT, { ...base, fingerprint: 'dl:old', firstSeenAt: 3, state: 'resolved', deliveries: { pager: failed } });
        await store.incidents.put(OTHER, { ...base, fingerprint: 'outage:9', deliveries: { webhook: failed } });
        const kept = await store.incidents.get(ACCOUNT, 'outage:1');
        expect(kept?.alert).toEqual(alert);
        expect(kept?.deliveries).toEqual({ webhook: failed, console: delivered });
        expect((await store.incidents.list(ACCOUNT, { undelivered: true })).map((i) => i.fingerprint)).toEqual(['outage:1', 'dl:old']);
        expect((await store.incidents.list(ACCOUNT, { undelivered: true, state: 'open' })).map((i) => i.fingerprint)).toEqual(['outage:1']);
        await store.incidents.put(ACCOUNT, { ...kept!, deliveries: { webhook: delivered, console: delivered } });
        expect((await store.incidents.list(ACCOUNT, { undelivered: true })).map((i) => i.fingerprint)).toEqual(['dl:old']);
        expect((await store.incidents.get(ACCOUNT, 'outage:1'))?.deliveries).toEqual({ webhook: delivered, console: delivered });
        expect(await store.incidents.list(ACCOUNT)).toHaveLength(3);
      });

      test('plans save, load and delete', async ({ store }) => {
        const data = { items: [{ id: '1', action: 'create', fieldHashes: { name: 'h1' } }], reasonCodes: ['new'] };
        await store.plans.save(ACCOUNT, { id: 'plan-1', createdAt: 5, data });
        expect(await store.plans.get(ACCOUNT, 'plan-1')).toEqual({ id: 'plan-1', createdAt: 5, data });
        expect(await store.plans.delete(ACCOUNT, 'plan-1')).toBe(true);
        expect(await store.plans.delete(ACCOUNT, 'plan-1')).toBe(false);
        expect(await store.plans.get(ACCOUNT, 'plan-1')).toBeUndefined();
      });
    });

    describe('reconciliation staging', () => {
      test('pages rows in numeric id order, finds by id and key, counts and clears by run', async ({ store }) => {
        const rows = Array.from({ length: 250 }, (_, i) => ({
          runId: 'rec-1',
          side: 'cliniko' as const,
          kind: 'invoice',
          id: String(1000 - i * 3),
          key: i % 50 === 0 ? 'k-shared' : `k${i}`,
          fields: { total: `h${i}` },
          amounts: { total: `${i}.10` },
          attributes: { issueDate: '2026-01-15', patientId: '77' },
        }));
        await store.staging.put(ACCOUNT, rows);
        await store.staging.put(ACCOUNT, [{ runId: 'rec-1', side: 'tradify', kind: 'invoice', id: 'inv-1', fields: {} }]);
        await store.staging.put(ACCOUNT, [{ runId: 'rec-0', side: 'cliniko', kind: 'invoice', id: '1', fields: {} }]);
        const selector = { runId: 'rec-1', side: 'cliniko' as const, kind: 'invoice' };
        const ids: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.staging.list(ACCOUNT, selector, { limit: 100, cursor });
          ids.push(...page.items.map((r) => r.id));
          cursor = page.next;
          pages++;
        } while (cursor !== undefined);
        expect(pages).toBe(3);
        expect(ids).toEqual(rows.map((r) => r.id).sort((a, b) => Number(BigInt(a) - BigInt(b))));
        expect(await store.staging.count(ACCOUNT, selector)).toBe(250);
        const one = (await store.staging.getMany(ACCOUNT, selector, ['1000', 'nope'])).get('1000');
        expect(one).toEqual(rows[0]);
        expect((await store.staging.findByKey(ACCOUNT, selector, 'k-shared')).map((r) => r.id)).toEqual(['400', '550', '700', '850', '1000']);
        expect(await store.staging.clear(ACCOUNT, 'rec-1')).toBe(251);
        expect(await store.staging.count(ACCOUNT, selector)).toBe(0);
        expect(await store.staging.count(ACCOUNT, { runId: 'rec-0', side: 'cliniko', kind: 'invoice' })).toBe(1);
      });
    });

    describe('account isolation', () => {
      test('two accounts never see each other’s data or leases', async ({ store }) => {
        const a = await acquire(store, ACCOUNT);
        // Fencing tokens are per account; move OTHER's past ACCOUNT's so a token mix-up is visible.
        await store.releaseLease(OTHER, (await acquire(store, OTHER)).token);
        const b = await acquire(store, OTHER);
        expect(b.token === a.token).toBe(false);
        await store.commitPage(ACCOUNT, a.token, {
          cursors: { patients: { updatedAt: '2026-01-15T00:00:00Z', id: '1' } },
          seen: { patients: [{ id: '1', updatedAt: '2026-01-15T00:00:00Z' }] },
          links: [{ kind: 'patient', clinikoId: '1', tradifyId: 'c1' }],
          hashes: [{ kind: 'patient', clinikoId: '1', hash: 'h' }],
          deadLetters: { add: [{ stream: 'patients', recordId: '2', reasonCode: 'schema', message: 'patient 2' }] },
          reviews: [{ kind: 'patient', recordId: '3', reasonCode: 'r' }],
          audit: [{ stream: 'patients', action: 'create', clinikoId: '1' }],
          tradifyIndex: [{ kind: 'customer', tradifyId: 'c1', emailHash: 'eh' }],
        });
        await store.runs.start(ACCOUNT, { kind: 'sync', id: 'shared-run-id' });
        await store.incidents.put(ACCOUNT, { fingerprint: 'f', firstSeenAt: 1, lastSeenAt: 1, lastAlertedAt: undefined, count: 1, state: 'open' });
        await store.plans.save(ACCOUNT, { id: 'p', createdAt: 1, data: null });
        await store.staging.put(ACCOUNT, [{ runId: 'r', side: 'cliniko', kind: 'patient', id: '1', fields: {} }]);
        await expectRejects(store.commitPage(OTHER, a.token, {}), 'LeaseLostError');
        expect(await store.cursors.list(OTHER)).toEqual({});
        expect(await store.seen.has(OTHER, 'patients', [{ id: '1', updatedAt: '2026-01-15T00:00:00Z' }])).toEqual([false]);
        expect((await store.links.getMany(OTHER, 'patient', ['1'])).size).toBe(0);
        expect(await store.links.getByTradifyId(OTHER, 'patient', 'c1')).toBeUndefined();
        expect((await store.hashes.getMany(OTHER, 'patient', ['1'])).size).toBe(0);
        expect((await store.deadLetters.list(OTHER)).items).toHaveLength(0);
        const letterId = (await store.deadLetters.list(ACCOUNT)).items[0]!.id;
        expect(await store.deadLetters.get(OTHER, letterId)).toBeUndefined();
        expect(await store.deadLetters.resolve(OTHER, letterId)).toBeUndefined();
        expect((await store.deadLetters.get(ACCOUNT, letterId))?.status).toBe('open');
        expect((await store.reviews.list(OTHER)).items).toHaveLength(0);
        expect((await store.audit.list(OTHER)).items).toHaveLength(0);
        expect(await store.runs.last(OTHER)).toBeUndefined();
        expect((await store.runs.start(OTHER, { kind: 'sync', id: 'shared-run-id' })).accountId).toBe(OTHER);
        expect(await store.incidents.get(OTHER, 'f')).toBeUndefined();
        expect(await store.plans.get(OTHER, 'p')).toBeUndefined();
        expect(await store.staging.count(OTHER, { runId: 'r', side: 'cliniko', kind: 'patient' })).toBe(0);
        expect(await store.tradifyIndex.findByEmailHash(OTHER, 'customer', 'eh')).toEqual([]);
        expect(await store.tradifyIndex.count(ACCOUNT, 'customer')).toBe(1);
        expect((await store.getLease(OTHER))?.token).toBe(b.token);
      });
    });
  });
}
