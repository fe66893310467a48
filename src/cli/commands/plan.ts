/**
 * `cliniko-tradify plan`: a dry run — what `sync` would write — printed and saved with an id
 * for `cliniko-tradify apply <id>`.
 *
 * @module
 */
import type { Command } from 'commander';
import type { SyncPlan } from '../../sync/plan.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { table } from '../output.js';
import type { Bind } from '../bind.js';

/** How many plan items are printed before "… and N more" (the JSON output has all). */
const SHOWN_ITEMS = 50;

function printPlan(ctx: CommandContext, plan: SyncPlan): void {
  const counts = Object.entries(plan.counts).map(([action, n]) => `${action} ${n}`).join(', ') || 'nothing to write';
  ctx.out.line(`plan ${plan.id} (${plan.createdAt}): ${counts}`);
  if (plan.items.length === 0) return;
  const rows = [['stream', 'cliniko id', 'action', 'reason'], ...plan.items.slice(0, SHOWN_ITEMS).map((i) => [i.stream, i.clinikoId, i.action, i.reason])];
  for (const line of table(rows)) ctx.out.line(`  ${line}`);
  if (plan.items.length > SHOWN_ITEMS) ctx.out.line(`  … and ${plan.items.length - SHOWN_ITEMS} more (--json lists every item)`);
  ctx.out.line(`apply it with: cliniko-tradify apply ${plan.id}`);
}

/** Makes and saves a plan. */
export async function planAction(ctx: CommandContext): Promise<number> {
  const { engine } = await ctx.runtime();
  const plan = await engine.plan({ signal: ctx.signal });
  printPlan(ctx, plan);
  ctx.out.document({ command: 'plan', exitCode: EXIT.ok, plan });
  return EXIT.ok;
}

/** Registers `plan`. */
export function registerPlan(program: Command, bind: Bind): void {
  program
    .command('plan')
    .description('Dry run: list what sync would write to Tradify (nothing is written), and save it with an id.')
    .addHelpText('after', `
The saved plan holds ids, hashes and reason codes only. Apply it later; items whose Cliniko
record changed since are refused and left to the next sync.

Examples:
  $ cliniko-tradify plan
  $ cliniko-tradify plan --json | jq '.plan.counts'
  $ cliniko-tradify apply 6f1c…`)
    .action(bind('plan', planAction));
}
