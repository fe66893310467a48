/**
 * `npm run bench -- workers [accounts] [patients] [invoices]`: the multi-account worker on a real,
 * temporary PostgreSQL. Default 12 accounts × 500 patients + 500 invoices; each account has its
 * own fake Cliniko and fake Tradify (one separate process for all fakes) limited to 600/min with
 * 50 ms latency, and the clients pace at 570/min.
 *
 * Each account has its own API keys (`test/integration/fixtures/fakes-host.ts`): the clients keep one
 * limiter per key per process, so the integration fixture's shared keys would pace a whole
 * worker at one account's rate.
 *
 * Cases:
 * - 1 worker and 2 workers (each with `concurrency = ceil(accounts / 2)`, so two workers can run
 *   every account at once): total wall time ÷ the per-account floor. The floor of one account is
 *   its run's requests ÷ the client's pace, on the busier API (the pacing limit, not CPU);
 *   the fleet's floor is the largest account floor. Target: ≤ 1.25 × floor with 2 workers.
 * - failover: two workers, each with `concurrency = accounts` (a fleet with a spare slot: a dead
 *   worker's jobs can only move as fast as a free slot appears), one SIGKILLed once one of its runs
 *   has committed work; the delays until the other worker replaces the dead job, picks it up, and
 *   has redone the interrupted page and
 *   committed (its first audited write). Target: that commit ≤ lease TTL + one page, where one
 *   page is 100 records' share of the account's floor. Both cases check 0 duplicates and 0 lost
 *   records in every account.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import PgBoss from 'pg-boss';
import { startPgCluster } from '../../test/integration/pg-cluster.js';
import {
  PostgresStateStore,
  auditIntervals,
  bossJobs,
  fakesState,
  runsOf,
  startWorkerChild,
  until,
  type Child,
  type FakesInfo,
} from '../../test/integration/worker-harness.js';
import { WORKER_QUEUES } from '../../src/worker/index.js';
import type { BenchCase, BenchResult } from '../lib/report.js';

const FAKE_RPM = 600;
const CLIENT_RPM = 570;
const LATENCY_MS = 50;
/**
 * Long enough for a page of 100 records at the paced rate: the engine renews its lease between
 * records, and with 5 s every run lost its lease at 570/min (reported to the engine's owner).
 */
const LEASE_TTL_MS = 30_000;
const PAGE_SIZE = 100;

interface Scale {
  accounts: number;
  patients: number;
  invoices: number;
}

function scaleFrom(args: readonly string[]): Scale {
  const [accounts = 12, patients = 500, invoices = patients] = args.map(Number);
  for (const n of [accounts, patients, invoices]) if (!Number.isInteger(n) || n <= 0) throw new Error('usage: npm run bench -- workers [accounts] [patients] [invoices]');
  return { accounts, patients, invoices };
}

/** Starts `test/integration/fixtures/fakes-host.ts` (one key per account) and reads its JSON line. */
async function startBenchFakes(env: Record<string, string>): Promise<{ child: Child; info: FakesInfo; raw: string }> {
  const path = fileURLToPath(new URL('../../test/integration/fixtures/fakes-host.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', path], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const raw = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve);
    void exited.then((code) => reject(new Error(`fakes host exited (${code})`)));
  });
  const child: Child = { proc, events: [], exited, waitFor: () => Promise.reject(new Error('not used')) };
  return { child, info: JSON.parse(raw) as FakesInfo, raw };
}

/** One fleet: fresh fakes, fresh schemas, `workers` worker processes, all ready. */
interface Fleet {
  fakes: { child: Child; info: FakesInfo; raw: string };
  workers: Child[];
  store: PostgresStateStore;
  boss: PgBoss;
  ids: string[];
  url: string;
  bossSchema: string;
  close(): Promise<void>;
}

async function startFleet(url: string, scale: Scale, workers: number, concurrency: number, name: string): Promise<Fleet> {
  const fakes = await startBenchFakes({ ACCOUNTS: String(scale.accounts), PATIENTS: String(scale.patients), INVOICES: String(scale.invoices), RPM: String(FAKE_RPM), LATENCY_MS: String(LATENCY_MS) });
  const schemas = { STORE_SCHEMA: `bench_${name}`, BOSS_SCHEMA: `bench_${name}_boss` };
  const env = { CT_PG_URL: url, FAKES: fakes.raw, RPM: String(CLIENT_RPM), LEASE_TTL_MS: String(LEASE_TTL_MS), CONCURRENCY: String(concurrency), ...schemas };
  const list = Array.from({ length: workers }, () => startWorkerChild(env));
  await Promise.all(list.map((w) => w.waitFor((e) => e.event === 'ready', 120_000)));
  const store = new PostgresStateStore({ connectionString: url, schema: schemas.STORE_SCHEMA });
  const boss = new PgBoss({ connectionString: url, schema: schemas.BOSS_SCHEMA, supervise: false, schedule: false });
  await boss.start();
  return {
    fakes,
    workers: list,
    store,
    boss,
    ids: fakes.info.accounts.map((a) => a.id),
    url,
    bossSchema: schemas.BOSS_SCHEMA,
    close: async () => {
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      await store.close();
      for (const w of list) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGTERM');
      await Promise.all(list.map((w) => w.exited));
      fakes.child.proc.kill('SIGTERM');
      await fakes.child.exited;
    },
  };
}

