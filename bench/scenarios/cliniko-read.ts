/**
 * `npm run bench -- cliniko-read [a|b] [--requests=N] [--per-page=N]`: how close the Cliniko client's pacing
 * comes to the rate limit without tripping it, against the loopback fake Cliniko.
 *
 * (a) 1,000 list pages at 3,000/min with 30 ms latency over eight streams (enough to keep a
 *     20 ms pacer fed when a round trip takes 30 ms plus CPU): the floor is
 *     1,000 × 20 ms = 20 s; targets: requests = minimum, wall ≤ 1.10 × floor, zero 429s.
 * (b) 400 pages against the real 200/min fixed window (client at 190/min) with 300 ms latency
 *     over three streams; target: ≥ 90 % of the limit used, zero 429s. Takes about 2 minutes.
 *
 * @module
 */
import { loadavg } from 'node:os';
import { ClinikoClient } from '../../src/cliniko/client.js';
import { silentLogger } from '../../src/core/logger.js';
import { forkFakeCliniko } from '../lib/fake-cliniko-process.js';
import { peakRssMiB, type BenchCase, type BenchResult } from '../lib/report.js';

interface CaseSpec {
  name: string;
  /** Seeds differ per case so each case has its own key, hence its own process-wide limiter. */
  seed: number;
  perPage: number;
  requests: number;
  serverPerMinute: number;
  clientPerMinute: number;
  latencyMs: number;
  streams: number;
}

const PATIENTS = 2_000; // 20 pages of 100, re-read as often as the case needs
/** Streams in case (a): enough that the 20 ms pacer, not the round trip, sets the pace. */
const STREAMS_A = 8;

interface Measured {
  wallMs: number;
  sent: number;
  tooMany: number;
  clientRequests: number;
  clientCpuMsPerRequest: number;
  fakeCpuMsPerRequest: number;
}

async function measure(spec: CaseSpec): Promise<Measured> {
  const fc = await forkFakeCliniko({ patients: PATIENTS, invoices: 0, seed: spec.seed, latencyMs: spec.latencyMs, rateLimit: { perMinute: spec.serverPerMinute, window: 'fixed' } });
  try {
    const cliniko = new ClinikoClient({
      apiKey: fc.apiKey,
      userAgent: 'cliniko-tradify bench (bench@example.com)',
      baseUrl: fc.url,
      requestsPerMinute: spec.clientPerMinute,
      logger: silentLogger,
    });
    // Each stream claims a ticket before asking for its next page, so exactly `requests` go out.
    let tickets = spec.requests;
    const claim = () => (tickets > 0 ? (tickets -= 1, true) : false);
    const stream = async () => {
      while (tickets > 0) {
        const pages = cliniko.patients.list({ includeArchived: true, perPage: spec.perPage }).pages();
        while (claim()) {
          if ((await pages.next()).done) {
            tickets += 1;
            break;
          }
        }
        await pages.return(undefined);
      }
    };
    const fakeBefore = await fc.stats();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(Array.from({ length: spec.streams }, stream));
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const { sent, tooMany, cpuMs } = await fc.stats();
    return {
      wallMs,
      sent,
      tooMany,
      clientRequests: cliniko.stats.requests,
      clientCpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, sent),
      fakeCpuMsPerRequest: (cpuMs - fakeBefore.cpuMs) / Math.max(1, sent),
    };
  } finally {
    await fc.close();
  }
}

async function caseA(requests: number, perPage: number): Promise<BenchCase> {
  const spec: CaseSpec = { name: '', seed: 11, perPage, requests, serverPerMinute: 3_000, clientPerMinute: 3_000, latencyMs: 30, streams: STREAMS_A };
  const m = await measure(spec);
  const floorMs = requests * (60_000 / spec.clientPerMinute);
  const ratio = m.wallMs / floorMs;
  return {
    name: `a: ${requests} list pages of ${perPage} @ 3000/min, 30 ms latency, ${spec.streams} streams`,
    metrics: {
      'requests (minimum)': requests,
      'requests sent': m.sent,
      '429 responses': m.tooMany,
      'wall s': (m.wallMs / 1000).toFixed(2),
      'floor s': (floorMs / 1000).toFixed(2),
      'wall ÷ floor': ratio.toFixed(3),
      'client CPU ms / request': m.clientCpuMsPerRequest.toFixed(2),
      'fake CPU ms / request': m.fakeCpuMsPerRequest.toFixed(2),
      'load average (1 min)': loadavg()[0]!.toFixed(2),
      'peak RSS MiB (client process)': peakRssMiB(),
    },
    targets: { 'requests = minimum': m.sent === requests, 'wall ≤ 1.10 × floor': ratio <= 1.1, 'zero 429s': m.tooMany === 0 },
  };
}

async function caseB(requests: number, perPage: number): Promise<BenchCase> {
  const spec: CaseSpec = { name: '', seed: 12, perPage, requests, serverPerMinute: 200, clientPerMinute: 190, latencyMs: 300, streams: 3 };
  const m = await measure(spec);
  const achievedPerMinute = m.sent / (m.wallMs / 60_000);
  const share = achievedPerMinute / spec.serverPerMinute;
  return {
    name: `b: ${requests} list pages of ${perPage} vs a 200/min fixed window (client 190/min), 300 ms latency, 3 streams`,
    metrics: {
      'requests sent': m.sent,
      '429 responses': m.tooMany,
      'wall s': (m.wallMs / 1000).toFixed(1),
      'achieved req/min': achievedPerMinute.toFixed(1),
      'share of the 200/min limit': `${(share * 100).toFixed(1)} %`,
      'load average (1 min)': loadavg()[0]!.toFixed(2),
      'peak RSS MiB': peakRssMiB(),
    },
    targets: { 'share ≥ 90 %': share >= 0.9, 'zero 429s': m.tooMany === 0 },
  };
}

/** Run the scenario; `args` may name `a` or `b` and set `--requests=N` for a shorter run. */
export async function run(args: readonly string[]): Promise<BenchResult> {
  const only = args.find((a) => a === 'a' || a === 'b');
  const requestsArg = args.find((a) => a.startsWith('--requests='));
  const override = requestsArg ? Number(requestsArg.split('=')[1]) : undefined;
  const perPageArg = args.find((a) => a.startsWith('--per-page='));
  const perPage = perPageArg ? Number(perPageArg.split('=')[1]) : 100;
  const cases: BenchCase[] = [];
  if (!only || only === 'a') cases.push(await caseA(override ?? 1_000, perPage));
  if (!only || only === 'b') cases.push(await caseB(override ?? 400, perPage));
  return {
    scenario: 'cliniko-read',
    notes: [
      `fake Cliniko on loopback in a child process, ${PATIENTS} patients, per_page ${perPage}`,
      'the floor counts one request per 60 000 / rpm ms; the first request is sent at t = 0',
    ],
    cases,
  };
}
