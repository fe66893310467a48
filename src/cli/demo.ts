/**
 * The demo walk-through (`npm run demo` and `cliniko-tradify demo`): fake Cliniko and fake
 * Tradify on loopback, a full sync with progress, a few edits, an incremental sync, a
 * reconciliation with one planted mismatch (the one record that needs action; the fake data's
 * oddities — reviews, open credit, invoices archived in Cliniko that the sync withdraws — are known
 * items), and the HTML report's path.
 *
 * @module
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleAlerter } from '../alerts/console.js';
import { ClinikoClient } from '../cliniko/client.js';
import { toWholeSecondIso } from '../core/dates.js';
import { silentLogger } from '../core/logger.js';
import { SyncEngine } from '../sync/engine.js';
import { estimateEta } from '../sync/eta.js';
import type { StateStore } from '../sync/ports.js';
import { writeReportFiles } from '../sync/report/files.js';
import { discrepancyProblems, headlineText, recordLabel } from '../sync/report/labels.js';
import { ReconciliationReport } from '../sync/report/report.js';
import type { KnownSummary } from '../sync/report/types.js';
import type { SyncSummary } from '../sync/summary.js';
import { startFakeCliniko, type FakeCliniko } from '../testing/fake-cliniko/server.js';
import { startFakeTradify, type FakeTradify } from '../testing/fake-tradify/server.js';
import { HttpTradifyClient } from '../tradify/http-client.js';
import { formatCount, formatDuration } from './output.js';
import { ProgressReporter, type ProgressMode } from './progress.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Patients the fake Cliniko holds. @defaultValue `2000` */
  patients?: number | undefined;
  /** Invoices the fake Cliniko holds. @defaultValue `4000` */
  invoices?: number | undefined;
  /** Seed of the generated data. @defaultValue `42` */
  seed?: number | undefined;
  /** Where the state file and the report go. @defaultValue a new folder under the OS temp dir */
  dir?: string | undefined;
  /** Where the walk-through's lines go. @defaultValue `console.log` */
  print?: ((line: string) => void) | undefined;
  /** Progress drawing. @defaultValue `'plain'` */
  progress?: ProgressMode | undefined;
  /** Where progress goes. @defaultValue `process.stderr` */
  writeProgress?: ((text: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** What the walk-through did. */
export interface DemoResult {
  dir: string;
  reportPath: string;
  full: SyncSummary;
  incremental: SyncSummary;
  /** The Tradify invoice whose line was tampered with, and its Cliniko id. */
  planted: { tradifyInvoiceId: string; clinikoInvoiceId: string };
  /** Findings, field by field. */
  findings: number;
  /** Records that need action (discrepancies): the planted invoice, and anything the engine cannot explain. */
  discrepancies: number;
  /** Whether the planted invoice is among the discrepancies. */
  plantedFound: boolean;
  /** The differing fields of the planted invoice, grouped under it (e.g. `['total', 'tax', 'line-total']`). */
  plantedFields: string[];
  /** Differences the engine already explains (reviews, kept drafts, invoices left out on purpose), by reason. */
  known: KnownSummary;
}

/** The raised pace of the demo; the real limits are 200/min (Cliniko) and 100/min (Tradify). */
export const DEMO_RATE = 1_000_000;
const REAL_LIMITS = { cliniko: 200, tradify: 100 };

async function openDemoStore(path: string): Promise<StateStore> {
  const { SqliteStateStore } = await import('../stores/sqlite.js');
  return new SqliteStateStore({ path });
}

function realLimitTime(requests: { cliniko: number; tradify: number }): string {
  const ms = Math.max((requests.cliniko / REAL_LIMITS.cliniko) * 60_000, (requests.tradify / REAL_LIMITS.tradify) * 60_000);
  return formatDuration(ms);
}

function summaryLine(summary: SyncSummary): string {
  return `created ${summary.created}, updated ${summary.updated}, unchanged ${summary.unchanged}, skipped ${summary.skipped}, dead-lettered ${summary.deadLettered}, reviews ${summary.reviews} — ${summary.requests.cliniko} Cliniko + ${summary.requests.tradify} Tradify requests in ${formatDuration(summary.durationMs)}`;
}

/** Edits a few records in the fake Cliniko: three patients' details and one open invoice paid. */
function editSomeRecords(fc: FakeCliniko): string[] {
  const patients = fc.db.patients.all().filter((p) => p.archived_at === null).slice(0, 3);
  const edited: string[] = [];
  for (const [i, patient] of patients.entries()) {
    fc.db.patients.update(patient.id, { address_1: `${10 + i} Demo Street`, city: 'Newtown', post_code: '2042' });
    edited.push(`patient ${patient.id}: new address`);
  }
  const open = fc.db.invoices.all().find((inv) => inv.status === 10 && inv.deleted_at === null && inv.archived_at === null);
  if (open) {
    fc.db.invoices.update(open.id, { status: 20, status_description: 'Paid', closed_at: toWholeSecondIso(fc.db.clock.now()) });
    edited.push(`invoice ${open.id}: paid`);
  }
  return edited;
}

/** Tampers with one synced Tradify invoice: its first line's unit price goes up by 10.00. */
function plantMismatch(ft: FakeTradify): DemoResult['planted'] | undefined {
  const candidates = ft.state.invoices.all().filter((inv) => inv.externalReference?.startsWith('cliniko:invoice:') && inv.status !== 'cancelled' && inv.lineItems.length > 0);
  const invoice = candidates[Math.floor(candidates.length / 2)];
  const stored = invoice && ft.state.invoices.stored(invoice.id);
  const line = stored?.lineItems[0];
  if (!invoice || !stored || !line) return undefined;
  const [whole = '0', cents = '00'] = line.unitPrice.replace('-', '').split('.');
  const sign = line.unitPrice.startsWith('-') ? -1n : 1n;
  const raised = sign * (BigInt(whole) * 100n + BigInt(cents.padEnd(2, '0').slice(0, 2))) + 1000n;
  const abs = raised < 0n ? -raised : raised;
  const unitPrice = `${raised < 0n ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  ft.state.invoices.tamper(invoice.id, { lineItems: [{ ...line, unitPrice }, ...stored.lineItems.slice(1)] });
  return { tradifyInvoiceId: invoice.id, clinikoInvoiceId: invoice.externalReference!.split(':')[2] ?? '' };
}

/**
 * Runs the whole walk-through and returns what it did. The fakes run with RAISED rate limits so
 * it finishes in about a minute; it prints the time the same work would take at the real limits.
 *
 * @example
 * ```ts
 * const result = await runDemo({ patients: 200, invoices: 400 });
 * console.log(result.reportPath);
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const patients = options.patients ?? 2000;
  const invoices = options.invoices ?? 4000;
  const seed = options.seed ?? 42;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'cliniko-tradify-demo-')));
  print(`cliniko-tradify demo: fake Cliniko (${formatCount(patients)} patients, ${formatCount(invoices)} invoices) and fake Tradify on loopback`);
  const fc = await startFakeCliniko({ patients, invoices, seed, rateLimit: { perMinute: DEMO_RATE } });
  const ft = await startFakeTradify({ seed, rateLimit: { perMinute: DEMO_RATE } });
  const store = await openDemoStore(join(dir, 'state.db'));
  try {
    const cliniko = new ClinikoClient({ apiKey: fc.apiKey, userAgent: 'cliniko-tradify demo (demo@example.com)', baseUrl: fc.url, requestsPerMinute: DEMO_RATE, logger: silentLogger });
    const tradify = new HttpTradifyClient({ apiKey: ft.apiKey, baseUrl: ft.url, requestsPerMinute: DEMO_RATE, logger: silentLogger });
    const alerter = new ConsoleAlerter({ write: (line) => print(`  ${line}`) });
    const engine = new SyncEngine({ cliniko, tradify, store, alerter, logger: silentLogger, timeZone: 'Australia/Sydney', accountId: 'demo', mapping: { approval: { when: 'immediately' } } });
    const real = estimateEta({ patientsPending: patients, invoicesPending: invoices, clinikoRpm: REAL_LIMITS.cliniko, tradifyRpm: REAL_LIMITS.tradify });
    print(`rate limits are RAISED to ${formatCount(DEMO_RATE)}/min for the demo; at the real limits (Cliniko 200/min, Tradify 100/min) this first sync would take about ${formatDuration(real.ms)} (${real.bottleneck} is the bottleneck).`);
    print(`state: ${join(dir, 'state.db')}`);

    print('\n1. Full sync');
    const full = await syncWithProgress(engine, options, { patients, invoices });
    print(`   ${summaryLine(full)}`);
    print(`   these ${full.requests.cliniko + full.requests.tradify} requests would take ${realLimitTime(full.requests)} at the real limits.`);

    print('\n2. Edits in Cliniko');
    for (const line of editSomeRecords(fc)) print(`   ${line}`);

    print('\n3. Incremental sync');
    const incremental = await syncWithProgress(engine, options, undefined);
    print(`   ${summaryLine(incremental)}`);

    print('\n4. Reconciliation, after tampering with one Tradify invoice');
    const planted = plantMismatch(ft);
    if (!planted) throw new Error('the demo found no synced invoice to tamper with');
    print(`   planted: Tradify invoice ${planted.tradifyInvoiceId} (Cliniko ${planted.clinikoInvoiceId}) — first line's unit price +10.00`);
    const report = await engine.reconcile({ signal: options.signal });
    if (!(report instanceof ReconciliationReport)) throw new Error('engine.reconcile() did not return a report');
    const [reportPath = ''] = await writeReportFiles(report, { dir, formats: ['html'], timeZone: 'Australia/Sydney' });
    const { summary } = report;
    const plantedRecord = report.discrepancies.find((d) => d.entity === 'invoice' && d.clinikoId === planted.clinikoInvoiceId);
    const plantedFound = plantedRecord !== undefined;
    print(`   ${headlineText(summary.discrepancies)}; the planted mismatch ${plantedFound ? 'IS' : 'is NOT'} among them.`);
    for (const d of report.discrepancies.slice(0, 5)) print(`     ${recordLabel(d)}: ${discrepancyProblems(d)}`);
    print(`   known, already explained by the engine (${formatCount(summary.known.total)}): ${summary.known.rows.map((r) => `${r.label} ${formatCount(r.count)}`).join('; ')}.`);
    print(`   (${formatCount(summary.totalFindings)} finding(s) field by field; the report groups them by record.)`);
    print(`\nHTML report: ${reportPath}`);
    print('Done. The state file and report stay in that folder; delete it when finished.');
    const plantedFields = [...new Set(plantedRecord?.findings.map((f) => f.field ?? f.kind) ?? [])];
    return { dir, reportPath, full, incremental, planted, findings: summary.totalFindings, discrepancies: summary.discrepancies, plantedFound, plantedFields, known: summary.known };
  } finally {
    await store.close();
    await fc.close();
    await ft.close();
  }
}

async function syncWithProgress(engine: SyncEngine, options: DemoOptions, pending: { patients: number; invoices: number } | undefined): Promise<SyncSummary> {
  const progress = new ProgressReporter({
    mode: options.progress ?? 'plain',
    write: options.writeProgress ?? ((text) => process.stderr.write(text)),
    pending,
    rates: { cliniko: DEMO_RATE, tradify: DEMO_RATE },
    plainEveryMs: 3000,
  });
  const off = engine.on('pageRead', progress.onPage);
  try {
    return await engine.run({ signal: options.signal });
  } finally {
    off();
    progress.finish();
  }
}
