import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import PgBoss from 'pg-boss';
import { WORKER_QUEUES } from '../../src/worker/index.js';
import {
  PostgresStateStore,
  auditIntervals,
  bossJobs,
  fakesState,
  runsOf,
  startFakesHost,
  startWorkerChild,
  until,
  type Child,
  type FakesInfo,
} from './worker-harness.js';

const url = inject('ctPgUrl');
const children: Child[] = [];
afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
});

function workers(count: number, env: Record<string, string>): Child[] {
  const list = Array.from({ length: count }, () => startWorkerChild({ CT_PG_URL: url, LEASE_TTL_MS: '3000', ...env }));
  children.push(...list);
  return list;
}

async function stopAll(list: Child[]): Promise<void> {
  for (const w of list) if (w.proc.exitCode === null) w.proc.kill('SIGTERM');
  await Promise.all(list.map((w) => w.exited));
}

/** Every account: customers exactly the Cliniko patients, no duplicate reference anywhere, all accounts alike. */
function expectSynced(state: Awaited<ReturnType<typeof fakesState>>, accountIds: string[]): void {
  const reference = state[accountIds[0]!]!;
  expect(reference.invoices.length).toBeGreaterThan(0);
  for (const id of accountIds) {
    const s = state[id]!;
    expect([...s.customers].sort()).toEqual(s.patients.map((p) => `cliniko:patient:${p}`).sort());
    expect(new Set(s.customers).size).toBe(s.customers.length);
    expect(new Set(s.invoices).size).toBe(s.invoices.length);
    expect(s.invoices.length).toBe(reference.invoices.length);
    expect(s.payments).toBe(reference.payments);
  }
}

/** Runs of one account never overlap: each starts after the previous one's last audited write. */
async function expectNoOverlap(store: PostgresStateStore, accountId: string): Promise<number> {
  const spans = await auditIntervals(store, accountId);
  for (let i = 1; i < spans.length; i++) expect(spans[i]!.from).toBeGreaterThanOrEqual(spans[i - 1]!.to);
  return spans.length;
}

describe('startWorker: two worker processes over 12 accounts', () => {
  let fakes: { child: Child; info: FakesInfo; raw: string };
  beforeAll(async () => {
    fakes = await startFakesHost({ ACCOUNTS: '12', PATIENTS: '8', INVOICES: '8' });
    children.push(fakes.child);
  });

  it('jobs sent with send() sync every account once, spread over both workers, with no duplicates', async () => {
    const schemas = { STORE_SCHEMA: 'w_send', BOSS_SCHEMA: 'w_send_boss' };
    const pair = workers(2, { FAKES: fakes.raw, ...schemas });
    await Promise.all(pair.map((w) => w.waitFor((e) => e.event === 'ready')));
    const boss = new PgBoss({ connectionString: url, schema: schemas.BOSS_SCHEMA, supervise: false, schedule: false });
    await boss.start();
    const store = new PostgresStateStore({ connectionString: url, schema: schemas.STORE_SCHEMA });
    try {
      const ids = fakes.info.accounts.map((a) => a.id);
      for (const accountId of ids) await boss.send(WORKER_QUEUES.jobs, { accountId, kind: 'sync', reason: 'manual' });
      await until(async () => (await Promise.all(ids.map((id) => store.runs.last(id, { kind: 'sync', status: 'succeeded' })))).every(Boolean), 90_000);
      for (const id of ids) {
        expect((await runsOf(store, id)).filter((r) => r.kind === 'sync')).toHaveLength(1);
        expect(await expectNoOverlap(store, id)).toBe(1);
      }
      expectSynced(await fakesState(fakes.info), ids);
      const finishedBy = pair.map((w) => w.events.filter((e) => e.event === 'finished').length);
      expect(finishedBy[0]! + finishedBy[1]!).toBe(12);
      expect(Math.min(...finishedBy)).toBeGreaterThan(0);
    } finally {
      await boss.stop({ graceful: false, close: true });
      await store.close();
      await stopAll(pair);
    }
  });

  it('one real cron tick syncs every account exactly once', async () => {
    const schemas = { STORE_SCHEMA: 'w_tick', BOSS_SCHEMA: 'w_tick_boss' };
    const pair = workers(2, { FAKES: fakes.raw, TICK: '1', SYNC_CRON: '* * * * *', ...schemas });
    const store = new PostgresStateStore({ connectionString: url, schema: schemas.STORE_SCHEMA });
    try {
      await Promise.all(pair.map((w) => w.waitFor((e) => e.event === 'ready')));
      const ids = fakes.info.accounts.map((a) => a.id);
      await until(async () => (await Promise.all(ids.map((id) => store.runs.last(id, { kind: 'sync', status: 'succeeded' })))).every(Boolean), 100_000, 500);
      await stopAll(pair);
      const jobs = (await bossJobs(url, schemas.BOSS_SCHEMA, WORKER_QUEUES.jobs)).filter((j) => j.reason === 'schedule');
      const firstSlot = Math.min(...jobs.map((j) => Math.floor(j.createdOn.getTime() / 60_000)));
      for (const id of ids) {
        const mine = jobs.filter((j) => j.accountId === id);
        expect(mine.filter((j) => Math.floor(j.createdOn.getTime() / 60_000) === firstSlot)).toHaveLength(1);
        const syncRuns = (await runsOf(store, id)).filter((r) => r.kind === 'sync' && r.status === 'succeeded');
        expect(syncRuns).toHaveLength(mine.filter((j) => j.state === 'completed').length);
        await expectNoOverlap(store, id);
      }
      const ticks = await bossJobs(url, schemas.BOSS_SCHEMA, WORKER_QUEUES.tick);
      expect(ticks.filter((t) => Math.floor(t.createdOn.getTime() / 60_000) === firstSlot)).toHaveLength(1);
    } finally {
      await store.close();
      await stopAll(pair);
    }
  });
});

