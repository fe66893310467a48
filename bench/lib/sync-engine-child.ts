/**
 * The engine side of `npm run bench -- sync`, run in its own process from a plain-JavaScript
 * build (see {@link ./engine-process.ts}), as an application would run the published package:
 * no TypeScript loader in the process whose memory is measured. Reads its job from argv (JSON),
 * answers over IPC with each run's summary, wall time and peak RSS, and starts the next run
 * when the parent says so.
 *
 * @module
 */
import { ClinikoClient } from '../../src/cliniko/client.js';
import { HttpTradifyClient } from '../../src/tradify/http-client.js';
import { SqliteStateStore } from '../../src/stores/sqlite.js';
import { SyncEngine } from '../../src/sync/engine.js';
import { silentLogger } from '../../src/core/logger.js';
import type { SyncSummary } from '../../src/sync/summary.js';
import type { SyncEstimate } from '../../src/sync/estimate.js';

/** What the parent asks for. */
export interface EngineJob {
  cliniko: { url: string; apiKey: string; requestsPerMinute: number };
  tradify: { url: string; apiKey: string; requestsPerMinute: number };
  /** The rates the engine's ETA uses (requests per minute). */
  rates: { cliniko: number; tradify: number };
  statePath: string;
  /** How many runs one after the other (the second one sees no changes). */
  runs: number;
  /** Ask `engine.estimate()` before the first run. */
  estimate: boolean;
}

/** What the child answers, once per run. */
export interface EngineRunResult {
  type: 'run';
  index: number;
  estimate?: SyncEstimate | undefined;
  summary: SyncSummary;
  wallMs: number;
  peakRssBytes: number;
  /** V8's heap size (committed) when RSS peaked. */
  heapTotalAtPeakBytes: number;
  /** Live heap after a full GC at the end of the run (when started with --expose-gc). */
  heapAfterGcBytes: number | null;
}

function peakRss(): { stop(): NodeJS.MemoryUsage } {
  let peak = process.memoryUsage();
  const sample = (): void => {
    const now = process.memoryUsage();
    if (now.rss > peak.rss) peak = now;
  };
  const timer = setInterval(sample, 50);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

function liveHeap(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  gc();
  return process.memoryUsage().heapUsed;
}

function nextRunAllowed(): Promise<void> {
  return new Promise((resolve) => process.once('message', () => resolve()));
}

/** `BENCH_MEMLOG=1`: one line of `process.memoryUsage()` (MB) on stderr every 10 s, to see what grows. */
function memoryLog(): void {
  if (process.env.BENCH_MEMLOG !== '1') return;
  const started = Date.now();
  const mbOf = (n: number): number => Math.round(n / 1048576);
  setInterval(() => {
    const m = process.memoryUsage();
    process.stderr.write(`[engine ${Math.round((Date.now() - started) / 1000)}s] rss ${mbOf(m.rss)} heapTotal ${mbOf(m.heapTotal)} heapUsed ${mbOf(m.heapUsed)} external ${mbOf(m.external)} arrayBuffers ${mbOf(m.arrayBuffers)}\n`);
  }, 10_000).unref();
}

async function main(job: EngineJob): Promise<void> {
  memoryLog();
  const cliniko = new ClinikoClient({ apiKey: job.cliniko.apiKey, userAgent: 'Sync Bench (bench@example.com)', baseUrl: job.cliniko.url, requestsPerMinute: job.cliniko.requestsPerMinute, logger: silentLogger });
  const tradify = new HttpTradifyClient({ apiKey: job.tradify.apiKey, baseUrl: job.tradify.url, requestsPerMinute: job.tradify.requestsPerMinute, logger: silentLogger });
  const store = new SqliteStateStore({ path: job.statePath });
  const engine = new SyncEngine({ cliniko, tradify, store, logger: silentLogger, alerter: { notify: async () => undefined }, mapping: { approval: { when: 'immediately' } }, rates: job.rates });
  try {
    for (let index = 0; index < job.runs; index++) {
      const estimate = index === 0 && job.estimate ? await engine.estimate() : undefined;
      const rss = peakRss();
      const started = performance.now();
      const summary = await engine.run();
      const wallMs = performance.now() - started;
      const peak = rss.stop();
      const result: EngineRunResult = { type: 'run', index, estimate, summary, wallMs, peakRssBytes: peak.rss, heapTotalAtPeakBytes: peak.heapTotal, heapAfterGcBytes: liveHeap() };
      process.send!(result);
      await nextRunAllowed(); // the parent reads the fakes' counters between runs
    }
  } finally {
    await store.close();
  }
}

await main(JSON.parse(process.argv[2]!) as EngineJob);
process.disconnect?.();
