/**
 * The `cliniko-tradify` command tree (commander), and {@link runCli}, which runs it against
 * injectable streams and returns the exit code instead of exiting.
 *
 * @module
 */
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import type { Bind } from './bind.js';
import { CommandContext, globalsOf } from './context.js';
import { EXIT } from './exit-codes.js';
import { formatEntry, LOG_FORMATS, LOG_LEVELS, logFormatFor, logFormatInArgs, VERBOSE_LEVEL, type LogFormat } from './logging.js';
import { processIo, type CliIo } from './output.js';
import { registerSync } from './commands/sync.js';
import { registerPlan } from './commands/plan.js';
import { registerApply } from './commands/apply.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerDeadLetters } from './commands/dead-letters.js';
import { registerReviews } from './commands/reviews.js';
import { registerAudit } from './commands/audit.js';
import { registerStatus } from './commands/status.js';
import { registerSchedule } from './commands/schedule.js';
import { registerDemo } from './commands/demo.js';
import { registerWorker } from './worker.js';

const ROOT_HELP = `
Configuration (environment; keys never go in a config file):
  CLINIKO_API_KEY, CLINIKO_USER_AGENT, TRADIFY_API_KEY, TRADIFY_BASE_URL   required to sync
  CLINIKO_TRADIFY_DB        SQLite state file (default ./cliniko-tradify.db)
  CLINIKO_BASE_URL, CLINIKO_TRADIFY_TIME_ZONE, CLINIKO_TRADIFY_ACCOUNT, CLINIKO_TRADIFY_CONFIG,
  CLINIKO_REQUESTS_PER_MINUTE, TRADIFY_REQUESTS_PER_MINUTE, CLINIKO_TRADIFY_WEBHOOK_URL
  CLINIKO_TRADIFY_SMTP_HOST, _PORT, _TLS, _USER, _PASSWORD, _CA_FILE,
  CLINIKO_TRADIFY_EMAIL_FROM, CLINIKO_TRADIFY_EMAIL_TO                       email alerts
  --config <file>           .json, .js or .mjs: mapping callbacks, filters, tables, policies
  --log-format, --log-level one line per log entry on stderr; json for log pipelines

Examples:
  $ cliniko-tradify demo                      # a whole walk-through against built-in fakes
  $ cliniko-tradify sync
  $ cliniko-tradify plan && cliniko-tradify apply <plan-id>
  $ cliniko-tradify reconcile --out ./reports --format html,csv
  $ cliniko-tradify status --json

Exit codes: 0 done · 1 failed · 2 configuration · 3 finished, a person is needed (dead letters,
reviews, or reconciliation findings) · 130 stopped by Ctrl-C (checkpoint kept).
Guides: docs/getting-started.md, docs/configuration.md, docs/operations.md`;

/** Commander's own messages on stderr (usage errors), one JSON entry per line in `json`. */
function usageWriter(io: CliIo, format: LogFormat): (text: string) => void {
  if (format === 'pretty') return (text) => void io.stderr.write(text);
  return (text) => {
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) io.stderr.write(`${formatEntry('json', new Date(), 'error', line)}\n`);
  };
}

/**
 * Builds the command tree. `onExit` receives each action's exit code.
 *
 * @param usageFormat - how commander's usage errors are written on stderr. @defaultValue `'pretty'`
 */
export function buildProgram(io: CliIo, signal: AbortSignal, onExit: (code: number) => void, usageFormat: LogFormat = 'pretty'): Command {
  const program = new Command('cliniko-tradify')
    .description('Keep Tradify in step with Cliniko: patients, invoices, GST, reconciliation.')
    .version(VERSION)
    .option('-c, --config <file>', 'config file (.json, .js or .mjs); also CLINIKO_TRADIFY_CONFIG')
    .option('--json', 'print one JSON document on stdout (for machines); no progress')
    .addOption(new Option('--progress <mode>', 'progress on stderr').choices(['auto', 'tty', 'plain', 'none']).default('auto'))
    .option('-v, --verbose', `same as --log-level ${VERBOSE_LEVEL}: also log warnings, request retries and rate-limit pauses`)
    .addOption(new Option('--log-format <format>', 'stderr lines: pretty, or json (one object per line); default pretty on a terminal, else json').choices(LOG_FORMATS))
    .addOption(new Option('--log-level <level>', 'least severe log line shown; default error (info for schedule and worker)').choices(LOG_LEVELS))
    .addHelpText('after', ROOT_HELP)
    .showHelpAfterError('(add --help for usage and examples)')
    .enablePositionalOptions(false)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: usageWriter(io, usageFormat) });
  const bind: Bind = (name, handler) => async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = new CommandContext(io, globalsOf(command), signal, name);
    try {
      onExit(await (handler as (ctx: CommandContext, ...rest: unknown[]) => Promise<number>)(ctx, ...args.slice(0, -1)));
    } catch (error) {
      onExit(ctx.fail(name, error));
    } finally {
      await ctx.close();
    }
  };
  for (const register of [registerSync, registerPlan, registerApply, registerReconcile, registerDeadLetters, registerReviews, registerAudit, registerStatus, registerSchedule, registerDemo, registerWorker]) {
    register(program, bind);
  }
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code.
 *
 * @example
 * ```ts
 * const code = await runCli(['status', '--json']);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo(), signal: AbortSignal = new AbortController().signal): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, signal, (code) => (exitCode = code), logFormatFor(logFormatInArgs(argv), io.stderr.isTTY));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      return EXIT.config;
    }
    throw error;
  }
  return exitCode;
}
