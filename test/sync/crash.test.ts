/**
 * The crash test (docs/architecture.md#idempotency-keys, docs/architecture.md#checkpoint-per-page): a child process syncs; the fake Tradify signals after its
 * k-th applied write (its response not yet sent) and the test SIGKILLs the child there — for
 * every k of a small dataset — plus kills inside commitPage. After resuming, Tradify holds
 * exactly one customer per patient, one invoice per syncable invoice and one payment per paid one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeCliniko, startFakeTradify, type FakeCliniko, type FakeTradify } from 'cliniko-tradify/testing';
import { ClinikoClient, HttpTradifyClient, SyncEngine, silentLogger } from 'cliniko-tradify';
import { SqliteStateStore } from 'cliniko-tradify/sqlite';

const CHILD = fileURLToPath(new URL('./crash/child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface World {
  fc: FakeCliniko;
  ft: FakeTradify;
  db: string;
  killAt: number | undefined;
  child: ChildProcess | undefined;
  killed: boolean;
}

async function world(killAt: number | undefined): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'ct-crash-'));
  dirs.push(dir);
  const w: World = { fc: undefined as never, ft: undefined as never, db: join(dir, 'state.db'), killAt, child: undefined, killed: false };
  w.fc = await startFakeCliniko({ patients: 4, invoices: 4, seed: 5, rateLimit: false });
  w.ft = await startFakeTradify({
    seed: 5,
    rateLimit: false,
    onWrite: async (k) => {
      if (k !== w.killAt || !w.child || w.killed) return;
      w.killed = true;
      const exited = new Promise((r) => w.child!.once('exit', r));
      w.child.kill('SIGKILL');
      await exited; // the response is never delivered to the dead child
    },
  });
  return w;
}

function runChild(w: World, extra: string[] = []): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, w.fc.url, w.fc.apiKey, w.ft.url, w.ft.apiKey, w.db, ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    w.child = child;
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

function verify(w: World): void {
  const customers = w.ft.state.customers.all();
  const invoices = w.ft.state.invoices.all();
  for (const p of w.fc.db.patients.all()) {
    expect(customers.filter((c) => c.externalReference === `cliniko:patient:${p.id}`), `customer of ${p.id}`).toHaveLength(1);
  }
  expect(customers).toHaveLength(w.fc.db.patients.all().length);
  for (const inv of w.fc.db.invoices.all()) {
    const mine = invoices.filter((i) => i.externalReference === `cliniko:invoice:${inv.id}`);
    const syncable = inv.deleted_at === null && (inv.status === 10 || inv.status === 20);
    expect(mine, `invoice ${inv.id} (status ${inv.status})`).toHaveLength(syncable ? 1 : 0);
    if (inv.status === 20 && mine[0]) {
      expect(mine[0].status).toBe('paid');
      expect(w.ft.state.payments.all().filter((p) => p.invoiceId === mine[0]!.id), `payments of ${inv.id}`).toHaveLength(1);
    }
  }
}

/** Resumes in this process on the same state file (the dead child's lease is freed by pid). */
async function resume(w: World): Promise<void> {
  const cliniko = new ClinikoClient({ apiKey: w.fc.apiKey, userAgent: 'Crash test (crash@example.com)', baseUrl: w.fc.url, requestsPerMinute: 600_000, logger: silentLogger });
  const tradify = new HttpTradifyClient({ apiKey: w.ft.apiKey, baseUrl: w.ft.url, requestsPerMinute: 600_000, logger: silentLogger });
  const store = new SqliteStateStore({ path: w.db });
  try {
    const engine = new SyncEngine({ cliniko, tradify, store, logger: silentLogger, alerter: { notify: async () => undefined }, mapping: { approval: { when: 'immediately' } } });
    const summary = await engine.run();
    expect(summary.outcome).toBe('completed');
  } finally {
    await store.close();
  }
}

async function closeWorld(w: World): Promise<void> {
  await Promise.all([w.fc.close(), w.ft.close()]);
}

describe('crash safety (child process SIGKILLed mid-sync)', () => {
  let totalWrites = 0;

  it('an uninterrupted run gives the reference result', async () => {
    const w = await world(undefined);
    try {
      const r = await runChild(w);
      expect(r.code, r.out).toBe(0);
      totalWrites = w.ft.requests.filter((x) => x.method !== 'GET' && x.status < 400).length;
      expect(totalWrites).toBeGreaterThan(6);
      // the dataset must exercise create + approve + pay
      expect(w.fc.db.invoices.all().some((i) => i.status === 20)).toBe(true);
      expect(w.ft.state.payments.all().length).toBeGreaterThan(0);
      verify(w);
    } finally {
      await closeWorld(w);
    }
  }, 60_000);

  it('killed after every k-th Tradify write, a resumed run leaves 0 duplicates and 0 missing', async () => {
    expect(totalWrites).toBeGreaterThan(0);
    for (let k = 1; k <= totalWrites; k++) {
      const w = await world(k);
      try {
        const killed = await runChild(w);
        expect(killed.signal, `k=${k}: ${killed.out}`).toBe('SIGKILL');
        await resume(w);
        verify(w);
      } finally {
        await closeWorld(w);
      }
    }
  }, 240_000);

  it('killed just before and just after a commitPage, a resumed run leaves 0 duplicates and 0 missing', async () => {
    for (const spec of ['2:before', '3:after']) {
      const w = await world(undefined);
      try {
        const killed = await runChild(w, [spec]);
        expect(killed.signal, `${spec}: ${killed.out}`).toBe('SIGKILL');
        await resume(w);
        verify(w);
      } finally {
        await closeWorld(w);
      }
    }
  }, 120_000);
});
