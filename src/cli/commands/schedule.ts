/**
 * `cliniko-tradify schedule`: a long-running process that syncs and reconciles on cron
 * patterns in the configured zone. SIGINT/SIGTERM stop it gracefully (exit 0).
 *
 * @module
 */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { createScheduler, parseCronPattern, type SchedulableEngine } from '../../sync/scheduler.js';
import { writeReportFiles } from '../../sync/report/files.js';
import { headlineText } from '../../sync/report/labels.js';
import { ReconciliationReport } from '../../sync/report/report.js';
import type { SyncSummary } from '../../sync/summary.js';
import type { CliConfig } from '../config.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Bind } from '../bind.js';
import { parseFormats, reportDirectory } from './reconcile.js';

/** Options of `schedule`. */
export interface ScheduleCliOptions {
  sync?: string | undefined;
  reconcile?: string | undefined;
  out?: string | undefined;
  format?: string | undefined;
}

function pattern(flag: string | undefined, file: string | null | undefined): string | null | undefined {
  if (flag === undefined) return file;
  return flag === 'off' ? null : flag;
}

/** The jobs' patterns (`null`: off), checked before any work: at least one job, each one firing. */
function schedulePatterns(options: ScheduleCliOptions, config: CliConfig): { sync: string | null | undefined; reconcile: string | null | undefined } {
  const sync = pattern(options.sync, config.schedule.sync);
  const reconcile = pattern(options.reconcile, config.schedule.reconcile);
  if (sync === null && reconcile === null) {
    throw new ConfigError('--sync', 'schedule has nothing to do: --sync and --reconcile are both off; turn one on (e.g. --sync "*/15 * * * *").');
  }
  parseCronPattern(sync, options.sync !== undefined ? '--sync' : 'schedule.sync', config.timeZone);
  parseCronPattern(reconcile, options.reconcile !== undefined ? '--reconcile' : 'schedule.reconcile', config.timeZone);
  return { sync, reconcile };
}

/** Runs until stopped. */
export async function scheduleAction(ctx: CommandContext, options: ScheduleCliOptions): Promise<number> {
  const config = await ctx.config();
  const patterns = schedulePatterns(options, config);
  const formats = parseFormats(options.format, config.reconcile.formats);
  const out = await reportDirectory(ctx, options.out, config.reconcile.out);
  const { engine } = await ctx.runtime();
  const logged: SchedulableEngine = {
    run: async (o) => {
      const summary: SyncSummary = await engine.run(o);
      ctx.out.note(`${new Date().toISOString()} sync ${summary.outcome}: created ${summary.created}, updated ${summary.updated}, dead-lettered ${summary.deadLettered}, reviews ${summary.reviews}`);
      return summary;
    },
    reconcile: async (o) => {
      const report = await engine.reconcile({ ...o, since: config.reconcile.since, alertThreshold: config.reconcile.alertThreshold });
      if (report instanceof ReconciliationReport) {
        const files = out === undefined ? [] : await writeReportFiles(report, { dir: out, formats, timeZone: config.timeZone });
        ctx.out.note(`${new Date().toISOString()} reconcile: ${headlineText(report.summary.discrepancies)}, ${report.summary.totalFindings} finding(s)${files.length ? ` → ${files.join(', ')}` : ''}`);
      }
      return report;
    },
  };
  const scheduler = createScheduler({
    engine: logged,
    ...patterns,
    timeZone: config.timeZone,
    handleSignals: false,
    logger: config.logger ?? ctx.logger,
  });
  const next = Object.entries(scheduler.nextRuns()).map(([job, at]) => `${job} at ${at.toISOString()}`);
  ctx.out.note(`scheduler started (${config.timeZone}); next: ${next.join(', ') || 'nothing scheduled'}. Ctrl-C stops after the current page.`);
  await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true })));
  await scheduler.stop();
  const history = scheduler.history.map((t) => ({ job: t.job, status: t.status, errorCode: t.errorCode }));
  ctx.out.note(`scheduler stopped after ${history.length} tick(s)`);
  ctx.out.document({ command: 'schedule', exitCode: EXIT.ok, ticks: history });
  return EXIT.ok;
}

/** Registers `schedule`. */
export function registerSchedule(program: Command, bind: Bind): void {
  program
    .command('schedule')
    .description('Stay running: sync and reconcile on cron patterns (in CLINIKO_TRADIFY_TIME_ZONE).')
    .option('--sync <cron>', "sync pattern, or 'off' (default '*/15 * * * *')")
    .option('--reconcile <cron>', "reconciliation pattern, or 'off' (default '0 2 * * *')")
    .option('-o, --out <dir>', 'write each reconciliation report here (mode 0600)')
    .option('-f, --format <list>', 'report formats: html, csv, json, md')
    .addHelpText('after', `
Ticks never overlap; a tick that finds the lease held (another process) is skipped.
SIGINT/SIGTERM stop it after the current page and exit 0 — fit for systemd or a container.

Examples:
  $ cliniko-tradify schedule
  $ cliniko-tradify schedule --sync '*/5 * * * *' --reconcile '30 1 * * *' --out /var/reports
  $ cliniko-tradify schedule --reconcile off`)
    .action(bind('schedule', scheduleAction));
}
