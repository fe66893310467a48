/**
 * `cliniko-tradify sync`: one incremental sync with progress.
 *
 * @module
 */
import type { Command } from 'commander';
import type { SyncSummary } from '../../sync/summary.js';
import { countOpenWork, needsAttention, type OpenWork } from '../attention.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { formatCount, formatDuration } from '../output.js';
import type { PendingWork } from '../../sync/summary.js';
import { ProgressReporter } from '../progress.js';
import type { Bind } from '../bind.js';
import type { CliRuntime } from '../runtime.js';

/** Prints a run summary for people. */
export function printSummary(ctx: CommandContext, summary: SyncSummary, open: OpenWork): void {
  const out = ctx.out;
  out.line(`sync ${summary.outcome}${summary.stoppedBecause ? ` (${summary.stoppedBecause})` : ''} in ${formatDuration(summary.durationMs)} — run ${summary.runId}`);
  out.line(`  read       patients ${formatCount(summary.read.patients)}, invoices ${formatCount(summary.read.invoices)}`);
  out.line(`  written    created ${summary.created}, updated ${summary.updated}, unchanged ${summary.unchanged}, skipped ${summary.skipped}`);
  out.line(`  problems   dead-lettered ${summary.deadLettered}, reviews opened ${summary.reviews} (open now: ${open.deadLetters} dead letters, ${open.reviews} reviews)`);
  out.line(`  requests   Cliniko ${summary.requests.cliniko}, Tradify ${summary.requests.tradify} (${summary.writes} writes)`);
  if (needsAttention(open)) out.line('  next       cliniko-tradify dead-letters list · cliniko-tradify reviews list');
}

async function pendingOrUndefined(ctx: CommandContext, runtime: CliRuntime): Promise<PendingWork | undefined> {
  if (ctx.progressMode === 'none') return undefined;
  try {
    return (await runtime.engine.estimate({ signal: ctx.signal })).pending;
  } catch {
    return undefined; // progress without totals is still progress
  }
}

/** 130 when stopped by a signal, 1 when the target stayed down, 3 when a person is needed, else 0. */
export function syncExitCode(summary: SyncSummary, open: OpenWork, interrupted: boolean): number {
  if (interrupted || summary.stoppedBecause === 'aborted') return EXIT.interrupted;
  if (summary.stoppedBecause === 'target-down') return EXIT.failed;
  return needsAttention(open) ? EXIT.attention : EXIT.ok;
}

/** Runs a sync and returns the exit code. */
export async function syncAction(ctx: CommandContext): Promise<number> {
  const runtime = await ctx.runtime();
  const pending = await pendingOrUndefined(ctx, runtime);
  const progress = new ProgressReporter({
    mode: ctx.progressMode,
    write: (text) => ctx.writeProgress(text),
    pending,
    rates: { cliniko: runtime.config.cliniko.requestsPerMinute, tradify: runtime.config.tradify.requestsPerMinute },
  });
  const unsubscribe = runtime.engine.on('pageRead', progress.onPage);
  let summary: SyncSummary;
  try {
    summary = await runtime.engine.run({ signal: ctx.signal });
  } finally {
    unsubscribe();
    progress.finish();
  }
  const open = await countOpenWork(runtime.store, runtime.config.accountId);
  const exitCode = syncExitCode(summary, open, ctx.signal.aborted);
  printSummary(ctx, summary, open);
  ctx.out.document({ command: 'sync', exitCode, summary, open });
  return exitCode;
}

/** Registers `sync`. */
export function registerSync(program: Command, bind: Bind): void {
  program
    .command('sync')
    .description('Run one incremental sync: Cliniko patients → Tradify customers, then invoices.')
    .addHelpText(
      'after',
      `
Examples:
  $ cliniko-tradify sync
  $ cliniko-tradify sync --json > last-run.json
  $ CLINIKO_TRADIFY_DB=/var/lib/clinic.db cliniko-tradify sync --progress plain

Exit codes: 0 done · 1 failed · 2 configuration · 3 done with dead letters or reviews open ·
130 stopped by Ctrl-C after the current page (the checkpoint is kept; run again to resume).`,
    )
    .action(bind('sync', syncAction));
}
