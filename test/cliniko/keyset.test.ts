import { http as mswHttp, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type KeysetPage, type ClinikoPatient, ResponseValidationError } from 'cliniko-tradify';
import { BASE, makeClient, patientRow } from './helpers.js';

interface Row {
  id: string;
  updated_at: string;
  archived_at: string | null;
  first_name?: unknown;
}

const SERVER_DATE = 'Thu, 01 Jan 2026 12:00:00 GMT';

/**
 * A tiny Cliniko /patients over an array: the q[] subset the readers use, sort, page/per_page,
 * links.next keeping every parameter, and a hook that runs before each request.
 */
function fakePatients(rows: Row[], beforeRequest: (n: number) => void = () => undefined) {
  let n = 0;
  const log: string[][] = [];
  const handler = mswHttp.get(`${BASE}/patients`, ({ request }) => {
    beforeRequest(n++);
    const url = new URL(request.url);
    const q = url.searchParams.getAll('q[]');
    log.push(q);
    let out = rows.filter((r) => q.includes('archived_at:*') || r.archived_at === null);
    for (const f of q) {
      const m = /^(updated_at|id):(>=|<|>)(.+)$/.exec(f);
      if (!m) continue;
      const [, field, op, value] = m as unknown as [string, 'updated_at' | 'id', string, string];
      const cmp = (r: Row) => (field === 'id' ? (BigInt(r.id) > BigInt(value) ? 1 : BigInt(r.id) < BigInt(value) ? -1 : 0) : r.updated_at.localeCompare(value));
      out = out.filter((r) => (op === '>=' ? cmp(r) >= 0 : op === '>' ? cmp(r) > 0 : cmp(r) < 0));
    }
    const sort = url.searchParams.get('sort') ?? 'id';
    const byId = (a: Row, b: Row) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);
    out.sort(sort === 'id' ? byId : (a, b) => a.updated_at.localeCompare(b.updated_at) || byId(a, b));
    const per = Number(url.searchParams.get('per_page') ?? 50);
    const page = Number(url.searchParams.get('page') ?? 1);
    const slice = out.slice((page - 1) * per, page * per);
    const links: Record<string, string> = { self: url.href };
    if (page * per < out.length) {
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      links.next = next.href;
    }
    return HttpResponse.json(
      { patients: slice.map((r) => ({ ...patientRow(r.id, r.updated_at), ...r })), total_entries: out.length, links },
      { headers: { date: SERVER_DATE } },
    );
  });
  return { handler, log };
}

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString().replace('.000Z', 'Z');
/** 19-digit ids above 2^53 with mixed lengths so text order would be wrong. */
const idOf = (i: number) => String(9_007_199_254_740_993_000n + BigInt(i) * 1_000_000_007n);

function makeRows(count: number, secondOf: (i: number) => number = (i) => i): Row[] {
  return Array.from({ length: count }, (_, i) => ({ id: idOf(i), updated_at: at(secondOf(i)), archived_at: null }));
}

async function collect(pages: AsyncIterable<KeysetPage<ClinikoPatient>>) {
  const all: KeysetPage<ClinikoPatient>[] = [];
  for await (const p of pages) all.push(p);
  return all;
}

