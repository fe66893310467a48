/**
 * Child-process plumbing for the worker integration tests and the workers bench: the fakes host,
 * worker processes, and readers of the store, pg-boss and the fakes' state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PostgresStateStore } from '../../src/stores/postgres-index.js';
import type { RunRecord } from '../../src/sync/ports.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A node child running a TypeScript fixture, its JSON output lines collected. */
export interface Child {
  proc: ChildProcess;
  events: Array<Record<string, unknown>>;
  waitFor(predicate: (e: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

export function spawnFixture(name: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture(name)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      events.push({ event: 'text', line });
    }
    waiters.splice(0).forEach((w) => w());
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const waitFor = (predicate: (e: Record<string, unknown>) => boolean, timeoutMs = 60_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting in ${name}`)), timeoutMs);
      const check = (): void => {
        const hit = events.find(predicate);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else waiters.push(check);
      };
      check();
    });
  return { proc, events, waitFor, exited };
}

export interface FakesInfo {
  control: string;
  accounts: Array<{ id: string; cliniko: { url: string; apiKey: string }; tradify: { url: string; apiKey: string } }>;
}

export async function startFakesHost(env: Record<string, string>): Promise<{ child: Child; info: FakesInfo; raw: string }> {
  const child = spawnFixture('fakes-host.ts', env);
  const line = await child.waitFor((e) => typeof e.control === 'string', 120_000);
  return { child, info: line as unknown as FakesInfo, raw: JSON.stringify(line) };
}

export interface AccountState {
  customers: string[];
  invoices: string[];
  payments: number;
  patients: string[];
}

export async function fakesState(info: FakesInfo): Promise<Record<string, AccountState>> {
  return (await (await fetch(`${info.control}/state`)).json()) as Record<string, AccountState>;
}

export function startWorkerChild(env: Record<string, string>): Child {
  return spawnFixture('worker-child.ts', env);
}

/** All runs of an account, oldest first. */
export async function runsOf(store: PostgresStateStore, accountId: string): Promise<RunRecord[]> {
  return (await store.runs.list(accountId, { limit: 1000 })).items.reverse();
}

/** Poll until `check` is true. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, stepMs = 250): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/**
 * Each run's interval from the audit log: [first entry, last entry] of its writes (a killed run
 * has no finish time, but its audit entries show how long it held the account).
 */
export async function auditIntervals(store: PostgresStateStore, accountId: string): Promise<Array<{ runId: string; from: number; to: number }>> {
  const byRun = new Map<string, { from: number; to: number }>();
  let cursor: string | undefined;
  do {
    const page = await store.audit.list(accountId, { limit: 1000, cursor });
    for (const e of page.items) {
      const run = e.runId ?? '?';
      const span = byRun.get(run) ?? { from: e.at, to: e.at };
      byRun.set(run, { from: Math.min(span.from, e.at), to: Math.max(span.to, e.at) });
    }
    cursor = page.next;
  } while (cursor !== undefined);
  return [...byRun].map(([runId, span]) => ({ runId, ...span })).sort((a, b) => a.from - b.from);
}

/** Queries pg-boss's job table (tests only). */
export async function bossJobs(
  url: string,
  schema: string,
  queue: string,
): Promise<Array<{ id: string; state: string; accountId: string; reason: string; failovers: number; createdOn: Date }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(
      `SELECT id, state, data->>'accountId' AS account_id, data->>'reason' AS reason, coalesce((data->>'failovers')::int, 0) AS failovers, created_on FROM "${schema}".job WHERE name = $1`,
      [queue],
    );
    return result.rows.map((r: Record<string, unknown>) => ({
      id: String(r.id),
      state: String(r.state),
      accountId: String(r.account_id),
      reason: String(r.reason),
      failovers: Number(r.failovers),
      createdOn: r.created_on as Date,
    }));
  } finally {
    await client.end();
  }
}

export { PostgresStateStore };
