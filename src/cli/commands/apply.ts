/**
 * `cliniko-tradify apply <planId>`: applies a saved plan.
 *
 * @module
 */
import type { Command } from 'commander';
import { countOpenWork, needsAttention } from '../attention.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Bind } from '../bind.js';

/** Applies the plan and returns the exit code. */
export async function applyAction(ctx: CommandContext, planId: string): Promise<number> {
  const { engine, store, config } = await ctx.runtime();
  const result = await engine.apply(planId, { signal: ctx.signal });
  const open = await countOpenWork(store, config.accountId);
  const exitCode = needsAttention(open) ? EXIT.attention : EXIT.ok;
  ctx.out.line(`plan ${result.planId}: applied ${result.applied}, refused ${result.refused.length}`);
  for (const refused of result.refused) ctx.out.line(`  refused ${refused.stream} ${refused.clinikoId}: ${refused.reason}`);
  ctx.out.document({ command: 'apply', exitCode, result, open });
  return exitCode;
}

/** Registers `apply`. */
export function registerApply(program: Command, bind: Bind): void {
  program
    .command('apply')
    .argument('<planId>', 'the id printed by cliniko-tradify plan')
    .description('Apply a saved plan; items changed in Cliniko since the plan are refused.')
    .addHelpText('after', `
Examples:
  $ cliniko-tradify apply 0b8f6a52-3c1e-4d57-9a0e-0f3c2b7d9e11
  $ cliniko-tradify apply "$(cliniko-tradify plan --json | jq -r .plan.id)"`)
    .action(bind('apply', applyAction));
}
