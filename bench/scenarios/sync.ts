/**
 * `npm run bench -- sync [patients] [invoices] [--rss-only]`: a whole first sync and a no-change
 * second sync through the real clients against the fakes, each fake in its own process
 * (Cliniko fake 12,000/min, Tradify fake 6,000/min, 20 ms latency), so the measured RSS is the
 * engine's. Reports wall ÷ floor (the larger, over both APIs, of requests needed ÷ rate),
 * Cliniko requests ÷ minimum, 429s, peak RSS, and the second run's writes and reads.
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClinikoClient } from '../../src/cliniko/client.js';
import { HttpTradifyClient } from '../../src/tradify/http-client.js';
import { SqliteStateStore } from '../../src/stores/sqlite.js';
import { SyncEngine } from '../../src/sync/engine.js';
import { silentLogger } from '../../src/core/logger.js';
import { startFakeTradify } from '../../src/testing/index.js';
import { forkFakeCliniko } from '../lib/fake-cliniko-process.js';
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
async function forkFakeTradify(): Promise<{ url: string; apiKey: string; stats(): Promise<TradifyStats>; close(): Promise<void> }> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
  const ft = await startFakeTradify({ seed: SEED, latencyMs: LATENCY_MS, rateLimit: { perMinute: TRADIFY_RPM } });
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

function peakRss(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

const mb = (bytes: number): number => Math.round(bytes / 1048576);
const round = (n: number, places = 2): number => Math.round(n * 10 ** places) / 10 ** places;

async function measure(patients: number, invoices: number, rssOnly: boolean): Promise<BenchCase[]> {
  const fc = await forkFakeCliniko({ patients, invoices, seed: SEED, latencyMs: LATENCY_MS, rateLimit: { perMinute: CLINIKO_RPM, window: 'fixed' } });
  const ft = await forkFakeTradify();
  const dir = mkdtempSync(join(tmpdir(), 'ct-bench-sync-'));
  const store = new SqliteStateStore({ path: join(dir, 'state.db') });
  try {
    const cliniko = new ClinikoClient({ apiKey: fc.apiKey, userAgent: 'Sync Bench (bench@example.com)', baseUrl: fc.url, requestsPerMinute: CLINIKO_RPM * CLIENT_SHARE, logger: silentLogger });
    const tradify = new HttpTradifyClient({ apiKey: ft.apiKey, baseUrl: ft.url, requestsPerMinute: TRADIFY_RPM * CLIENT_SHARE, logger: silentLogger });
    const engine = new SyncEngine({ cliniko, tradify, store, logger: silentLogger, alerter: { notify: async () => undefined }, mapping: { approval: { when: 'immediately' } }, rates: { cliniko: CLINIKO_RPM, tradify: TRADIFY_RPM } });
    const rss = peakRss();
    const started = performance.now();
    const first = await engine.run();
    const wallMs = performance.now() - started;
    const peak = rss.stop();
    const c1 = await fc.stats();
    const t1 = await ft.stats();
    const cases: BenchCase[] = [];
    const floorMs = Math.max((c1.sent / CLINIKO_RPM) * 60_000, (t1.requests / TRADIFY_RPM) * 60_000);
    const minimumCliniko = Math.ceil(patients / 100) + Math.ceil(invoices / 100) + Math.ceil((invoices * 2.5) / 100) + 5;
    cases.push({
      name: `first sync: ${patients} patients + ${invoices} invoices`,
      metrics: {
        'wall s': round(wallMs / 1000, 1),
        'floor s': round(floorMs / 1000, 1),
        'wall ÷ floor': round(wallMs / floorMs),
        // the clients pace at 0.95 × each limit (DESIGN §4), so wall ÷ floor cannot go below 1.05
        'wall ÷ client-paced floor': round(wallMs / (floorMs / CLIENT_SHARE)),
        'cliniko requests': c1.sent,
        'cliniko minimum (est.)': minimumCliniko,
        'cliniko requests ÷ minimum': round(c1.sent / minimumCliniko),
        'tradify requests': t1.requests,
        'tradify writes': t1.writes,
        '429s (cliniko + tradify)': c1.tooMany + t1.tooMany,
        'peak RSS MB': mb(peak),
        created: first.created,
        deadLettered: first.deadLettered,
        'engine ETA at real limits (200/100 per min), h': round(
          (Math.max(c1.sent / 200, t1.writes / 100) / 60),
          1,
        ),
      },
      targets: rssOnly
        ? { 'peak RSS ≤ 200 MB': mb(peak) <= 200 }
        : { 'wall ≤ 1.10 × floor': wallMs <= 1.1 * floorMs, 'cliniko requests ≤ 1.10 × minimum': c1.sent <= 1.1 * minimumCliniko, 'zero 429s': c1.tooMany + t1.tooMany === 0 },
    });
    if (!rssOnly) {
      const second = await engine.run();
      const c2 = await fc.stats();
      const t2 = await ft.stats();
      cases.push({
        name: 'second sync, no changes',
        metrics: { 'tradify writes': t2.writes, 'cliniko requests': c2.sent - c1.sent, created: second.created, updated: second.updated },
        targets: { '0 Tradify writes': t2.writes === 0, '≤ 3 Cliniko requests per stream': c2.sent - c1.sent <= 6 },
      });
    }
    return cases;
  } finally {
    await store.close();
    await Promise.all([fc.close(), ft.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the scenario; args: `[patients=1000] [invoices=patients] [--rss-only]`. */
export async function run(args: readonly string[]): Promise<BenchResult> {
  const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const patients = numbers[0] ?? 1000;
  const invoices = numbers[1] ?? patients;
  const rssOnly = args.includes('--rss-only');
  return {
    scenario: 'sync',
    notes: [
      `Each fake runs in its own process (tsx); the engine, clients and a SQLite store run here, so peak RSS is the engine's.`,
      `Cliniko minimum is estimated as pages of patients + invoices + items (2.5 items an invoice) + 5 lookups.`,
      `Default size is 1000 + 1000; the issue's figure is \`npm run bench -- sync 10000\`; RSS at scale: \`npm run bench -- sync 100000 0 --rss-only\`.`,
    ],
    cases: await measure(patients, invoices, rssOnly),
  };
}

if (process.argv.includes(CHILD_FLAG)) await tradifyChild();
