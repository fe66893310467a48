/**
 * `cliniko-tradify demo`: the same walk-through as `npm run demo`.
 *
 * @module
 */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import type { CommandContext } from '../context.js';
import { runDemo } from '../demo.js';
import { EXIT } from '../exit-codes.js';
import type { Bind } from '../bind.js';

/** Options of `demo`. */
export interface DemoCliOptions {
  patients?: string | undefined;
  invoices?: string | undefined;
  seed?: string | undefined;
  dir?: string | undefined;
}

function count(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1) throw new ConfigError(flag, `${flag} must be a whole number from 1 to 999999.`);
  return Number(text);
}

/** Runs the walk-through; exit 0 when it completes. */
export async function demoAction(ctx: CommandContext, options: DemoCliOptions): Promise<number> {
  const result = await runDemo({
    patients: count(options.patients, '--patients', 2000),
    invoices: count(options.invoices, '--invoices', 4000),
    seed: count(options.seed, '--seed', 42),
    dir: options.dir,
    print: (line) => ctx.out.line(line),
    progress: ctx.progressMode,
    writeProgress: (text) => ctx.writeProgress(text),
    signal: ctx.signal,
  });
  ctx.out.document({ command: 'demo', exitCode: EXIT.ok, result });
  return EXIT.ok;
}

/** Registers `demo`. */
export function registerDemo(program: Command, bind: Bind): void {
  program
    .command('demo')
    .description('A whole walk-through against built-in fakes: full sync, edits, incremental sync, reconciliation.')
    .option('--patients <n>', 'patients in the fake Cliniko (default 2000)')
    .option('--invoices <n>', 'invoices in the fake Cliniko (default 4000)')
    .option('--seed <n>', 'seed of the generated data (default 42)')
    .option('--dir <dir>', 'where the state file and report go (default: a new temp folder)')
    .addHelpText('after', `
Needs no keys and no network: everything runs on loopback with raised rate limits.

Examples:
  $ cliniko-tradify demo
  $ cliniko-tradify demo --patients 200 --invoices 400 --json`)
    .action(bind('demo', demoAction));
}
