import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCliniko, type FakeCliniko } from 'cliniko-tradify/testing';
import { clinikoHandlers, type ClinikoMsw } from 'cliniko-tradify/testing/msw';
import { call, q } from './fake-cliniko-helpers.js';

const NOW = Date.UTC(2025, 2, 3, 4, 5, 6);
const OPTIONS = { seed: 5, patients: 120, invoices: 150, now: () => NOW, rateLimit: { perMinute: 1000 } } as const;
let node: FakeCliniko;
let mock: ClinikoMsw;
const server = setupServer();

beforeAll(async () => {
  node = await startFakeCliniko(OPTIONS);
  mock = clinikoHandlers({ ...OPTIONS, baseUrl: 'https://api.au1.cliniko.com/v1' });
  server.use(...mock.handlers);
  server.listen({ onUnhandledRequest: 'bypass' });
});
afterAll(async () => {
  server.close();
  await node.close();
});

async function both(path: string, options: Parameters<typeof call>[2] = {}) {
  const [a, b] = await Promise.all([call(node, path, options), call(mock, path, options)]);
  const [textA, textB] = await Promise.all([a.text(), b.text()]);
  return {
    node: { status: a.status, type: a.headers.get('content-type'), date: a.headers.get('date'), body: textA.replaceAll(node.url, '<base>') },
    msw: { status: b.status, type: b.headers.get('content-type'), date: b.headers.get('date'), body: textB.replaceAll(mock.url, '<base>') },
  };
}

describe('msw handlers and the node:http server answer alike', () => {
  it('share the same seeded data and key', () => {
    expect(mock.apiKey).toBe(node.apiKey);
    expect(mock.url).toBe('https://api.au1.cliniko.com/v1');
  });

  it.each([
    ['a filtered, sorted page', `/patients?${q('archived_at:*', 'last_name:~a')}&sort=updated_at,id&per_page=7&page=2`],
    ['an invoice list with deleted rows', `/invoices?${q('deleted_at:*')}&per_page=100`],
    ['invoice items', '/invoice_items?per_page=20'],
    ['a whitelist refusal', `/users?${q('email:=x@y.z')}`],
    ['an unknown patient id', '/patients/1'],
    ['settings', '/settings'],
  ])('%s', async (_label, path) => {
    const result = await both(path);
    expect(result.msw).toEqual(result.node);
    expect(result.node.body.length).toBeGreaterThan(10);
  });

  it('the same 401, 403 and 422 answers', async () => {
    const wrongShard = await both('/patients', { key: node.apiKey.replace(/-au1$/, '-eu1') });
    expect(wrongShard.node.status).toBe(401);
    expect(wrongShard.msw).toEqual(wrongShard.node);
    const noAgent = await both('/patients', { userAgent: null });
    expect(noAgent.msw).toEqual(noAgent.node);
    const invalid = await both('/patients', { method: 'POST', body: { last_name: 'Only' } });
    expect(invalid.node.status).toBe(422);
    expect(invalid.msw).toEqual(invalid.node);
  });

  it('drops the connection as a network error through msw too', async () => {
    mock.faults.set({ dropConnection: { every: 1, limit: 1 } });
    await expect(call(mock, '/user')).rejects.toThrow();
    expect((await call(mock, '/user')).status).toBe(200);
  });

  it('exposes the same data API: an archive through db shows in both', async () => {
    const id = mock.db.patients.all().find((p) => p.archived_at === null)?.id ?? '';
    mock.db.patients.archive(id);
    node.db.patients.archive(id);
    const result = await both(`/patients/${id}`);
    expect(result.node.status).toBe(404);
    expect(result.msw).toEqual(result.node);
  });
});

describe('packaging', () => {
  it('imports msw only from the msw module of the fake', () => {
    const dir = fileURLToPath(new URL('../../src/testing/fake-cliniko/', import.meta.url));
    const importers = readdirSync(dir).filter((file) => /from 'msw/.test(readFileSync(`${dir}${file}`, 'utf8')));
    expect(importers).toEqual(['msw.ts']);
    const entry = readFileSync(fileURLToPath(new URL('../../src/testing/index.ts', import.meta.url)), 'utf8');
    expect(entry).not.toContain("from './fake-cliniko/msw.js'");
    expect(entry).toContain("from './fake-cliniko/server.js'");
  });
});
