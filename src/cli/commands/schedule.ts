/**
 * `cliniko-tradify schedule`: a long-running process that syncs and reconciles on cron
 * patterns in the configured zone. SIGINT/SIGTERM stop it gracefully (exit 0).
 *
 * @module
 */
import type { Command } from 'commander';
import { createScheduler, type SchedulableEngine } from '../../sync/scheduler.js';
import { writeReportFiles } from '../../sync/report/files.js';
import { ReconciliationReport } from '../../sync/report/report.js';
import type { SyncSummary } from '../../sync/summary.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Bind } from '../program.js';
import { parseFormats } from './reconcile.js';

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

/** Runs until stopped. */
export async function scheduleAction(ctx: CommandContext, options: ScheduleCliOptions): Promise<number> {
  const runtime = await ctx.runtime();
  const { engine, config } = runtime;
  const formats = parseFormats(options.format, config.reconcile.formats);
  const out = options.out ?? config.reconcile.out;
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
        ctx.out.note(`${new Date().toISOString()} reconcile: ${report.summary.totalFindings} finding(s)${files.length ? ` → ${files.join(', ')}` : ''}`);
      }
      return report;
    },
  };
  const scheduler = createScheduler({
    engine: logged,
    sync: pattern(options.sync, config.schedule.sync),
    reconcile: pattern(options.reconcile, config.schedule.reconcile),
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
