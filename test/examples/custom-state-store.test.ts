import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStateStoreConformance } from 'cliniko-tradify/testing';
import { JsonFileStateStore } from '../../examples/custom-state-store.js';
import { tempDir } from '../cli/helpers.js';

runStateStoreConformance({ describe, it, expect }, ({ clock }) => new JsonFileStateStore({ path: join(tempDir('json-store-'), 'state.json'), clock }), {
  name: 'examples/custom-state-store.ts JsonFileStateStore conformance',
});

describe('JsonFileStateStore', () => {
  it('keeps links, dead letters and a held lease across a reopen', async () => {
    const path = join(tempDir('json-store-'), 'state.json');
    let now = Date.UTC(2026, 0, 15);
    const first = await JsonFileStateStore.open({ path, clock: () => now });
    const lease = await first.acquireLease('a', { owner: 'host:1:x', ttlMs: 60_000 });
    await first.commitPage('a', lease.token, { links: [{ kind: 'patient', clinikoId: '1390710863102485699', tradifyId: 'cus_1' }] });
    await first.deadLetters.add('a', { stream: 'invoices', recordId: '77', reasonCode: 'schema', message: 'bad total' });
    await first.close();

    const second = await JsonFileStateStore.open({ path, clock: () => now });
    const links = await second.links.getMany('a', 'patient', ['1390710863102485699']);
    expect(links.get('1390710863102485699')?.tradifyId).toBe('cus_1');
    expect((await second.deadLetters.list('a', { status: 'open' })).items.map((l) => l.recordId)).toEqual(['77']);
    await expect(second.acquireLease('a', { owner: 'host:2:y', ttlMs: 1000 })).rejects.toMatchObject({ code: 'lease_held' });
    now += 61_000;
    expect((await second.acquireLease('a', { owner: 'host:2:y', ttlMs: 1000 })).token).not.toBe(lease.token);
  });
});