describe('startWorker: failover after SIGKILL', () => {
  it('the surviving worker finishes a killed worker’s accounts after the lease expires: 0 duplicates, 0 lost', async () => {
    const fakes = await startFakesHost({ ACCOUNTS: '12', PATIENTS: '16', INVOICES: '16', LATENCY_MS: '15' });
    children.push(fakes.child);
    const schemas = { STORE_SCHEMA: 'w_kill', BOSS_SCHEMA: 'w_kill_boss' };
    const [victim, survivor] = workers(2, { FAKES: fakes.raw, ...schemas }) as [Child, Child];
    const store = new PostgresStateStore({ connectionString: url, schema: schemas.STORE_SCHEMA });
    const boss = new PgBoss({ connectionString: url, schema: schemas.BOSS_SCHEMA, supervise: false, schedule: false });
    try {
      await Promise.all([victim, survivor].map((w) => w.waitFor((e) => e.event === 'ready')));
      await boss.start();
      const ids = fakes.info.accounts.map((a) => a.id);
      for (const accountId of ids) await boss.send(WORKER_QUEUES.jobs, { accountId, kind: 'sync', reason: 'manual' });
      // Kill the victim once one of its runs has committed work but not finished.
      let killedAccount = '';
      await until(async () => {
        const running = victim.events.filter((e) => e.event === 'started' && !victim.events.some((f) => f.event === 'finished' && f.jobId === e.jobId));
        for (const e of running) {
          if ((await store.audit.list(String(e.accountId), { limit: 1 })).items.length > 0) killedAccount = String(e.accountId);
        }
        return killedAccount !== '';
      }, 60_000, 50);
      victim.proc.kill('SIGKILL');
      await victim.exited;
      const killedAt = Date.now();
      await until(async () => (await Promise.all(ids.map((id) => store.runs.last(id, { kind: 'sync', status: 'succeeded' })))).every(Boolean), 120_000);
      const recovered = survivor.events.find((e) => e.event === 'finished' && e.accountId === killedAccount && Number(e.at) > killedAt);
      expect(recovered).toBeDefined();
      const killedRuns = (await runsOf(store, killedAccount)).filter((r) => r.kind === 'sync');
      // The killed worker's run was ended when the survivor took its expired lease over.
      expect(killedRuns.map((r) => [r.status, r.endReason])).toEqual([
        ['aborted', 'lease-expired'],
        ['succeeded', undefined],
      ]);
      expect(await expectNoOverlap(store, killedAccount)).toBe(2);
      for (const id of ids) await expectNoOverlap(store, id);
      expectSynced(await fakesState(fakes.info), ids);
      // The dead worker's job was cancelled and replaced at once (not left to pg-boss's retry delay).
      const killedJobs = (await bossJobs(url, schemas.BOSS_SCHEMA, WORKER_QUEUES.jobs)).filter((j) => j.accountId === killedAccount);
      expect(killedJobs.map((j) => [j.reason, j.state, j.failovers]).sort()).toEqual([
        ['failover', 'completed', 1],
        ['manual', 'cancelled', 0],
      ]);
    } finally {
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      await store.close();
      await stopAll([victim, survivor]);
      fakes.child.proc.kill('SIGTERM');
    }
  });
});

