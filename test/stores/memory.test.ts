import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from 'cliniko-tradify';
import { runStateStoreConformance } from 'cliniko-tradify/testing';

runStateStoreConformance({ describe, it, expect }, ({ clock }) => new MemoryStateStore({ clock }), { name: 'MemoryStateStore conformance' });

describe('MemoryStateStore', () => {
  it('returns copies, so a caller mutating a result cannot change the store', async () => {
    const store = new MemoryStateStore();
    const { token } = await store.acquireLease('a', { owner: 'h:1:x', ttlMs: 1000 });
    await store.commitPage('a', token, { cursors: { patients: { updatedAt: '2026-01-15T00:00:00Z', id: '1' } } });
    const cursor = await store.cursors.get('a', 'patients');
    cursor!.id = '999';
    expect((await store.cursors.get('a', 'patients'))?.id).toBe('1');
  });

  it('refuses calls after close', async () => {
    const store = new MemoryStateStore();
    await store.close();
    await expect(store.getLease('a')).rejects.toMatchObject({ code: 'state_conflict' });
  });
});
