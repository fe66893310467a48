/**
 * `npm run bench -- sync [patients] [invoices] [--rss-only [--heap-mb=N] | --real-limits]`: a whole first sync
 * and a no-change second sync through the real clients against the fakes, each fake in its own
 * process (Cliniko fake 12,000/min, Tradify fake 6,000/min, 20 ms latency) and the engine in a
 * third, built to plain JavaScript, so the measured RSS is the engine's. Reports wall ÷ floor
 * (the larger, over both APIs, of requests needed ÷ rate), Cliniko requests ÷ minimum, 429s,
 * peak RSS, and the second run's writes and reads. `--real-limits` runs a small first sync at
 * 200/min and 100/min and sets the engine's predicted ETA beside the time it took.
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeTradify } from '../../src/testing/index.js';
import { buildEngineChild, runEngineChild } from '../lib/engine-process.js';
import { forkFakeCliniko, type FakeStats } from '../lib/fake-cliniko-process.js';
import type { EngineJob } from '../lib/sync-engine-child.js';
import type { BenchCase, BenchResult } from '../lib/report.js';

const CLINIKO_RPM = 12_000;
const TRADIFY_RPM = 6_000;
const LATENCY_MS = 20;
const SEED = 42;
/** The share of each fake's limit the clients are configured to (a little under, as the defaults). */
const CLIENT_SHARE = 0.95;
const CHILD_FLAG = '--fake-tradify-child';

type TradifyStats = { type: 'stats'; requests: number; writes: number; tooMany: number; customers: number; invoices: number; payments: number };

/** The fake Tradify in a child process. */
async function forkFakeTradify(perMinute: number): Promise<{ url: string; apiKey: string; stats(): Promise<TradifyStats>; close(): Promise<void> }> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, String(perMinute)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(type: string) =>
    new Promise<T>((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off('message', on);
        resolve(m as T);
      };
      child.on('message', on);
    });
  const ready = await next<{ url: string; apiKey: string }>('ready');
  return {
    url: ready.url,
    apiKey: ready.apiKey,
    stats: () => {
      const answer = next<TradifyStats>('stats');
      child.send({ type: 'stats' });
      return answer;
    },
    close: () => new Promise((resolve) => (child.once('exit', () => resolve()), child.send({ type: 'close' }))),
  };
}

async function tradifyChild(): Promise<void> {
  const perMinute = Number(process.argv[process.argv.indexOf(CHILD_FLAG) + 1]);
  const ft = await startFakeTradify({ seed: SEED, latencyMs: LATENCY_MS, rateLimit: { perMinute } });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') {
      process.send!({
        type: 'stats',
        requests: ft.requests.length,
        writes: ft.requests.filter((r) => r.method !== 'GET').length,
        tooMany: ft.requests.filter((r) => r.status === 429).length,
        customers: ft.state.customers.size,
        invoices: ft.state.invoices.size,
        payments: ft.state.payments.size,
      } satisfies TradifyStats);
      ft.requests.length = 0; // keep the child's memory flat across runs
    } else if (m.type === 'close') {
      void ft.close().then(() => process.exit(0));
    }
  });
  process.send!({ type: 'ready', url: ft.url, apiKey: ft.apiKey });
}

const mb = (bytes: number): number => Math.round(bytes / 1048576);
const round = (n: number, places = 2): number => Math.round(n * 10 ** places) / 10 ** places;
const minutes = (ms: number): number => round(ms / 60_000, 1);

interface Limits {
  cliniko: number;
  tradify: number;
}

/** The bench's fast fakes (the real 2:1 ratio, 60× faster) and the real limits. */
const FAST: Limits = { cliniko: CLINIKO_RPM, tradify: TRADIFY_RPM };
const REAL: Limits = { cliniko: 200, tradify: 100 };

interface Fleet {
  fc: Awaited<ReturnType<typeof forkFakeCliniko>>;
  ft: Awaited<ReturnType<typeof forkFakeTradify>>;
  dir: string;
  close(): Promise<void>;
}