describe('startWorker: jobs of dead workers', () => {
  it('replaces a stale claim’s job at once, and sends a job that has outlived retry.limit workers to the dead queue', async () => {
    const fakes = await startFakesHost({ ACCOUNTS: '2', PATIENTS: '4', INVOICES: '4' });
    children.push(fakes.child);
    const schemas = { STORE_SCHEMA: 'w_stale', BOSS_SCHEMA: 'w_stale_boss' };
    const [first] = workers(1, { FAKES: fakes.raw, ...schemas }) as [Child];
    await first.waitFor((e) => e.event === 'ready');
    await stopAll([first]); // it created the queues and tables; now nothing works the queue
    const store = new PostgresStateStore({ connectionString: url, schema: schemas.STORE_SCHEMA });
    const boss = new PgBoss({ connectionString: url, schema: schemas.BOSS_SCHEMA, supervise: false, schedule: false });
    const [fresh, doomed] = fakes.info.accounts.map((a) => a.id) as [string, string];
    let survivor: Child | undefined;
    try {
      await boss.start();
      // Two jobs claimed by a worker that died a minute ago; the fixture's retry.limit is 5.
      await boss.send(WORKER_QUEUES.jobs, { accountId: fresh, kind: 'sync', reason: 'manual' });
      await boss.send(WORKER_QUEUES.jobs, { accountId: doomed, kind: 'sync', reason: 'failover', failovers: 5 });
      const claimed = await boss.fetch<{ accountId: string }>(WORKER_QUEUES.jobs, { batchSize: 2 });
      expect(claimed).toHaveLength(2);
      for (const job of claimed) {
        await store.rawQuery(
          `INSERT INTO {s}.worker_claims (job_id, queue, account_id, owner, claimed_at, heartbeat_at)
           VALUES ($1, $2, $3, 'gone:1:x', (extract(epoch from clock_timestamp()) * 1000)::bigint - 60000, (extract(epoch from clock_timestamp()) * 1000)::bigint - 60000)`,
          [job.id, WORKER_QUEUES.jobs, job.data.accountId],
        );
      }
      [survivor] = workers(1, { FAKES: fakes.raw, ...schemas }) as [Child];
      await until(async () => Boolean(await store.runs.last(fresh, { kind: 'sync', status: 'succeeded' })), 60_000);
      const jobs = await bossJobs(url, schemas.BOSS_SCHEMA, WORKER_QUEUES.jobs);
      expect(jobs.filter((j) => j.accountId === fresh).map((j) => [j.reason, j.state, j.failovers]).sort()).toEqual([
        ['failover', 'completed', 1],
        ['manual', 'cancelled', 0],
      ]);
      expect(jobs.filter((j) => j.accountId === doomed).map((j) => [j.state, j.failovers])).toEqual([['cancelled', 5]]);
      const dead = await bossJobs(url, schemas.BOSS_SCHEMA, WORKER_QUEUES.dead);
      expect(dead.map((j) => [j.accountId, j.reason, j.failovers])).toEqual([[doomed, 'failover', 6]]);
      expect(await store.runs.last(doomed, { kind: 'sync' })).toBeUndefined();
      expect(survivor.events.some((e) => e.event === 'error' && e.accountId === doomed)).toBe(true);
    } finally {
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      await store.close();
      if (survivor) await stopAll([survivor]);
      fakes.child.proc.kill('SIGTERM');
    }
  });
});

describe('examples/many-accounts.ts', () => {
  // 45 s: worker.stop() once left a 60 s timer behind that kept the process alive.
  it('syncs its three accounts through a worker, stops, and the process exits', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/many-accounts.ts'], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(0);
    for (const id of ['clinic-perth', 'clinic-sydney', 'clinic-hobart']) expect(stdout).toMatch(new RegExp(`${id}: sync succeeded, created [1-9]\\d*, dead letters 0`));
    expect(stdout).toContain('all accounts synced; worker stopped');
  }, 45_000);
});
