/**
 * `cliniko-tradify status`: cursors, the last run, pending work and its ETA at the configured
 * limits, open dead letters and reviews, and who holds the lease.
 *
 * @module
 */
import type { Command } from 'commander';
import { estimateEta, type Eta } from '../../sync/eta.js';
import type { Lease, RunRecord, StreamCursor } from '../../sync/ports.js';
import { countOpenWork } from '../attention.js';
import { requireApiSettings, type CliConfig } from '../config.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { formatCount, formatDuration } from '../output.js';
import { countPendingWork, type PendingWork } from '../pending.js';
import type { Bind } from '../bind.js';

/** The status document (`--json`). */
export interface StatusReport {
  accountId: string;
  db: string;
  cursors: Record<string, StreamCursor>;
  /** `endReason` is set when the store ended the run because its process had stopped (see `RunRecord.endReason`). */
  lastRun: { id: string; kind: string; status: string; startedAt: string; finishedAt: string | null; endReason: string | null } | null;
  lease: { owner: string; expiresAt: string } | null;
  open: { deadLetters: number; reviews: number };
  /** Records updated in Cliniko since the cursors; null when the API settings are missing or Cliniko did not answer. */
  pending: PendingWork | null;
  eta: (Eta & { rates: { cliniko: number; tradify: number } }) | null;
}

function runView(run: RunRecord | undefined): StatusReport['lastRun'] {
  if (!run) return null;
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: run.finishedAt === undefined ? null : new Date(run.finishedAt).toISOString(),
    endReason: run.endReason ?? null,
  };
}

const END_REASONS: Record<string, string> = {
  'lease-expired': 'its process stopped renewing the lease and another run took it over',
  'holder-died': 'its process had died when another run took the lease over',
};

/** The last run in one line: how it ended and, for a run ended by the store, why. */
function lastRunLine(r: StatusReport): string {
  const run = r.lastRun;
  if (!run) return 'never';
  const ended = run.finishedAt ? `, ended ${run.finishedAt}` : '';
  const why = run.endReason ? ` (${END_REASONS[run.endReason] ?? run.endReason})` : '';
  const stale = run.status === 'running' && !r.lease ? ' (no live lease: its process has stopped; the next run marks it aborted)' : '';
  return `${run.kind} ${run.status}, started ${run.startedAt}${ended}${why}${stale}`;
}

function leaseView(lease: Lease | undefined): StatusReport['lease'] {
  return lease ? { owner: lease.owner, expiresAt: new Date(lease.expiresAt).toISOString() } : null;
}

async function pendingWork(config: CliConfig, cursors: Record<string, StreamCursor>, signal: AbortSignal): Promise<PendingWork | null> {
  try {
    return await countPendingWork(requireApiSettings(config), config, cursors, signal);
  } catch {
    return null;
  }
}

function print(ctx: CommandContext, r: StatusReport): void {
  const out = ctx.out;
  out.line(`account ${r.accountId} · state ${r.db}`);
  for (const stream of ['patients', 'invoices']) {
    const c = r.cursors[stream];
    out.line(`  ${stream.padEnd(9)} cursor ${c ? `${c.updatedAt} (id ${c.id})` : 'none: the first sync reads everything'}`);
  }
  out.line(`  last run  ${lastRunLine(r)}`);
  out.line(`  lease     ${r.lease ? `held by ${r.lease.owner} until ${r.lease.expiresAt}` : 'free'}`);
  out.line(`  open      ${r.open.deadLetters} dead letters, ${r.open.reviews} reviews`);
  if (r.pending && r.eta) {
    out.line(`  pending   about ${formatCount(r.pending.patients)} patients, ${formatCount(r.pending.invoices)} invoices changed since the cursors`);
    out.line(`  ETA       ${formatDuration(r.eta.ms)} at ${r.eta.rates.cliniko}/${r.eta.rates.tradify} req/min (${r.eta.bottleneck} is the bottleneck)`);
  } else {
    out.line('  pending   unknown (set the Cliniko settings to count it)');
  }
}

/** Prints the status. */
export async function statusAction(ctx: CommandContext): Promise<number> {
  const config = await ctx.config();
  const store = await ctx.store();
  const { accountId } = config;
  const cursors = await store.cursors.list(accountId, { signal: ctx.signal });
  const pending = await pendingWork(config, cursors, ctx.signal);
  const rates = { cliniko: config.cliniko.requestsPerMinute, tradify: config.tradify.requestsPerMinute };
  const report: StatusReport = {
    accountId,
    db: config.dbPath,
    cursors,
    lastRun: runView(await store.runs.last(accountId, {}, { signal: ctx.signal })),
    lease: leaseView(await store.getLease(accountId, { signal: ctx.signal })),
    open: await countOpenWork(store, accountId, ctx.signal),
    pending,
    eta: pending ? { ...estimateEta({ patientsPending: pending.patients, invoicesPending: pending.invoices, clinikoRpm: rates.cliniko, tradifyRpm: rates.tradify }), rates } : null,
  };
  print(ctx, report);
  ctx.out.document({ command: 'status', exitCode: EXIT.ok, status: report });
  return EXIT.ok;
}

/** Registers `status`. */
export function registerStatus(program: Command, bind: Bind): void {
  program
    .command('status')
    .description('Cursors, last run, pending work with its ETA, open dead letters and reviews, the lease holder.')
    .addHelpText('after', `
Needs only CLINIKO_TRADIFY_DB; with the Cliniko settings it also counts pending work (two requests).

Examples:
  $ cliniko-tradify status
  $ cliniko-tradify status --json | jq .status.eta`)
    .action(bind('status', statusAction));
}