async function startFakes(patients: number, invoices: number, limits: Limits): Promise<Fleet> {
  const fc = await forkFakeCliniko({ patients, invoices, seed: SEED, latencyMs: LATENCY_MS, rateLimit: { perMinute: limits.cliniko, window: 'fixed' } });
  const ft = await forkFakeTradify(limits.tradify);
  const dir = mkdtempSync(join(tmpdir(), 'ct-bench-sync-'));
  return { fc, ft, dir, close: async () => (await Promise.all([fc.close(), ft.close()]), rmSync(dir, { recursive: true, force: true })) };
}

type Counters = { c: FakeStats; t: TradifyStats };

/** Reads both fakes' counters (the Tradify fake's reset after each read). */
async function readCounters(fleet: Fleet, into: Counters[]): Promise<void> {
  into.push({ c: await fleet.fc.stats(), t: await fleet.ft.stats() });
}

function engineJob(fleet: Fleet, limits: Limits, runs: number, estimate: boolean): EngineJob {
  return {
    cliniko: { url: fleet.fc.url, apiKey: fleet.fc.apiKey, requestsPerMinute: limits.cliniko * CLIENT_SHARE },
    tradify: { url: fleet.ft.url, apiKey: fleet.ft.apiKey, requestsPerMinute: limits.tradify * CLIENT_SHARE },
    rates: { cliniko: limits.cliniko * CLIENT_SHARE, tradify: limits.tradify * CLIENT_SHARE },
    statePath: join(fleet.dir, 'state.db'),
    runs,
    estimate,
  };
}

async function measure(patients: number, invoices: number, rssOnly: boolean, heapMb: number | undefined): Promise<BenchCase[]> {
  const script = await buildEngineChild();
  const fleet = await startFakes(patients, invoices, FAST);
  try {
    const counters: Counters[] = [];
    const [first, second] = await runEngineChild(script, engineJob(fleet, FAST, rssOnly ? 1 : 2, false), () => readCounters(fleet, counters), [
      '--expose-gc',
      ...(heapMb === undefined ? [] : [`--max-old-space-size=${heapMb}`]),
    ]);
    const { c: c1, t: t1 } = counters[0]!;
    const wallMs = first!.wallMs;
    const peak = first!.peakRssBytes;
    const cases: BenchCase[] = [];
    const floorMs = Math.max((c1.sent / CLINIKO_RPM) * 60_000, (t1.requests / TRADIFY_RPM) * 60_000);
    const minimumCliniko = Math.ceil(patients / 100) + Math.ceil(invoices / 100) + Math.ceil((invoices * 2.5) / 100) + 5;
    cases.push({
      name: `first sync: ${patients} patients + ${invoices} invoices${heapMb === undefined ? '' : ` (V8 old space capped at ${heapMb} MB)`}`,
      metrics: {
        'wall s': round(wallMs / 1000, 1),
        'floor s': round(floorMs / 1000, 1),
        'wall ÷ floor': round(wallMs / floorMs),
        // the clients pace at 0.95 × each limit (docs/architecture.md#smooth-pacing), so wall ÷ floor cannot go below 1.05
        'wall ÷ client-paced floor': round(wallMs / (floorMs / CLIENT_SHARE)),
        'cliniko requests': c1.sent,
        'cliniko minimum (est.)': minimumCliniko,
        'cliniko requests ÷ minimum': round(c1.sent / minimumCliniko),
        'tradify requests': t1.requests,
        'tradify writes': t1.writes,
        '429s (cliniko + tradify)': c1.tooMany + t1.tooMany,
        'peak RSS MB': mb(peak),
        'V8 heap at peak MB': mb(first!.heapTotalAtPeakBytes),
        'live heap after run MB': first!.heapAfterGcBytes === null ? 'n/a' : mb(first!.heapAfterGcBytes),
        created: first!.summary.created,
        deadLettered: first!.summary.deadLettered,
      },
      targets: rssOnly
        ? { 'peak RSS ≤ 200 MB': mb(peak) <= 200 }
        : {
            'wall ≤ 1.10 × floor': wallMs <= 1.1 * floorMs,
            'cliniko requests ≤ 1.10 × minimum': c1.sent <= 1.1 * minimumCliniko,
            'zero 429s': c1.tooMany + t1.tooMany === 0,
            ...(patients >= 100_000 ? { 'peak RSS ≤ 200 MB': mb(peak) <= 200 } : {}),
          },
    });
    if (second) {
      const { c: c2, t: t2 } = counters[1]!;
      cases.push({
        name: 'second sync, no changes',
        metrics: { 'tradify writes': t2.writes, 'cliniko requests': c2.sent - c1.sent, created: second.summary.created, updated: second.summary.updated },
        targets: { '0 Tradify writes': t2.writes === 0, '≤ 3 Cliniko requests per stream': c2.sent - c1.sent <= 6 },
      });
    }
    return cases;
  } finally {
    await fleet.close();
  }
}

