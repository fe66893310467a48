/**
 * `cliniko-tradify dead-letters list|replay|discard`.
 *
 * @module
 */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import type { DeadLetter, DeadLetterStatus } from '../../sync/ports.js';
import { countOpenWork, needsAttention } from '../attention.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { table } from '../output.js';
import type { Bind } from '../bind.js';

const STATUSES: readonly DeadLetterStatus[] = ['open', 'resolved', 'discarded'];

async function listAll(ctx: CommandContext, status: DeadLetterStatus, stream: string | undefined): Promise<DeadLetter[]> {
  const store = await ctx.store();
  const { accountId } = await ctx.config();
  const all: DeadLetter[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.deadLetters.list(accountId, { status, stream, limit: 500, cursor, signal: ctx.signal });
    all.push(...page.items);
    cursor = page.next;
  } while (cursor !== undefined);
  return all;
}

/** Lists letters (ids, streams, reason codes: no patient data). */
export async function listAction(ctx: CommandContext, options: { status?: string; stream?: string }): Promise<number> {
  const status = (options.status ?? 'open') as DeadLetterStatus;
  if (!STATUSES.includes(status)) throw new ConfigError('--status', `--status must be one of ${STATUSES.join(', ')}.`);
  const letters = await listAll(ctx, status, options.stream);
  const rows = [['id', 'stream', 'record', 'reason', 'attempts', 'message'], ...letters.map((l) => [l.id, l.stream, l.recordId, l.reasonCode, String(l.attempts), l.message])];
  ctx.out.line(`${letters.length} ${status} dead letter(s)`);
  if (letters.length > 0) for (const line of table(rows)) ctx.out.line(`  ${line}`);
  ctx.out.document({ command: 'dead-letters list', exitCode: EXIT.ok, deadLetters: letters });
  return EXIT.ok;
}

/** Replays open letters (all, or the given ids). */
export async function replayAction(ctx: CommandContext, ids: string[]): Promise<number> {
  const { engine, store, config } = await ctx.runtime();
  const result = await engine.deadLetters.replay({ ids: ids.length > 0 ? ids : undefined, signal: ctx.signal });
  const open = await countOpenWork(store, config.accountId);
  const exitCode = needsAttention(open) ? EXIT.attention : EXIT.ok;
  ctx.out.line(`replayed: resolved ${result.resolved}, superseded ${result.superseded}, still failing ${result.stillFailing}, gone ${result.gone}`);
  ctx.out.document({ command: 'dead-letters replay', exitCode, result, open });
  return exitCode;
}

/** Discards one letter. */
export async function discardAction(ctx: CommandContext, id: string, options: { reason?: string }): Promise<number> {
  const store = await ctx.store();
  const { accountId } = await ctx.config();
  const letter = await store.deadLetters.discard(accountId, id, options.reason ?? 'discarded-by-user', { signal: ctx.signal });
  if (!letter) throw new ConfigError('id', `No dead letter '${id}': list them with cliniko-tradify dead-letters list.`);
  ctx.out.line(`discarded ${letter.id} (${letter.stream} ${letter.recordId})`);
  ctx.out.document({ command: 'dead-letters discard', exitCode: EXIT.ok, deadLetter: letter });
  return EXIT.ok;
}

/** Registers `dead-letters`. */
export function registerDeadLetters(program: Command, bind: Bind): void {
  const group = program
    .command('dead-letters')
    .description('Records that could not be synced (bad data, 422s): list, replay or discard them.')
    .addHelpText('after', `
Examples:
  $ cliniko-tradify dead-letters list
  $ cliniko-tradify dead-letters replay              # every open letter, customers first
  $ cliniko-tradify dead-letters replay <id> <id>
  $ cliniko-tradify dead-letters discard <id> --reason "patient is a test record"`);
  group
    .command('list')
    .description('List dead letters (ids and reason codes only).')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`, 'open')
    .option('--stream <stream>', 'patients or invoices')
    .addHelpText('after', '\nExample:\n  $ cliniko-tradify dead-letters list --status resolved --json')
    .action(bind('dead-letters list', listAction));
  group
    .command('replay')
    .argument('[ids...]', 'letter ids (default: every open letter)')
    .description('Re-fetch each record from Cliniko and sync it again.')
    .addHelpText('after', '\nExample:\n  $ cliniko-tradify dead-letters replay\nExit code 3 when letters stay open.')
    .action(bind('dead-letters replay', replayAction));
  group
    .command('discard')
    .argument('<id>', 'the letter id')
    .option('--reason <text>', 'why (kept in the store; do not put patient details here)')
    .description('Give up on a letter; the record is left as it is.')
    .addHelpText('after', '\nExample:\n  $ cliniko-tradify dead-letters discard 42 --reason duplicate')
    .action(bind('dead-letters discard', discardAction));
}