async function sendAll(fleet: Fleet): Promise<void> {
  for (const accountId of fleet.ids) await fleet.boss.send(WORKER_QUEUES.jobs, { accountId, kind: 'sync', reason: 'manual' });
}

/** Every account has a successful run; throws as soon as a job has used up its retries. */
function allSucceeded(fleet: Fleet): () => Promise<boolean> {
  return async () => {
    const dead = (await bossJobs(fleet.url, fleet.bossSchema, WORKER_QUEUES.jobs)).filter((j) => j.state === 'failed');
    if (dead.length > 0) throw new Error(`jobs failed after all retries: ${dead.map((j) => j.accountId).join(', ')}`);
    return (await Promise.all(fleet.ids.map((id) => fleet.store.runs.last(id, { kind: 'sync', status: 'succeeded' })))).every(Boolean);
  };
}

/** Duplicated and missing customers/invoices over all accounts (every account has the same seed). */
async function integrity(fleet: Fleet): Promise<{ duplicates: number; lost: number; tooMany: number }> {
  const state = (await fakesState(fleet.fakes.info)) as Record<string, Awaited<ReturnType<typeof fakesState>>[string] & { tooMany: { cliniko: number; tradify: number } }>;
  const invoiceCounts = fleet.ids.map((id) => new Set(state[id]!.invoices).size);
  const expectedInvoices = Math.max(...invoiceCounts);
  let duplicates = 0;
  let lost = 0;
  let tooMany = 0;
  for (const id of fleet.ids) {
    const s = state[id]!;
    const customers = new Set(s.customers);
    duplicates += s.customers.length - customers.size + s.invoices.length - new Set(s.invoices).size;
    tooMany += s.tooMany.cliniko + s.tooMany.tradify;
    lost += s.patients.filter((p) => !customers.has(`cliniko:patient:${p}`)).length + expectedInvoices - new Set(s.invoices).size;
  }
  return { duplicates, lost, tooMany };
}

