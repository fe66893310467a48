/**
 * `cliniko-tradify reconcile`: compare both sides, print the summary, write report files.
 *
 * @module
 */
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { isPlainDate } from '../../core/dates.js';
import { ConfigError } from '../../core/errors.js';
import { checkOutputDirectory } from '../../core/private-files.js';
import { writeReportFiles, type ReportFormat } from '../../sync/report/files.js';
import { discrepancyProblems, headlineText, recordLabel } from '../../sync/report/labels.js';
import { ReconciliationReport } from '../../sync/report/report.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { formatCount } from '../output.js';
import type { Bind } from '../bind.js';

const FORMATS: readonly ReportFormat[] = ['html', 'csv', 'money-csv', 'json', 'md'];
/** Discrepancies printed one per line; the rest are in the report. */
const SHOWN = 10;

/** Options of `reconcile`. */
export interface ReconcileCliOptions {
  out?: string | undefined;
  format?: string | undefined;
  repair?: boolean | undefined;
  since?: string | undefined;
}

/** Parses `--format html,csv`. */
export function parseFormats(text: string | undefined, fallback: readonly string[] | undefined): ReportFormat[] {
  const list = text === undefined ? (fallback ?? ['html', 'csv', 'json']) : text.split(',').map((f) => f.trim().toLowerCase()).filter(Boolean);
  for (const format of list) {
    if (!(FORMATS as readonly string[]).includes(format)) throw new ConfigError('--format', `--format '${format}' is not a report format: use a comma list of ${FORMATS.join(', ')}.`);
  }
  return list as ReportFormat[];
}

function asReport(value: unknown): ReconciliationReport {
  if (value instanceof ReconciliationReport) return value;
  throw new Error('engine.reconcile() did not return a ReconciliationReport');
}

function printReport(ctx: CommandContext, report: ReconciliationReport, paths: string[]): void {
  const s = report.summary;
  const kinds = Object.entries(s.counts).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`);
  ctx.out.line(`reconciliation ${s.runId}: ${headlineText(s.discrepancies)} (${s.totalFindings} finding(s)${kinds.length ? `: ${kinds.join(', ')}` : ''})`);
  for (const d of report.discrepancies.slice(0, SHOWN)) ctx.out.line(`  needs action  ${recordLabel(d)}: ${discrepancyProblems(d)}`);
  if (report.discrepancies.length > SHOWN) ctx.out.line(`  needs action  … and ${report.discrepancies.length - SHOWN} more (see the report)`);
  if (s.known.total > 0) ctx.out.line(`  known      ${s.known.rows.map((r) => `${r.label} ${formatCount(r.count)}`).join('; ')}`);
  ctx.out.line(`  compared   Cliniko patients ${formatCount(s.records.clinikoPatients)}, invoices ${formatCount(s.records.clinikoInvoices)}; Tradify customers ${formatCount(s.records.tradifyCustomers)}, invoices ${formatCount(s.records.tradifyInvoices)}`);
  if (s.repairs) ctx.out.line(`  repairs    ${JSON.stringify(s.repairs)}`);
  for (const path of paths) ctx.out.line(`  report     ${path}   (holds patient ids: mode 0600)`);
}

/**
 * The report folder of `--out` (or the config file's `reconcile.out`), checked before any work:
 * an existing directory, or a new one in an existing folder; never a file or a symbolic link.
 */
export async function reportDirectory(ctx: CommandContext, flag: string | undefined, fromFile: string | undefined): Promise<string | undefined> {
  const given = flag ?? fromFile;
  if (given === undefined) return undefined;
  const dir = resolve(ctx.io.cwd, given);
  await checkOutputDirectory(dir, flag !== undefined ? '--out' : 'reconcile.out');
  return dir;
}

/** Runs the reconciliation and returns the exit code (3 when a record needs action: a discrepancy). */
export async function reconcileAction(ctx: CommandContext, options: ReconcileCliOptions): Promise<number> {
  const defaults = (await ctx.config()).reconcile;
  const since = options.since ?? defaults.since;
  if (since !== undefined && !isPlainDate(since)) throw new ConfigError('--since', `--since must be a date written YYYY-MM-DD, e.g. --since 2025-07-01.`);
  const formats = parseFormats(options.format, defaults.formats);
  const out = await reportDirectory(ctx, options.out, defaults.out);
  const runtime = await ctx.runtime();
  const report = asReport(await runtime.engine.reconcile({ signal: ctx.signal, repair: options.repair === true, since, alertThreshold: defaults.alertThreshold }));
  const paths = out === undefined ? [] : await writeReportFiles(report, { dir: out, formats, timeZone: runtime.config.timeZone });
  const exitCode = report.summary.discrepancies > 0 ? EXIT.attention : EXIT.ok;
  printReport(ctx, report, paths);
  ctx.out.document({ command: 'reconcile', exitCode, summary: report.summary, discrepancies: report.discrepancies, findings: report.findings, files: paths });
  return exitCode;
}

/** Registers `reconcile`. */
export function registerReconcile(program: Command, bind: Bind): void {
  program
    .command('reconcile')
    .description('Compare Cliniko and Tradify record by record and money by month; write a report.')
    .option('-o, --out <dir>', 'write report files here (mode 0600: they hold patient ids)')
    .option('-f, --format <list>', `comma list of ${FORMATS.join(', ')} (default html,csv,json)`)
    .option('--since <date>', 'only invoices issued on or after this date (YYYY-MM-DD)')
    .addOption(new Option('--repair', 're-push or re-link what can be fixed; the rest become reviews'))
    .addHelpText('after', `
Exit code 3 means a record needs action: a discrepancy the engine cannot explain (see the
report). Differences it already explains (reviews, dead letters, drafts it keeps, invoices it
leaves out on purpose) are listed as known and do not count; 0 means nothing needs action.

Examples:
  $ cliniko-tradify reconcile --out ./reports
  $ cliniko-tradify reconcile --out ./reports --format html,md --since 2025-07-01
  $ cliniko-tradify reconcile --repair --json > reconciliation.json`)
    .action(bind('reconcile', reconcileAction));
}