describe('keyset window reader', () => {
  it('reads every row once, in (updated_at, id) order, never using page numbers', async () => {
    const rows = makeRows(10, (i) => Math.floor(i / 2)); // two rows per second
    const fake = fakePatients(rows);
    server.use(fake.handler);
    const pages = await collect(makeClient().patients.changes({ since: at(0), perPage: 3 }));
    const ids = pages.flatMap((p) => p.records.map((r) => r.id));
    expect(ids).toEqual(rows.map((r) => r.id));
    expect(fake.log.every((q) => q.includes('archived_at:*'))).toBe(true);
    expect(pages[0]?.serverTime).toBe('2026-01-01T12:00:00Z');
    expect(pages.at(-1)?.position).toEqual({ updatedAt: rows[9]!.updated_at, afterId: rows[9]!.id });
  });

  it('loses nothing when rows are edited and archived between page reads — where a page-number reader loses one', async () => {
    const editBetweenPages = (rows: Row[]) => (n: number) => {
      if (n === 1) {
        rows[0]!.updated_at = at(100); // edited: moves to the end
        rows[1]!.archived_at = at(101); // archived: drops out of a default listing
        rows[1]!.updated_at = at(101);
      }
    };
    const pageRows = makeRows(9);
    const pageFake = fakePatients(pageRows, editBetweenPages(pageRows));
    server.use(pageFake.handler);
    const byPage: string[] = [];
    for await (const p of makeClient().patients.list({ sort: 'updated_at,id', perPage: 3 })) byPage.push(p.id);
    const missedByPages = pageRows.map((r) => r.id).filter((id) => !byPage.includes(id));
    expect(missedByPages.length).toBeGreaterThanOrEqual(1); // the page-number reader lost a live row

    server.resetHandlers();
    const keysetRows = makeRows(9);
    const keysetFake = fakePatients(keysetRows, editBetweenPages(keysetRows));
    server.use(keysetFake.handler);
    const pages = await collect(makeClient().patients.changes({ since: at(0), perPage: 3 }));
    const seen = new Set(pages.flatMap((p) => p.records.map((r) => r.id)));
    expect([...seen].sort()).toEqual(keysetRows.map((r) => r.id).sort());
    const archived = pages.flatMap((p) => p.records).find((r) => r.id === keysetRows[1]!.id && r.archived_at !== null);
    expect(archived?.archived_at).toBe(at(101)); // the archival itself was seen
    expect(keysetFake.log.every((q) => !q.some((f) => f.startsWith('page')))).toBe(true);
  });

  it('drains a second shared by more rows than a page with updated_at:<T+1s, id:>lastId, sort=id', async () => {
    const rows = [...makeRows(7, () => 5), { id: idOf(50), updated_at: at(6), archived_at: null }];
    const fake = fakePatients(rows);
    server.use(fake.handler);
    const pages = await collect(makeClient().patients.changes({ since: at(0), perPage: 3 }));
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(rows.map((r) => r.id));
    expect(fake.log[1]).toEqual(['updated_at:>=2026-01-01T00:00:05Z', 'updated_at:<2026-01-01T00:00:06Z', `id:>${rows[2]!.id}`, 'archived_at:*']);
    expect(fake.log.at(-1)?.[0]).toBe('updated_at:>=2026-01-01T00:00:06Z');
  });

  it('carries total_entries of each page query (rows at or after the window start)', async () => {
    const rows = makeRows(7);
    server.use(fakePatients(rows).handler);
    const pages = await collect(makeClient().patients.changes({ since: at(2), perPage: 3 }));
    // window >= 2s: 5 rows; then >= 4s: 3 rows (row 4 again, already read); then >= 6s: 1 row
    expect(pages.map((p) => p.totalEntries)).toEqual([5, 3, 1]);
    expect(pages.map((p) => p.records.length)).toEqual([3, 2, 0]);
    expect(pages.map((p) => p.remaining)).toEqual([2, 0, 0]); // the boundary row read again counts as served
  });

  it('gives no total_entries on a page draining one second (its count covers that second only) or when absent', async () => {
    const rows = [...makeRows(7, () => 5), { id: idOf(50), updated_at: at(6), archived_at: null }];
    server.use(fakePatients(rows).handler);
    const pages = await collect(makeClient().patients.changes({ since: at(0), perPage: 3 }));
    expect(pages.map((p) => p.totalEntries)).toEqual([8, null, null, 1]);
    expect(pages.map((p) => p.remaining)).toEqual([5, null, null, 0]);

    server.resetHandlers();
    server.use(mswHttp.get(`${BASE}/patients`, () => HttpResponse.json({ patients: [patientRow(idOf(1), at(1))], links: { self: `${BASE}/patients` } })));
    const bare = await collect(makeClient().patients.changes({ since: at(0), perPage: 3 }));
    expect(bare.map((p) => [p.totalEntries, p.remaining])).toEqual([[null, null]]);
  });

  it('resumes from a saved position without re-yielding rows at or before it', async () => {
    const rows = makeRows(6, (i) => (i < 4 ? 3 : 4));
    server.use(fakePatients(rows).handler);
    const pages = await collect(makeClient().patients.changes({ since: at(3), afterId: rows[1]!.id, perPage: 100 }));
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(rows.slice(2).map((r) => r.id));
  });

  it('reports a record that fails its schema as rejected (id, updated_at, zod paths) and moves on', async () => {
    const rows: Row[] = [...makeRows(3), { id: idOf(3), updated_at: at(3), archived_at: null, first_name: 42 }];
    server.use(fakePatients(rows).handler);
    const pages = await collect(makeClient().patients.changes({ since: at(0) }));
    expect(pages.flatMap((p) => p.records)).toHaveLength(3);
    expect(pages[0]?.rejected).toEqual([{ id: idOf(3), updatedAt: at(3), issues: [expect.objectContaining({ path: 'first_name', code: 'invalid_type' })] }]);
  });

  it('fails the page when a row has no usable id or updated_at (it cannot be placed)', async () => {
    server.use(mswHttp.get(`${BASE}/patients`, () => HttpResponse.json({ patients: [{ id: 'x', updated_at: at(1) }], links: {} })));
    await expect(collect(makeClient().patients.changes({ since: at(0) }))).rejects.toBeInstanceOf(ResponseValidationError);
  });

  it('invoices and items scan with archived_at:* and deleted_at:*', async () => {
    const seen: string[][] = [];
    server.use(
      mswHttp.get(`${BASE}/invoices`, ({ request }) => (seen.push(new URL(request.url).searchParams.getAll('q[]')), HttpResponse.json({ invoices: [], links: {} }))),
      mswHttp.get(`${BASE}/invoice_items`, ({ request }) => (seen.push(new URL(request.url).searchParams.getAll('q[]')), HttpResponse.json({ invoice_items: [], links: {} }))),
    );
    const c = makeClient();
    await collect(c.invoices.changes({ since: at(0) }) as AsyncIterable<never>);
    await collect(c.invoiceItems.changes({ since: new Date(Date.UTC(2026, 0, 1)) }) as AsyncIterable<never>);
    expect(seen).toEqual([
      ['updated_at:>=2026-01-01T00:00:00Z', 'archived_at:*', 'deleted_at:*'],
      ['updated_at:>=2026-01-01T00:00:00Z', 'archived_at:*', 'deleted_at:*'],
    ]);
  });
});