/** The pacing floor of each account's successful run, ms: requests ÷ pace on the busier API. */
async function accountFloorsMs(fleet: Fleet): Promise<number[]> {
  const floors: number[] = [];
  for (const id of fleet.ids) {
    const run = await fleet.store.runs.last(id, { kind: 'sync', status: 'succeeded' });
    const requests = (run?.summary?.requests ?? {}) as { cliniko?: number; tradify?: number };
    floors.push((Math.max(requests.cliniko ?? 0, requests.tradify ?? 0) / CLIENT_RPM) * 60_000);
  }
  return floors;
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

async function throughputCase(url: string, scale: Scale, workers: number): Promise<BenchCase & { ratio: number }> {
  const fleet = await startFleet(url, scale, workers, Math.ceil(scale.accounts / 2), `w${workers}`);
  try {
    const started = Date.now();
    await sendAll(fleet);
    await until(allSucceeded(fleet), 60 * 60_000, 500);
    const wallMs = Date.now() - started;
    const floors = await accountFloorsMs(fleet);
    const floorMs = Math.max(...floors);
    const durations = await Promise.all(fleet.ids.map(async (id) => (await runsOf(fleet.store, id)).filter((r) => r.kind === 'sync').map((r) => (r.finishedAt ?? 0) - r.startedAt)[0] ?? 0));
    const { duplicates, lost, tooMany } = await integrity(fleet);
    const ratio = Math.round((wallMs / floorMs) * 100) / 100;
    const finishedBy = fleet.workers.map((w) => w.events.filter((e) => e.event === 'finished').length).join(' / ');
    return {
      name: `${workers} worker${workers > 1 ? 's' : ''} × concurrency ${Math.ceil(scale.accounts / 2)}`,
      metrics: {
        'wall s': seconds(wallMs),
        'per-account floor s (max)': seconds(floorMs),
        'per-account floor s (mean)': seconds(floors.reduce((a, b) => a + b, 0) / floors.length),
        'per-account run s (mean)': seconds(durations.reduce((a, b) => a + b, 0) / durations.length),
        'wall ÷ floor': ratio,
        'jobs finished per worker': finishedBy,
        '429 responses': tooMany,
        duplicates,
        lost,
      },
      targets: { ...(workers === 2 ? { 'wall ≤ 1.25 × floor': ratio <= 1.25 } : {}), '0 duplicates, 0 lost': duplicates === 0 && lost === 0 },
      ratio,
    };
  } finally {
    await fleet.close();
  }
}

/** An account the victim is running that already has audited writes. */
async function victimAccountWithWork(fleet: Fleet, victim: Child): Promise<string> {
  let account = '';
  await until(async () => {
    const running = victim.events.filter((e) => e.event === 'started' && !victim.events.some((f) => f.event === 'finished' && f.jobId === e.jobId));
    for (const e of running) if ((await fleet.store.audit.list(String(e.accountId), { limit: 1 })).items.length > 0) account = String(e.accountId);
    return account !== '';
  }, 10 * 60_000, 50);
  return account;
}

async function failoverCase(url: string, scale: Scale): Promise<BenchCase> {
  // Failover needs a free slot: each worker here could run every account (a fleet sized N+1).
  const fleet = await startFleet(url, scale, 2, scale.accounts, 'kill');
  const [victim, survivor] = fleet.workers as [Child, Child];
  try {
    await sendAll(fleet);
    const account = await victimAccountWithWork(fleet, victim);
    victim.proc.kill('SIGKILL');
    await victim.exited;
    const killedAt = Date.now();
    await until(allSucceeded(fleet), 60 * 60_000, 500);
    const pickedUp = survivor.events.find((e) => e.event === 'started' && e.accountId === account && Number(e.at) > killedAt);
    const failedOver = survivor.events.find((e) => e.message === 'worker failing over a dead worker job' && e.accountId === account);
    const resumedAt = (await auditIntervals(fleet.store, account)).find((span) => span.from > killedAt)?.from;
    const accountFloorMs = (await accountFloorsMs(fleet))[fleet.ids.indexOf(account)] ?? 0;
    const pageMs = (accountFloorMs * PAGE_SIZE) / (scale.patients + scale.invoices);
    const delayMs = resumedAt === undefined ? Number.POSITIVE_INFINITY : resumedAt - killedAt;
    const runs = (await runsOf(fleet.store, account)).filter((r) => r.kind === 'sync').map((r) => r.status);
    const { duplicates, lost } = await integrity(fleet);
    return {
      name: `failover after SIGKILL (lease TTL ${LEASE_TTL_MS / 1000} s)`,
      metrics: {
        'dead claim replaced after kill s': failedOver ? seconds(Number(failedOver.at) - killedAt) : 'never',
        'job picked up after kill s': pickedUp ? seconds(Number(pickedUp.at) - killedAt) : 'never',
        'first commit after kill s': seconds(delayMs),
        'lease TTL + one page s': seconds(LEASE_TTL_MS + pageMs),
        'killed account runs': runs.join(', '),
        duplicates,
        lost,
      },
      targets: { 'failover ≤ lease TTL + one page': delayMs <= LEASE_TTL_MS + pageMs, '0 duplicates, 0 lost': duplicates === 0 && lost === 0 },
    };
  } finally {
    await fleet.close();
  }
}

/** Runs the scenario (see the module notes). */
export async function run(args: readonly string[]): Promise<BenchResult> {
  const scale = scaleFrom(args);
  const cluster = await startPgCluster('cliniko_tradify_bench');
  try {
    const one = await throughputCase(cluster.url, scale, 1);
    const two = await throughputCase(cluster.url, scale, 2);
    const failover = await failoverCase(cluster.url, scale);
    return {
      scenario: 'workers',
      notes: [
        `${scale.accounts} accounts × ${scale.patients} patients + ${scale.invoices} invoices; fakes ${FAKE_RPM}/min with ${LATENCY_MS} ms latency in one child process; clients pace at ${CLIENT_RPM}/min.`,
        'floor = an account run’s requests ÷ pace on its busier API; wall is from sending the jobs to the last successful run (workers already started).',
        `workers, fakes and PostgreSQL share this machine (${cpus().length} CPUs): CPU contention counts against the ratio.`,
        `2 workers vs 1: ${two.ratio} vs ${one.ratio} × floor.`,
      ],
      cases: [one, two, failover].map(({ name, metrics, targets }) => ({ name, metrics, targets })),
    };
  } finally {
    cluster.stop();
  }
}