/** A small first sync at the real limits: the engine's own ETA (`engine.estimate()`) against the time taken. */
async function measureAtRealLimits(patients: number, invoices: number): Promise<BenchCase[]> {
  const script = await buildEngineChild();
  const fleet = await startFakes(patients, invoices, REAL);
  try {
    const counters: Counters[] = [];
    const [run] = await runEngineChild(script, engineJob(fleet, REAL, 1, true), () => readCounters(fleet, counters));
    const { c, t } = counters[0]!;
    const eta = run!.estimate!.eta;
    return [
      {
        name: `first sync at the real limits (${REAL.cliniko}/min, ${REAL.tradify}/min): ${patients} patients + ${invoices} invoices`,
        metrics: {
          'pending counted (patients / invoices)': `${run!.estimate!.pending.patients} / ${run!.estimate!.pending.invoices}`,
          'engine ETA min': minutes(eta.ms),
          'ETA bottleneck': eta.bottleneck,
          'ETA Tradify writes (upper bound)': eta.tradifyWrites,
          'actual min': minutes(run!.wallMs),
          'actual ÷ ETA': round(run!.wallMs / eta.ms),
          'tradify requests (writes)': `${t.requests} (${t.writes})`,
          'cliniko requests': c.sent,
          '429s (cliniko + tradify)': c.tooMany + t.tooMany,
        },
        targets: { 'zero 429s': c.tooMany + t.tooMany === 0 },
      },
    ];
  } finally {
    await fleet.close();
  }
}

/** Runs the scenario; args: `[patients=1000] [invoices=patients] [--rss-only]`. */
export async function run(args: readonly string[]): Promise<BenchResult> {
  const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const patients = numbers[0] ?? 1000;
  const invoices = numbers[1] ?? patients;
  const rssOnly = args.includes('--rss-only');
  const heapFlag = args.find((a) => a.startsWith('--heap-mb='));
  const heapMb = heapFlag === undefined ? undefined : Number(heapFlag.slice('--heap-mb='.length));
  if (args.includes('--real-limits')) {
    return {
      scenario: 'sync-real-limits',
      notes: [
        `Fakes at Cliniko ${REAL.cliniko}/min and Tradify ${REAL.tradify}/min (the real limits, Tradify's assumed), clients and the engine's ETA at 0.95 × those.`,
        'The ETA is `engine.estimate()` before the run: pending records from one-row counts, Tradify writes at one per customer and three per invoice (an upper bound: not every invoice is paid).',
      ],
      cases: await measureAtRealLimits(numbers[0] ?? 100, numbers[1] ?? numbers[0] ?? 100),
    };
  }
  return {
    scenario: rssOnly ? `sync-rss${heapMb === undefined ? '' : '-capped'}` : 'sync',
    notes: [
      `Each fake runs in its own process (tsx); the engine, clients and a SQLite store run in a third, from a plain-JavaScript build (no TypeScript loader), so peak RSS is the engine's as an application runs it.`,
      `Cliniko minimum is estimated as pages of patients + invoices + items (2.5 items an invoice) + 5 lookups.`,
      `Default size is 1000 + 1000; the issue's figure is \`npm run bench -- sync 10000\`; RSS at scale: \`npm run bench -- sync 100000 0 --rss-only\`; at the real limits: \`npm run bench -- sync --real-limits [100 100]\`.`,
    ],
    cases: await measure(patients, invoices, rssOnly, heapMb),
  };
}

if (process.argv.includes(CHILD_FLAG)) await tradifyChild();
